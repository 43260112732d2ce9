/* metrics.c: see metrics.h. */
#include "platform/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_seconds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define N_BUCKETS (sizeof bucket_seconds / sizeof bucket_seconds[0])
#define STATUS_MIN 100
#define STATUS_SPAN 500

struct route_metrics {
	_Atomic uint64_t by_status[STATUS_SPAN];
	_Atomic uint64_t buckets[N_BUCKETS];
	_Atomic uint64_t count;
	_Atomic uint64_t sum_ns;
};

static const struct {
	const char *name, *help, *labels;
} counter_info[M__MAX] = {
	[M_VALIDATE_TRUSTED] = {"twofold_device_validations_total", "Device cookie validations, by result.", "trusted=\"true\""},
	[M_VALIDATE_UNTRUSTED] = {"twofold_device_validations_total", NULL, "trusted=\"false\""},
	[M_AUTHORIZE_ALLOW_TRUSTED_DEVICE] = {"twofold_authorize_decisions_total", "Sensitive-operation decisions, by decision and reason.", "decision=\"allow\",reason=\"TRUSTED_DEVICE\""},
	[M_AUTHORIZE_ALLOW_STEPPED_UP] = {"twofold_authorize_decisions_total", NULL, "decision=\"allow\",reason=\"STEPPED_UP\""},
	[M_AUTHORIZE_CHALLENGE_NO_FACTOR] = {"twofold_authorize_decisions_total", NULL, "decision=\"challenge_required\",reason=\"NO_FACTOR\""},
	[M_AUTHORIZE_CHALLENGE_STEP_UP_REQUIRED] = {"twofold_authorize_decisions_total", NULL, "decision=\"challenge_required\",reason=\"STEP_UP_REQUIRED\""},
	[M_AUDIT_DROPPED] = {"twofold_audit_dropped_total", "Asynchronous audit rows dropped because the background queue was full.", ""},
	[M_PAYMENT_ALLOW_AUTHORIZED] = {"twofold_payment_decisions_total", "Payment and account-information decisions (authorize), by decision and ground.", "decision=\"allow\",ground=\"authorization\""},
	[M_PAYMENT_ALLOW_EXEMPT] = {"twofold_payment_decisions_total", NULL, "decision=\"allow\",ground=\"exemption\""},
	[M_PAYMENT_CHALLENGE] = {"twofold_payment_decisions_total", NULL, "decision=\"challenge_required\",ground=\"none\""},
	[M_EXPIRED_ROWS_DELETED] = {"twofold_expired_rows_deleted_total", "Ended sessions, challenges, tokens, trusted devices, messages, idempotency records and rate counters the sweeper deleted (expired_rows_kept).", ""},
	[M_RECEIVE_TIMEOUTS] = {"twofold_http_receive_timeouts_total", "Connections closed because their request (line, headers and body) had not arrived within request_receive_timeout.", ""},
	[M_TRA_BAND_SUSPENDED] = {"twofold_tra_band_changes_total", "Transaction risk analysis bands suspended (two quarters over the reference rate, RTS art. 20) and resumed.", "change=\"suspended\""},
	[M_TRA_BAND_RESUMED] = {"twofold_tra_band_changes_total", NULL, "change=\"resumed\""},
	[M_SET_DELIVERED] = {"twofold_security_events_total", "Security event tokens sent to applications' events endpoints: delivered, attempts failed (retried), attempts whose every address was refused as not public, and tokens given up.", "result=\"delivered\""},
	[M_SET_FAILED] = {"twofold_security_events_total", NULL, "result=\"failed\""},
	[M_SET_REFUSED_ADDRESS] = {"twofold_security_events_total", NULL, "result=\"refused_address\""},
	[M_SET_GAVE_UP] = {"twofold_security_events_total", NULL, "result=\"gave_up\""},
};

struct metrics {
	_Atomic uint64_t counters[M__MAX];
	size_t n; /* routes + 1 (the last slot is "no route") */
	struct route_metrics r[];
};

struct metrics *metrics_new(size_t n_routes)
{
	struct metrics *m = calloc(1, sizeof *m + (n_routes + 1) * sizeof m->r[0]);
	if (m)
		m->n = n_routes + 1;
	return m;
}

void metrics_free(struct metrics *m)
{
	free(m);
}

void metrics_count(struct metrics *m, enum metric_counter c)
{
	metrics_add(m, c, 1);
}

void metrics_add(struct metrics *m, enum metric_counter c, uint64_t n)
{
	if (m && (unsigned)c < M__MAX)
		atomic_fetch_add_explicit(&m->counters[c], n, memory_order_relaxed);
}

void metrics_record(struct metrics *m, int route_index, int status, int64_t duration_ns)
{
	if (!m)
		return;
	struct route_metrics *r = &m->r[route_index < 0 || (size_t)route_index >= m->n - 1 ? m->n - 1 : (size_t)route_index];
	if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SPAN)
		atomic_fetch_add_explicit(&r->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
	double secs = (double)duration_ns / 1e9;
	for (size_t i = 0; i < N_BUCKETS; i++)
		if (secs <= bucket_seconds[i]) {
			atomic_fetch_add_explicit(&r->buckets[i], 1, memory_order_relaxed);
			break;
		}
	atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_ns, (uint64_t)duration_ns, memory_order_relaxed);
}

struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap * 2 + (size_t)n;
		char *b = realloc(t->buf, cap);
		if (!b)
			return;
		t->buf = b;
		t->cap = cap;
	}
}

char *metrics_render(struct metrics *m, const char *const *route_names)
{
	struct text t = {.buf = malloc(4096), .len = 0, .cap = 4096};
	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';
	put(&t, "# HELP twofold_http_requests_total HTTP requests answered, by route and status.\n"
		"# TYPE twofold_http_requests_total counter\n");
	for (size_t i = 0; i < m->n; i++) {
		const char *name = i < m->n - 1 ? route_names[i] : "unmatched";
		for (int s = 0; s < STATUS_SPAN; s++) {
			uint64_t v = atomic_load_explicit(&m->r[i].by_status[s], memory_order_relaxed);
			if (v)
				put(&t, "twofold_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name, s + STATUS_MIN, (unsigned long long)v);
		}
	}
	put(&t, "# HELP twofold_http_request_duration_seconds Time from the end of the request to the answer, by route.\n"
		"# TYPE twofold_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->n; i++) {
		const char *name = i < m->n - 1 ? route_names[i] : "unmatched";
		uint64_t count = atomic_load_explicit(&m->r[i].count, memory_order_relaxed);
		if (!count)
			continue;
		uint64_t cum = 0;
		for (size_t b = 0; b < N_BUCKETS; b++) {
			cum += atomic_load_explicit(&m->r[i].buckets[b], memory_order_relaxed);
			put(&t, "twofold_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", name, bucket_seconds[b], (unsigned long long)cum);
		}
		put(&t, "twofold_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", name, (unsigned long long)count);
		put(&t, "twofold_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
		    (double)atomic_load_explicit(&m->r[i].sum_ns, memory_order_relaxed) / 1e9);
		put(&t, "twofold_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name, (unsigned long long)count);
	}
	for (int c = 0; c < M__MAX; c++) {
		if (counter_info[c].help)
			put(&t, "# HELP %s %s\n# TYPE %s counter\n", counter_info[c].name, counter_info[c].help, counter_info[c].name);
		unsigned long long v = atomic_load_explicit(&m->counters[c], memory_order_relaxed);
		if (counter_info[c].labels[0])
			put(&t, "%s{%s} %llu\n", counter_info[c].name, counter_info[c].labels, v);
		else
			put(&t, "%s %llu\n", counter_info[c].name, v);
	}
	return t.buf;
}
