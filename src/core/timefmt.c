/* timefmt.c: see timefmt.h. The civil date comes from days since the epoch by Howard Hinnant's
 * algorithm (proleptic Gregorian), so formatting takes no lock: gmtime_r takes glibc's
 * time-zone lock on every call. */
#include "core/timefmt.h"

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
