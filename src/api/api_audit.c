/*
 * api_audit.c: an application's audit chain (application credentials; docs/audit.md):
 * GET /v1/audit/events?after=SEQ&limit=N, its events in order with their hashes;
 * GET /v1/audit/heads?after=SEQ&limit=N, the heads the deployment's audit key signed;
 * POST /v1/audit/heads ({} or no body), the newest event's head signed now (or the head
 * signed already).
 * The JSON views here are also what `twofold audit export` writes. The rules are
 * sca/audit_chains.h's.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "sca/audit_chains.h"

#define LIST_DEFAULT 100

static json_t *hex_json(const uint8_t hash[AUDIT_HASH_BYTES])
{
	char hex[AUDIT_HASH_HEX];
	sodium_bin2hex(hex, sizeof hex, hash, AUDIT_HASH_BYTES);
	return json_string(hex);
}

json_t *api_audit_event_json(const struct audit_event_row *e)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)e->seq, "hash",
			 hex_json(e->hash), "prev_hash", hex_json(e->prev_hash), "type", e->type, "at", (json_int_t)e->at_ms,
			 "actor", e->actor, "subject", e->subject, "ip", e->ip, "request_id", e->request_id, "details",
			 e->details);
}

json_t *api_audit_head_json(const struct audit_head_row *h)
{
	char sig[sodium_base64_ENCODED_LEN(AUDIT_SIGNATURE_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(sig, sizeof sig, h->signature, AUDIT_SIGNATURE_BYTES, sodium_base64_VARIANT_ORIGINAL);
	return json_pack("{s:s, s:I, s:o, s:I, s:s}", "chain", h->chain, "seq", (json_int_t)h->seq, "hash",
			 hex_json(h->hash), "signed_at", (json_int_t)h->signed_at, "signature", sig);
}

/* after and limit of the query: false (the field named) when either is not a whole number in
 * range */
static bool read_page(struct tf_req *req, int64_t *after, int64_t *limit, const char **bad)
{
	const char *after_s = form_get(&req->query, "after"), *limit_s = form_get(&req->query, "limit");
	char *end;
	*after = 0;
	*limit = LIST_DEFAULT;
	*bad = req->query.duplicate ? "query" : NULL;
	if (!*bad && after_s) {
		long long v = strtoll(after_s, &end, 10);
		if (*end || end == after_s || v < 0 || after_s[0] == '+' || after_s[0] == '-')
			*bad = "after";
		*after = v;
	}
	if (!*bad && limit_s) {
		long long v = strtoll(limit_s, &end, 10);
		if (*end || end == limit_s || v < 1 || v > SCA_AUDIT_LIST_MAX)
			*bad = "limit";
		*limit = v;
	}
	return !*bad;
}

struct listing {
	json_t *list;
	int64_t limit;
	bool more;
};

static int add_event(void *arg, const struct audit_event_row *e)
{
	struct listing *l = arg;
	if ((int64_t)json_array_size(l->list) == l->limit) {
		l->more = true;
		return 1;
	}
	json_array_append_new(l->list, api_audit_event_json(e));
	return 0;
}

enum tf_err api_audit_events(struct tf_req *req)
{
	int64_t after, limit;
	const char *bad;
	if (!read_page(req, &after, &limit, &bad))
		return req_field_error(req, TF_ERR_INVALID_FIELD, bad);
	struct sca_ctx ctx = req_sca(req);
	struct listing l = {.list = json_array(), .limit = limit};
	/* one more than asked: whether more follow */
	enum tf_err e = sca_audit_events(&ctx, ctx.app->app_id, after, limit + 1, add_event, &l);
	if (e != TF_OK) {
		json_decref(l.list);
		return e;
	}
	resp_json(req, 200, json_pack("{s:o, s:b}", "events", l.list, "truncated", l.more));
	return TF_OK;
}

enum tf_err api_audit_heads_list(struct tf_req *req)
{
	int64_t after, limit;
	const char *bad;
	if (!read_page(req, &after, &limit, &bad))
		return req_field_error(req, TF_ERR_INVALID_FIELD, bad);
	struct audit_head_row *rows = calloc((size_t)limit + 1, sizeof *rows);
	if (!rows)
		return TF_ERR_INTERNAL;
	struct sca_ctx ctx = req_sca(req);
	size_t n = 0;
	enum tf_err e = sca_audit_heads(&ctx, ctx.app->app_id, after, rows, (size_t)limit + 1, &n);
	if (e == TF_OK) {
		json_t *list = json_array();
		for (size_t i = 0; i < n && i < (size_t)limit; i++)
			json_array_append_new(list, api_audit_head_json(&rows[i]));
		resp_json(req, 200, json_pack("{s:o, s:b}", "heads", list, "truncated", n > (size_t)limit));
	}
	free(rows);
	return e;
}

enum tf_err api_audit_heads_sign(struct tf_req *req)
{
	enum tf_err e = req_no_fields(req);
	if (e != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	struct audit_head_row h;
	e = sca_audit_sign(&ctx, ctx.app->app_id, &h);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, api_audit_head_json(&h));
	return TF_OK;
}
