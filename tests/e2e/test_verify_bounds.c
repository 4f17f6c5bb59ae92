/*
 * test_verify_bounds.c — `hromada verify` bounds its work before doing it
 * (issue 13): `verify -` read a whole input line before its length limit (a
 * 500 MB line: 495 MB of RSS), and `--image` decoded an 8192x8192 picture
 * (3.7 s, 117 MB). The real binary is run as a child; its peak RSS and time
 * are taken from wait4's rusage, inputs are made on the fly and kept small
 * enough for the test to stay fast (a 64 MiB line, a PNG header).
 */
#include "testkit/testkit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#define LONG_LINE  (64L * 1024 * 1024)
#define RSS_MAX_KB (40L * 1024) /* the binary's own baseline is ~10 MB */

struct child_run {
	char out[65536];
	size_t out_len;
	int exit_code;
	long max_rss_kb;
	double seconds;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs hromada with argv (after the binary), feeding stdin_feed(fd) on its
 * standard input (may be NULL: /dev/null); collects stdout. */
static void run_verify(char *const *args, void (*stdin_feed)(int fd), struct child_run *r)
{
	int in[2], out[2], status = 0;
	struct rusage ru;
	char *argv[16];
	double t0 = now_s();
	pid_t pid;
	int a = 0;

	memset(r, 0, sizeof(*r));
	argv[a++] = (char *)tk_hromada_binary();
	for (int i = 0; args[i] != NULL && a < 15; i++)
		argv[a++] = args[i];
	argv[a] = NULL;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	signal(SIGPIPE, SIG_IGN);
	if (stdin_feed != NULL)
		stdin_feed(in[1]);
	close(in[1]);
	for (;;) {
		ssize_t n = read(out[0], r->out + r->out_len, sizeof(r->out) - 1 - r->out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r->out_len += (size_t)n;
	}
	r->out[r->out_len] = 0;
	close(out[0]);
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	r->seconds = now_s() - t0;
	r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->max_rss_kb = ru.ru_maxrss;
}

static void write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the child stopped reading: its result tells */
		p += n;
		len -= (size_t)n;
	}
}

/* A 64 MiB line, then a short bad payload on the next line. */
static void feed_long_line(int fd)
{
	static char chunk[1 << 16];

	memset(chunk, 'A', sizeof(chunk));
	memcpy(chunk, "HC1:", 4);
	for (long sent = 0; sent < LONG_LINE; sent += (long)sizeof(chunk)) {
		write_all(fd, chunk, sizeof(chunk));
		memset(chunk, 'A', 4);
	}
	write_all(fd, "\nHC1:NOTBASE45\n", 15);
}

static void test_verify_batch_refuses_a_long_line_without_reading_it_whole(void **state)
{
	char *args[] = {"verify", "-", NULL};
	struct child_run r;
	char *second;

	(void)state;
	run_verify(args, feed_long_line, &r);
	fprintf(stderr, "verify -: a %ld MiB line: peak RSS %ld KiB, %.2f s, exit %d\n",
		LONG_LINE >> 20, r.max_rss_kb, r.seconds, r.exit_code);
	/* judged, not an I/O error: one refused line, then the next one */
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.out, "\"unprefix\""));
	assert_non_null(strstr(r.out, "line longer than"));
	second = strchr(r.out, '\n');
	assert_non_null(second);
	assert_non_null(strchr(second + 1, '\n')); /* a second result line */
	if (r.max_rss_kb > RSS_MAX_KB)
		fail_msg("verify - held %ld KiB for a %ld MiB line (the line was read whole)",
			 r.max_rss_kb, LONG_LINE >> 20);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A PNG of width x height pixels, 8-bit gray, its rows all zero (the IDAT a
 * zlib stream of them): small on disk, large once decoded. */
static void write_png(const char *path, uint32_t width, uint32_t height)
{
	static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char ihdr[4 + 4 + 13 + 4], tail[12];
	size_t row = (size_t)width + 1, raw_len = row * height;
	unsigned char *raw = calloc(1, raw_len);
	uLongf z_len = compressBound((uLong)raw_len);
	unsigned char *z = malloc(z_len + 12);
	FILE *f = fopen(path, "wb");

	assert_non_null(raw);
	assert_non_null(z);
	assert_non_null(f);
	assert_int_equal(compress2(z + 8, &z_len, raw, (uLong)raw_len, 1), Z_OK);
	free(raw);
	put32(ihdr, 13);
	memcpy(ihdr + 4, "IHDR", 4);
	put32(ihdr + 8, width);
	put32(ihdr + 12, height);
	ihdr[16] = 8; /* depth */
	ihdr[17] = 0; /* gray */
	ihdr[18] = ihdr[19] = ihdr[20] = 0;
	put32(ihdr + 21, (uint32_t)crc32(0, ihdr + 4, 17));
	put32(z, (uint32_t)z_len);
	memcpy(z + 4, "IDAT", 4);
	put32(z + 8 + z_len, (uint32_t)crc32(0, z + 4, (uInt)z_len + 4));
	put32(tail, 0);
	memcpy(tail + 4, "IEND", 4);
	put32(tail + 8, (uint32_t)crc32(0, tail + 4, 4));
	assert_int_equal(fwrite(signature, 1, 8, f), 8);
	assert_int_equal(fwrite(ihdr, 1, sizeof(ihdr), f), sizeof(ihdr));
	assert_int_equal(fwrite(z, 1, z_len + 12, f), z_len + 12);
	assert_int_equal(fwrite(tail, 1, sizeof(tail), f), sizeof(tail));
	assert_int_equal(fclose(f), 0);
	free(z);
}

/* write_png in a child of its own: a child's ru_maxrss starts from its parent's
 * RSS at the fork (Linux keeps the high-water mark across exec), so the 64 MiB
 * of rows must never be in this process (under ASan, freed memory stays). */
static void write_png_apart(const char *path, uint32_t width, uint32_t height)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		write_png(path, width, height);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Peak RSS is compared with the same command on a small picture (the
 * baseline differs by build: ASan's shadow, the QR library loaded): a refused
 * picture may cost no more than a few megabytes beyond it. */
static void test_verify_image_refuses_a_huge_picture_from_its_header(void **state)
{
	char path[300];
	char *args[] = {"verify", "--image", path, NULL};
	struct child_run r;
	long baseline_kb;

	(void)state;
	tk_dir_path(path, sizeof(path), "small.png");
	write_png_apart(path, 64, 64);
	run_verify(args, NULL, &r);
	baseline_kb = r.max_rss_kb;
	tk_dir_path(path, sizeof(path), "huge.png");
	write_png_apart(path, 8192, 8192);
	run_verify(args, NULL, &r);
	fprintf(stderr,
		"verify --image 8192x8192: peak RSS %ld KiB (a 64x64 picture: %ld KiB), %.2f s, "
		"exit %d: %s",
		r.max_rss_kb, baseline_kb, r.seconds, r.exit_code, r.out);
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.out, "\"picture\""));
	assert_non_null(strstr(r.out, "8192x8192"));
	assert_non_null(strstr(r.out, "larger than a QR picture needs"));
	if (r.max_rss_kb > baseline_kb + 16 * 1024)
		fail_msg("verify --image held %ld KiB for a picture it must refuse (%ld KiB for a "
			 "small one)",
			 r.max_rss_kb, baseline_kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_batch_refuses_a_long_line_without_reading_it_whole),
	    cmocka_unit_test_setup_teardown(
		test_verify_image_refuses_a_huge_picture_from_its_header, tk_dir_setup,
		tk_dir_teardown),
	};

	return cmocka_run_group_tests_name("verify_bounds", tests, NULL, NULL);
}
