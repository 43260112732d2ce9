/* store_pg_wepay.c: what the WePay face keeps in PostgreSQL beside the native rows (migration
 * 0007_wepay), the counterpart of store_sqlite_wepay.c with the same results: a user's long
 * integer id and registration fields, a factor's long integer mfa_id, nickname and last
 * challenge; and clearing a user's preferred factor (WePay's "no default"). Where SQLite's
 * single writer makes the face's "read, and make the row when there is none" happen once, the
 * reads here take the user's lock inside a write transaction (pg_lock_user), so two nodes do not
 * both give a user or factor an id. Every query names the application. */
#include <string.h>

#include "store/store_pg_int.h"

enum tf_err pg_wepay_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_user_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	PGresult *r;
	if ((e = pg_row(c, PS_WEPAY_USER_GET, &p, "wepay_user_get", &r)) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	col_text(r, 0, 0, out->app_id, sizeof out->app_id);
	col_text(r, 0, 1, out->user_id, sizeof out->user_id);
	out->wepay_user_id = col_int(r, 0, 2);
	col_text(r, 0, 3, out->first_name, sizeof out->first_name);
	col_text(r, 0, 4, out->last_name, sizeof out->last_name);
	col_text(r, 0, 5, out->scope, sizeof out->scope);
	col_text(r, 0, 6, out->original_ip, sizeof out->original_ip);
	col_text(r, 0, 7, out->original_device, sizeof out->original_device);
	out->tos_acceptance_time = col_int(r, 0, 8);
	col_text(r, 0, 9, out->redirect_uri, sizeof out->redirect_uri);
	col_text(r, 0, 10, out->callback_uri, sizeof out->callback_uri);
	out->created_at = col_int(r, 0, 11);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_wepay_user_put(struct store_conn *c, const struct wepay_user_row *w)
{
	enum tf_err e = pg_lock_user(c, w->app_id, w->user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, w->app_id);
	p_text(&p, w->user_id);
	p_int(&p, w->wepay_user_id);
	p_text(&p, w->first_name);
	p_text(&p, w->last_name);
	p_text(&p, w->scope);
	p_text(&p, w->original_ip);
	p_text(&p, w->original_device);
	p_int(&p, w->tos_acceptance_time);
	p_text(&p, w->redirect_uri);
	p_text(&p, w->callback_uri);
	p_int(&p, w->created_at);
	return pg_run(c, PS_WEPAY_USER_PUT, &p, "wepay_user_put", NULL, NULL);
}

enum tf_err pg_wepay_mfa_list(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_mfa_row *out,
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
	if ((e = pg_run(c, PS_WEPAY_MFA_LIST, &p, "wepay_mfa_list", &r, NULL)) != TF_OK)
		return e;
	size_t n = (size_t)PQntuples(r);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		struct wepay_mfa_row *m = &out[i];
		memset(m, 0, sizeof *m);
		col_text(r, (int)i, 0, m->app_id, sizeof m->app_id);
		col_text(r, (int)i, 1, m->user_id, sizeof m->user_id);
		col_text(r, (int)i, 2, m->factor_id, sizeof m->factor_id);
		m->mfa_id = col_int(r, (int)i, 3);
		col_text(r, (int)i, 4, m->nickname, sizeof m->nickname);
		col_text(r, (int)i, 5, m->last_challenge_id, sizeof m->last_challenge_id);
		m->created_at = col_int(r, (int)i, 6);
	}
	*n_out = n;
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_wepay_mfa_put(struct store_conn *c, const struct wepay_mfa_row *m)
{
	enum tf_err e = pg_lock_user(c, m->app_id, m->user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, m->app_id);
	p_text(&p, m->user_id);
	p_text(&p, m->factor_id);
	p_int(&p, m->mfa_id);
	p_text(&p, m->nickname);
	p_text(&p, m->last_challenge_id);
	p_int(&p, m->created_at);
	return pg_run(c, PS_WEPAY_MFA_PUT, &p, "wepay_mfa_put", NULL, NULL);
}

enum tf_err pg_factor_clear_preferred(struct store_conn *c, const char *app_id, const char *user_id)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	return pg_run(c, PS_FACTOR_CLEAR_PREFERRED, &p, "factor_clear_preferred", NULL, NULL);
}
