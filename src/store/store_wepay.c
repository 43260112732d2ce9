/* store_wepay.c: what the WePay face keeps beside the native rows (migration 0007_wepay),
 * written once for both drivers (store_sql.h): a user's long integer id and registration
 * fields, a factor's long integer mfa_id, nickname and last challenge. The face reads a row and
 * makes it when there is none: its statements take the user's lock inside a write transaction
 * (locks_user, store_sql.c), so that two PostgreSQL nodes do not both give a user or factor an
 * id. */
#include <string.h>

#include "store/store_sql.h"

static void read_wepay_user(struct rows *r, void *row)
{
	struct wepay_user_row *w = row;
	memset(w, 0, sizeof *w);
	col_text(r, 0, w->app_id, sizeof w->app_id);
	col_text(r, 1, w->user_id, sizeof w->user_id);
	w->wepay_user_id = col_int(r, 2);
	col_text(r, 3, w->first_name, sizeof w->first_name);
	col_text(r, 4, w->last_name, sizeof w->last_name);
	col_text(r, 5, w->scope, sizeof w->scope);
	col_text(r, 6, w->original_ip, sizeof w->original_ip);
	col_text(r, 7, w->original_device, sizeof w->original_device);
	w->tos_acceptance_time = col_int(r, 8);
	col_text(r, 9, w->redirect_uri, sizeof w->redirect_uri);
	col_text(r, 10, w->callback_uri, sizeof w->callback_uri);
	w->created_at = col_int(r, 11);
}

enum tf_err sql_wepay_user_get(struct store_conn *c, const char *app_id, const char *user_id,
			       struct wepay_user_row *out)
{
	return db_get(c, S_WEPAY_USER_GET, ARGS(TEXT(app_id), TEXT(user_id)), read_wepay_user, out);
}

enum tf_err sql_wepay_user_put(struct store_conn *c, const struct wepay_user_row *w)
{
	return db_exec(c, S_WEPAY_USER_PUT,
		       ARGS(TEXT(w->app_id), TEXT(w->user_id), INT(w->wepay_user_id), TEXT(w->first_name), TEXT(w->last_name),
			    TEXT(w->scope), TEXT(w->original_ip), TEXT(w->original_device), INT(w->tos_acceptance_time),
			    TEXT(w->redirect_uri), TEXT(w->callback_uri), INT(w->created_at)),
		       NULL);
}

static void read_wepay_mfa(struct rows *r, void *row)
{
	struct wepay_mfa_row *m = row;
	memset(m, 0, sizeof *m);
	col_text(r, 0, m->app_id, sizeof m->app_id);
	col_text(r, 1, m->user_id, sizeof m->user_id);
	col_text(r, 2, m->factor_id, sizeof m->factor_id);
	m->mfa_id = col_int(r, 3);
	col_text(r, 4, m->nickname, sizeof m->nickname);
	col_text(r, 5, m->last_challenge_id, sizeof m->last_challenge_id);
	m->created_at = col_int(r, 6);
}

enum tf_err sql_wepay_mfa_list(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_mfa_row *out,
			       size_t max, size_t *n_out)
{
	return db_list(c, S_WEPAY_MFA_LIST, ARGS(TEXT(app_id), TEXT(user_id), INT(max)), read_wepay_mfa, out, sizeof *out,
		       max, n_out);
}

enum tf_err sql_wepay_mfa_put(struct store_conn *c, const struct wepay_mfa_row *m)
{
	return db_exec(c, S_WEPAY_MFA_PUT,
		       ARGS(TEXT(m->app_id), TEXT(m->user_id), TEXT(m->factor_id), INT(m->mfa_id), TEXT(m->nickname),
			    TEXT(m->last_challenge_id), INT(m->created_at)),
		       NULL);
}
