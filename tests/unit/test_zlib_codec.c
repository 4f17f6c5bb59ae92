/*
 * test_zlib_codec.c — zlib with a ceiling: round trips, then every way a
 * stream can be wrong (a bomb, truncation, corruption, a bad checksum, bytes
 * after the end, the wrong framing), and reuse of one codec many times.
 */
#include "testkit/testkit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/buf.h"
#include "credential/zlib_codec.h"

/* Something shaped like a credential: CBOR-ish text with repetition, and a
 * 64-byte "signature" that does not compress. */
static size_t make_payload(uint8_t *p, size_t cap)
{
	static const char claims[] = "\xa4\x01\x62"
				     "AT"
				     "\x06\x1a\x60\xa2\x51\x7e\x39\x01\x03\xa1\x01\xa4\x61v\x81\xaa"
				     "bci"
				     "x1URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"
				     "bco"
				     "bAT"
				     "bdn\x01"
				     "bdt"
				     "j2021-02-18"
				     "bis"
				     "xMinistry of Health, Austria"
				     "bma"
				     "mORG-100030215"
				     "bmp"
				     "lEU/1/20/1528"
				     "bsd\x02"
				     "btg"
				     "i840539006"
				     "bvp"
				     "j1119349007"
				     "cdob"
				     "j1998-02-26"
				     "cnam\xa4"
				     "bfn"
				     "tMusterfrau-Gossinger"
				     "bgn"
				     "hGabriele"
				     "cfnt"
				     "uMUSTERFRAU<GOESSINGER"
				     "cgnt"
				     "hGABRIELE"
				     "cver"
				     "e1.0.0";
	unsigned seed = 7;
	size_t n = sizeof(claims) - 1, i;

	assert_true(cap >= n + 64);
	memcpy(p, claims, n);
	for (i = 0; i < 64; i++)
		p[n + i] = (uint8_t)(rand_r(&seed) >> 5);
	return n + 64;
}

static void compress_with(const uint8_t *data, size_t len, int window_bits, struct buf *out)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(buf_reserve(out, deflateBound(&z, len)), HR_OK);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out->data + out->len;
	z.avail_out = (uInt)(out->cap - out->len - 1);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len += z.total_out;
	deflateEnd(&z);
}

/* A valid zlib stream of the payload, made by our deflate. */
static void make_stream(struct zlib_codec *codec, struct buf *payload, struct buf *stream)
{
	uint8_t p[512];
	size_t n = make_payload(p, sizeof(p));

	buf_init(payload, 4096);
	buf_init(stream, 4096);
	assert_int_equal(buf_append(payload, p, n), HR_OK);
	assert_int_equal(zlib_codec_deflate(codec, p, n, stream, NULL), HR_OK);
}

/* Inflating data is refused with want, stage "zlib", and out is left as it was. */
static void assert_inflate_refused(struct zlib_codec *codec, const uint8_t *data, size_t len,
				   size_t max_out, hr_status want)
{
	struct buf out;
	struct hr_error err;

	buf_init(&out, 1 << 20);
	buf_append_str(&out, "kept");
	memset(&err, 0, sizeof(err));
	assert_int_equal(zlib_codec_inflate(codec, data, len, max_out, &out, &err), want);
	assert_int_equal(err.status, want);
	assert_string_equal(err.stage, "zlib");
	assert_int_equal(out.len, 4);
	assert_string_equal(buf_str(&out), "kept");
	buf_clear(&out);
}

static void test_round_trips_a_credential_payload(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream, back;

	(void)state;
	assert_non_null(codec);
	make_stream(codec, &payload, &stream);
	/* RFC 1950 §2.2: CM 8, CINFO 7 (32 KB window), FLEVEL 3 (best), FCHECK */
	assert_int_equal(stream.data[0], 0x78);
	assert_int_equal(stream.data[1], 0xda);
	buf_init(&back, 4096);
	buf_append_str(&back, "HC1:");
	assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len, 4096, &back, NULL),
			 HR_OK);
	assert_int_equal(back.len, 4 + payload.len);
	assert_memory_equal(back.data, "HC1:", 4);
	assert_memory_equal(back.data + 4, payload.data, payload.len);
	assert_int_equal(back.data[back.len], 0);
	buf_clear(&payload);
	buf_clear(&stream);
	buf_clear(&back);
	zlib_codec_free(codec);
}

static void test_round_trips_sizes_and_contents(void **state)
{
	static uint8_t data[70000];
	static const size_t sizes[] = {0, 1, 2, 100, 300, 2000, 16383, 16384, 16385, 70000};
	struct zlib_codec *codec = zlib_codec_new();
	struct buf stream, back;
	unsigned seed = 1;

	(void)state;
	for (size_t kind = 0; kind < 2; kind++) {
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = kind == 0 ? (uint8_t)rand_r(&seed) : (uint8_t)(i % 7);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			buf_init(&stream, 1 << 20);
			buf_init(&back, 1 << 20);
			assert_int_equal(zlib_codec_deflate(codec, data, sizes[s], &stream, NULL),
					 HR_OK);
			assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len,
							    sizes[s], &back, NULL),
					 HR_OK);
			assert_int_equal(back.len, sizes[s]);
			if (sizes[s] > 0)
				assert_memory_equal(back.data, data, sizes[s]);
			buf_clear(&stream);
			buf_clear(&back);
		}
	}
	zlib_codec_free(codec);
}

static void test_output_of_exactly_max_out_is_accepted_one_more_refused(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream, back;

	(void)state;
	make_stream(codec, &payload, &stream);
	buf_init(&back, 4096);
	assert_int_equal(
	    zlib_codec_inflate(codec, stream.data, stream.len, payload.len, &back, NULL), HR_OK);
	assert_int_equal(back.len, payload.len);
	assert_inflate_refused(codec, stream.data, stream.len, payload.len - 1, HR_E_TOO_LARGE);
	assert_inflate_refused(codec, stream.data, stream.len, 0, HR_E_TOO_LARGE);
	/* the buffer's own ceiling counts the same way */
	buf_clear(&back);
	buf_init(&back, payload.len - 1);
	assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len, 1 << 20, &back, NULL),
			 HR_E_TOO_LARGE);
	assert_int_equal(back.len, 0);
	buf_clear(&back);
	buf_clear(&payload);
	buf_clear(&stream);
	zlib_codec_free(codec);
}

static void test_refuses_decompression_bomb_quickly_without_allocating(void **state)
{
	const size_t bomb_size = 10 * 1024 * 1024, max_out = 64 * 1024;
	struct zlib_codec *codec = zlib_codec_new();
	struct buf stream, out;
	struct hr_error err;
	struct timespec t0, t1;
	uint8_t *zeros = calloc(1, bomb_size);
	double ms;

	(void)state;
	assert_non_null(zeros);
	buf_init(&stream, 2 * bomb_size); /* room for deflateBound */
	compress_with(zeros, bomb_size, 15, &stream);
	free(zeros);
	assert_true(stream.len < 20 * 1024); /* ~10 KB claiming 10 MB */

	buf_init(&out, 64 * 1024 * 1024); /* the buffer would allow it; max_out must not */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len, max_out, &out, &err),
			 HR_E_TOO_LARGE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms < 100.0);
	assert_string_equal(err.stage, "zlib");
	assert_int_equal(out.len, 0);
	/* grown with what zlib produced, never towards the claimed 10 MB */
	assert_true(out.cap <= 2 * max_out + 1);
	buf_clear(&out);
	buf_clear(&stream);
	zlib_codec_free(codec);
}

static void test_refuses_every_truncation(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream;

	(void)state;
	make_stream(codec, &payload, &stream);
	for (size_t len = 0; len < stream.len; len++)
		assert_inflate_refused(codec, stream.data, len, 4096, HR_E_INVALID);
	buf_clear(&payload);
	buf_clear(&stream);
	zlib_codec_free(codec);
}

static void test_refuses_every_corrupted_byte(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream;

	(void)state;
	make_stream(codec, &payload, &stream);
	for (size_t i = 0; i < stream.len; i++) {
		stream.data[i] ^= 0x01;
		assert_inflate_refused(codec, stream.data, stream.len, 4096, HR_E_INVALID);
		stream.data[i] ^= 0x01;
	}
	buf_clear(&payload);
	buf_clear(&stream);
	zlib_codec_free(codec);
}

static void test_refuses_bad_checksum(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream;
	struct buf out;
	struct hr_error err;

	(void)state;
	make_stream(codec, &payload, &stream);
	/* RFC 1950 §2.2: the last four bytes are the Adler-32 of the data */
	stream.data[stream.len - 1] ^= 0x80;
	buf_init(&out, 4096);
	assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len, 4096, &out, &err),
			 HR_E_INVALID);
	assert_non_null(strstr(err.message, "check"));
	assert_int_equal(out.len, 0);
	buf_clear(&out);
	buf_clear(&payload);
	buf_clear(&stream);
	zlib_codec_free(codec);
}

static void test_refuses_bytes_after_the_stream(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream, twice;

	(void)state;
	make_stream(codec, &payload, &stream);
	/* two complete streams back to back are not one credential */
	buf_init(&twice, 4096);
	buf_append(&twice, stream.data, stream.len);
	buf_append(&twice, stream.data, stream.len);
	assert_inflate_refused(codec, twice.data, twice.len, 4096, HR_E_INVALID);
	buf_append_byte(&stream, 0);
	assert_inflate_refused(codec, stream.data, stream.len, 4096, HR_E_INVALID);
	buf_clear(&payload);
	buf_clear(&stream);
	buf_clear(&twice);
	zlib_codec_free(codec);
}

static void test_refuses_raw_deflate_gzip_and_preset_dictionary(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	uint8_t p[512];
	size_t n = make_payload(p, sizeof(p));
	struct buf raw, gzip, dict;
	z_stream z;

	(void)state;
	buf_init(&raw, 4096);
	compress_with(p, n, -15, &raw);
	assert_inflate_refused(codec, raw.data, raw.len, 4096, HR_E_INVALID);
	buf_init(&gzip, 4096);
	compress_with(p, n, 31, &gzip);
	assert_inflate_refused(codec, gzip.data, gzip.len, 4096, HR_E_INVALID);

	buf_init(&dict, 4096);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit(&z, 9), Z_OK);
	assert_int_equal(deflateSetDictionary(&z, (const Bytef *)"AT", 2), Z_OK);
	buf_reserve(&dict, 1024);
	z.next_in = p;
	z.avail_in = (uInt)n;
	z.next_out = dict.data;
	z.avail_out = 1024;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	dict.len = z.total_out;
	deflateEnd(&z);
	assert_inflate_refused(codec, dict.data, dict.len, 4096, HR_E_INVALID);

	buf_clear(&raw);
	buf_clear(&gzip);
	buf_clear(&dict);
	zlib_codec_free(codec);
}

static void test_deflate_respects_the_buffer_ceiling(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	uint8_t data[1000];
	struct buf out;
	struct hr_error err;
	unsigned seed = 3;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rand_r(&seed);
	buf_init(&out, 500);
	buf_append_str(&out, "HR1:");
	assert_int_equal(zlib_codec_deflate(codec, data, sizeof(data), &out, &err), HR_E_TOO_LARGE);
	assert_string_equal(err.stage, "zlib");
	assert_string_equal(buf_str(&out), "HR1:");
	buf_clear(&out);
	zlib_codec_free(codec);
}

static void test_one_codec_serves_many_uses_and_survives_failures(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream, out;

	(void)state;
	make_stream(codec, &payload, &stream);
	buf_init(&out, 4096);
	for (int i = 0; i < 2000; i++) {
		buf_reset(&out);
		switch (i % 4) {
		case 0:
			assert_int_equal(
			    zlib_codec_inflate(codec, stream.data, stream.len, 4096, &out, NULL),
			    HR_OK);
			assert_int_equal(out.len, payload.len);
			assert_memory_equal(out.data, payload.data, payload.len);
			break;
		case 1: /* a failure in the middle of a stream must not leak into the next use */
			assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len / 2,
							    4096, &out, NULL),
					 HR_E_INVALID);
			break;
		case 2:
			assert_int_equal(
			    zlib_codec_inflate(codec, stream.data, stream.len, 10, &out, NULL),
			    HR_E_TOO_LARGE);
			break;
		default:
			assert_int_equal(
			    zlib_codec_deflate(codec, payload.data, payload.len, &out, NULL),
			    HR_OK);
			assert_int_equal(out.len, stream.len);
			assert_memory_equal(out.data, stream.data, stream.len);
			break;
		}
	}
	buf_clear(&out);
	buf_clear(&payload);
	buf_clear(&stream);
	zlib_codec_free(codec);
}

static void test_refuses_to_write_into_a_failed_buffer(void **state)
{
	struct zlib_codec *codec = zlib_codec_new();
	struct buf payload, stream, out;

	(void)state;
	make_stream(codec, &payload, &stream);
	buf_init(&out, 2);
	assert_int_equal(buf_append_str(&out, "abc"), HR_E_TOO_LARGE);
	assert_int_equal(zlib_codec_inflate(codec, stream.data, stream.len, 4096, &out, NULL),
			 HR_E_TOO_LARGE);
	assert_int_equal(zlib_codec_deflate(codec, payload.data, payload.len, &out, NULL),
			 HR_E_TOO_LARGE);
	buf_clear(&out);
	buf_clear(&payload);
	buf_clear(&stream);
	zlib_codec_free(codec);
	zlib_codec_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trips_a_credential_payload),
	    cmocka_unit_test(test_round_trips_sizes_and_contents),
	    cmocka_unit_test(test_output_of_exactly_max_out_is_accepted_one_more_refused),
	    cmocka_unit_test(test_refuses_decompression_bomb_quickly_without_allocating),
	    cmocka_unit_test(test_refuses_every_truncation),
	    cmocka_unit_test(test_refuses_every_corrupted_byte),
	    cmocka_unit_test(test_refuses_bad_checksum),
	    cmocka_unit_test(test_refuses_bytes_after_the_stream),
	    cmocka_unit_test(test_refuses_raw_deflate_gzip_and_preset_dictionary),
	    cmocka_unit_test(test_deflate_respects_the_buffer_ceiling),
	    cmocka_unit_test(test_one_codec_serves_many_uses_and_survives_failures),
	    cmocka_unit_test(test_refuses_to_write_into_a_failed_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
