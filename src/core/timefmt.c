/* timefmt.c: see timefmt.h. The civil date comes from days since the epoch by Howard Hinnant's
 * algorithm (proleptic Gregorian), so formatting takes no lock: gmtime_r takes glibc's
 * time-zone lock on every call. */
#include "core/timefmt.h"

#include <string.h>

#include <stdio.h>

struct civil {
	int64_t year, month, day, hour, minute, second;
	int weekday; /* 0 is Sunday */
};

int64_t days_from_civil(int64_t y, int m)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                  /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                 /* [0, 11] */
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

static struct civil civil_of(int64_t ms)
{
	struct civil c;
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	int month, day;
	civil_from_days(days, &c.year, &month, &day);
	c.month = month;
	c.day = day;
	c.hour = rem / 3600;
	c.minute = rem % 3600 / 60;
	c.second = rem % 60;
	c.weekday = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	return c;
}

void timefmt_rfc3339(int64_t ms, char out[TF_TIME_TEXT_SIZE])
{
	struct civil c = civil_of(ms);
	snprintf(out, TF_TIME_TEXT_SIZE, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)c.year,
		 (long long)c.month, (long long)c.day, (long long)c.hour, (long long)c.minute, (long long)c.second);
}

void timefmt_http(int64_t ms, char out[TF_TIME_TEXT_SIZE])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct civil c = civil_of(ms);
	snprintf(out, TF_TIME_TEXT_SIZE, "%s, %02lld %s %04lld %02lld:%02lld:%02lld GMT", days[c.weekday],
		 (long long)c.day, months[c.month - 1], (long long)c.year, (long long)c.hour, (long long)c.minute,
		 (long long)c.second);
}

/* n digits at s as a number, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool timefmt_parse_rfc3339(const char *s, int64_t *ms)
{
	static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return false;
	const char *p = s + 19;
	int64_t frac_ms = 0;
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
		if (n == 0)
			return false;
		for (; n < 3; n++)
			frac_ms *= 10;
	}
	int64_t offset_min = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset_min = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		offset_min = (*p == '+' ? 1 : -1) * (oh * 60 + om);
	} else {
		return false;
	}
	int64_t days = days_from_civil(y, mo) + d - 1;
	*ms = ((days * 24 + h) * 60 + mi - offset_min) * 60000 + (int64_t)sec * 1000 + frac_ms;
	return true;
}
