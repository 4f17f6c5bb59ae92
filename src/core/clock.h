/*
 * clock.h — the two clocks: monotonic for durations and deadlines, real time for
 * timestamps people and other systems read.
 */
#ifndef HROMADA_CORE_CLOCK_H
#define HROMADA_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t clock_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline uint64_t clock_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Room for clock_format_utc's text, NUL included. */
#define CLOCK_UTC_TEXT_MAX 24

/* seconds since the epoch as RFC 3339 UTC, "2026-12-06T18:21:07Z" (what logs,
 * lists and feeds write), years 0000 to 9999 as RFC 3339 has them; the decimal
 * seconds for a year outside them. */
static inline void clock_format_utc(int64_t seconds, char out[CLOCK_UTC_TEXT_MAX])
{
	struct tm tm;
	time_t s = (time_t)seconds;

	/* not strftime's %Y: it writes year 999 as "999", which is not RFC 3339 */
	if (gmtime_r(&s, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		snprintf(out, CLOCK_UTC_TEXT_MAX, "%lld", (long long)seconds);
	else
		snprintf(out, CLOCK_UTC_TEXT_MAX, "%04u-%02u-%02uT%02u:%02u:%02uZ",
			 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
			 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
			 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

/*
 * RFC 3339 date-time ("2026-12-06T18:21:07Z", "...07.123+02:00"; 'T'/'t'/' '
 * and 'Z'/'z' as §5.6 allows) → seconds since the epoch, fractions dropped.
 * false for anything else, a date that does not exist included (clock.c).
 */
bool clock_parse_utc(const char *text, int64_t *out);

#endif
