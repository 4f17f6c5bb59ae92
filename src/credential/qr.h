/*
 * qr.h — QR codes: rendering a credential as PNG (libqrencode + libpng) or SVG,
 * and reading one back from a PNG (libpng + zbar) for `hromada verify --image`.
 *
 * Credentials are encoded with error correction level Q (25%), the level EU DCC
 * issuers use, so a code still scans when partly smudged or covered by a logo.
 * The text of a credential (PREFIX:Base45) lies within the QR alphanumeric set,
 * which libqrencode then packs at 5.5 bits per character.
 */
#ifndef HROMADA_CREDENTIAL_QR_H
#define HROMADA_CREDENTIAL_QR_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

#define QR_MAX_IMAGE_BYTES (16 * 1024 * 1024)
/* What a QR picture needs, checked from the PNG header before anything is
 * decoded (issue 13: an 8192x8192 picture took 3.7 s and 117 MB). The largest
 * QR (version 40, 177 modules + quiet zone) at 10 pixels a module is ~1 900
 * pixels a side; a 12-megapixel phone photo is 4 000 x 3 000. */
#define QR_MAX_SIDE   4096u
#define QR_MAX_PIXELS (4096u * 3072u)

/* PNG bytes of the code, `scale` pixels per module, 4-module quiet zone. Stage "qr". */
hr_status qr_render_png(const char *text, unsigned scale, struct buf *out, struct hr_error *err);
/* An SVG document of the code (one path; scalable, no raster). */
hr_status qr_render_svg(const char *text, struct buf *out, struct hr_error *err);

/* The text of the first QR code found in a PNG image. Stage "picture". */
hr_status qr_decode_png(const uint8_t *png, size_t len, struct buf *text, struct hr_error *err);

#endif
