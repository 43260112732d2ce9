/* sweeper.c: see sweeper.h. */
#include "service/sweeper.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/retention.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/periodic.h"

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* One run: batches until one finds nothing, or the thread is asked to stop. */
static void sweeper_run(void *arg, const atomic_int *stopping)
{
	struct tf_service *svc = arg;
	struct retention_cutoffs cut;
	if (!retention_cutoffs(clock_now_ms(), svc->cfg.expired_rows_kept * 1000, &cut))
		return;
	int64_t total = 0;
	for (;;) {
		struct store_conn *c;
		int n = 0;
		enum tf_err e = store_acquire(svc->store, &c);
		if (e == TF_OK) {
			if ((e = store_tx_begin(c)) == TF_OK)
				e = store_tx_end(c, STORE(c)->sweep(c, &cut, SWEEPER_BATCH, &n));
			store_release(c);
		}
		if (e != TF_OK) {
			log_warn("the sweeper could not delete ended rows; it tries again at its next run",
				 "error", tf_err_code(e), NULL);
			break;
		}
		total += n;
		metrics_add(svc->metrics, M_EXPIRED_ROWS_DELETED, (uint64_t)n);
		if (n == 0 || atomic_load(stopping))
			break;
		pause_ms(SWEEPER_PAUSE_MS);
	}
	if (total > 0) {
		char rows[32];
		snprintf(rows, sizeof rows, "%lld", (long long)total);
		log_info("deleted ended rows", "rows", rows, NULL);
	}
}

struct periodic *sweeper_start(struct tf_service *svc)
{
	return periodic_start(sweeper_run, svc, svc->cfg.sweep_interval * 1000);
}
