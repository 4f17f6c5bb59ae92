/*
 * http_server_status.c — a running server's figures for its status page:
 * health, request counts by class, mean latency, uptime. Read from the same
 * relaxed counters /metrics reads, so it may be a few requests behind.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/http_server_internal.h"

static void add_route(struct http_server_status *out, struct http_route_metrics *m,
		      uint64_t *sum_us)
{
	for (unsigned code = HTTP_STATUS_MIN; code <= HTTP_STATUS_MAX; code++) {
		uint64_t n = atomic_load_explicit(&m->by_status[code - HTTP_STATUS_MIN],
						  memory_order_relaxed);
		if (n == 0)
			continue;
		out->requests += n;
		if (code < 300)
			out->status_2xx += n;
		else if (code < 400)
			out->status_3xx += n;
		else if (code < 500)
			out->status_4xx += n;
		else
			out->status_5xx += n;
	}
	*sum_us += atomic_load_explicit(&m->sum_us, memory_order_relaxed);
}

void http_server_status(struct http_server *s, struct http_server_status *out)
{
	struct hr_error err = {0};
	uint64_t sum_us = 0;

	memset(out, 0, sizeof(*out));
	out->name = s->options.name;
	out->url = s->url;
	out->healthy = s->health_check == NULL || s->health_check(s->health_context, &err) == HR_OK;
	if (!out->healthy)
		snprintf(out->reason, sizeof(out->reason), "%s", err.message);
	for (size_t i = 0; i < s->route_count; i++)
		add_route(out, &s->routes[i]->metrics, &sum_us);
	add_route(out, &s->unmatched.metrics, &sum_us);
	out->mean_ms = out->requests ? (double)sum_us / (double)out->requests / 1000.0 : 0.0;
	out->in_flight = atomic_load(&s->in_flight);
	out->header_timeouts = atomic_load(&s->header_timeouts);
	if (s->started)
		out->uptime_s = (double)(clock_monotonic_us() - s->started_us) / 1e6;
}

hr_status http_server_role_metrics(struct http_server *s, struct buf *out)
{
	if (s->metrics_write != NULL)
		s->metrics_write(s->metrics_context, out);
	return out->error;
}
