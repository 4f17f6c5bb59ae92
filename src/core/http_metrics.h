/*
 * http_metrics.h — request counters and latency histograms per route, written
 * out in the Prometheus text exposition format (version 0.0.4).
 *
 * One struct http_route_metrics per route, updated with relaxed atomics from any
 * server thread: recording a request costs a few uncontended increments and
 * never a lock. Reading is a snapshot that may be a few requests behind, which
 * is what scrapers expect.
 */
#ifndef HROMADA_CORE_HTTP_METRICS_H
#define HROMADA_CORE_HTTP_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

#define HTTP_METRICS_BUCKETS 16
#define HTTP_STATUS_MIN      100
#define HTTP_STATUS_MAX      599

struct http_route_metrics {
	const char *method; /* label values; owned by the route */
	const char *pattern;
	_Atomic uint64_t by_status[HTTP_STATUS_MAX - HTTP_STATUS_MIN + 1];
	_Atomic uint64_t buckets[HTTP_METRICS_BUCKETS + 1]; /* last: +Inf */
	_Atomic uint64_t sum_us;
	_Atomic uint64_t count;
};

void http_route_metrics_init(struct http_route_metrics *m, const char *method, const char *pattern);
void http_route_metrics_observe(struct http_route_metrics *m, unsigned status,
				uint64_t duration_us);

/* Writes HELP/TYPE headers once, then each route's series. */
hr_status http_metrics_write(struct buf *out, struct http_route_metrics *const *routes,
			     size_t count);

/* process_resident_memory_bytes and friends; -1 when /proc cannot be read. */
long long http_metrics_process_rss_bytes(void);
hr_status http_metrics_write_process(struct buf *out);

#endif
