/* store_pg_sweep.c: the sweeper's deletes on PostgreSQL (store.h, ops_version 7): a batch of
 * ended rows, at most batch in all, inside the caller's transaction. Nodes that sweep at once delete
 * different rows or wait for each other's rows; nothing is deleted twice. */
#include "core/retention.h"
#include "store/store_pg_int.h"

enum tf_err pg_sweep(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted)
{
	const struct {
		enum pg_stmt id;
		int64_t before;
	} kinds[] = {
		{PS_SWEEP_SESSIONS, cut->ended_before},   {PS_SWEEP_CHALLENGES, cut->ended_before},
		{PS_SWEEP_SSO, cut->ended_before},        {PS_SWEEP_EMAIL_TOKENS, cut->ended_before},
		{PS_SWEEP_OUTBOX, cut->ended_before},     {PS_SWEEP_IDEMPOTENCY, cut->idempotency_before},
		{PS_SWEEP_COUNTERS, cut->counters_before},
		{PS_SWEEP_DEVICES, cut->ended_before},
	};
	*deleted = 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && *deleted < batch; i++) {
		struct pg_params p = {0};
		p_int(&p, kinds[i].before);
		p_int(&p, batch - *deleted);
		int changes = 0;
		enum tf_err e = pg_run(c, kinds[i].id, &p, "sweep", NULL, &changes);
		if (e != TF_OK)
			return e;
		*deleted += changes;
	}
	return TF_OK;
}
