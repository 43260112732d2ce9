/*
 * wepay_common.c: what the WePay v2 face's handlers share (see wepay.h): the access token's
 * user and its WePay row, long integer ids, WePay's arguments and error refinements, the MFA
 * object, and reading the WSIG cookie. Rules stay in the native API and the core: this file
 * only translates names and shapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faces/wepay.h"
#include "hosted/hosted.h"

int64_t wepay_new_id(void)
{
	uint64_t r = 0;
	while (r == 0) {
		crypto_random_bytes(&r, sizeof r);
		r &= (uint64_t)WEPAY_ID_MAX;
	}
	return (int64_t)r;
}

enum tf_err wepay_refuse(struct tf_req *req, enum tf_err e, const char *category, int code, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	json_decref(req->err_extra);
	req->err_extra = json_pack("{s:s}", "error_description", text);
	if (category)
		json_object_set_new(req->err_extra, "error", json_string(category));
	if (code)
		json_object_set_new(req->err_extra, "error_code", json_integer(code));
	return e;
}

enum tf_err wepay_long(struct tf_req *req, const char *field, bool required, int64_t *out, bool *present)
{
	json_t *v = json_object_get(req->json, field);
	*present = v && !json_is_null(v);
	if (!*present)
		return required ? req_field_error(req, TF_ERR_MISSING_FIELD, field) : TF_OK;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return *out > 0 ? TF_OK : req_field_error(req, TF_ERR_INVALID_FIELD, field);
	}
	const char *s = json_string_value(v);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	*out = strtoll(s, NULL, 10);
	return *out > 0 ? TF_OK : req_field_error(req, TF_ERR_INVALID_FIELD, field);
}

/* ---- users ---- */

/* "Ann Marie Smith" -> "Ann Marie", "Smith": the last word is the last name. */
static void split_name(const char *name, struct wepay_user_row *w)
{
	const char *space = strrchr(name, ' ');
	if (!space) {
		snprintf(w->first_name, sizeof w->first_name, "%s", name);
		w->last_name[0] = '\0';
		return;
	}
	snprintf(w->first_name, sizeof w->first_name, "%.*s", (int)(space - name), name);
	snprintf(w->last_name, sizeof w->last_name, "%s", space + 1);
}

enum tf_err wepay_user_load(struct tf_req *req, struct user_row *u, struct wepay_user_row *w)
{
	enum tf_err e = api_load_user(req, req->session.user_id, u);
	if (e == TF_ERR_NOT_FOUND) /* an unconfirmed user past its 90 days is gone, and its token with it */
		return TF_ERR_INVALID_TOKEN;
	if (e != TF_OK || !w)
		return e;
	e = STORE(req->db)->wepay_user_get(req->db, req->app->app_id, u->user_id, w);
	if (e != TF_ERR_NOT_FOUND)
		return e;
	/* a user the native API registered: the face gives it its id now, once */
	memset(w, 0, sizeof *w);
	snprintf(w->app_id, sizeof w->app_id, "%s", req->app->app_id);
	snprintf(w->user_id, sizeof w->user_id, "%s", u->user_id);
	w->wepay_user_id = wepay_new_id();
	w->created_at = req->now;
	split_name(u->name, w);
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->wepay_user_get(req->db, req->app->app_id, u->user_id, w);
	if (e == TF_ERR_NOT_FOUND) /* still none under the write lock */
		e = STORE(req->db)->wepay_user_put(req->db, w);
	return store_tx_end(req->db, e);
}

json_t *wepay_user_json(const struct user_row *u, const struct wepay_user_row *w)
{
	char full[1040];
	snprintf(full, sizeof full, "%s%s%s", w->first_name, w->first_name[0] && w->last_name[0] ? " " : "", w->last_name);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "user_id", (json_int_t)w->wepay_user_id, "user_name", full,
			 "first_name", w->first_name, "last_name", w->last_name, "email", u->email, "state",
			 u->email_verified_at ? "registered" : "pending");
}

/* ---- factors ---- */

/* WePay's factor types: its name for each native kind it has, and the words it shows. A kind
 * with a phone shows its masked number as the factor label and is named "<noun> ending in
 * 0100" by default; any other shows its label, which is also its default name. The WePay face
 * has no push factors. */
static const struct wepay_kind {
	enum factor_type type;
	const char *name;
	const char *noun;  /* a phone kind's default nickname: "Text messages ending in 0100" */
	const char *label; /* another kind's factor label and default nickname */
} wepay_kinds[] = {
	{FACTOR_SMS, "sms", "Text messages", NULL},
	{FACTOR_VOICE, "voice", "Voice calls", NULL},
	{FACTOR_TOTP, "authenticator", NULL, "Authenticator app"},
	{FACTOR_BACKUP_CODES, "backup", NULL, "Backup codes"},
};

static const struct wepay_kind *wepay_kind_of(enum factor_type t)
{
	for (size_t i = 0; i < sizeof wepay_kinds / sizeof wepay_kinds[0]; i++)
		if (wepay_kinds[i].type == t)
			return &wepay_kinds[i];
	return NULL;
}

const char *wepay_mfa_type(enum factor_type t)
{
	const struct wepay_kind *w = wepay_kind_of(t);
	return w ? w->name : NULL;
}

const struct factor_kind *wepay_mfa_kind_named(const char *name)
{
	for (size_t i = 0; i < sizeof wepay_kinds / sizeof wepay_kinds[0]; i++)
		if (strcmp(name, wepay_kinds[i].name) == 0)
			return factor_kind_of(wepay_kinds[i].type);
	return NULL;
}

void wepay_factor_label(const struct factor_row *f, char *out, size_t size)
{
	const struct wepay_kind *w = wepay_kind_of(f->type);
	struct factor_description d;
	factor_describe(f, "", &d);
	snprintf(out, size, "%s", d.phone ? d.phone_masked : w ? w->label : "");
}

/* WePay names a factor when the caller gives no nickname. */
static void default_nickname(const struct factor_row *f, char *out, size_t size)
{
	const struct wepay_kind *w = wepay_kind_of(f->type);
	struct factor_description d;
	factor_describe(f, "", &d);
	if (d.phone && w)
		snprintf(out, size, "%s ending in %s", w->noun, d.phone_last4);
	else
		wepay_factor_label(f, out, size);
}

void wepay_mfa_row_init(struct tf_req *req, const struct factor_row *f, const char *nickname, struct wepay_mfa_row *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->app_id, sizeof out->app_id, "%s", req->app->app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", f->user_id);
	snprintf(out->factor_id, sizeof out->factor_id, "%s", f->factor_id);
	out->mfa_id = wepay_new_id();
	out->created_at = f->created_at;
	if (nickname)
		snprintf(out->nickname, sizeof out->nickname, "%s", nickname);
	else
		default_nickname(f, out->nickname, sizeof out->nickname);
}

static const struct wepay_mfa_row *row_of(const struct wepay_mfa_row *rows, size_t n, const char *factor_id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].factor_id, factor_id) == 0)
			return &rows[i];
	return NULL;
}

enum tf_err wepay_mfa_all(struct tf_req *req, const char *user_id, struct wepay_mfa *out, size_t max, size_t *n_out)
{
	struct factor_row *list = calloc(FACTORS_PER_USER_MAX, sizeof *list);
	struct wepay_mfa_row *rows = calloc(FACTORS_PER_USER_MAX, sizeof *rows);
	enum tf_err e = list && rows ? TF_OK : TF_ERR_INTERNAL;
	size_t nf = 0, nr = 0, n = 0;
	/* at most twice: a second pass reads the rows the first one made */
	for (int pass = 0; e == TF_OK && pass < 2; pass++) {
		e = STORE(req->db)->factor_list(req->db, req->app->app_id, user_id, list, FACTORS_PER_USER_MAX, &nf);
		if (e == TF_OK)
			e = STORE(req->db)->wepay_mfa_list(req->db, req->app->app_id, user_id, rows, FACTORS_PER_USER_MAX, &nr);
		bool missing = false;
		for (size_t i = 0; e == TF_OK && i < nf; i++)
			missing |= wepay_mfa_type(list[i].type) && !row_of(rows, nr, list[i].factor_id);
		if (e != TF_OK || !missing || pass == 1)
			break;
		if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
			break;
		for (size_t i = 0; e == TF_OK && i < nf; i++) {
			if (!wepay_mfa_type(list[i].type) || row_of(rows, nr, list[i].factor_id))
				continue;
			struct wepay_mfa_row m;
			wepay_mfa_row_init(req, &list[i], NULL, &m);
			e = STORE(req->db)->wepay_mfa_put(req->db, &m);
		}
		e = store_tx_end(req->db, e);
	}
	for (size_t i = 0; e == TF_OK && i < nf && n < max; i++) {
		const struct wepay_mfa_row *m = wepay_mfa_type(list[i].type) ? row_of(rows, nr, list[i].factor_id) : NULL;
		if (!m)
			continue;
		out[n].f = list[i];
		out[n].m = *m;
		n++;
	}
	*n_out = n;
	free(list);
	free(rows);
	return e;
}

enum tf_err wepay_mfa_get(struct tf_req *req, const char *user_id, int64_t mfa_id, struct wepay_mfa *out)
{
	struct wepay_mfa *all = calloc(FACTORS_PER_USER_MAX, sizeof *all);
	size_t n = 0;
	enum tf_err e = all ? wepay_mfa_all(req, user_id, all, FACTORS_PER_USER_MAX, &n) : TF_ERR_INTERNAL;
	if (e == TF_OK)
		e = TF_ERR_NOT_FOUND;
	for (size_t i = 0; e == TF_ERR_NOT_FOUND && i < n; i++)
		if (all[i].m.mfa_id == mfa_id) {
			*out = all[i];
			e = TF_OK;
		}
	free(all);
	if (e == TF_ERR_NOT_FOUND)
		return wepay_refuse(req, e, "invalid_request", 1003, "mfa_id %lld does not exist", (long long)mfa_id);
	return e;
}

enum tf_err wepay_mfa_arg(struct tf_req *req, const char *user_id, struct wepay_mfa *out)
{
	int64_t mfa_id = 0;
	bool present;
	enum tf_err e = wepay_long(req, "mfa_id", true, &mfa_id, &present);
	return e != TF_OK ? e : wepay_mfa_get(req, user_id, mfa_id, out);
}

json_t *wepay_mfa_json(const struct wepay_mfa *x)
{
	char label[64];
	wepay_factor_label(&x->f, label, sizeof label);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "mfa_id", (json_int_t)x->m.mfa_id, "state",
			 x->f.status == FACTOR_ACTIVE ? "registered" : "pending", "type", wepay_mfa_type(x->f.type),
			 "nickname", x->m.nickname, "factor_label", label, "default",
			 x->f.preferred && !(factor_kind_of(x->f.type)->flags & FACTOR_KIND_FALLBACK));
}

bool wepay_has_mfa(const struct wepay_mfa *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].f.status == FACTOR_ACTIVE)
			return true;
	return false;
}

/* ---- the WSIG cookie ---- */

bool wepay_cookie_value(const char *in, char *out, size_t size)
{
	while (*in == ' ')
		in++;
	size_t name_len = strlen(WEPAY_COOKIE_NAME);
	if (strncmp(in, WEPAY_COOKIE_NAME "=", name_len + 1) == 0)
		in += name_len + 1;
	size_t len = strcspn(in, "; ");
	if (len == 0 || len >= size)
		return false;
	memcpy(out, in, len);
	out[len] = '\0';
	return true;
}

bool wepay_cookie_trusted(struct tf_req *req, const char *user_id, const char *cookie)
{
	char value[DEVICE_COOKIE_MAX];
	struct device_claims claims;
	return cookie && wepay_cookie_value(cookie, value, sizeof value) &&
	       api_device_check(req, user_id, value, DOMAIN_API, &claims) == NULL;
}
