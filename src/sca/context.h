/*
 * context.h: what domain code (src/sca/) is given instead of an HTTP request: the service, the
 * store connection of the call, the application, the time, who acts, and where the call came
 * from (client address, request id) for the audit log. Adapters (the native API, the vendor
 * faces, the hosted pages) make one from their request (http.h: req_sca_ctx); the domain never
 * sees struct tf_req, never builds JSON and never reads the clock.
 */
#ifndef TF_SCA_CONTEXT_H
#define TF_SCA_CONTEXT_H
#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "service/service.h"
#include "store/store.h"

#define SCA_ACTOR_MAX 64

struct sca_ctx {
	struct tf_service *svc;
	struct store_conn *db;      /* the call's connection: its transaction is the caller's */
	const struct app_row *app;  /* never NULL: a row of zeros when the call has no application */
	int64_t now;                /* milliseconds since the epoch, read once by the adapter */
	char actor[SCA_ACTOR_MAX];  /* who acts, as the audit log names them: "user:usr_...", "app:app_..." */
	const char *client_ip;      /* "" when unknown */
	const char *request_id;
	bool stepped_up;            /* the session passed SCA within the step-up window */
	bool needs_step_up;         /* the call changes what protects the user (routes: ROUTE_STEP_UP) */
};

/* Appends an audit row (event, subject, details: JSON object text or NULL) for the context's
 * application and actor, at its time, address and request id. Call inside a write transaction. */
enum tf_err sca_audit(const struct sca_ctx *ctx, const char *event, const char *subject, const char *details);

/* ctx with the actor "<kind>:<id>" ("app:app_...", "user:usr_..."), for the operations whose
 * audit names a party other than the request's own (the application that registers a user,
 * the user who signs in, the user whose devices a factor's removal revokes). */
struct sca_ctx sca_ctx_acting(const struct sca_ctx *ctx, const char *kind, const char *id);

/* STEP_UP_REQUIRED when the call needs a stepped-up session and has none; TF_OK otherwise. */
enum tf_err sca_step_up_check(const struct sca_ctx *ctx);

/* A domain operation's own write transaction: begin, then end with the operation's outcome
 * (committed when e is TF_OK, rolled back otherwise; the outcome, or the commit's error, is
 * returned). Operations documented as running in the caller's transaction use neither. */
enum tf_err sca_tx_begin(const struct sca_ctx *ctx);
enum tf_err sca_tx_end(const struct sca_ctx *ctx, enum tf_err e);

#endif
