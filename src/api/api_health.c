/* api_health.c: GET /healthz (the process answers), GET /readyz (it can serve: the
 * database answers), GET /metrics (Prometheus text). None of them is given a database
 * connection by the dispatcher (ROUTE_NO_DB): /healthz and /metrics answer while the
 * database is down, /readyz takes its own to say whether it is. /metrics asks for
 * metrics_token when one is set. */
#include <stdlib.h>

#include "api/api.h"
#include "http/http_headers.h"
#include "platform/metrics.h"
#include "sca/readiness.h"

enum tf_err api_healthz(struct tf_req *req)
{
	resp_json(req, 200, json_pack("{s:s}", "status", "ok"));
	return TF_OK;
}

/* The route takes no connection from the dispatcher (ROUTE_NO_DB): it takes its own, so that
 * a database that cannot be reached is answered in the readiness body, within the pool's
 * connect_timeout, rather than as the dispatcher's error. A pool whose every connection stayed
 * taken is not the database's failure: that stays 503 OVERLOADED. */
enum tf_err api_readyz(struct tf_req *req)
{
	enum tf_err e = sca_database_ping(req->svc);
	if (e == TF_ERR_OVERLOADED || e == TF_ERR_INTERNAL)
		return e;
	const char *backend = req->svc->store->ops->name;
	if (e != TF_OK) {
		resp_json(req, 503, json_pack("{s:s, s:{s:s, s:s}}", "status", "unavailable", "database",
					      "backend", backend, "status", "unavailable"));
		return TF_OK;
	}
	resp_json(req, 200, json_pack("{s:s, s:{s:s, s:s}}", "status", "ready", "database", "backend",
				      backend, "status", "ok"));
	return TF_OK;
}

/* With metrics_token set, the scraper must send it as a bearer token. Both sides are MAC'd
 * with the service's key first, so the comparison takes the same time whatever they hold. */
static bool metrics_allowed(struct tf_req *req)
{
	const char *want = req->svc->cfg.metrics_token;
	if (!want[0])
		return true;
	const char *given = header_bearer_token(req->authorization);
	if (!given)
		return false;
	uint8_t a[TF_MAC_BYTES], b[TF_MAC_BYTES];
	crypto_secret_mac(req->svc->keys, "metrics", given, a);
	crypto_secret_mac(req->svc->keys, "metrics", want, b);
	return crypto_equal(a, b, TF_MAC_BYTES);
}

enum tf_err api_metrics(struct tf_req *req)
{
	if (!metrics_allowed(req)) {
		resp_header(req, "WWW-Authenticate", "Bearer realm=\"twofold metrics\"");
		return TF_ERR_UNAUTHORIZED;
	}
	/* one name per route (there are more than fit a small fixed array: the faces and pages) */
	const char **names = calloc(routes_count, sizeof *names);
	if (!names)
		return TF_ERR_INTERNAL;
	for (size_t i = 0; i < routes_count; i++)
		names[i] = routes[i].metric_name;
	char *text = req->svc->metrics ? metrics_render(req->svc->metrics, names) : NULL;
	free(names);
	if (!text)
		return TF_ERR_INTERNAL;
	req->status = 200;
	req->resp_text = text;
	req->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return TF_OK;
}
