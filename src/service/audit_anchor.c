/* audit_anchor.c: see audit_anchor.h. */
#include "service/audit_anchor.h"

#include <stdlib.h>

#include "platform/clock.h"
#include "platform/log.h"
#include "platform/periodic.h"

struct audit_anchor {
	struct tf_service *svc;
	struct periodic *thread;
};

static void sign_moved(struct audit_anchor *a)
{
	size_t n = 0;
	enum tf_err e = audit_sign_moved(a->svc, clock_now_ms(), &n);
	if (e != TF_OK)
		log_warn("cannot sign the audit chains' heads; they are signed at the next interval", "error", tf_err_code(e),
			 NULL);
}

static void tick(void *arg, const atomic_int *stopping)
{
	(void)stopping;
	sign_moved(arg);
}

struct audit_anchor *audit_anchor_start(struct tf_service *svc)
{
	struct audit_anchor *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->svc = svc;
	sign_moved(a);
	if (!(a->thread = periodic_start(tick, a, svc->cfg.audit_anchor_interval * 1000))) {
		free(a);
		return NULL;
	}
	return a;
}

void audit_anchor_stop(struct audit_anchor *a)
{
	if (!a)
		return;
	periodic_stop(a->thread);
	sign_moved(a);
	free(a);
}
