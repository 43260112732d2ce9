/*
 * idempotency.h: idempotent POSTs (SPEC section 9): a request that carries an idempotency-ref
 * is carried out once; a retry with the same ref gets the first answer again (its body sealed
 * at rest: it may hold secrets), for IDEMPOTENCY_TTL_MS. A record is scoped by the
 * application (or "admin" for a call without one) and bound to a fingerprint of the request
 * and of the credential that sent it, so the same ref with another body, or from another
 * session, is refused. A reservation whose request died is taken over after a minute.
 */
#ifndef TF_SCA_IDEMPOTENCY_H
#define TF_SCA_IDEMPOTENCY_H
#include "sca/context.h"

/* What a request is, for its record: method, path, body and the session that sent it ("" when
 * none). */
struct sca_idem_request {
	const char *method;
	const char *path;
	const char *body;
	size_t body_len;
	const char *session_id;
};

/* A replayed answer: status, body text and "Name: value\n" header lines (NULL when none),
 * both malloc'd: sca_idem_replay_free wipes and frees them. */
struct sca_idem_replay {
	int status;
	char *body;
	char *headers;
};

/* Reserves ref for the request: TF_OK with *replayed false when the request is to be carried
 * out (then sca_idem_complete or sca_idem_release), with *replayed true and *out filled when an
 * answer is on record; IDEMPOTENCY_IN_PROGRESS while another request holds it,
 * IDEMPOTENCY_REF_REUSED when it was used for another request. */
enum tf_err sca_idem_reserve(const struct sca_ctx *ctx, const char *ref, const struct sca_idem_request *r,
			     bool *replayed, struct sca_idem_replay *out);
/* Records the answer of the request that reserved ref (headers: "Name: value\n" lines or NULL). */
enum tf_err sca_idem_complete(const struct sca_ctx *ctx, const char *ref, int status, const char *body,
			      const char *headers);
/* The request was not carried out: ref is free for a retry. */
enum tf_err sca_idem_release(const struct sca_ctx *ctx, const char *ref);
void sca_idem_replay_free(struct sca_idem_replay *r);

#endif
