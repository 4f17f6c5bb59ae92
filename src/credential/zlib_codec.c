/*
 * zlib_codec.c — zlib (RFC 1950) inflate with a hard output ceiling, and
 * deflate at best compression, on streams kept across calls.
 *
 * What: the compression layer of PREFIX + Base45(zlib(COSE_Sign1)). Why kept
 * streams: inflateInit/deflateInit allocate tens of kilobytes; the resets only
 * clear state, so a verifier or issuer in a loop pays set-up once.
 * What never: inflating never writes more than the ceiling, never grows the
 * output ahead of what zlib actually produced (a 10 KB bomb claiming 10 MB
 * allocates at most the ceiling), never accepts anything but exactly one
 * complete zlib stream (no raw deflate, no gzip, no trailing bytes), and never
 * leaves partial output in the caller's buffer on failure.
 */
#include "credential/zlib_codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"

/*
 * Deflate parameters, measured with zlib 1.2.13 at level 9 on this machine, on
 * the 76 EU DCC COSE messages of the shared test vectors (301-715 bytes, mostly
 * signatures and short strings) and on twelve ~2000-byte inputs:
 *   deflateReset alone: memLevel 8 (the default) 680 ns, as it clears the
 *   2^(memLevel+8)-byte hash head table; memLevel 4 145 ns; memLevel 1 113 ns.
 *   deflate of one ~330-byte message: ~9 us at memLevel 4 and at 8, the same
 *   output (28366 bytes for the 76); memLevel 1-2 are slower (12-14 us, their
 *   small hash table makes long collision chains) and within 1% in size. At
 *   2000 bytes memLevel 4 is 0.2% larger than memLevel 8 and as fast.
 * So memLevel 4. The window (windowBits 15) is not cleared by a reset and costs
 * memory, not time; 32 KB keeps every match of any credential in reach.
 */
#define ZLIB_CODEC_LEVEL       9
#define ZLIB_CODEC_WINDOW_BITS 15
#define ZLIB_CODEC_MEM_LEVEL   4

/* Inflate output is given to zlib in pieces of at most this size, so the
 * buffer grows with what the stream really produces. */
#define ZLIB_CODEC_CHUNK 16384

struct zlib_codec {
	z_stream inflate;
	z_stream deflate;
	z_stream store; /* level 0: stored blocks, see zlib_codec_store */
};

struct zlib_codec *zlib_codec_new(void)
{
	struct zlib_codec *codec;

	if ((codec = calloc(1, sizeof(*codec))) == NULL)
		return NULL;
	/* RFC 1950 only: windowBits 15 without +16/+32, so gzip and raw deflate fail. */
	if (inflateInit2(&codec->inflate, 15) != Z_OK) {
		free(codec);
		return NULL;
	}
	if (deflateInit2(&codec->deflate, ZLIB_CODEC_LEVEL, Z_DEFLATED, ZLIB_CODEC_WINDOW_BITS,
			 ZLIB_CODEC_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK) {
		inflateEnd(&codec->inflate);
		free(codec);
		return NULL;
	}
	/* stored blocks need neither a large window nor a hash table */
	if (deflateInit2(&codec->store, 0, Z_DEFLATED, 9, 1, Z_DEFAULT_STRATEGY) != Z_OK) {
		deflateEnd(&codec->deflate);
		inflateEnd(&codec->inflate);
		free(codec);
		return NULL;
	}
	return codec;
}

void zlib_codec_free(struct zlib_codec *codec)
{
	if (codec == NULL)
		return;
	inflateEnd(&codec->inflate);
	deflateEnd(&codec->deflate);
	deflateEnd(&codec->store);
	free(codec);
}

/* Truncates out back to where this call started: no partial output. */
static hr_status zlib_codec_fail(struct buf *out, size_t start, struct hr_error *err,
				 hr_status status, const char *what)
{
	if (out->data != NULL) {
		out->len = start;
		out->data[start] = 0;
	}
	return hr_error_set(err, status, "zlib", "%s", what);
}

hr_status zlib_codec_inflate(struct zlib_codec *codec, const uint8_t *data, size_t len,
			     size_t max_out, struct buf *out, struct hr_error *err)
{
	z_stream *z = &codec->inflate;
	size_t start = out->len, allowed, chunk;
	uint8_t probe;
	bool probing;
	hr_status rc;
	int zrc;

	if (out->error != HR_OK)
		return hr_error_set(err, out->error, "zlib", "the output buffer has failed before");
	if (len > UINT_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, "zlib", "compressed input too large");
	allowed = out->limit - out->len;
	if (max_out < allowed)
		allowed = max_out;
	if (inflateReset(z) != Z_OK)
		return hr_error_set(err, HR_E_STATE, "zlib", "inflateReset failed");
	z->next_in = (Bytef *)(uintptr_t)data; /* zlib does not write through next_in */
	z->avail_in = (uInt)len;
	for (;;) {
		chunk = allowed - (out->len - start);
		if (chunk > ZLIB_CODEC_CHUNK)
			chunk = ZLIB_CODEC_CHUNK;
		/*
		 * At the ceiling, one byte of scratch space tells a stream that
		 * only has its end left (Z_STREAM_END, nothing written) from one
		 * that would go past the ceiling.
		 */
		probing = chunk == 0;
		if (probing) {
			z->next_out = &probe;
			z->avail_out = 1;
		} else {
			if ((rc = buf_reserve(out, chunk)) != HR_OK)
				return zlib_codec_fail(out, start, err, rc, "out of memory");
			z->next_out = out->data + out->len;
			z->avail_out = (uInt)chunk;
		}
		zrc = inflate(z, Z_NO_FLUSH);
		if (!probing)
			out->len += chunk - z->avail_out;
		else if (z->avail_out == 0)
			return zlib_codec_fail(out, start, err, HR_E_TOO_LARGE,
					       "the decompressed data exceeds the ceiling");
		if (zrc == Z_STREAM_END)
			break;
		switch (zrc) {
		case Z_OK:
			continue;
		case Z_BUF_ERROR:
			/* No progress possible with output room: the input ran out. */
			return zlib_codec_fail(out, start, err, HR_E_INVALID,
					       "truncated zlib stream");
		case Z_MEM_ERROR:
			return zlib_codec_fail(out, start, err, HR_E_NOMEM, "out of memory");
		case Z_NEED_DICT:
			return zlib_codec_fail(out, start, err, HR_E_INVALID,
					       "the zlib stream needs a preset dictionary");
		default: /* Z_DATA_ERROR: bad header, corrupt data, bad checksum */
			return zlib_codec_fail(out, start, err, HR_E_INVALID,
					       z->msg != NULL ? z->msg : "corrupt zlib stream");
		}
	}
	/* RFC 1950 §2.2: the stream ends with its Adler-32; nothing may follow. */
	if (z->avail_in != 0)
		return zlib_codec_fail(out, start, err, HR_E_INVALID,
				       "bytes after the end of the zlib stream");
	if (out->data != NULL)
		out->data[out->len] = 0;
	return HR_OK;
}

static hr_status run_deflate(z_stream *z, const uint8_t *data, size_t len, struct buf *out,
			     struct hr_error *err)
{
	size_t start = out->len, room;
	hr_status rc;
	int zrc;

	if (out->error != HR_OK)
		return hr_error_set(err, out->error, "zlib", "the output buffer has failed before");
	if (len > UINT_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, "zlib", "input too large to compress");
	if (deflateReset(z) != Z_OK)
		return hr_error_set(err, HR_E_STATE, "zlib", "deflateReset failed");
	/* deflateBound is an upper bound: with that room one call finishes. */
	room = deflateBound(z, (uLong)len);
	if (room > out->limit - out->len)
		room = out->limit - out->len;
	if ((rc = buf_reserve(out, room)) != HR_OK)
		return hr_error_set(err, rc, "zlib", "out of memory");
	z->next_in = (Bytef *)(uintptr_t)data;
	z->avail_in = (uInt)len;
	z->next_out = out->data + out->len;
	z->avail_out = (uInt)room;
	zrc = deflate(z, Z_FINISH);
	if (zrc != Z_STREAM_END)
		return zlib_codec_fail(out, start, err,
				       zrc == Z_OK || zrc == Z_BUF_ERROR ? HR_E_TOO_LARGE
									 : HR_E_STATE,
				       "the compressed data exceeds the ceiling");
	out->len += room - z->avail_out;
	out->data[out->len] = 0;
	return HR_OK;
}

hr_status zlib_codec_deflate(struct zlib_codec *codec, const uint8_t *data, size_t len,
			     struct buf *out, struct hr_error *err)
{
	return run_deflate(&codec->deflate, data, len, out, err);
}

hr_status zlib_codec_store(struct zlib_codec *codec, const uint8_t *data, size_t len,
			   struct buf *out, struct hr_error *err)
{
	return run_deflate(&codec->store, data, len, out, err);
}
