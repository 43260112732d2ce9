/*
 * audit_chains.h: an application's own audit chain as it may read it (docs/audit.md): its
 * events in order with their hashes, and the heads the deployment's audit key signed, so that
 * it can check them offline and, keeping the signed heads it fetched, see a cut tail without
 * the operator's logs. The chain is the application's id (or "deployment" for the operator's
 * tools).
 */
#ifndef TF_SCA_AUDIT_CHAINS_H
#define TF_SCA_AUDIT_CHAINS_H
#include "sca/context.h"

#define SCA_AUDIT_LIST_MAX 1000 /* events or heads per call */

/* Up to limit events of chain after seq after, in order, to fn. limit and max may be one more
 * than SCA_AUDIT_LIST_MAX, to tell whether more follow a page. */
enum tf_err sca_audit_events(const struct sca_ctx *ctx, const char *chain, int64_t after, int64_t limit,
			     audit_event_visit_fn fn, void *arg);
/* Up to max signed heads of chain after seq after, in order. */
enum tf_err sca_audit_heads(const struct sca_ctx *ctx, const char *chain, int64_t after, struct audit_head_row *out,
			    size_t max, size_t *n_out);
/* The signed head of chain's newest event, signed now unless it is already: STATE_CONFLICT
 * for a chain without events. */
enum tf_err sca_audit_sign(const struct sca_ctx *ctx, const char *chain, struct audit_head_row *out);

#endif
