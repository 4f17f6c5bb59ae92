/*
 * test_http_metrics.c — per-route counters and latency histograms in the
 * Prometheus text format 0.0.4: counts by status, cumulative buckets with their
 * le labels, _sum and _count, out-of-range statuses, a too-small output buffer,
 * concurrent recording, and the process RSS gauge.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_metrics.h"

static const char *const le_labels[HTTP_METRICS_BUCKETS + 1] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",    "0.5",    "1",     "2.5",    "5",     "10",   "+Inf",
};

/* Renders routes into a fresh buffer and returns its text (caller frees). */
static char *render(struct http_route_metrics *const *routes, size_t count)
{
	struct buf out;
	size_t len;
	char *text;

	buf_init(&out, 1 << 20);
	assert_int_equal(http_metrics_write(&out, routes, count), HR_OK);
	buf_append_byte(&out, 0); /* make an empty result non-NULL */
	text = (char *)buf_take(&out, &len);
	assert_non_null(text);
	return text;
}

/* The value of the sample whose line starts with exactly series + " ", or -1. */
static long long sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ')
			return atoll(line + n + 1);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static const char *sample_text(const char *text, const char *series, char *out, size_t size)
{
	size_t n = strlen(series);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ') {
			const char *end = strchr(line, '\n');
			snprintf(out, size, "%.*s", (int)(end - line - (long)n - 1), line + n + 1);
			return out;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static size_t occurrences(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static long long bucket(const char *text, const char *method, const char *route, const char *le)
{
	char series[256];

	snprintf(series, sizeof(series),
		 "hromada_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
		 "le=\"%s\"}",
		 method, route, le);
	return sample(text, series);
}

static long long requests(const char *text, const char *method, const char *route, unsigned code)
{
	char series[256];

	snprintf(series, sizeof(series),
		 "hromada_http_requests_total{method=\"%s\",route=\"%s\",code=\"%u\"}", method,
		 route, code);
	return sample(text, series);
}

static void test_fresh_route_has_headers_and_zero_histogram(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char *text;

	(void)state;
	http_route_metrics_init(&m, "GET", "/v1/health");
	text = render(all, 1);
	assert_int_equal(occurrences(text, "# HELP hromada_http_requests_total "), 1);
	assert_int_equal(occurrences(text, "# TYPE hromada_http_requests_total counter\n"), 1);
	assert_int_equal(occurrences(text, "# HELP hromada_http_request_duration_seconds "), 1);
	assert_int_equal(
	    occurrences(text, "# TYPE hromada_http_request_duration_seconds histogram\n"), 1);
	/* no request yet: no counter series at all, a histogram of zeros */
	assert_null(strstr(text, "hromada_http_requests_total{"));
	for (int b = 0; b <= HTTP_METRICS_BUCKETS; b++)
		assert_int_equal(bucket(text, "GET", "/v1/health", le_labels[b]), 0);
	assert_int_equal(sample(text, "hromada_http_request_duration_seconds_count{method=\"GET\","
				      "route=\"/v1/health\"}"),
			 0);
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
}

static void test_counts_requests_by_status(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char *text;

	(void)state;
	http_route_metrics_init(&m, "POST", "/v1/documents/{type}");
	for (int i = 0; i < 3; i++)
		http_route_metrics_observe(&m, 200, 10);
	http_route_metrics_observe(&m, 404, 10);
	http_route_metrics_observe(&m, 100, 10);
	http_route_metrics_observe(&m, 599, 10);
	text = render(all, 1);
	assert_int_equal(requests(text, "POST", "/v1/documents/{type}", 200), 3);
	assert_int_equal(requests(text, "POST", "/v1/documents/{type}", 404), 1);
	assert_int_equal(requests(text, "POST", "/v1/documents/{type}", 100), 1);
	assert_int_equal(requests(text, "POST", "/v1/documents/{type}", 599), 1);
	/* statuses never seen are not written */
	assert_int_equal(requests(text, "POST", "/v1/documents/{type}", 500), -1);
	assert_int_equal(occurrences(text, "hromada_http_requests_total{"), 4);
	free(text);
}

static void test_out_of_range_status_is_recorded_as_500(void **state)
{
	static const unsigned odd[] = {0, 1, 99, 600, 999, 1000, 65535, 4294967295u};
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char *text;

	(void)state;
	http_route_metrics_init(&m, "GET", "/x");
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		http_route_metrics_observe(&m, odd[i], 1);
	http_route_metrics_observe(&m, 500, 1);
	text = render(all, 1);
	assert_int_equal(requests(text, "GET", "/x", 500), 9);
	assert_int_equal(occurrences(text, "hromada_http_requests_total{"), 1);
	free(text);
}

static void test_histogram_buckets_are_cumulative_with_inclusive_bounds(void **state)
{
	/* microseconds, and the first bucket each falls in (16 = only +Inf) */
	static const struct {
		uint64_t us;
		int bucket;
	} obs[] = {
	    {0, 0},         {50, 0},        {100, 0},       {101, 1},          {250, 1},
	    {3000, 5},      {5000, 5},      {5001, 6},      {999999, 12},      {1000000, 12},
	    {10000000, 15}, {10000001, 16}, {20000000, 16}, {3600000000u, 16},
	};
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char sum[64];
	uint64_t total_us = 0;
	char *text;

	(void)state;
	http_route_metrics_init(&m, "GET", "/h");
	for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++) {
		http_route_metrics_observe(&m, 200, obs[i].us);
		total_us += obs[i].us;
	}
	text = render(all, 1);
	for (int b = 0; b <= HTTP_METRICS_BUCKETS; b++) {
		long long expected = 0;
		for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
			expected += obs[i].bucket <= b;
		if (bucket(text, "GET", "/h", le_labels[b]) != expected) {
			print_error("le=%s: %lld, expected %lld\n%s", le_labels[b],
				    bucket(text, "GET", "/h", le_labels[b]), expected, text);
			fail();
		}
	}
	/* the buckets appear in increasing order of le, +Inf last */
	for (int b = 0; b < HTTP_METRICS_BUCKETS; b++) {
		char a[64], c[64];
		snprintf(a, sizeof(a), "le=\"%s\"}", le_labels[b]);
		snprintf(c, sizeof(c), "le=\"%s\"}", le_labels[b + 1]);
		assert_true(strstr(text, a) < strstr(text, c));
	}
	assert_int_equal(sample(text, "hromada_http_request_duration_seconds_count{method=\"GET\","
				      "route=\"/h\"}"),
			 sizeof(obs) / sizeof(obs[0]));
	/* +Inf equals _count, as Prometheus requires */
	assert_int_equal(bucket(text, "GET", "/h", "+Inf"), sizeof(obs) / sizeof(obs[0]));
	assert_non_null(sample_text(text,
				    "hromada_http_request_duration_seconds_sum{method=\"GET\","
				    "route=\"/h\"}",
				    sum, sizeof(sum)));
	{
		char want[64];
		snprintf(want, sizeof(want), "%llu.%06llu",
			 (unsigned long long)(total_us / 1000000),
			 (unsigned long long)(total_us % 1000000));
		assert_string_equal(sum, want);
	}
	free(text);
}

static void test_sum_is_in_seconds(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char sum[64];
	char *text;

	(void)state;
	http_route_metrics_init(&m, "GET", "/s");
	http_route_metrics_observe(&m, 200, 1500);    /* 1.5 ms */
	http_route_metrics_observe(&m, 200, 2000000); /* 2 s */
	text = render(all, 1);
	assert_string_equal(sample_text(text,
					"hromada_http_request_duration_seconds_sum{method=\"GET\","
					"route=\"/s\"}",
					sum, sizeof(sum)),
			    "2.001500");
	free(text);
}

static void test_several_routes_share_one_set_of_headers(void **state)
{
	struct http_route_metrics a, b, c;
	struct http_route_metrics *all[] = {&a, &b, &c};
	char *text;

	(void)state;
	http_route_metrics_init(&a, "GET", "/a");
	http_route_metrics_init(&b, "POST", "/a");
	http_route_metrics_init(&c, "ANY", "unmatched");
	http_route_metrics_observe(&a, 200, 10);
	http_route_metrics_observe(&b, 201, 10);
	http_route_metrics_observe(&b, 201, 10);
	http_route_metrics_observe(&c, 404, 10);
	text = render(all, 3);
	assert_int_equal(occurrences(text, "# TYPE "), 2);
	assert_int_equal(requests(text, "GET", "/a", 200), 1);
	assert_int_equal(requests(text, "POST", "/a", 201), 2);
	assert_int_equal(requests(text, "ANY", "unmatched", 404), 1);
	assert_int_equal(requests(text, "GET", "/a", 201), -1);
	assert_int_equal(bucket(text, "POST", "/a", "+Inf"), 2);
	assert_int_equal(occurrences(text, "_count{"), 3);
	free(text);

	/* no routes at all is still valid output */
	text = render(NULL, 0);
	assert_int_equal(occurrences(text, "# TYPE "), 2);
	assert_null(strstr(text, "{"));
	free(text);
}

static void test_every_line_is_a_comment_or_a_sample(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char *text, *line, *save = NULL;

	(void)state;
	http_route_metrics_init(&m, "GET", "/v1/x/{id}");
	http_route_metrics_observe(&m, 200, 123);
	http_route_metrics_observe(&m, 503, 4567);
	text = render(all, 1);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *space = strrchr(line, ' ');
		char *end;

		if (line[0] == '#') {
			assert_true(strncmp(line, "# HELP ", 7) == 0 ||
				    strncmp(line, "# TYPE ", 7) == 0);
			continue;
		}
		/* name{labels} value */
		assert_true(strncmp(line, "hromada_http_", 13) == 0);
		assert_non_null(strchr(line, '{'));
		assert_non_null(space);
		assert_int_equal(space[-1], '}');
		strtod(space + 1, &end);
		assert_true(end > space + 1 && *end == 0);
	}
	free(text);
}

static void test_too_small_buffer_is_too_large_and_latched(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	struct buf out;

	(void)state;
	http_route_metrics_init(&m, "GET", "/x");
	http_route_metrics_observe(&m, 200, 1);
	buf_init(&out, 64);
	assert_int_equal(http_metrics_write(&out, all, 1), HR_E_TOO_LARGE);
	assert_int_equal(out.error, HR_E_TOO_LARGE);
	assert_true(out.len <= 64);
	/* latched: a later write into the same buffer fails as well */
	assert_int_equal(http_metrics_write(&out, all, 1), HR_E_TOO_LARGE);
	assert_int_equal(http_metrics_write_process(&out), HR_E_TOO_LARGE);
	buf_clear(&out);

	/* a limit that holds the headers but not the series */
	buf_init(&out, 400);
	assert_int_equal(http_metrics_write(&out, all, 1), HR_E_TOO_LARGE);
	buf_clear(&out);
}

struct observer {
	struct http_route_metrics *m;
	unsigned status;
};

#define OBSERVERS         4
#define OBSERVATIONS_EACH 20000

static void *observe_many(void *arg)
{
	struct observer *o = arg;

	for (int i = 0; i < OBSERVATIONS_EACH; i++)
		http_route_metrics_observe(o->m, o->status, 7);
	return NULL;
}

static void test_concurrent_observations_are_all_counted(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	struct observer obs[OBSERVERS];
	pthread_t threads[OBSERVERS];
	char *text;

	(void)state;
	http_route_metrics_init(&m, "GET", "/c");
	for (int i = 0; i < OBSERVERS; i++) {
		obs[i] = (struct observer){&m, i % 2 ? 200u : 429u};
		assert_int_equal(pthread_create(&threads[i], NULL, observe_many, &obs[i]), 0);
	}
	for (int i = 0; i < OBSERVERS; i++)
		pthread_join(threads[i], NULL);
	text = render(all, 1);
	assert_int_equal(requests(text, "GET", "/c", 200), OBSERVERS / 2 * OBSERVATIONS_EACH);
	assert_int_equal(requests(text, "GET", "/c", 429), OBSERVERS / 2 * OBSERVATIONS_EACH);
	assert_int_equal(bucket(text, "GET", "/c", "0.0001"), OBSERVERS * OBSERVATIONS_EACH);
	assert_int_equal(sample(text, "hromada_http_request_duration_seconds_count{method=\"GET\","
				      "route=\"/c\"}"),
			 OBSERVERS * OBSERVATIONS_EACH);
	free(text);
}

static void test_init_resets_a_used_route(void **state)
{
	struct http_route_metrics m;
	struct http_route_metrics *all[] = {&m};
	char *text;

	(void)state;
	http_route_metrics_init(&m, "GET", "/r");
	http_route_metrics_observe(&m, 200, 1);
	http_route_metrics_init(&m, "GET", "/r");
	text = render(all, 1);
	assert_int_equal(requests(text, "GET", "/r", 200), -1);
	assert_int_equal(bucket(text, "GET", "/r", "+Inf"), 0);
	free(text);
}

static void test_process_rss_is_positive(void **state)
{
	long long rss = http_metrics_process_rss_bytes();
	struct buf out;
	const char *line;

	(void)state;
	assert_true(rss > 0);
	assert_true(rss % 1024 == 0); /* a whole number of pages */
	buf_init(&out, 4096);
	assert_int_equal(http_metrics_write_process(&out), HR_OK);
	assert_non_null(strstr(buf_str(&out), "# TYPE process_resident_memory_bytes gauge\n"));
	line = strstr(buf_str(&out), "\nprocess_resident_memory_bytes ");
	assert_non_null(line);
	assert_true(atoll(line + strlen("\nprocess_resident_memory_bytes ")) > 0);
	buf_clear(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fresh_route_has_headers_and_zero_histogram),
	    cmocka_unit_test(test_counts_requests_by_status),
	    cmocka_unit_test(test_out_of_range_status_is_recorded_as_500),
	    cmocka_unit_test(test_histogram_buckets_are_cumulative_with_inclusive_bounds),
	    cmocka_unit_test(test_sum_is_in_seconds),
	    cmocka_unit_test(test_several_routes_share_one_set_of_headers),
	    cmocka_unit_test(test_every_line_is_a_comment_or_a_sample),
	    cmocka_unit_test(test_too_small_buffer_is_too_large_and_latched),
	    cmocka_unit_test(test_concurrent_observations_are_all_counted),
	    cmocka_unit_test(test_init_resets_a_used_route),
	    cmocka_unit_test(test_process_rss_is_positive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
