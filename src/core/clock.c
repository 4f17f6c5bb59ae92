/*
 * clock.c — reading the RFC 3339 timestamps feeds and reports carry (§5.6).
 * Strict: every digit where the grammar wants one, real calendar dates only,
 * so a timestamp read is one a person would read the same way.
 */
#include "core/clock.h"

#include <ctype.h>
#include <string.h>

static bool digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool clock_parse_utc(const char *text, int64_t *out)
{
	static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
	const char *p = text;
	struct tm tm = {0};
	time_t t;

	if (text == NULL || strlen(text) < 20 || !digits(p, 4, &y) || p[4] != '-' ||
	    !digits(p + 5, 2, &mo) || p[7] != '-' || !digits(p + 8, 2, &d) ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' ') || !digits(p + 11, 2, &h) ||
	    p[13] != ':' || !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &s))
		return false;
	p += 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return false;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		sign = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) &&
		 p[3] == ':' && digits(p + 4, 2, &om) && oh < 24 && om < 60)
		sign = *p == '+' ? 1 : -1;
	else
		return false;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60 ||
	    d > month_days[mo - 1] + (mo == 2 && leap(y)))
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s == 60 ? 59 : s; /* a leap second reads as the second before */
	if ((t = timegm(&tm)) == (time_t)-1 && y != 1969)
		return false;
	*out = (int64_t)t - sign * (oh * 3600 + om * 60);
	return true;
}
