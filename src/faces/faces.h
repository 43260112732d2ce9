/*
 * faces.h: the seed vendors' own APIs as compatibility faces on twofold's core (issue 8,
 * `../shared/reference/seed-apis.md`): WePay v2 under /v2 (wepay_*.c) and Weavr Multi under
 * /multi (weavr_*.c). A client written for either vendor works by changing its base URL. The
 * handlers translate the vendor's paths, bodies and error shapes and call the same operations
 * as the native API; nothing here holds rules of its own beyond what the vendor documents.
 */
#ifndef TF_FACES_FACES_H
#define TF_FACES_FACES_H
#include "api/api.h"
#include "http/http.h"

/* Error bodies in each vendor's shape (the routes' render_error). Handlers refine them through
 * req->err_extra: "error_code"/"error" (WePay); "errorCode", "fieldError", "message" (Weavr). */
void wepay_error(struct tf_req *req, enum tf_err e);
void weavr_error(struct tf_req *req, enum tf_err e);

/* Weavr answers 204 with no body; a helper for it. */
enum tf_err weavr_no_content(struct tf_req *req);

#endif
