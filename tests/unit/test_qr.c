/*
 * test_qr.c — QR codes: a PNG that zbar reads back as the same text, an SVG
 * that draws exactly the modules of that PNG, and clear refusals.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "core/buf.h"
#include "credential/qr.h"

/* The shape of a real credential: prefix and Base45 alphabet, ~900 characters. */
static void credential_like(char *out, size_t len)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

	memcpy(out, "HR1:", 4);
	for (size_t i = 4; i < len; i++)
		out[i] = alphabet[(i * 7 + i / 13) % (sizeof(alphabet) - 1)];
	out[len] = 0;
}

/* The grey pixels of a PNG at one pixel per module; side in *side. */
static unsigned char *png_pixels(const struct buf *png, unsigned *side)
{
	png_image image;
	unsigned char *pixels;

	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&image, png->data, png->len));
	image.format = PNG_FORMAT_GRAY;
	assert_int_equal(image.width, image.height);
	pixels = malloc(PNG_IMAGE_SIZE(image));
	assert_non_null(pixels);
	assert_true(png_image_finish_read(&image, NULL, pixels, 0, NULL));
	*side = image.width;
	return pixels;
}

/* Fills grid (side x side, 1 = dark) from the SVG's path of runs
 * "Mx yhNv1h-Nz"; fails on anything else in the path. */
static void svg_modules(const char *svg, unsigned side, unsigned char *grid)
{
	const char *p = strstr(svg, " d='");
	unsigned view;

	assert_non_null(strstr(svg, "<svg"));
	assert_int_equal(sscanf(strstr(svg, "viewBox='0 0 "), "viewBox='0 0 %u", &view), 1);
	assert_int_equal(view, side);
	assert_non_null(p);
	p += 4;
	memset(grid, 0, (size_t)side * side);
	while (*p != '\'') {
		unsigned x, y, w, back;
		int used = 0;

		assert_int_equal(sscanf(p, "M%u %uh%uv1h-%uz%n", &x, &y, &w, &back, &used), 4);
		assert_int_equal(w, back);
		assert_true(w > 0 && x + w <= side && y < side);
		for (unsigned i = 0; i < w; i++)
			grid[y * side + x + i] = 1;
		p += used;
	}
}

static void test_png_reads_back_as_the_same_text(void **state)
{
	struct hr_error err = {0};
	struct buf png, text;
	char payload[901];

	(void)state;
	credential_like(payload, sizeof(payload) - 1);
	buf_init(&png, QR_MAX_IMAGE_BYTES);
	buf_init(&text, 4096);
	assert_int_equal(qr_render_png(payload, 4, &png, &err), HR_OK);
	assert_int_equal(qr_decode_png(png.data, png.len, &text, &err), HR_OK);
	assert_string_equal(buf_str(&text), payload);
	buf_clear(&png);
	buf_clear(&text);
}

static void test_svg_draws_exactly_the_modules_of_the_png(void **state)
{
	struct hr_error err = {0};
	struct buf png, svg;
	char payload[901];
	unsigned side, dark = 0;
	unsigned char *pixels, *grid;

	(void)state;
	credential_like(payload, sizeof(payload) - 1);
	buf_init(&png, QR_MAX_IMAGE_BYTES);
	buf_init(&svg, 1024 * 1024);
	assert_int_equal(qr_render_png(payload, 1, &png, &err), HR_OK);
	assert_int_equal(qr_render_svg(payload, &svg, &err), HR_OK);
	pixels = png_pixels(&png, &side);
	grid = malloc((size_t)side * side);
	assert_non_null(grid);
	svg_modules(buf_str(&svg), side, grid);
	for (unsigned i = 0; i < side * side; i++) {
		if ((pixels[i] < 128) != (grid[i] == 1))
			fail_msg("module (%u, %u) differs between PNG and SVG", i % side, i / side);
		dark += grid[i];
	}
	assert_true(dark > side * side / 4); /* a real code, not an empty picture */
	/* runs, not one rectangle per module: far under 20 bytes per dark module */
	assert_true(svg.len < (size_t)dark * 10);
	free(pixels);
	free(grid);
	buf_clear(&png);
	buf_clear(&svg);
}

static void test_refusals_are_clear(void **state)
{
	struct hr_error err = {0};
	struct buf out;
	char *huge = malloc(8001);
	static const uint8_t not_png[] = "GIF89a not a png at all";

	(void)state;
	assert_non_null(huge);
	memset(huge, 'A', 8000);
	huge[8000] = 0;
	buf_init(&out, QR_MAX_IMAGE_BYTES);
	/* more than a QR code holds */
	assert_int_not_equal(qr_render_svg(huge, &out, &err), HR_OK);
	assert_string_equal(err.stage, "qr");
	buf_reset(&out);
	assert_int_not_equal(qr_render_png(huge, 4, &out, &err), HR_OK);
	buf_reset(&out);
	assert_int_equal(qr_render_png("HR1:X", 0, &out, &err), HR_E_INVALID);
	buf_reset(&out);
	/* not a PNG */
	assert_int_not_equal(qr_decode_png(not_png, sizeof(not_png), &out, &err), HR_OK);
	assert_string_equal(err.stage, "picture");
	free(huge);
	buf_clear(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_png_reads_back_as_the_same_text),
	    cmocka_unit_test(test_svg_draws_exactly_the_modules_of_the_png),
	    cmocka_unit_test(test_refusals_are_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
