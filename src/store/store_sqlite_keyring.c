/* store_sqlite_keyring.c: the key ring's row and the sealed values of every application on
 * SQLite (store.h, ops_version 9), for service/keyring.c. */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

enum tf_err sq_keyring_get(struct store_conn *c, struct keyring_row *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(c, Q_KEYRING_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	enum tf_err e = step_row(c, s, "keyring_get");
	if (e != TF_OK)
		return e;
	size_t check_len = 0;
	copy_blob(s, 0, out->check_value, sizeof out->check_value, &check_len);
	copy_blob(s, 1, out->wrapped_keys, sizeof out->wrapped_keys, &out->wrapped_keys_len);
	out->created_at = sqlite3_column_int64(s, 2);
	out->rotated_at = sqlite3_column_int64(s, 3);
	/* a longer value than the row holds is not one of ours: its check fails */
	if ((size_t)sqlite3_column_bytes(s, 1) != out->wrapped_keys_len)
		out->wrapped_keys_len = 0;
	finish(s);
	if (check_len != sizeof out->check_value)
		memset(out->check_value, 0, sizeof out->check_value);
	return TF_OK;
}

enum tf_err sq_keyring_insert(struct store_conn *c, const struct keyring_row *k)
{
	sqlite3_stmt *s = stmt(c, Q_KEYRING_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, k->check_value, sizeof k->check_value, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, k->wrapped_keys, (int)k->wrapped_keys_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, k->created_at);
	return exec_stmt(c, s, "keyring_insert", NULL);
}

enum tf_err sq_keyring_replace(struct store_conn *c, const struct keyring_row *k)
{
	sqlite3_stmt *s = stmt(c, Q_KEYRING_REPLACE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, k->check_value, sizeof k->check_value, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, k->wrapped_keys, (int)k->wrapped_keys_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, k->rotated_at);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "keyring_replace", &changes);
	return e == TF_OK && changes != 1 ? TF_ERR_NOT_FOUND : e;
}

static const struct {
	enum stmt_id page, put;
	bool two_keys;
} sealed_stmts[SEALED__MAX] = {
	[SEALED_APP_CLIENT_SECRET] = {Q_SEALED_PAGE_CLIENT_SECRETS, Q_SEALED_PUT_CLIENT_SECRET, false},
	[SEALED_APP_DELIVERY] = {Q_SEALED_PAGE_DELIVERY, Q_SEALED_PUT_DELIVERY, false},
	[SEALED_FACTOR_SECRET] = {Q_SEALED_PAGE_FACTORS, Q_SEALED_PUT_FACTOR, false},
	[SEALED_OUTBOX_BODY] = {Q_SEALED_PAGE_OUTBOX, Q_SEALED_PUT_OUTBOX, false},
	[SEALED_IDEMPOTENT_ANSWER] = {Q_SEALED_PAGE_IDEMPOTENCY, Q_SEALED_PUT_IDEMPOTENCY, true},
};

enum tf_err sq_sealed_page(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
			   struct sealed_value *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	if ((unsigned)col >= SEALED__MAX)
		return TF_ERR_INTERNAL;
	sqlite3_stmt *s = stmt(c, sealed_stmts[col].page);
	if (!s)
		return TF_ERR_INTERNAL;
	/* every key is a non-empty id: "" sorts before them all */
	bind_text(s, 1, after ? after->key[0] : "");
	bind_text(s, 2, after ? after->key[1] : "");
	sqlite3_bind_int64(s, 3, (int64_t)max);
	enum tf_err e = TF_OK;
	int rc = SQLITE_DONE;
	while (*n_out < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sealed_value *v = &out[*n_out];
		memset(v, 0, sizeof *v);
		copy_text(s, 0, v->key[0], sizeof v->key[0]);
		copy_text(s, 1, v->key[1], sizeof v->key[1]);
		v->len = (size_t)sqlite3_column_bytes(s, 2);
		if (!(v->sealed = malloc(v->len))) {
			e = TF_ERR_INTERNAL;
			break;
		}
		memcpy(v->sealed, sqlite3_column_blob(s, 2), v->len);
		(*n_out)++;
	}
	if (e == TF_OK && *n_out < max && rc != SQLITE_DONE)
		e = sqlite_map_rc(db_of(c), rc, "sealed_page");
	finish(s);
	if (e != TF_OK) {
		for (size_t i = 0; i < *n_out; i++)
			free(out[i].sealed);
		*n_out = 0;
	}
	return e;
}

enum tf_err sq_sealed_put(struct store_conn *c, enum sealed_column col, const struct sealed_value *v)
{
	if ((unsigned)col >= SEALED__MAX)
		return TF_ERR_INTERNAL;
	sqlite3_stmt *s = stmt(c, sealed_stmts[col].put);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, v->sealed, (int)v->len, SQLITE_STATIC);
	bind_text(s, 2, v->key[0]);
	if (sealed_stmts[col].two_keys)
		bind_text(s, 3, v->key[1]);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "sealed_put", &changes);
	return e == TF_OK && changes != 1 ? TF_ERR_NOT_FOUND : e;
}

enum tf_err sq_devices_revoke_every(struct store_conn *c, int64_t now, int *n_out)
{
	*n_out = 0;
	sqlite3_stmt *s = stmt(c, Q_DEVICES_REVOKE_EVERY);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	return exec_stmt(c, s, "devices_revoke_every", n_out);
}

/* SQLite cannot tell which other processes have the file open */
enum tf_err sq_other_clients(struct store_conn *c, int *n_out)
{
	(void)c;
	*n_out = 0;
	return TF_OK;
}
