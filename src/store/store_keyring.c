/* store_keyring.c: the statements of every application at once, written once for both drivers
 * (store_sql.h): the sweeper's deletes (service/sweeper.c), and the key ring's row with the
 * sealed values it re-seals (service/keyring.c). */
#include <stdlib.h>
#include <string.h>

#include "core/retention.h"
#include "store/store_sql.h"

/* A batch of ended rows, at most batch in all, kind by kind, inside the caller's transaction.
 * PostgreSQL nodes that sweep at once delete different rows or wait for each other's rows;
 * nothing is deleted twice. */
enum tf_err sql_sweep(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted)
{
	*deleted = 0;
	for (enum stmt_id id = S_SWEEP_SESSIONS; id <= S_SWEEP_DEVICES && *deleted < batch; id++) {
		int64_t before = id == S_SWEEP_IDEMPOTENCY ? cut->idempotency_before
				 : id == S_SWEEP_COUNTERS  ? cut->counters_before
							   : cut->ended_before;
		int changes = 0;
		enum tf_err e = db_exec(c, id, ARGS(INT(before), INT(batch - *deleted)), &changes);
		if (e != TF_OK)
			return e;
		*deleted += changes;
	}
	return TF_OK;
}

enum tf_err sql_keyring_get(struct store_conn *c, struct keyring_row *out)
{
	memset(out, 0, sizeof *out);
	struct rows r;
	enum tf_err e = db_row(c, S_KEYRING_GET, NULL, &r);
	if (e != TF_OK)
		return e;
	size_t check_len = 0;
	col_blob(&r, 0, out->check_value, sizeof out->check_value, &check_len);
	/* a value of another length than ours is not one of ours: its check fails */
	if (col_blob(&r, 1, out->wrapped_keys, sizeof out->wrapped_keys, &out->wrapped_keys_len) != out->wrapped_keys_len)
		out->wrapped_keys_len = 0;
	if (check_len != sizeof out->check_value)
		memset(out->check_value, 0, sizeof out->check_value);
	out->created_at = col_int(&r, 2);
	out->rotated_at = col_int(&r, 3);
	return db_end(&r);
}

enum tf_err sql_keyring_insert(struct store_conn *c, const struct keyring_row *k)
{
	return db_exec(c, S_KEYRING_INSERT,
		       ARGS(BLOB(k->check_value, sizeof k->check_value), BLOB(k->wrapped_keys, k->wrapped_keys_len),
			    INT(k->created_at)),
		       NULL);
}

enum tf_err sql_keyring_replace(struct store_conn *c, const struct keyring_row *k)
{
	int changes = 0;
	enum tf_err e = db_exec(c, S_KEYRING_REPLACE,
				ARGS(BLOB(k->check_value, sizeof k->check_value), BLOB(k->wrapped_keys, k->wrapped_keys_len),
				     INT(k->rotated_at)),
				&changes);
	return e == TF_OK && changes != 1 ? TF_ERR_NOT_FOUND : e;
}

/* Every key is a non-empty id: "" sorts before them all. Only the idempotency table's primary
 * key has two columns. */
enum tf_err sql_sealed_page(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
			    struct sealed_value *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	if ((unsigned)col >= SEALED__MAX)
		return TF_ERR_INTERNAL;
	const char *key0 = after ? after->key[0] : "", *key1 = after ? after->key[1] : "";
	struct rows r;
	if (col == SEALED_IDEMPOTENT_ANSWER)
		db_query(c, S_SEALED_PAGE + col, ARGS(TEXT(key0), TEXT(key1), INT(max)), &r);
	else
		db_query(c, S_SEALED_PAGE + col, ARGS(TEXT(key0), INT(max)), &r);
	enum tf_err e = TF_OK;
	while (*n_out < max && db_next(&r)) {
		struct sealed_value *v = &out[*n_out];
		memset(v, 0, sizeof *v);
		col_text(&r, 0, v->key[0], sizeof v->key[0]);
		col_text(&r, 1, v->key[1], sizeof v->key[1]);
		if (!(v->sealed = col_blob_dup(&r, 2, &v->len))) {
			e = TF_ERR_INTERNAL;
			break;
		}
		(*n_out)++;
	}
	enum tf_err end = db_end(&r);
	if (e == TF_OK)
		e = end;
	if (e != TF_OK) {
		for (size_t i = 0; i < *n_out; i++)
			free(out[i].sealed);
		*n_out = 0;
	}
	return e;
}

/* NOT_FOUND if the row is gone */
enum tf_err sql_sealed_put(struct store_conn *c, enum sealed_column col, const struct sealed_value *v)
{
	if ((unsigned)col >= SEALED__MAX)
		return TF_ERR_INTERNAL;
	int changes = 0;
	enum tf_err e = col == SEALED_IDEMPOTENT_ANSWER
				? db_exec(c, S_SEALED_PUT + col, ARGS(BLOB(v->sealed, v->len), TEXT(v->key[0]), TEXT(v->key[1])), &changes)
				: db_exec(c, S_SEALED_PUT + col, ARGS(BLOB(v->sealed, v->len), TEXT(v->key[0])), &changes);
	return e == TF_OK && changes != 1 ? TF_ERR_NOT_FOUND : e;
}

enum tf_err sql_devices_revoke_every(struct store_conn *c, int64_t now, int *n_out)
{
	*n_out = 0;
	return db_exec(c, S_DEVICES_REVOKE_EVERY, ARGS(INT(now)), n_out);
}

enum tf_err sql_other_clients(struct store_conn *c, int *n_out)
{
	int64_t n = 0;
	enum tf_err e = db_int(c, S_OTHER_CLIENTS, NULL, &n);
	*n_out = (int)n;
	return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
}
