/*
 * faces.h: the seed vendors' own APIs as compatibility faces on twofold's core
 * (`../shared/reference/seed-apis.md`): WePay v2 under /v2 (wepay_*.c) and Weavr Multi under
 * /multi (weavr_*.c). A client written for either vendor works by changing its base URL. The
 * handlers translate the vendor's paths, bodies and error shapes and call the same domain
 * operations as the native API (src/sca/, and the request helpers every adapter shares in
 * http/); nothing here holds rules of its own beyond what the vendor documents.
 */
#ifndef TF_FACES_FACES_H
#define TF_FACES_FACES_H
#include "core/device_cookie.h"
#include "http/http.h"
#include "sca/challenges.h"
#include "sca/factor_kind.h"
#include "sca/factors.h"

/* Error bodies in each vendor's shape (the routes' render_error). Handlers refine them through
 * req->err_extra: "error_code"/"error" (WePay); "errorCode", "fieldError", "message" (Weavr). */
void wepay_error(struct tf_req *req, enum tf_err e);
void weavr_error(struct tf_req *req, enum tf_err e);

/* Weavr answers 204 with no body; a helper for it. */
enum tf_err weavr_no_content(struct tf_req *req);


/* WePay v2 (wepay_user.c, wepay_mfa.c, wepay_mfa_challenge.c; wepay.h holds what they share):
 * POST with JSON bodies; every call but register carries "Authorization: Bearer <access
 * token>", the token register answered ("<app_id>.<session token>"). */
enum tf_err wepay_user_register(struct tf_req *req);
enum tf_err wepay_user(struct tf_req *req);
enum tf_err wepay_user_modify(struct tf_req *req);
enum tf_err wepay_user_mark_email_verified(struct tf_req *req);
enum tf_err wepay_user_send_confirmation(struct tf_req *req);
enum tf_err wepay_user_change_email(struct tf_req *req);
enum tf_err wepay_user_request_sso_token(struct tf_req *req);
enum tf_err wepay_user_logout(struct tf_req *req);
enum tf_err wepay_mfa_create(struct tf_req *req);
bool wepay_mfa_create_slow_if(struct tf_req *req); /* a backup sheet: Argon2id */
enum tf_err wepay_mfa_find(struct tf_req *req);
enum tf_err wepay_mfa_modify(struct tf_req *req);
enum tf_err wepay_mfa_reset(struct tf_req *req);
enum tf_err wepay_mfa_send_challenge(struct tf_req *req);
enum tf_err wepay_mfa_send_default_challenge(struct tf_req *req);
enum tf_err wepay_mfa_confirm(struct tf_req *req);
bool wepay_mfa_confirm_slow_if(struct tf_req *req); /* a backup code: Argon2id */
enum tf_err wepay_mfa_validate_cookie(struct tf_req *req);

#endif
