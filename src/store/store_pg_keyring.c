/* store_pg_keyring.c: the key ring's row and the sealed values of every application on
 * PostgreSQL (store.h, ops_version 9), for service/keyring.c. */
#include <stdlib.h>
#include <string.h>

#include "store/store_pg_int.h"

enum tf_err pg_keyring_get(struct store_conn *c, struct keyring_row *out)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_KEYRING_GET, NULL, "keyring_get", &r);
	if (e != TF_OK)
		return e;
	size_t check_len = 0, wrapped_len = 0;
	uint8_t *wrapped = col_blob_dup(r, 0, 1, &wrapped_len);
	col_blob(r, 0, 0, out->check_value, sizeof out->check_value, &check_len);
	/* a value of another length than ours is not one of ours: its check fails */
	if (wrapped && wrapped_len <= sizeof out->wrapped_keys) {
		memcpy(out->wrapped_keys, wrapped, wrapped_len);
		out->wrapped_keys_len = wrapped_len;
	}
	free(wrapped);
	if (check_len != sizeof out->check_value)
		memset(out->check_value, 0, sizeof out->check_value);
	out->created_at = col_int(r, 0, 2);
	out->rotated_at = col_int(r, 0, 3);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_keyring_insert(struct store_conn *c, const struct keyring_row *k)
{
	struct pg_params p = {0};
	p_blob(&p, k->check_value, sizeof k->check_value);
	p_blob(&p, k->wrapped_keys, k->wrapped_keys_len);
	p_int(&p, k->created_at);
	return pg_run(c, PS_KEYRING_INSERT, &p, "keyring_insert", NULL, NULL);
}

enum tf_err pg_keyring_replace(struct store_conn *c, const struct keyring_row *k)
{
	struct pg_params p = {0};
	p_blob(&p, k->check_value, sizeof k->check_value);
	p_blob(&p, k->wrapped_keys, k->wrapped_keys_len);
	p_int(&p, k->rotated_at);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_KEYRING_REPLACE, &p, "keyring_replace", NULL, &changes);
	return e == TF_OK && changes != 1 ? TF_ERR_NOT_FOUND : e;
}

static const struct {
	enum pg_stmt page, put;
	bool two_keys;
} sealed_stmts[SEALED__MAX] = {
	[SEALED_APP_CLIENT_SECRET] = {PS_SEALED_PAGE_CLIENT_SECRETS, PS_SEALED_PUT_CLIENT_SECRET, false},
	[SEALED_APP_DELIVERY] = {PS_SEALED_PAGE_DELIVERY, PS_SEALED_PUT_DELIVERY, false},
	[SEALED_FACTOR_SECRET] = {PS_SEALED_PAGE_FACTORS, PS_SEALED_PUT_FACTOR, false},
	[SEALED_OUTBOX_BODY] = {PS_SEALED_PAGE_OUTBOX, PS_SEALED_PUT_OUTBOX, false},
	[SEALED_IDEMPOTENT_ANSWER] = {PS_SEALED_PAGE_IDEMPOTENCY, PS_SEALED_PUT_IDEMPOTENCY, true},
};

enum tf_err pg_sealed_page(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
			   struct sealed_value *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	if ((unsigned)col >= SEALED__MAX)
		return TF_ERR_INTERNAL;
	struct pg_params p = {0};
	/* every key is a non-empty id: "" sorts before them all */
	p_text(&p, after ? after->key[0] : "");
	if (sealed_stmts[col].two_keys)
		p_text(&p, after ? after->key[1] : "");
	p_int(&p, (int64_t)max);
	PGresult *r;
	enum tf_err e = pg_run(c, sealed_stmts[col].page, &p, "sealed_page", &r, NULL);
	if (e != TF_OK)
		return e;
	int rows = PQntuples(r);
	for (int i = 0; i < rows && *n_out < max; i++) {
		struct sealed_value *v = &out[*n_out];
		memset(v, 0, sizeof *v);
		col_text(r, i, 0, v->key[0], sizeof v->key[0]);
		col_text(r, i, 1, v->key[1], sizeof v->key[1]);
		if (!(v->sealed = col_blob_dup(r, i, 2, &v->len))) {
			e = TF_ERR_INTERNAL;
			break;
		}
		(*n_out)++;
	}
	PQclear(r);
	if (e != TF_OK) {
		for (size_t i = 0; i < *n_out; i++)
			free(out[i].sealed);
		*n_out = 0;
	}
	return e;
}

enum tf_err pg_sealed_put(struct store_conn *c, enum sealed_column col, const struct sealed_value *v)
{
	if ((unsigned)col >= SEALED__MAX)
		return TF_ERR_INTERNAL;
	struct pg_params p = {0};
	p_blob(&p, v->sealed, v->len);
	p_text(&p, v->key[0]);
	if (sealed_stmts[col].two_keys)
		p_text(&p, v->key[1]);
	int changes = 0;
	enum tf_err e = pg_run(c, sealed_stmts[col].put, &p, "sealed_put", NULL, &changes);
	return e == TF_OK && changes != 1 ? TF_ERR_NOT_FOUND : e;
}

enum tf_err pg_devices_revoke_every(struct store_conn *c, int64_t now, int *n_out)
{
	struct pg_params p = {0};
	p_int(&p, now);
	*n_out = 0;
	return pg_run(c, PS_DEVICES_REVOKE_EVERY, &p, "devices_revoke_every", NULL, n_out);
}

enum tf_err pg_other_clients(struct store_conn *c, int *n_out)
{
	PGresult *r;
	*n_out = 0;
	enum tf_err e = pg_row(c, PS_OTHER_CLIENTS, NULL, "other_clients", &r);
	if (e != TF_OK)
		return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
	*n_out = (int)col_int(r, 0, 0);
	PQclear(r);
	return TF_OK;
}
