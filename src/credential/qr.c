/*
 * qr.c — QR code images: libqrencode to build the symbol (qr_mask.c chooses
 * its mask), libpng to write and read PNG, zbar to find and decode a symbol in
 * a picture.
 *
 * zbar is loaded with dlopen() the first time a picture is decoded: it pulls in
 * X11, D-Bus and video4linux libraries (about 2 MB resident), which a verifier
 * reading text payloads — the common case — should never pay for.
 *
 * libpng reports errors by longjmp() to the setjmp() in the calling function;
 * every pointer that function may free after a longjmp is declared volatile and
 * set before the setjmp, as the C standard requires for such variables. Image
 * dimensions are checked against QR_MAX_PIXELS before any row is allocated.
 */
#include "credential/qr.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>
#include <zbar.h>

#include "core/error.h"
#include "credential/qr_mask.h"

#define QUIET_ZONE   4
#define WIDTH_MAX    177 /* version 40 */
#define ZBAR_LIBRARY "libzbar.so.0"

/* The zbar functions we call, resolved once from the shared library. */
static struct {
	zbar_image_scanner_t *(*scanner_create)(void);
	int (*scanner_set_config)(zbar_image_scanner_t *, zbar_symbol_type_t, zbar_config_t, int);
	void (*scanner_destroy)(zbar_image_scanner_t *);
	zbar_image_t *(*image_create)(void);
	void (*image_set_format)(zbar_image_t *, unsigned long);
	void (*image_set_size)(zbar_image_t *, unsigned, unsigned);
	void (*image_set_data)(zbar_image_t *, const void *, unsigned long,
			       zbar_image_cleanup_handler_t *);
	int (*scan_image)(zbar_image_scanner_t *, zbar_image_t *);
	const zbar_symbol_t *(*image_first_symbol)(const zbar_image_t *);
	const zbar_symbol_t *(*symbol_next)(const zbar_symbol_t *);
	zbar_symbol_type_t (*symbol_get_type)(const zbar_symbol_t *);
	const char *(*symbol_get_data)(const zbar_symbol_t *);
	unsigned (*symbol_get_data_length)(const zbar_symbol_t *);
	void (*image_destroy)(zbar_image_t *);
	bool loaded;
} zbar;

static pthread_once_t zbar_once = PTHREAD_ONCE_INIT;

#define ZBAR_BIND(field, symbol)                                                                   \
	do {                                                                                       \
		*(void **)&zbar.field = dlsym(handle, symbol);                                     \
		ok = ok && zbar.field != NULL;                                                     \
	} while (0)

static void zbar_load(void)
{
	void *handle = dlopen(ZBAR_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	bool ok = handle != NULL;

	if (!ok)
		return;
	ZBAR_BIND(scanner_create, "zbar_image_scanner_create");
	ZBAR_BIND(scanner_set_config, "zbar_image_scanner_set_config");
	ZBAR_BIND(scanner_destroy, "zbar_image_scanner_destroy");
	ZBAR_BIND(image_create, "zbar_image_create");
	ZBAR_BIND(image_set_format, "zbar_image_set_format");
	ZBAR_BIND(image_set_size, "zbar_image_set_size");
	ZBAR_BIND(image_set_data, "zbar_image_set_data");
	ZBAR_BIND(scan_image, "zbar_scan_image");
	ZBAR_BIND(image_first_symbol, "zbar_image_first_symbol");
	ZBAR_BIND(symbol_next, "zbar_symbol_next");
	ZBAR_BIND(symbol_get_type, "zbar_symbol_get_type");
	ZBAR_BIND(symbol_get_data, "zbar_symbol_get_data");
	ZBAR_BIND(symbol_get_data_length, "zbar_symbol_get_data_length");
	ZBAR_BIND(image_destroy, "zbar_image_destroy");
	zbar.loaded = ok;
}

/* libpng would print its errors and warnings on stderr; a library never prints.
 * Errors still end in the longjmp libpng requires; warnings are dropped. */
static void png_error_quiet(png_structp png, png_const_charp message)
{
	(void)message;
	png_longjmp(png, 1);
}

static void png_warning_quiet(png_structp png, png_const_charp message)
{
	(void)png;
	(void)message;
}

/* --- writing --------------------------------------------------------------- */

static void png_write_to_buf(png_structp png, png_bytep data, png_size_t len)
{
	struct buf *out = png_get_io_ptr(png);

	if (buf_append(out, data, len) != HR_OK)
		png_error(png, "output too large");
}

static void png_flush_nothing(png_structp png)
{
	(void)png;
}

/* libqrencode builds the symbol, qr_mask.c chooses its mask: libqrencode's own
 * choice costs ten times the rest of the symbol (qr_mask.h). */
static QRcode *encode(const char *text, struct hr_error *err)
{
	QRcode *q = qr_mask_encode_string(text, QR_ECLEVEL_Q);

	if (q == NULL)
		hr_error_set(err, HR_E_TOO_LARGE, "qr", "the text does not fit in a QR code");
	return q;
}

hr_status qr_render_png(const char *text, unsigned scale, struct buf *out, struct hr_error *err)
{
	QRcode *q;
	png_structp png;
	png_infop info = NULL;
	png_bytep volatile row = NULL;
	unsigned size;

	if (scale == 0 || scale > 32)
		return hr_error_set(err, HR_E_INVALID, "qr",
				    "scale must be 1 to 32 pixels per module");
	if ((q = encode(text, err)) == NULL)
		return HR_E_TOO_LARGE;
	size = ((unsigned)q->width + 2 * QUIET_ZONE) * scale;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_quiet,
				      png_warning_quiet);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL ||
	    (row = malloc(size)) == NULL) {
		png_destroy_write_struct(&png, &info);
		QRcode_free(q);
		return hr_error_set(err, HR_E_NOMEM, "qr", "out of memory");
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		QRcode_free(q);
		return hr_error_set(err, HR_E_TOO_LARGE, "qr", "cannot write the PNG");
	}
	png_set_write_fn(png, out, png_write_to_buf, png_flush_nothing);
	png_set_IHDR(png, info, size, size, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (unsigned y = 0; y < size; y++) {
		int my = (int)(y / scale) - QUIET_ZONE;
		for (unsigned x = 0; x < size; x++) {
			int mx = (int)(x / scale) - QUIET_ZONE;
			bool dark = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
				    (q->data[my * q->width + mx] & 1);
			row[x] = dark ? 0 : 255;
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	QRcode_free(q);
	return out->error;
}

/* Writes a small non-negative number at p, returns its end: printf costs more
 * than the rest of the SVG together, and a code has hundreds of runs. */
static char *put_number(char *p, int n)
{
	char digits[12];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i > 0);
	memcpy(p, digits + i, sizeof(digits) - i);
	return p + (sizeof(digits) - i);
}

/* A run is "m-DX DYhN": at most 16 characters (coordinates below 1000), and a
 * row of 177 modules has at most 89 runs. */
#define SVG_ROW_MAX 2048

/* put_number for a signed offset */
static char *put_offset(char *p, int n)
{
	if (n < 0) {
		*p++ = '-';
		n = -n;
	}
	return put_number(p, n);
}

/* The first module at or after from (at most width) whose bit is dark, or
 * light when dark is false, in a row packed 64 modules to a word. */
static int next_module(const uint64_t *bits, int from, int width, bool dark)
{
	for (int k = from / 64; k * 64 < width; k++) {
		uint64_t w = dark ? bits[k] : ~bits[k];

		if (k == from / 64)
			w &= ~UINT64_C(0) << (from % 64);
		if (w != 0) {
			int at = k * 64 + __builtin_ctzll(w);
			return at < width ? at : width;
		}
	}
	return width;
}

hr_status qr_render_svg(const char *text, struct buf *out, struct hr_error *err)
{
	QRcode *q = encode(text, err);
	char line[SVG_ROW_MAX];
	int side, at_x = 0, at_y = 0;

	if (q == NULL)
		return HR_E_TOO_LARGE;
	if (q->width > WIDTH_MAX) { /* no QR code is wider: libqrencode is broken */
		int width = q->width;

		QRcode_free(q);
		return hr_error_set(err, HR_E_UNSUPPORTED, "qr", "a symbol %d modules wide", width);
	}
	side = q->width + 2 * QUIET_ZONE;
	/* single quotes: the SVG travels inside JSON strings without escapes.
	 * Each horizontal run of dark modules is a line of width 1 through the
	 * middle of its row ("m" relative to where the last run ended, "h" its
	 * length): with butt caps it covers exactly the run's modules, in half the
	 * bytes of a closed rectangle per run. The path starts at (0, 0.5), so
	 * every run, the first included, is a relative move. */
	buf_printf(out,
		   "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' "
		   "shape-rendering='crispEdges'><rect width='%d' height='%d' "
		   "fill='#fff'/><path stroke='#000' stroke-width='1' d='M0 0.5",
		   side, side, side, side);
	for (int y = 0; y < q->width; y++) {
		const unsigned char *row = q->data + y * q->width;
		uint64_t bits[(WIDTH_MAX + 63) / 64] = {0};
		char *p = line;

		/* packed first, so that runs are found a word at a time rather than
		 * by a branch per module that the pattern makes unpredictable */
		for (int x = 0; x < q->width; x++)
			bits[x / 64] |= (uint64_t)(row[x] & 1) << (x % 64);
		for (int x = next_module(bits, 0, q->width, true); x < q->width;
		     x = next_module(bits, x, q->width, true)) {
			int end = next_module(bits, x, q->width, false);

			*p++ = 'm';
			p = put_offset(p, x + QUIET_ZONE - at_x);
			*p++ = ' ';
			p = put_offset(p, y + QUIET_ZONE - at_y);
			*p++ = 'h';
			p = put_number(p, end - x);
			x = end;
			at_x = x + QUIET_ZONE;
			at_y = y + QUIET_ZONE;
		}
		buf_append(out, line, (size_t)(p - line));
	}
	buf_append_str(out, "'/></svg>\n");
	QRcode_free(q);
	return out->error;
}

/* --- reading --------------------------------------------------------------- */

struct png_source {
	const uint8_t *data;
	size_t len;
	size_t at;
};

static void png_read_from_memory(png_structp png, png_bytep data, png_size_t len)
{
	struct png_source *src = png_get_io_ptr(png);

	if (len > src->len - src->at)
		png_error(png, "truncated PNG");
	memcpy(data, src->data + src->at, len);
	src->at += len;
}

/* Decodes a PNG to 8-bit grayscale; *pixels is malloc'ed. */
static hr_status read_gray(const uint8_t *data, size_t len, uint8_t **pixels, unsigned *width,
			   unsigned *height, struct hr_error *err)
{
	struct png_source src = {data, len, 0};
	png_structp png;
	png_infop info = NULL;
	uint8_t *volatile image = NULL;
	png_bytep *volatile rows = NULL;
	png_uint_32 w, h;
	int depth, color;

	*pixels = NULL;
	if (len < 8 || png_sig_cmp(data, 0, 8) != 0)
		return hr_error_set(err, HR_E_INVALID, "picture", "not a PNG image");
	png =
	    png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_quiet, png_warning_quiet);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, &info, NULL);
		return hr_error_set(err, HR_E_NOMEM, "picture", "out of memory");
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_read_struct(&png, &info, NULL);
		free(image);
		free(rows);
		return hr_error_set(err, HR_E_INVALID, "picture", "the PNG image is corrupt");
	}
	png_set_read_fn(png, &src, png_read_from_memory);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &color, NULL, NULL, NULL);
	if (w == 0 || h == 0 || w > QR_MAX_SIDE || h > QR_MAX_SIDE ||
	    (uint64_t)w * h > QR_MAX_PIXELS) {
		png_destroy_read_struct(&png, &info, NULL);
		return hr_error_set(err, HR_E_TOO_LARGE, "picture",
				    "the image is %ux%u pixels, larger than a QR picture needs "
				    "(at most %u a side, %u pixels)",
				    (unsigned)w, (unsigned)h, QR_MAX_SIDE, QR_MAX_PIXELS);
	}
	/* whatever the PNG holds, read it as 8-bit gray */
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_strip_alpha(png);
	if (color & PNG_COLOR_MASK_COLOR)
		png_set_rgb_to_gray_fixed(png, 1, -1, -1);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != w) {
		png_destroy_read_struct(&png, &info, NULL);
		return hr_error_set(err, HR_E_UNSUPPORTED, "picture",
				    "unsupported PNG pixel format");
	}
	image = malloc((size_t)w * h);
	rows = malloc(h * sizeof(png_bytep));
	if (image == NULL || rows == NULL) {
		png_destroy_read_struct(&png, &info, NULL);
		free(image);
		free(rows);
		return hr_error_set(err, HR_E_NOMEM, "picture", "out of memory");
	}
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = image + (size_t)y * w;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	png_destroy_read_struct(&png, &info, NULL);
	free(rows);
	*pixels = image;
	*width = w;
	*height = h;
	return HR_OK;
}

hr_status qr_decode_png(const uint8_t *png, size_t len, struct buf *text, struct hr_error *err)
{
	zbar_image_scanner_t *scanner;
	zbar_image_t *image;
	const zbar_symbol_t *symbol;
	uint8_t *pixels;
	unsigned width, height;
	hr_status rc;

	if (len > QR_MAX_IMAGE_BYTES)
		return hr_error_set(err, HR_E_TOO_LARGE, "picture", "the image file is too large");
	pthread_once(&zbar_once, zbar_load);
	if (!zbar.loaded)
		return hr_error_set(err, HR_E_UNAVAILABLE, "picture",
				    "cannot load %s to read QR pictures", ZBAR_LIBRARY);
	if ((rc = read_gray(png, len, &pixels, &width, &height, err)) != HR_OK)
		return rc;
	scanner = zbar.scanner_create();
	image = zbar.image_create();
	if (scanner == NULL || image == NULL) {
		free(pixels);
		if (image)
			zbar.image_destroy(image);
		if (scanner)
			zbar.scanner_destroy(scanner);
		return hr_error_set(err, HR_E_NOMEM, "picture", "out of memory");
	}
	zbar.scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
	zbar.scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar.image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
	zbar.image_set_size(image, width, height);
	zbar.image_set_data(image, pixels, (unsigned long)width * height, NULL);
	rc = HR_E_INVALID;
	if (zbar.scan_image(scanner, image) > 0) {
		for (symbol = zbar.image_first_symbol(image); symbol;
		     symbol = zbar.symbol_next(symbol)) {
			if (zbar.symbol_get_type(symbol) != ZBAR_QRCODE)
				continue;
			rc = buf_append(text, zbar.symbol_get_data(symbol),
					zbar.symbol_get_data_length(symbol));
			if (rc != HR_OK)
				hr_error_set(err, rc, "picture", "the QR code's text is too long");
			break;
		}
	}
	zbar.image_destroy(image);
	zbar.scanner_destroy(scanner);
	free(pixels);
	if (rc == HR_E_INVALID)
		hr_error_set(err, rc, "picture", "no readable QR code in the image");
	return rc;
}
