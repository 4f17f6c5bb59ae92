/*
 * zlib_codec.h — zlib (RFC 1950) compression for credentials, with a hard
 * ceiling on what inflating may produce: a small payload that claims to expand
 * to gigabytes (a decompression bomb) is refused as soon as the output passes
 * the ceiling, never buffered.
 *
 * A struct zlib_codec keeps one inflate and one deflate stream and resets them
 * between uses, so a verifier or issuer in a loop does not pay zlib's set-up on
 * every credential. A codec is used by one thread at a time.
 */
#ifndef HROMADA_CREDENTIAL_ZLIB_CODEC_H
#define HROMADA_CREDENTIAL_ZLIB_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

struct zlib_codec;

struct zlib_codec *zlib_codec_new(void);
void zlib_codec_free(struct zlib_codec *codec);

/*
 * Inflates a complete zlib stream into out (appending). Errors, stage "zlib":
 * HR_E_TOO_LARGE when the output would exceed max_out bytes (or out's ceiling),
 * HR_E_INVALID for a corrupt or truncated stream, a bad header or checksum, or
 * bytes after the end of the stream.
 */
hr_status zlib_codec_inflate(struct zlib_codec *codec, const uint8_t *data, size_t len,
			     size_t max_out, struct buf *out, struct hr_error *err);

/* Compresses data (zlib format, best compression) and appends it to out. */
hr_status zlib_codec_deflate(struct zlib_codec *codec, const uint8_t *data, size_t len,
			     struct buf *out, struct hr_error *err);

/*
 * The same zlib format with stored (uncompressed) blocks: any zlib inflater
 * reads it. For small signed messages, where compression saves little and costs
 * as much as the signature itself (see issue.c), this is the faster choice.
 */
hr_status zlib_codec_store(struct zlib_codec *codec, const uint8_t *data, size_t len,
			   struct buf *out, struct hr_error *err);

#endif
