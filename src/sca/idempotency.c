/* idempotency.c: reserving, completing and replaying idempotency records (see idempotency.h). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/retention.h"
#include "crypto/crypto.h"
#include "sca/idempotency.h"

#define IDEM_STALE_MS (60LL * 1000) /* a reservation whose request died is taken over */

/* The record's scope: the application, or the admin token's calls. */
static const char *scope_of(const struct sca_ctx *ctx)
{
	return ctx->app->app_id[0] ? ctx->app->app_id : "admin";
}

static void fingerprint(const struct sca_ctx *ctx, const struct sca_idem_request *r, uint8_t out[TF_MAC_BYTES])
{
	struct mac_part parts[] = {
		{r->method, strlen(r->method)},
		{r->path, strlen(r->path)},
		{r->body, r->body_len},
		{r->session_id, strlen(r->session_id)},
	};
	crypto_mac_parts(ctx->svc->keys, "idempotency", parts, sizeof parts / sizeof parts[0], out);
}

enum tf_err sca_idem_reserve(const struct sca_ctx *ctx, const char *ref, const struct sca_idem_request *r,
			     bool *replayed, struct sca_idem_replay *out)
{
	*replayed = false;
	memset(out, 0, sizeof *out);
	uint8_t fp[TF_MAC_BYTES];
	fingerprint(ctx, r, fp);
	enum idem_state state;
	struct idem_answer ans;
	enum tf_err e = STORE(ctx->db)->idem_reserve(ctx->db, scope_of(ctx), ref, fp, ctx->now, ctx->now - IDEM_STALE_MS,
						     ctx->now - IDEMPOTENCY_TTL_MS, &state, &ans);
	if (e != TF_OK)
		return e;
	switch (state) {
	case IDEM_RESERVED:
		return TF_OK;
	case IDEM_IN_PROGRESS:
		return TF_ERR_IDEMPOTENCY_IN_PROGRESS;
	case IDEM_MISMATCH:
		return TF_ERR_IDEMPOTENCY_REF_REUSED;
	case IDEM_REPLAY:
		break;
	}
	uint8_t *plain;
	size_t plain_len;
	if (crypto_open(ctx->svc->keys, ans.sealed_body, ans.sealed_body_len, &plain, &plain_len) != TF_OK) {
		idem_answer_free(&ans);
		return TF_ERR_INTERNAL;
	}
	out->status = ans.status;
	out->body = (char *)plain;
	out->headers = ans.headers;
	ans.headers = NULL;
	idem_answer_free(&ans);
	*replayed = true;
	return TF_OK;
}

enum tf_err sca_idem_complete(const struct sca_ctx *ctx, const char *ref, int status, const char *body,
			      const char *headers)
{
	uint8_t *sealed;
	size_t sealed_len;
	enum tf_err e = crypto_seal(ctx->svc->keys, body, strlen(body), &sealed, &sealed_len);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->idem_complete(ctx->db, scope_of(ctx), ref, status, sealed, sealed_len, headers);
	free(sealed);
	return e;
}

enum tf_err sca_idem_release(const struct sca_ctx *ctx, const char *ref)
{
	return STORE(ctx->db)->idem_release(ctx->db, scope_of(ctx), ref);
}

void sca_idem_replay_free(struct sca_idem_replay *r)
{
	if (r->body) {
		sodium_memzero(r->body, strlen(r->body));
		free(r->body);
	}
	free(r->headers);
	r->body = r->headers = NULL;
}
