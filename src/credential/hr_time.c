/*
 * hr_time.c — RFC 3339 timestamps to seconds + nanoseconds, exactly.
 *
 *	date-time = full-date "T" full-time            (RFC 3339 §5.6)
 *	2021-06-27T16:07:52.434402+03:00
 *
 * "t", "z" and a space instead of "T" are accepted (§5.6 notes), and the
 * ISO 8601 forms the EU DCC national test data writes into VALIDATIONCLOCK:
 * an offset "+0200" or "+02" as well as "+02:00", no offset at all (read as
 * UTC, as the test procedure does: "2021-06-01T10:00:00"), and a date alone
 * ("2021-05-02", midnight UTC). A fraction of any length is kept to the
 * nanosecond (extra digits truncated). Calendar arithmetic is the proleptic
 * Gregorian days-from-civil computation, so no time zone database or locale
 * is ever consulted.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hromada/verify.h>

#include "core/error.h"

#define STAGE "time"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

hr_status hr_time_parse(const char *text, struct hr_time *out, struct hr_error *err)
{
	const char *p = text;
	unsigned year, month, day, hour, minute, second, oh = 0, om = 0;
	int32_t nanos = 0;
	int sign = 0;
	int64_t seconds;

	if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &month) ||
	    !expect(&p, '-') || !digits(&p, 2, &day))
		goto bad;
	if (*p == 0) {
		hour = minute = second = 0; /* a date alone: its first instant, UTC */
		goto checked;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	if (!digits(&p, 2, &hour) || !expect(&p, ':') || !digits(&p, 2, &minute) ||
	    !expect(&p, ':') || !digits(&p, 2, &second))
		goto bad;
	if (*p == '.' || *p == ',') {
		int n = 0;
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++, n++) {
			if (n < 9)
				nanos = nanos * 10 + (*p - '0');
		}
		for (; n < 9; n++)
			nanos *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (!digits(&p, 2, &oh))
			goto bad;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &om))
				goto bad;
		} else if (*p != 0 && !digits(&p, 2, &om)) {
			goto bad;
		}
	}
	/* else no offset: ISO 8601 local time, which the DCC test procedure reads as UTC */
	if (*p != 0)
		goto bad;
checked:
	if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
	    minute > 59 || second > 60 || oh > 23 || om > 59)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "'%.40s' is not a valid date and time", text);
	seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	seconds -= sign * (int64_t)(oh * 3600 + om * 60);
	out->seconds = seconds;
	out->nanos = nanos;
	return HR_OK;
bad:
	return hr_error_set(err, HR_E_INVALID, STAGE,
			    "'%.40s' is not an RFC 3339 or ISO 8601 date-time (e.g. "
			    "2021-06-01T20:00:00+02:00)",
			    text);
}

struct hr_time hr_time_now(void)
{
	struct timespec ts;
	struct hr_time t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.seconds = ts.tv_sec;
	t.nanos = (int32_t)ts.tv_nsec;
	return t;
}
