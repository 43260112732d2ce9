/*
 * tra_monitor.c: the background thread of the transaction risk analysis's monitoring (RTS art.
 * 20): every sweep_interval it evaluates the quarters that have ended and were not evaluated
 * yet (sca_tra_evaluate), so that a band over its reference for two quarters is suspended
 * within one interval of the second quarter's end, with no operator action. Nodes may run it
 * at once: a band's state moves only from the state it was read in.
 */
#include "sca/tra.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "platform/clock.h"
#include "platform/log.h"
#include "platform/periodic.h"

struct tra_monitor {
	struct tf_service *svc;
	struct periodic *thread;
	_Atomic int64_t evaluated_through; /* the last quarter this node evaluated through */
};

static void tick(void *arg, const atomic_int *stopping)
{
	(void)stopping;
	struct tra_monitor *m = arg;
	int64_t now = clock_now_ms(), through = tra_quarter(now) - 1;
	if (atomic_load(&m->evaluated_through) >= through)
		return;
	struct store_conn *c;
	enum tf_err e = store_acquire(m->svc->store, &c);
	if (e == TF_OK) {
		static const struct app_row no_app;
		struct sca_ctx ctx = {.svc = m->svc, .db = c, .app = &no_app, .now = now, .actor = "system:tra_monitor",
				      .client_ip = "", .request_id = ""};
		e = sca_tra_evaluate(&ctx, through, NULL, NULL);
		store_release(c);
	}
	if (e == TF_OK)
		atomic_store(&m->evaluated_through, through);
	else
		log_warn("the quarterly evaluation of the transaction risk analysis failed; it is tried again at the next "
			 "interval", "error", tf_err_code(e), NULL);
}

struct tra_monitor *sca_tra_monitor_start(struct tf_service *svc)
{
	struct tra_monitor *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->svc = svc;
	if (!(m->thread = periodic_start(tick, m, svc->cfg.sweep_interval * 1000))) {
		free(m);
		return NULL;
	}
	return m;
}

void sca_tra_monitor_stop(struct tra_monitor *m)
{
	if (!m)
		return;
	periodic_stop(m->thread);
	free(m);
}
