/* fake_clock.h: a clock for unit tests of the pure core, which is always given the time. */
#ifndef TF_TESTS_FAKE_CLOCK_H
#define TF_TESTS_FAKE_CLOCK_H
#include <stdint.h>

struct fake_clock {
	int64_t now_ms;
};

#define FAKE_CLOCK_START 1795000000000LL /* 2026-11-17, a fixed instant */

static inline struct fake_clock fake_clock_new(void)
{
	return (struct fake_clock){FAKE_CLOCK_START};
}

static inline int64_t fake_clock_advance(struct fake_clock *c, int64_t ms)
{
	c->now_ms += ms;
	return c->now_ms;
}

#endif
