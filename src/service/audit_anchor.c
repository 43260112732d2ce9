/* audit_anchor.c: see audit_anchor.h. */
#include "service/audit_anchor.h"

#include <stdio.h>
#include <stdlib.h>

#include "platform/log.h"
#include "platform/periodic.h"

struct audit_anchor {
	struct tf_service *svc;
	struct periodic *thread;
	int64_t logged_seq; /* the head last written to the log; 0: none yet */
};

static void log_head(struct audit_anchor *a)
{
	int64_t seq = 0;
	uint8_t hash[AUDIT_HASH_BYTES];
	enum tf_err e = audit_head_read(a->svc, &seq, hash);
	if (e != TF_OK) {
		log_warn("cannot read the audit chain's head; it is logged at the next interval", "error", tf_err_code(e), NULL);
		return;
	}
	if (seq == 0 || seq == a->logged_seq)
		return;
	char seq_text[32], hash_hex[2 * AUDIT_HASH_BYTES + 1];
	snprintf(seq_text, sizeof seq_text, "%lld", (long long)seq);
	sodium_bin2hex(hash_hex, sizeof hash_hex, hash, sizeof hash);
	log_info("audit chain head", "seq", seq_text, "hash", hash_hex, NULL);
	a->logged_seq = seq;
}

static void tick(void *arg, const atomic_int *stopping)
{
	(void)stopping;
	log_head(arg);
}

struct audit_anchor *audit_anchor_start(struct tf_service *svc)
{
	struct audit_anchor *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->svc = svc;
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
	log_head(a);
	free(a);
}
