/* metrics.h: the service's counters, in Prometheus text format: requests by route and status,
 * a latency histogram by route, and named counters of decisions and events. Counters are
 * atomics: recording costs a few increments. Routes are indexes and names the caller gives, so
 * any layer (the HTTP adapter, handlers, background threads) can count without depending on
 * the HTTP adapter. */
#ifndef TF_PLATFORM_METRICS_H
#define TF_PLATFORM_METRICS_H
#include <stddef.h>
#include <stdint.h>

struct metrics;

/* Named counters of decisions (device validation, authorize) and events. */
enum metric_counter {
	M_VALIDATE_TRUSTED,
	M_VALIDATE_UNTRUSTED,
	M_AUTHORIZE_ALLOW_TRUSTED_DEVICE,
	M_AUTHORIZE_ALLOW_STEPPED_UP,
	M_AUTHORIZE_CHALLENGE_NO_FACTOR,
	M_AUTHORIZE_CHALLENGE_STEP_UP_REQUIRED,
	M_AUDIT_DROPPED,
	M_PAYMENT_ALLOW_AUTHORIZED,
	M_PAYMENT_ALLOW_EXEMPT,
	M_PAYMENT_CHALLENGE,
	M_EXPIRED_ROWS_DELETED,
	M_RECEIVE_TIMEOUTS,
	M_TRA_BAND_SUSPENDED,
	M_TRA_BAND_RESUMED,
	M_SET_DELIVERED, /* security event tokens (delivery/provider_set.c): attempts and outcomes */
	M_SET_FAILED,
	M_SET_REFUSED_ADDRESS,
	M_SET_GAVE_UP,
	M__MAX
};
void metrics_count(struct metrics *m, enum metric_counter c);
void metrics_add(struct metrics *m, enum metric_counter c, uint64_t n);

struct metrics *metrics_new(size_t n_routes);
void metrics_free(struct metrics *m);
/* route_index -1 means no route matched */
void metrics_record(struct metrics *m, int route_index, int status, int64_t duration_ns);
/* Returns malloc'd text. */
char *metrics_render(struct metrics *m, const char *const *route_names);

#endif
