/* store_sqlite_wepay.c: what the WePay face keeps in SQLite beside the native rows (migration
 * 0007_wepay): a user's long integer id and registration fields, a factor's long integer
 * mfa_id, nickname and last challenge; and clearing a user's preferred factor (WePay's "no
 * default"). Its statements are prepared per call and kept in this file, apart from the
 * shared statement table, since none of these calls is on a hot path. Every query names the
 * application. */
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

#define WEPAY_USER_COLS                                                                                            \
	"app_id, user_id, wepay_user_id, first_name, last_name, scope, original_ip, original_device, "                \
	"tos_acceptance_time, redirect_uri, callback_uri, created_at"
#define WEPAY_MFA_COLS "app_id, user_id, factor_id, mfa_id, nickname, last_challenge_id, created_at"

static sqlite3_stmt *prepare(struct store_conn *c, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db_of(c), sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite_map_rc(db_of(c), SQLITE_ERROR, "wepay prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

enum tf_err sq_wepay_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_user_row *out)
{
	sqlite3_stmt *s = prepare(c, "SELECT " WEPAY_USER_COLS " FROM wepay_users WHERE app_id = ? AND user_id = ?");
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	enum tf_err e = step_row(c, s, "wepay_user_get");
	if (e == TF_OK) {
		memset(out, 0, sizeof *out);
		copy_text(s, 0, out->app_id, sizeof out->app_id);
		copy_text(s, 1, out->user_id, sizeof out->user_id);
		out->wepay_user_id = sqlite3_column_int64(s, 2);
		copy_text(s, 3, out->first_name, sizeof out->first_name);
		copy_text(s, 4, out->last_name, sizeof out->last_name);
		copy_text(s, 5, out->scope, sizeof out->scope);
		copy_text(s, 6, out->original_ip, sizeof out->original_ip);
		copy_text(s, 7, out->original_device, sizeof out->original_device);
		out->tos_acceptance_time = sqlite3_column_int64(s, 8);
		copy_text(s, 9, out->redirect_uri, sizeof out->redirect_uri);
		copy_text(s, 10, out->callback_uri, sizeof out->callback_uri);
		out->created_at = sqlite3_column_int64(s, 11);
	}
	sqlite3_finalize(s);
	return e;
}

enum tf_err sq_wepay_user_put(struct store_conn *c, const struct wepay_user_row *w)
{
	/* the id never changes once given; the other fields follow the latest write */
	sqlite3_stmt *s = prepare(c, "INSERT INTO wepay_users (" WEPAY_USER_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
				     "ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name, "
				     "last_name = excluded.last_name, scope = excluded.scope, "
				     "original_ip = excluded.original_ip, original_device = excluded.original_device, "
				     "tos_acceptance_time = excluded.tos_acceptance_time, "
				     "redirect_uri = excluded.redirect_uri, callback_uri = excluded.callback_uri "
				     "WHERE wepay_users.app_id = excluded.app_id");
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, w->app_id);
	bind_text(s, 2, w->user_id);
	sqlite3_bind_int64(s, 3, w->wepay_user_id);
	bind_text(s, 4, w->first_name);
	bind_text(s, 5, w->last_name);
	bind_text(s, 6, w->scope);
	bind_text(s, 7, w->original_ip);
	bind_text(s, 8, w->original_device);
	sqlite3_bind_int64(s, 9, w->tos_acceptance_time);
	bind_text(s, 10, w->redirect_uri);
	bind_text(s, 11, w->callback_uri);
	sqlite3_bind_int64(s, 12, w->created_at);
	enum tf_err e = exec_stmt(c, s, "wepay_user_put", NULL);
	sqlite3_finalize(s);
	return e;
}

enum tf_err sq_wepay_mfa_list(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_mfa_row *out,
			      size_t max, size_t *n_out)
{
	sqlite3_stmt *s = prepare(c, "SELECT " WEPAY_MFA_COLS " FROM wepay_mfa WHERE app_id = ? AND user_id = ? "
				     "ORDER BY created_at, mfa_id");
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max) {
		struct wepay_mfa_row *m = &out[n++];
		memset(m, 0, sizeof *m);
		copy_text(s, 0, m->app_id, sizeof m->app_id);
		copy_text(s, 1, m->user_id, sizeof m->user_id);
		copy_text(s, 2, m->factor_id, sizeof m->factor_id);
		m->mfa_id = sqlite3_column_int64(s, 3);
		copy_text(s, 4, m->nickname, sizeof m->nickname);
		copy_text(s, 5, m->last_challenge_id, sizeof m->last_challenge_id);
		m->created_at = sqlite3_column_int64(s, 6);
	}
	enum tf_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? TF_OK : sqlite_map_rc(db_of(c), rc, "wepay_mfa_list");
	sqlite3_finalize(s);
	*n_out = n;
	return e;
}

enum tf_err sq_wepay_mfa_put(struct store_conn *c, const struct wepay_mfa_row *m)
{
	sqlite3_stmt *s = prepare(c, "INSERT INTO wepay_mfa (" WEPAY_MFA_COLS ") VALUES (?,?,?,?,?,?,?) "
				     "ON CONFLICT (factor_id) DO UPDATE SET nickname = excluded.nickname, "
				     "last_challenge_id = excluded.last_challenge_id "
				     "WHERE wepay_mfa.app_id = excluded.app_id AND wepay_mfa.user_id = excluded.user_id");
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, m->app_id);
	bind_text(s, 2, m->user_id);
	bind_text(s, 3, m->factor_id);
	sqlite3_bind_int64(s, 4, m->mfa_id);
	bind_text(s, 5, m->nickname);
	bind_text(s, 6, m->last_challenge_id);
	sqlite3_bind_int64(s, 7, m->created_at);
	enum tf_err e = exec_stmt(c, s, "wepay_mfa_put", NULL);
	sqlite3_finalize(s);
	return e;
}

enum tf_err sq_factor_clear_preferred(struct store_conn *c, const char *app_id, const char *user_id)
{
	sqlite3_stmt *s = stmt(c, Q_FACTOR_CLEAR_PREFERRED);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	return exec_stmt(c, s, "factor_clear_preferred", NULL);
}
