/*
 * wepay.h: what the WePay v2 face's files share (wepay_common.c): the access token's user and
 * its WePay row, reading WePay's arguments, refining the error body, the MFA object, and the
 * WSIG trusted-device cookie. The face's records and rules are the domain's (sca/wepay.h). The handlers are in
 * wepay_user.c (/v2/user...), wepay_mfa.c (/v2/user/mfa/ create, find, modify, reset) and
 * wepay_mfa_challenge.c (challenges, confirm, cookies); faces.h declares them for the routes.
 */
#ifndef TF_FACES_WEPAY_H
#define TF_FACES_WEPAY_H
#include "faces/faces.h"
#include "sca/wepay.h"

#define WEPAY_COOKIE_NAME "WSIG"
/* WePay's own error descriptions, where they are known (WePay's sample app compares them as
 * they are, so not a character may change): docs/faces.md lists every description. */
#define WEPAY_INVALID_PHONE "Invalid phone number."
#define WEPAY_INVALID_CODE "Invalid code"

/* Refines the WePay error body of e: category (NULL keeps wepay_error's), error_code (0 keeps
 * it) and the description (printf format). Returns e. */
__attribute__((format(printf, 5, 6))) enum tf_err wepay_refuse(struct tf_req *req, enum tf_err e, const char *category,
							       int code, const char *fmt, ...);

/* Reads a WePay long argument: a JSON integer, or a string of digits (some clients send ids
 * as text). *present says whether it was there. */
enum tf_err wepay_long(struct tf_req *req, const char *field, bool required, int64_t *out, bool *present);

/* The access token's user (an unconfirmed user past unverified_user_ttl is gone, and so is its
 * token: 1006) and, when w is not NULL, its WePay row, made on first sight for a user the
 * native API registered. */
enum tf_err wepay_user_load(struct tf_req *req, struct user_row *u, struct wepay_user_row *w);
/* What a call that takes no arguments of its own but the known ones starts with: unknown
 * arguments refused, then the access token's user (wepay_user_load). */
enum tf_err wepay_caller(struct tf_req *req, const char *const *known, struct user_row *u, struct wepay_user_row *w);
/* The WePay user object: user_id, user_name, first_name, last_name, email, state. */
json_t *wepay_user_json(const struct user_row *u, const struct wepay_user_row *w);

/* The factor mfa_id of the user (sca_wepay_mfa_get); NOT_FOUND (refined: "mfa_id ... does not
 * exist") if none. */
enum tf_err wepay_mfa_get(struct tf_req *req, const char *user_id, int64_t mfa_id, struct wepay_mfa *out);
/* Reads the mfa_id argument and loads that factor. */
enum tf_err wepay_mfa_arg(struct tf_req *req, const char *user_id, struct wepay_mfa *out);
/* The MFA object: mfa_id, state, type, nickname, factor_label, default. */
json_t *wepay_mfa_json(const struct wepay_mfa *x);
/* Whether the user has a registered (confirmed) factor: then adding one needs a trusted device. */
bool wepay_has_mfa(const struct wepay_mfa *list, size_t n);

/* The value of a WSIG cookie given either bare or as the whole Set-Cookie string ("WSIG=v;
 * Domain=...; ..."); false when there is none or it does not fit out. */
bool wepay_cookie_value(const char *in, char *out, size_t size);
/* Whether cookie (bare or Set-Cookie) is a valid, unexpired, unrevoked trusted device of
 * user_id for the partner: a device cookie of the API domain (never the hosted pages'). */
bool wepay_cookie_trusted(struct tf_req *req, const char *user_id, const char *cookie);


#endif
