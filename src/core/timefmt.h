/* timefmt.h: RFC 3339 UTC text, and the HTTP date of cookies' Expires, for millisecond
 * timestamps; the civil calendar's days and months they and the quarters of payments count
 * with. Pure. */
#ifndef TF_CORE_TIMEFMT_H
#define TF_CORE_TIMEFMT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_TIME_TEXT_SIZE 96

/* Days from 1970-01-01 to the first of month m (1..12) of year y, and the year, month (1..12)
 * and day (1..31) of a day counted so (Howard Hinnant's algorithms, exact over the proleptic
 * Gregorian calendar, before 1970 too). */
int64_t days_from_civil(int64_t y, int m);
void civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Writes "2026-11-23T01:54:34Z" (whole seconds, rounded down) into out. */
void timefmt_rfc3339(int64_t ms, char out[TF_TIME_TEXT_SIZE]);

/* Reads RFC 3339 date-time text ("2026-11-23T01:54:34Z", "2026-11-23T02:54:34.250+01:00";
 * 't' and 'z' in either case) into milliseconds since 1970, fractions beyond a millisecond
 * dropped; false for anything else (years 1970 to 9999, no leap second). */
bool timefmt_parse_rfc3339(const char *s, int64_t *ms);

/* Writes "Wed, 13 Jan 2015 22:23:01 GMT" (RFC 7231's IMF-fixdate, as in a cookie's Expires). */
void timefmt_http(int64_t ms, char out[TF_TIME_TEXT_SIZE]);

#endif
