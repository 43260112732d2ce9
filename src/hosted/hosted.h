/*
 * hosted.h: twofold's own web pages (SPEC sections 7 and 8): the SSO entry, the challenge
 * page, sign-in methods, trusted devices, sign-out, email confirmation with set-password, and
 * the expired-session and error pages.
 * Server-rendered HTML from compiled-in templates; a strict Content-Security-Policy; a CSRF
 * token on every form; Cache-Control: no-store. JavaScript only for passkeys (one same-origin
 * script, assets/passkey.js); every other method works without it.
 *
 * The pages are a thin adapter, as the JSON API is: they call the same domain operations
 * (src/sca/, with the context built from the request whose application and session come from
 * the hosted-session cookie) and http/'s shared steps (a challenge's attempt with its slow
 * step, a send's outcome), and render what those return. One file per page (page_*.c); this
 * header and hosted_session.c hold what they share.
 */
#ifndef TF_HOSTED_HOSTED_H
#define TF_HOSTED_HOSTED_H
#include "hosted/template.h"
#include "http/http.h"

#define HOSTED_SESSION_COOKIE "tf_session"
#define HOSTED_DEVICE_COOKIE_PREFIX "tf_device_" /* + app id: one trusted device per application */
#define HOSTED_CSRF_HEX 32

/* What a page knows about its signed-in user. */
struct hosted_ctx {
	struct hosted_session_info info;
	char csrf[HOSTED_CSRF_HEX + 1];
};

enum hosted_gate {
	HOSTED_GATE_MFA,     /* a user who still owes a second factor goes to the challenge page */
	HOSTED_GATE_NONE,    /* the challenge page itself */
};

/* Resolves the hosted-session cookie into req->app, req->session, req->stepped_up. Answers
 * (and returns true) when the page must not go on: no session (session-expired page), an
 * expired one (back to the application's redirect URI), or a second factor owed (the
 * challenge page, coming back to this page after). */
bool hosted_begin(struct tf_req *req, struct hosted_ctx *hc, enum hosted_gate gate);
/* hosted_begin for a form post: then the form's csrf field must match this session's token
 * (constant time), else it answers the CSRF_INVALID error page (and returns true). */
bool hosted_begin_form(struct tf_req *req, struct hosted_ctx *hc, enum hosted_gate gate);

/* Starts a hosted session for u (inside the caller's write transaction): a second factor is
 * owed when u has an active one and this browser is no trusted device of the hosted pages,
 * unless two_elements (the sign-in itself proved two, as a passkey with user verification does);
 * then the first code goes out and the way on is the challenge page, else landing. After the
 * commit, hosted_session_started() sets the cookie and redirects. */
struct hosted_start {
	char cookie[TF_ID_MAX + TF_TOKEN_MAX + 2];
	char location[256];
};
enum tf_err hosted_session_start(struct tf_req *req, const struct user_row *u, const char *redirect_uri,
				 const char *landing, bool two_elements, struct hosted_start *out);
enum tf_err hosted_session_started(struct tf_req *req, struct hosted_start *start);

/* Whether passkeys work on these pages for the request's application: it is a relying party
 * and twofold's own origin (its public URL's) is one of its origins. */
bool hosted_passkeys(const struct tf_req *req);

/* A typed code without the spaces and dashes people put in it (at most 64 characters). */
void hosted_clean_code(const char *code, char out[65]);

/* Whether a form value is UTF-8 text as JSON takes it. The operations the pages share with the
 * native API read a value that is not as absent (MISSING_FIELD), and so do the pages. */
bool hosted_form_text(const char *value);

/* Gives the request the application whose SSO client id is client_id: SSO_UNKNOWN_CLIENT when
 * there is none (the sign-in link names an application twofold does not know). */
enum tf_err hosted_load_client(struct tf_req *req, const char *client_id);

/* The application's first registered redirect prefix: where a session that did not come
 * through SSO (password sign-in, email confirmation) returns when it ends. */
void hosted_home(const struct app_row *app, char *out, size_t size);

/* The language of the page: the signed-in user's locale (hosted_begin chooses it), else the
 * application's default_locale, else the browser's Accept-Language, else English (l10n.h). */
const struct l10n *hosted_l10n(struct tf_req *req);
/* Chooses the page's language for a known user's locale (NULL or "" when none). */
void hosted_choose_l10n(struct tf_req *req, const char *user_locale);

/* Answers: a page (title, content template and its vars, an optional notice) inside the
 * layout; a 303 redirect; the error page for e. The notice (id "notice") is an alert when its
 * kind is "error"; kind "invalid" is an error about the form's field: the content template's
 * {{{invalid}}}, on that field, marks it aria-invalid and described by the notice. */
enum tf_err hosted_page(struct tf_req *req, const struct hosted_ctx *hc, int status, const char *title,
			const char *content_template, const struct tpl_var *vars, const char *notice_kind,
			const char *notice_text);
enum tf_err hosted_redirect(struct tf_req *req, const char *location);
void hosted_error_page(struct tf_req *req, enum tf_err e);
/* What error e says to a person, in the page's language (errors.def's message translated). */
const char *hosted_error_text(struct tf_req *req, enum tf_err e);

/* The application's branding in the layout (page_brand.c): its logo, alt text app_name, or
 * else app_name as text (HTML, malloc'd); the link to its stylesheet, or NULL without a primary
 * colour. */
char *hosted_app_mark(struct tf_req *req, const char *app_name);
char *hosted_brand_style(struct tf_req *req);

/* Cookies: Path=/, HttpOnly, SameSite=Lax, Secure when configured; max_age_s 0 makes a
 * session cookie, < 0 deletes it. */
void hosted_set_cookie(struct tf_req *req, const char *name, const char *value, int64_t max_age_s);
/* The value of cookie name from the request's Cookie header into out; false when absent. */
bool hosted_cookie(const struct tf_req *req, const char *name, char *out, size_t size);

/* Whether path is one of the pages a user may land on or return to ("/account/factors");
 * accepts a full URL under public_url too, writing the path into out. */
bool hosted_landing_page(const struct tf_req *req, const char *page, char *out, size_t size);
/* Where a page goes on to: next (NULL when absent) when it is a landing page, else the
 * sign-in methods page. */
void hosted_next_page(const struct tf_req *req, const char *next, char *out, size_t size);

/* The pages (route handlers) */
enum tf_err page_sso(struct tf_req *req);
enum tf_err page_challenge(struct tf_req *req);
enum tf_err page_challenge_verify(struct tf_req *req);
enum tf_err page_challenge_send(struct tf_req *req);
enum tf_err page_account(struct tf_req *req);
enum tf_err page_factors(struct tf_req *req);
enum tf_err page_factors_add(struct tf_req *req);
enum tf_err page_factor(struct tf_req *req);
enum tf_err page_factor_verify(struct tf_req *req);
enum tf_err page_devices(struct tf_req *req);
enum tf_err page_device_revoke(struct tf_req *req);
enum tf_err page_logout(struct tf_req *req);
enum tf_err page_logout_post(struct tf_req *req);
enum tf_err page_session_expired(struct tf_req *req);
enum tf_err page_link(struct tf_req *req);
enum tf_err page_login(struct tf_req *req);
enum tf_err page_login_post(struct tf_req *req);
enum tf_err page_login_passkey_options(struct tf_req *req);
enum tf_err page_login_passkey(struct tf_req *req);
enum tf_err page_confirm(struct tf_req *req);
enum tf_err page_confirm_post(struct tf_req *req);
enum tf_err page_asset(struct tf_req *req);
enum tf_err page_brand_asset(struct tf_req *req);

#endif
