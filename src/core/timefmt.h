/* timefmt.h: RFC 3339 UTC text for millisecond timestamps. Pure. */
#ifndef TF_CORE_TIMEFMT_H
#define TF_CORE_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

#define TF_TIME_TEXT_SIZE 96
/* Writes "2026-11-23T01:54:34Z" (whole seconds, rounded down) into out. */
void timefmt_rfc3339(int64_t ms, char out[TF_TIME_TEXT_SIZE]);

#endif
