/* clock.h: the wall clock, read only by the adapters; the core is always given the time. */
#ifndef TF_PLATFORM_CLOCK_H
#define TF_PLATFORM_CLOCK_H
#include <stdint.h>

int64_t clock_now_ms(void);      /* wall clock, milliseconds since the epoch */
int64_t clock_monotonic_ns(void); /* for measuring durations */

#endif
