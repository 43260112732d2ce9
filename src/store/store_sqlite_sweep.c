/* store_sqlite_sweep.c: the sweeper's deletes on SQLite (store.h, ops_version 7): a batch of
 * ended rows, at most batch in all, inside the caller's transaction. */
#include "core/retention.h"
#include "store/store_sqlite_int.h"

enum tf_err sq_sweep(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted)
{
	const struct {
		enum stmt_id id;
		int64_t before;
	} kinds[] = {
		{Q_SWEEP_SESSIONS, cut->ended_before},   {Q_SWEEP_CHALLENGES, cut->ended_before},
		{Q_SWEEP_SSO, cut->ended_before},        {Q_SWEEP_EMAIL_TOKENS, cut->ended_before},
		{Q_SWEEP_OUTBOX, cut->ended_before},     {Q_SWEEP_IDEMPOTENCY, cut->idempotency_before},
		{Q_SWEEP_COUNTERS, cut->counters_before},
		{Q_SWEEP_DEVICES, cut->ended_before},
	};
	*deleted = 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && *deleted < batch; i++) {
		sqlite3_stmt *s = stmt(c, kinds[i].id);
		if (!s)
			return TF_ERR_INTERNAL;
		sqlite3_bind_int64(s, 1, kinds[i].before);
		sqlite3_bind_int(s, 2, batch - *deleted);
		int changes = 0;
		enum tf_err e = exec_stmt(c, s, "sweep", &changes);
		if (e != TF_OK)
			return e;
		*deleted += changes;
	}
	return TF_OK;
}
