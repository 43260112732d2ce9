/* store_sqlite_factors.c: factors, backup-code sheets, challenges, the session's step-up state and
 * trusted devices in SQLite. */
#include <string.h>

#include "core/challenge.h"
#include "store/store_sqlite_int.h"

static int index_of(const char *const *names, int n, const char *text)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	return 0;
}

enum tf_err sq_session_set_stepped_up(struct store_conn *c, const char *session_id, int64_t stepped_up_at)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_STEPUP);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, stepped_up_at);
	bind_text(s, 2, session_id);
	return exec_stmt(c, s, "session_set_stepped_up", NULL);
}

enum tf_err sq_session_send_swap(struct store_conn *c, const char *session_id, struct send_state *state,
				 const struct send_state *next, bool *swapped)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_SEND_SWAP);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, next->last_send_at);
	sqlite3_bind_int(s, 2, next->counted_sends);
	bind_text(s, 3, session_id);
	sqlite3_bind_int64(s, 4, state->last_send_at);
	sqlite3_bind_int(s, 5, state->counted_sends);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "session_send_swap", &changes);
	*swapped = e == TF_OK && changes == 1;
	if (e != TF_OK || *swapped)
		return e;
	if (!(s = stmt(c, Q_SESSION_SEND_STATE)))
		return TF_ERR_INTERNAL;
	bind_text(s, 1, session_id);
	if ((e = step_row(c, s, "session_send_state")) != TF_OK)
		return e;
	state->last_send_at = sqlite3_column_int64(s, 0);
	state->counted_sends = sqlite3_column_int(s, 1);
	finish(s);
	return TF_OK;
}

enum tf_err sq_factor_send_swap(struct store_conn *c, const char *app_id, const char *factor_id, int64_t *last_send_at,
				int64_t next, bool *swapped)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_SEND_SWAP);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, next);
	bind_text(s, 2, app_id);
	bind_text(s, 3, factor_id);
	sqlite3_bind_int64(s, 4, *last_send_at);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "factor_send_swap", &changes);
	*swapped = e == TF_OK && changes == 1;
	if (e != TF_OK || *swapped)
		return e;
	if (!(s = stmt(c, Q_FACTOR_SEND_STATE)))
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, factor_id);
	if ((e = step_row(c, s, "factor_send_state")) != TF_OK)
		return e;
	*last_send_at = sqlite3_column_int64(s, 0);
	finish(s);
	return TF_OK;
}

/* ---- factors ---- */

static void read_factor(sqlite3_stmt *s, struct factor_row *f)
{
	char text[32];
	memset(f, 0, sizeof *f);
	copy_text(s, 0, f->factor_id, sizeof f->factor_id);
	copy_text(s, 1, f->app_id, sizeof f->app_id);
	copy_text(s, 2, f->user_id, sizeof f->user_id);
	copy_text(s, 3, text, sizeof text);
	f->type = (enum factor_type)index_of(factor_type_names, FACTOR_TYPE__MAX, text);
	copy_text(s, 4, text, sizeof text);
	f->status = strcmp(text, "active") == 0 ? FACTOR_ACTIVE : FACTOR_PENDING;
	copy_text(s, 5, f->phone, sizeof f->phone);
	copy_blob(s, 6, f->secret_sealed, sizeof f->secret_sealed, &f->secret_sealed_len);
	copy_text(s, 7, f->totp_algorithm, sizeof f->totp_algorithm);
	f->totp_digits = sqlite3_column_int(s, 8);
	f->last_totp_step = sqlite3_column_int64(s, 9);
	f->preferred = sqlite3_column_int(s, 10) != 0;
	f->consecutive_failures = sqlite3_column_int(s, 11);
	f->blocked_until = sqlite3_column_int64(s, 12);
	f->created_at = sqlite3_column_int64(s, 13);
	f->activated_at = sqlite3_column_int64(s, 14);
	copy_text(s, 15, f->enrolment_challenge_id, sizeof f->enrolment_challenge_id);
	copy_text(s, 16, f->push_channel, sizeof f->push_channel);
	copy_blob(s, 17, f->push_public_key, sizeof f->push_public_key, NULL);
	copy_text(s, 18, f->push_address, sizeof f->push_address);
	f->backup_remaining = sqlite3_column_int(s, 19);
}

enum tf_err sq_factor_insert(struct store_conn *c, const struct factor_row *f)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, f->factor_id);
	bind_text(s, 2, f->app_id);
	bind_text(s, 3, f->user_id);
	bind_text(s, 4, factor_type_names[f->type]);
	bind_text(s, 5, f->status == FACTOR_ACTIVE ? "active" : "pending_verification");
	bind_text(s, 6, f->phone);
	if (f->secret_sealed_len)
		sqlite3_bind_blob(s, 7, f->secret_sealed, (int)f->secret_sealed_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 7);
	bind_text(s, 8, f->totp_algorithm[0] ? f->totp_algorithm : "SHA1");
	sqlite3_bind_int(s, 9, f->totp_digits ? f->totp_digits : 6);
	sqlite3_bind_int64(s, 10, f->last_totp_step);
	sqlite3_bind_int(s, 11, f->preferred);
	sqlite3_bind_int(s, 12, f->consecutive_failures);
	sqlite3_bind_int64(s, 13, f->blocked_until);
	sqlite3_bind_int64(s, 14, f->created_at);
	sqlite3_bind_int64(s, 15, f->activated_at);
	bind_text(s, 16, f->enrolment_challenge_id);
	bind_text(s, 17, f->push_channel);
	if (f->type == FACTOR_PUSH)
		sqlite3_bind_blob(s, 18, f->push_public_key, sizeof f->push_public_key, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 18);
	bind_text(s, 19, f->push_address);
	return exec_stmt(c, s, "factor_insert", NULL);
}

enum tf_err sq_factor_get(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id,
			  struct factor_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, factor_id);
	enum tf_err e = step_row(c, s, "factor_get");
	if (e != TF_OK)
		return e;
	read_factor(s, out);
	finish(s);
	return TF_OK;
}

enum tf_err sq_factor_list(struct store_conn *c, const char *app_id, const char *user_id, struct factor_row *out,
			   size_t max, size_t *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_LIST);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	sqlite3_bind_int64(s, 3, (int64_t)max);
	size_t n = 0;
	int rc;
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		read_factor(s, &out[n++]);
	finish(s);
	*n_out = n;
	return TF_OK;
}

enum tf_err sq_factor_update(struct store_conn *c, const struct factor_row *f)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_UPDATE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, f->status == FACTOR_ACTIVE ? "active" : "pending_verification");
	sqlite3_bind_int64(s, 2, f->activated_at);
	sqlite3_bind_int64(s, 3, f->last_totp_step);
	sqlite3_bind_int(s, 4, f->consecutive_failures);
	sqlite3_bind_int64(s, 5, f->blocked_until);
	bind_text(s, 6, f->enrolment_challenge_id);
	bind_text(s, 7, f->factor_id);
	bind_text(s, 8, f->app_id);
	return exec_stmt(c, s, "factor_update", NULL);
}

enum tf_err sq_factor_set_preferred(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_CLEAR_PREFERRED);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	enum tf_err e = exec_stmt(c, s, "factor_clear_preferred", NULL);
	if (e != TF_OK || !(s = stmt(c, Q_FACTOR_SET_PREFERRED)))
		return e != TF_OK ? e : TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, factor_id);
	int changes = 0;
	e = exec_stmt(c, s, "factor_set_preferred", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_factor_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_DELETE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, factor_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "factor_delete", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_backup_codes_replace(struct store_conn *c, const char *factor_id, const struct backup_code_row *codes,
				    size_t n)
{
	sqlite3_stmt *s = stmt(c, Q_BACKUP_DELETE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, factor_id);
	enum tf_err e = exec_stmt(c, s, "backup_codes_delete", NULL);
	for (size_t i = 0; e == TF_OK && i < n; i++) {
		if (!(s = stmt(c, Q_BACKUP_INSERT)))
			return TF_ERR_INTERNAL;
		bind_text(s, 1, factor_id);
		sqlite3_bind_int(s, 2, codes[i].idx);
		bind_text(s, 3, codes[i].code_hash);
		e = exec_stmt(c, s, "backup_code_insert", NULL);
	}
	return e;
}

enum tf_err sq_backup_codes_list(struct store_conn *c, const char *factor_id, struct backup_code_row *out, size_t max,
				 size_t *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_BACKUP_LIST);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, factor_id);
	sqlite3_bind_int64(s, 2, (int64_t)max);
	size_t n = 0;
	while (n < max && sqlite3_step(s) == SQLITE_ROW) {
		out[n].idx = sqlite3_column_int(s, 0);
		copy_text(s, 1, out[n].code_hash, sizeof out[n].code_hash);
		out[n].used_at = sqlite3_column_int64(s, 2);
		n++;
	}
	finish(s);
	*n_out = n;
	return TF_OK;
}

enum tf_err sq_backup_code_use(struct store_conn *c, const char *factor_id, int idx, const char *code_hash, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_BACKUP_USE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, factor_id);
	sqlite3_bind_int(s, 3, idx);
	bind_text(s, 4, code_hash);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "backup_code_use", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_VERIFICATION_CODE_INVALID; /* used meanwhile */
}

/* ---- challenges ---- */

static void bind_code(sqlite3_stmt *s, int i, const struct challenge_row *ch)
{
	if (ch->has_code)
		sqlite3_bind_blob(s, i, ch->code_mac, TF_MAC_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

enum tf_err sq_challenge_insert(struct store_conn *c, const struct challenge_row *ch)
{
	sqlite3_stmt *s = stmt(c, Q_CHALLENGE_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, ch->challenge_id);
	bind_text(s, 2, ch->app_id);
	bind_text(s, 3, ch->user_id);
	bind_text(s, 4, ch->factor_id);
	bind_text(s, 5, ch->session_id);
	bind_text(s, 6, purpose_names[ch->purpose]);
	bind_text(s, 7, challenge_status_names[ch->status]);
	bind_code(s, 8, ch);
	sqlite3_bind_int(s, 9, ch->attempts);
	sqlite3_bind_int(s, 10, ch->max_attempts);
	sqlite3_bind_int(s, 11, ch->sends);
	sqlite3_bind_int64(s, 12, ch->last_sent_at);
	sqlite3_bind_int64(s, 13, ch->created_at);
	sqlite3_bind_int64(s, 14, ch->expires_at);
	sqlite3_bind_int64(s, 15, ch->verified_at);
	sqlite3_bind_int64(s, 16, ch->has_transaction ? ch->tx.amount : 0);
	bind_text(s, 17, ch->has_transaction ? ch->tx.currency : "");
	bind_text(s, 18, ch->has_transaction ? ch->tx.payee_name : "");
	bind_text(s, 19, ch->has_transaction ? ch->tx.payee_account : "");
	bind_text(s, 20, ch->has_transaction ? ch->tx_hash : "");
	return exec_stmt(c, s, "challenge_insert", NULL);
}

static void read_challenge(sqlite3_stmt *s, struct challenge_row *ch)
{
	char text[32];
	memset(ch, 0, sizeof *ch);
	copy_text(s, 0, ch->challenge_id, sizeof ch->challenge_id);
	copy_text(s, 1, ch->app_id, sizeof ch->app_id);
	copy_text(s, 2, ch->user_id, sizeof ch->user_id);
	copy_text(s, 3, ch->factor_id, sizeof ch->factor_id);
	copy_text(s, 4, ch->session_id, sizeof ch->session_id);
	copy_text(s, 5, text, sizeof text);
	ch->purpose = (enum challenge_purpose)index_of(purpose_names, PURPOSE__MAX, text);
	copy_text(s, 6, text, sizeof text);
	ch->status = index_of(challenge_status_names, 6, text);
	ch->has_code = sqlite3_column_type(s, 7) == SQLITE_BLOB;
	if (ch->has_code)
		copy_blob(s, 7, ch->code_mac, TF_MAC_BYTES, NULL);
	ch->attempts = sqlite3_column_int(s, 8);
	ch->max_attempts = sqlite3_column_int(s, 9);
	ch->sends = sqlite3_column_int(s, 10);
	ch->last_sent_at = sqlite3_column_int64(s, 11);
	ch->created_at = sqlite3_column_int64(s, 12);
	ch->expires_at = sqlite3_column_int64(s, 13);
	ch->verified_at = sqlite3_column_int64(s, 14);
	copy_text(s, 19, ch->tx_hash, sizeof ch->tx_hash);
	ch->has_transaction = ch->tx_hash[0] != '\0';
	if (ch->has_transaction) {
		ch->tx.amount = sqlite3_column_int64(s, 15);
		copy_text(s, 16, ch->tx.currency, sizeof ch->tx.currency);
		copy_text(s, 17, ch->tx.payee_name, sizeof ch->tx.payee_name);
		copy_text(s, 18, ch->tx.payee_account, sizeof ch->tx.payee_account);
	}
}

enum tf_err sq_challenge_get(struct store_conn *c, const char *app_id, const char *user_id, const char *challenge_id,
			     struct challenge_row *ch)
{
	sqlite3_stmt *s = stmt(c, Q_CHALLENGE_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, challenge_id);
	enum tf_err e = step_row(c, s, "challenge_get");
	if (e != TF_OK)
		return e;
	read_challenge(s, ch);
	finish(s);
	return TF_OK;
}

enum tf_err sq_challenge_latest(struct store_conn *c, const char *app_id, const char *user_id, const char *session_id,
				const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_CHALLENGE_LATEST);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, session_id);
	bind_text(s, 4, factor_id);
	bind_text(s, 5, purpose_names[purpose]);
	enum tf_err e = step_row(c, s, "challenge_latest");
	if (e != TF_OK)
		return e;
	read_challenge(s, out);
	finish(s);
	return TF_OK;
}

enum tf_err sq_challenge_update(struct store_conn *c, const struct challenge_row *ch)
{
	sqlite3_stmt *s = stmt(c, Q_CHALLENGE_UPDATE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, challenge_status_names[ch->status]);
	bind_code(s, 2, ch);
	sqlite3_bind_int(s, 3, ch->attempts);
	sqlite3_bind_int(s, 4, ch->sends);
	sqlite3_bind_int64(s, 5, ch->last_sent_at);
	sqlite3_bind_int64(s, 6, ch->expires_at);
	sqlite3_bind_int64(s, 7, ch->verified_at);
	bind_text(s, 8, ch->challenge_id);
	bind_text(s, 9, ch->app_id);
	return exec_stmt(c, s, "challenge_update", NULL);
}

enum tf_err sq_challenge_supersede(struct store_conn *c, const char *session_id, const char *factor_id, const char *except_id)
{
	sqlite3_stmt *s = stmt(c, Q_CHALLENGE_SUPERSEDE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, session_id);
	bind_text(s, 2, factor_id);
	bind_text(s, 3, except_id);
	return exec_stmt(c, s, "challenge_supersede", NULL);
}

/* ---- trusted devices ---- */

enum tf_err sq_device_insert(struct store_conn *c, const struct device_row *d)
{
	sqlite3_stmt *s = stmt(c, Q_DEVICE_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, d->device_id);
	bind_text(s, 2, d->app_id);
	bind_text(s, 3, d->user_id);
	bind_text(s, 4, device_kind_name(d->kind));
	bind_text(s, 5, device_domain_name(d->domain));
	sqlite3_bind_int64(s, 6, d->created_at);
	sqlite3_bind_int64(s, 7, d->expires_at);
	bind_text(s, 8, d->challenge_id);
	return exec_stmt(c, s, "device_insert", NULL);
}

enum tf_err sq_device_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
			   struct device_row *out, size_t max, size_t *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_DEVICE_LIST);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, (int64_t)max);
	size_t n = 0;
	char text[16];
	while (n < max && sqlite3_step(s) == SQLITE_ROW) {
		struct device_row *d = &out[n++];
		memset(d, 0, sizeof *d);
		copy_text(s, 0, d->device_id, sizeof d->device_id);
		copy_text(s, 1, d->app_id, sizeof d->app_id);
		copy_text(s, 2, d->user_id, sizeof d->user_id);
		copy_text(s, 3, text, sizeof text);
		d->kind = strcmp(text, "session") == 0 ? DEVICE_SESSION : DEVICE_PERSISTENT;
		copy_text(s, 4, text, sizeof text);
		d->domain = strcmp(text, "hosted") == 0 ? DOMAIN_HOSTED : DOMAIN_API;
		d->created_at = sqlite3_column_int64(s, 5);
		d->expires_at = sqlite3_column_int64(s, 6);
		d->revoked_at = sqlite3_column_int64(s, 7);
		copy_text(s, 8, d->challenge_id, sizeof d->challenge_id);
	}
	finish(s);
	*n_out = n;
	return TF_OK;
}

enum tf_err sq_device_revoke(struct store_conn *c, const char *app_id, const char *user_id, const char *device_id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_DEVICE_REVOKE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, app_id);
	bind_text(s, 3, user_id);
	bind_text(s, 4, device_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "device_revoke", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_device_revoke_all(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, int *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_DEVICE_REVOKE_ALL);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, app_id);
	bind_text(s, 3, user_id);
	sqlite3_bind_int64(s, 4, now);
	return exec_stmt(c, s, "device_revoke_all", n_out);
}

enum tf_err sq_device_revoked_since(struct store_conn *c, int64_t since, int64_t now,
				    void (*visit)(void *ctx, const char *device_id, int64_t revoked_at, int64_t expires_at),
				    void *ctx)
{
	sqlite3_stmt *s = stmt(c, Q_DEVICE_REVOKED_SINCE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		visit(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2));
	enum tf_err e = rc == SQLITE_DONE ? TF_OK : sqlite_map_rc(db_of(c), rc, "device_revoked_since");
	finish(s);
	return e;
}
