/*
 * clock.h — the two clocks: monotonic for durations and deadlines, real time for
 * timestamps people and other systems read.
 */
#ifndef HROMADA_CORE_CLOCK_H
#define HROMADA_CORE_CLOCK_H

#include <stdint.h>
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

#endif
