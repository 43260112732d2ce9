/* timefmt.c: see timefmt.h. The civil date comes from days since the epoch by Howard Hinnant's
 * algorithm (proleptic Gregorian), so formatting takes no lock: gmtime_r takes glibc's
 * time-zone lock on every call. */
#include "core/timefmt.h"

#include <stdio.h>

void timefmt_rfc3339(int64_t ms, char out[TF_TIME_TEXT_SIZE])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                  /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                 /* [0, 11] */
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);
	snprintf(out, TF_TIME_TEXT_SIZE, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)year, (long long)month,
		 (long long)day, (long long)(rem / 3600), (long long)(rem % 3600 / 60), (long long)(rem % 60));
}
