/* clock.c: see clock.h. TWOFOLD_TEST_CLOCK_OFFSET_MS is not supported on purpose: API tests
 * that need time to pass use short timeouts from the configuration instead. */
#include "platform/clock.h"

#include <time.h>

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
