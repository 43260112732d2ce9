/* timefmt.h: RFC 3339 UTC text, and the HTTP date of cookies' Expires, for millisecond
 * timestamps. Pure. */
#ifndef TF_CORE_TIMEFMT_H
#define TF_CORE_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

#define TF_TIME_TEXT_SIZE 96
/* Writes "2026-11-23T01:54:34Z" (whole seconds, rounded down) into out. */
void timefmt_rfc3339(int64_t ms, char out[TF_TIME_TEXT_SIZE]);

/* Writes "Wed, 13 Jan 2015 22:23:01 GMT" (RFC 7231's IMF-fixdate, as in a cookie's Expires). */
void timefmt_http(int64_t ms, char out[TF_TIME_TEXT_SIZE]);

#endif
