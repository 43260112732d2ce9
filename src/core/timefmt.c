/* timefmt.c: see timefmt.h. */
#include "core/timefmt.h"

#include <stdio.h>
#include <time.h>

void timefmt_rfc3339(int64_t ms, char out[TF_TIME_TEXT_SIZE])
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(out, TF_TIME_TEXT_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
