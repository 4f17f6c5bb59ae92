/*
 * http_metrics.c — Prometheus text for request counts and latencies.
 *
 * Histogram buckets are stored per bucket (not cumulative) so that recording is
 * one increment; the cumulative counts Prometheus wants are summed on output.
 */
#include "core/http_metrics.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Upper bounds in microseconds: 100 µs .. 10 s. */
static const uint64_t bucket_bounds_us[HTTP_METRICS_BUCKETS] = {
    100,   250,    500,    1000,   2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

void http_route_metrics_init(struct http_route_metrics *m, const char *method, const char *pattern)
{
	memset(m, 0, sizeof(*m));
	m->method = method;
	m->pattern = pattern;
}

void http_route_metrics_observe(struct http_route_metrics *m, unsigned status, uint64_t duration_us)
{
	int b = 0;

	if (status < HTTP_STATUS_MIN || status > HTTP_STATUS_MAX)
		status = 500;
	while (b < HTTP_METRICS_BUCKETS && duration_us > bucket_bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&m->by_status[status - HTTP_STATUS_MIN], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, duration_us, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
}

static uint64_t load(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

hr_status http_metrics_write(struct buf *out, struct http_route_metrics *const *routes,
			     size_t count)
{
	buf_append_str(out, "# HELP hromada_http_requests_total HTTP requests answered, "
			    "by route and status code.\n"
			    "# TYPE hromada_http_requests_total counter\n");
	for (size_t i = 0; i < count; i++) {
		struct http_route_metrics *m = routes[i];
		for (unsigned s = HTTP_STATUS_MIN; s <= HTTP_STATUS_MAX; s++) {
			uint64_t n = load(&m->by_status[s - HTTP_STATUS_MIN]);
			if (n == 0)
				continue;
			buf_printf(out,
				   "hromada_http_requests_total{method=\"%s\",route=\"%s\","
				   "code=\"%u\"} %llu\n",
				   m->method, m->pattern, s, (unsigned long long)n);
		}
	}
	buf_append_str(out, "# HELP hromada_http_request_duration_seconds Time from "
			    "request headers to response completion.\n"
			    "# TYPE hromada_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < count; i++) {
		struct http_route_metrics *m = routes[i];
		uint64_t cumulative = 0;
		for (int b = 0; b <= HTTP_METRICS_BUCKETS; b++) {
			cumulative += load(&m->buckets[b]);
			if (b < HTTP_METRICS_BUCKETS)
				buf_printf(out,
					   "hromada_http_request_duration_seconds_bucket{method="
					   "\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
					   m->method, m->pattern, (double)bucket_bounds_us[b] / 1e6,
					   (unsigned long long)cumulative);
			else
				buf_printf(out,
					   "hromada_http_request_duration_seconds_bucket{method="
					   "\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
					   m->method, m->pattern, (unsigned long long)cumulative);
		}
		buf_printf(out,
			   "hromada_http_request_duration_seconds_sum{method=\"%s\",route="
			   "\"%s\"} %.6f\n"
			   "hromada_http_request_duration_seconds_count{method=\"%s\",route="
			   "\"%s\"} %llu\n",
			   m->method, m->pattern, (double)load(&m->sum_us) / 1e6, m->method,
			   m->pattern, (unsigned long long)load(&m->count));
	}
	return out->error;
}

long long http_metrics_process_rss_bytes(void)
{
	long long pages_total, pages_resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%lld %lld", &pages_total, &pages_resident);
	fclose(f);
	if (n != 2)
		return -1;
	return pages_resident * sysconf(_SC_PAGESIZE);
}

hr_status http_metrics_write_process(struct buf *out)
{
	long long rss = http_metrics_process_rss_bytes();

	if (rss < 0)
		return HR_OK;
	return buf_printf(out,
			  "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
			  "# TYPE process_resident_memory_bytes gauge\n"
			  "process_resident_memory_bytes %lld\n",
			  rss);
}
