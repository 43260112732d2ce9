/*
 * periodic.h: a thread that runs one function every interval until it is stopped; the
 * background work of a node (the device revocation cache's refresh, the sweeper) is made of
 * these. The first run comes one interval after the start; stopping wakes the thread at once
 * and waits for a run in progress, which can look at *stopping to end early.
 */
#ifndef TF_PLATFORM_PERIODIC_H
#define TF_PLATFORM_PERIODIC_H
#include <stdatomic.h>
#include <stdint.h>

struct periodic;

typedef void (*periodic_fn)(void *arg, const atomic_int *stopping);

/* NULL when the thread cannot be made. */
struct periodic *periodic_start(periodic_fn fn, void *arg, int64_t interval_ms);
void periodic_stop(struct periodic *p); /* NULL: nothing */

#endif
