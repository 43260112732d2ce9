/* store_pg_factors.c: factors, backup-code sheets, challenges and trusted devices in
 * PostgreSQL (the counterpart of store_sqlite_factors.c, with the same results and errors).
 * Reads of a user's factors and challenges inside a write transaction first take that user's
 * lock (pg_lock_user): the attempt that checks a code and the one that counts a failure or
 * replays a TOTP step run one after the other, whichever node serves them. */
#include <string.h>

#include "core/challenge.h"
#include "store/store_pg_int.h"

static int index_of(const char *const *names, int n, const char *text)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	return 0;
}

/* ---- factors ---- */

static void read_factor(const PGresult *r, int row, struct factor_row *f)
{
	char text[32];
	memset(f, 0, sizeof *f);
	col_text(r, row, 0, f->factor_id, sizeof f->factor_id);
	col_text(r, row, 1, f->app_id, sizeof f->app_id);
	col_text(r, row, 2, f->user_id, sizeof f->user_id);
	col_text(r, row, 3, text, sizeof text);
	f->type = (enum factor_type)index_of(factor_type_names, FACTOR_TYPE__MAX, text);
	col_text(r, row, 4, text, sizeof text);
	f->status = strcmp(text, "active") == 0 ? FACTOR_ACTIVE : FACTOR_PENDING;
	col_text(r, row, 5, f->phone, sizeof f->phone);
	col_blob(r, row, 6, f->secret_sealed, sizeof f->secret_sealed, &f->secret_sealed_len);
	col_text(r, row, 7, f->totp_algorithm, sizeof f->totp_algorithm);
	f->totp_digits = (int)col_int(r, row, 8);
	f->last_totp_step = col_int(r, row, 9);
	f->preferred = col_int(r, row, 10) != 0;
	f->consecutive_failures = (int)col_int(r, row, 11);
	f->blocked_until = col_int(r, row, 12);
	f->created_at = col_int(r, row, 13);
	f->activated_at = col_int(r, row, 14);
	col_text(r, row, 15, f->enrolment_challenge_id, sizeof f->enrolment_challenge_id);
	col_text(r, row, 16, f->push_channel, sizeof f->push_channel);
	col_blob(r, row, 17, f->push_public_key, sizeof f->push_public_key, NULL);
	col_text(r, row, 18, f->push_address, sizeof f->push_address);
	f->backup_remaining = (int)col_int(r, row, 19);
}

enum tf_err pg_factor_insert(struct store_conn *c, const struct factor_row *f)
{
	struct pg_params p = {0};
	p_text(&p, f->factor_id);
	p_text(&p, f->app_id);
	p_text(&p, f->user_id);
	p_text(&p, factor_type_names[f->type]);
	p_text(&p, f->status == FACTOR_ACTIVE ? "active" : "pending_verification");
	p_text(&p, f->phone);
	if (f->secret_sealed_len)
		p_blob(&p, f->secret_sealed, f->secret_sealed_len);
	else
		p_null(&p);
	p_text(&p, f->totp_algorithm[0] ? f->totp_algorithm : "SHA1");
	p_int(&p, f->totp_digits ? f->totp_digits : 6);
	p_int(&p, f->last_totp_step);
	p_int(&p, f->preferred);
	p_int(&p, f->consecutive_failures);
	p_int(&p, f->blocked_until);
	p_int(&p, f->created_at);
	p_int(&p, f->activated_at);
	p_text(&p, f->enrolment_challenge_id);
	p_text(&p, f->push_channel);
	if (f->type == FACTOR_PUSH)
		p_blob(&p, f->push_public_key, sizeof f->push_public_key);
	else
		p_null(&p);
	p_text(&p, f->push_address);
	return pg_run(c, PS_FACTOR_INSERT, &p, "factor_insert", NULL, NULL);
}

enum tf_err pg_factor_get(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id,
			  struct factor_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, factor_id);
	PGresult *r;
	if ((e = pg_row(c, PS_FACTOR_GET, &p, "factor_get", &r)) != TF_OK)
		return e;
	read_factor(r, 0, out);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_factor_list(struct store_conn *c, const char *app_id, const char *user_id, struct factor_row *out,
			   size_t max, size_t *n_out)
{
	*n_out = 0;
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_int(&p, (int64_t)max);
	PGresult *r;
	if ((e = pg_run(c, PS_FACTOR_LIST, &p, "factor_list", &r, NULL)) != TF_OK)
		return e;
	size_t n = (size_t)PQntuples(r);
	for (size_t i = 0; i < n && i < max; i++)
		read_factor(r, (int)i, &out[i]);
	*n_out = n < max ? n : max;
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_factor_update(struct store_conn *c, const struct factor_row *f)
{
	struct pg_params p = {0};
	p_text(&p, f->status == FACTOR_ACTIVE ? "active" : "pending_verification");
	p_int(&p, f->activated_at);
	p_int(&p, f->last_totp_step);
	p_int(&p, f->consecutive_failures);
	p_int(&p, f->blocked_until);
	p_text(&p, f->enrolment_challenge_id);
	p_text(&p, f->factor_id);
	p_text(&p, f->app_id);
	return pg_run(c, PS_FACTOR_UPDATE, &p, "factor_update", NULL, NULL);
}

enum tf_err pg_factor_set_preferred(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	enum tf_err e = pg_run(c, PS_FACTOR_CLEAR_PREFERRED, &p, "factor_clear_preferred", NULL, NULL);
	if (e != TF_OK)
		return e;
	p_text(&p, factor_id);
	int changes = 0;
	e = pg_run(c, PS_FACTOR_SET_PREFERRED, &p, "factor_set_preferred", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err pg_factor_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, factor_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_FACTOR_DELETE, &p, "factor_delete", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

/* ---- backup codes ---- */

enum tf_err pg_backup_codes_replace(struct store_conn *c, const char *factor_id, const struct backup_code_row *codes,
				    size_t n)
{
	struct pg_params p = {0};
	p_text(&p, factor_id);
	enum tf_err e = pg_run(c, PS_BACKUP_DELETE, &p, "backup_codes_delete", NULL, NULL);
	for (size_t i = 0; e == TF_OK && i < n; i++) {
		struct pg_params q = {0};
		p_text(&q, factor_id);
		p_int(&q, codes[i].idx);
		p_text(&q, codes[i].code_hash);
		e = pg_run(c, PS_BACKUP_INSERT, &q, "backup_code_insert", NULL, NULL);
	}
	return e;
}

enum tf_err pg_backup_codes_list(struct store_conn *c, const char *factor_id, struct backup_code_row *out, size_t max,
				 size_t *n_out)
{
	*n_out = 0;
	struct pg_params p = {0};
	p_text(&p, factor_id);
	p_int(&p, (int64_t)max);
	PGresult *r;
	enum tf_err e = pg_run(c, PS_BACKUP_LIST, &p, "backup_codes_list", &r, NULL);
	if (e != TF_OK)
		return e;
	size_t n = 0;
	for (int i = 0; i < PQntuples(r) && n < max; i++, n++) {
		out[n].idx = (int)col_int(r, i, 0);
		col_text(r, i, 1, out[n].code_hash, sizeof out[n].code_hash);
		out[n].used_at = col_int(r, i, 2);
	}
	PQclear(r);
	*n_out = n;
	return TF_OK;
}

enum tf_err pg_backup_code_use(struct store_conn *c, const char *factor_id, int idx, const char *code_hash, int64_t now)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, factor_id);
	p_int(&p, idx);
	p_text(&p, code_hash);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_BACKUP_USE, &p, "backup_code_use", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_VERIFICATION_CODE_INVALID; /* used meanwhile */
}

/* ---- challenges ---- */

static void p_code(struct pg_params *p, const struct challenge_row *ch)
{
	if (ch->has_code)
		p_blob(p, ch->code_mac, TF_MAC_BYTES);
	else
		p_null(p);
}

enum tf_err pg_challenge_insert(struct store_conn *c, const struct challenge_row *ch)
{
	struct pg_params p = {0};
	p_text(&p, ch->challenge_id);
	p_text(&p, ch->app_id);
	p_text(&p, ch->user_id);
	p_text(&p, ch->factor_id);
	p_text(&p, ch->session_id);
	p_text(&p, purpose_names[ch->purpose]);
	p_text(&p, challenge_status_names[ch->status]);
	p_code(&p, ch);
	p_int(&p, ch->attempts);
	p_int(&p, ch->max_attempts);
	p_int(&p, ch->sends);
	p_int(&p, ch->last_sent_at);
	p_int(&p, ch->created_at);
	p_int(&p, ch->expires_at);
	p_int(&p, ch->verified_at);
	p_int(&p, ch->has_transaction ? ch->tx.amount : 0);
	p_text(&p, ch->has_transaction ? ch->tx.currency : "");
	p_text(&p, ch->has_transaction ? ch->tx.payee_name : "");
	p_text(&p, ch->has_transaction ? ch->tx.payee_account : "");
	p_text(&p, ch->has_transaction ? ch->tx_hash : "");
	return pg_run(c, PS_CHALLENGE_INSERT, &p, "challenge_insert", NULL, NULL);
}

static void read_challenge(const PGresult *r, struct challenge_row *ch)
{
	char text[32];
	memset(ch, 0, sizeof *ch);
	col_text(r, 0, 0, ch->challenge_id, sizeof ch->challenge_id);
	col_text(r, 0, 1, ch->app_id, sizeof ch->app_id);
	col_text(r, 0, 2, ch->user_id, sizeof ch->user_id);
	col_text(r, 0, 3, ch->factor_id, sizeof ch->factor_id);
	col_text(r, 0, 4, ch->session_id, sizeof ch->session_id);
	col_text(r, 0, 5, text, sizeof text);
	ch->purpose = (enum challenge_purpose)index_of(purpose_names, PURPOSE__MAX, text);
	col_text(r, 0, 6, text, sizeof text);
	ch->status = index_of(challenge_status_names, 6, text);
	ch->has_code = !col_null(r, 0, 7);
	if (ch->has_code)
		col_blob(r, 0, 7, ch->code_mac, TF_MAC_BYTES, NULL);
	ch->attempts = (int)col_int(r, 0, 8);
	ch->max_attempts = (int)col_int(r, 0, 9);
	ch->sends = (int)col_int(r, 0, 10);
	ch->last_sent_at = col_int(r, 0, 11);
	ch->created_at = col_int(r, 0, 12);
	ch->expires_at = col_int(r, 0, 13);
	ch->verified_at = col_int(r, 0, 14);
	col_text(r, 0, 19, ch->tx_hash, sizeof ch->tx_hash);
	ch->has_transaction = ch->tx_hash[0] != '\0';
	if (ch->has_transaction) {
		ch->tx.amount = col_int(r, 0, 15);
		col_text(r, 0, 16, ch->tx.currency, sizeof ch->tx.currency);
		col_text(r, 0, 17, ch->tx.payee_name, sizeof ch->tx.payee_name);
		col_text(r, 0, 18, ch->tx.payee_account, sizeof ch->tx.payee_account);
	}
}

static enum tf_err challenge_query(struct store_conn *c, enum pg_stmt id, const struct pg_params *p, const char *what,
				   struct challenge_row *out)
{
	PGresult *r;
	enum tf_err e = pg_row(c, id, p, what, &r);
	if (e != TF_OK)
		return e;
	read_challenge(r, out);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_challenge_get(struct store_conn *c, const char *app_id, const char *user_id, const char *challenge_id,
			     struct challenge_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, challenge_id);
	return challenge_query(c, PS_CHALLENGE_GET, &p, "challenge_get", out);
}

enum tf_err pg_challenge_latest(struct store_conn *c, const char *app_id, const char *user_id, const char *session_id,
				const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, session_id);
	p_text(&p, factor_id);
	p_text(&p, purpose_names[purpose]);
	return challenge_query(c, PS_CHALLENGE_LATEST, &p, "challenge_latest", out);
}

enum tf_err pg_challenge_update(struct store_conn *c, const struct challenge_row *ch)
{
	struct pg_params p = {0};
	p_text(&p, challenge_status_names[ch->status]);
	p_code(&p, ch);
	p_int(&p, ch->attempts);
	p_int(&p, ch->sends);
	p_int(&p, ch->last_sent_at);
	p_int(&p, ch->expires_at);
	p_int(&p, ch->verified_at);
	p_text(&p, ch->challenge_id);
	p_text(&p, ch->app_id);
	return pg_run(c, PS_CHALLENGE_UPDATE, &p, "challenge_update", NULL, NULL);
}

enum tf_err pg_challenge_supersede(struct store_conn *c, const char *session_id, const char *factor_id,
				   const char *except_id)
{
	struct pg_params p = {0};
	p_text(&p, session_id);
	p_text(&p, factor_id);
	p_text(&p, except_id);
	return pg_run(c, PS_CHALLENGE_SUPERSEDE, &p, "challenge_supersede", NULL, NULL);
}

/* ---- trusted devices ---- */

enum tf_err pg_device_insert(struct store_conn *c, const struct device_row *d)
{
	struct pg_params p = {0};
	p_text(&p, d->device_id);
	p_text(&p, d->app_id);
	p_text(&p, d->user_id);
	p_text(&p, device_kind_name(d->kind));
	p_text(&p, device_domain_name(d->domain));
	p_int(&p, d->created_at);
	p_int(&p, d->expires_at);
	p_text(&p, d->challenge_id);
	return pg_run(c, PS_DEVICE_INSERT, &p, "device_insert", NULL, NULL);
}

enum tf_err pg_device_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
			   struct device_row *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_int(&p, now);
	p_int(&p, (int64_t)max);
	PGresult *r;
	enum tf_err e = pg_run(c, PS_DEVICE_LIST, &p, "device_list", &r, NULL);
	if (e != TF_OK)
		return e;
	size_t n = 0;
	char text[16];
	for (int i = 0; i < PQntuples(r) && n < max; i++) {
		struct device_row *d = &out[n++];
		memset(d, 0, sizeof *d);
		col_text(r, i, 0, d->device_id, sizeof d->device_id);
		col_text(r, i, 1, d->app_id, sizeof d->app_id);
		col_text(r, i, 2, d->user_id, sizeof d->user_id);
		col_text(r, i, 3, text, sizeof text);
		d->kind = strcmp(text, "session") == 0 ? DEVICE_SESSION : DEVICE_PERSISTENT;
		col_text(r, i, 4, text, sizeof text);
		d->domain = strcmp(text, "hosted") == 0 ? DOMAIN_HOSTED : DOMAIN_API;
		d->created_at = col_int(r, i, 5);
		d->expires_at = col_int(r, i, 6);
		d->revoked_at = col_int(r, i, 7);
		col_text(r, i, 8, d->challenge_id, sizeof d->challenge_id);
	}
	PQclear(r);
	*n_out = n;
	return TF_OK;
}

enum tf_err pg_device_revoke(struct store_conn *c, const char *app_id, const char *user_id, const char *device_id,
			     int64_t now)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, device_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_DEVICE_REVOKE, &p, "device_revoke", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err pg_device_revoke_all(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, int *n_out)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_int(&p, now);
	return pg_run(c, PS_DEVICE_REVOKE_ALL, &p, "device_revoke_all", NULL, n_out);
}

enum tf_err pg_device_revoked_since(struct store_conn *c, int64_t since, int64_t now,
				    void (*visit)(void *ctx, const char *device_id, int64_t revoked_at, int64_t expires_at),
				    void *ctx)
{
	struct pg_params p = {0};
	p_int(&p, since);
	p_int(&p, now);
	PGresult *r;
	enum tf_err e = pg_run(c, PS_DEVICE_REVOKED_SINCE, &p, "device_revoked_since", &r, NULL);
	if (e != TF_OK)
		return e;
	for (int i = 0; i < PQntuples(r); i++)
		visit(ctx, PQgetvalue(r, i, 0), col_int(r, i, 1), col_int(r, i, 2));
	PQclear(r);
	return TF_OK;
}
