/*
 * http.h: a request as handlers see it, the route table's row, and the helpers handlers use
 * to read JSON input and write JSON answers. Handlers never see libmicrohttpd: server.c
 * (the adapter) fills struct tf_req and sends what the handler left in it.
 *
 * A handler returns TF_OK after setting req->status and req->resp, or an error code (and,
 * for a field error, req->err_field); dispatch.c turns errors into the JSON error body.
 *
 * Slow work (Argon2id) never runs on an HTTP thread. A handler that finds it needs some
 * returns TF_OK without an answer after setting either req->slow_fn, which then runs alone on
 * the slow pool before the handler is called again on an HTTP thread with req->phase one
 * higher (so its database work stays off the slow pool's low-priority threads), or
 * req->rerun_slow, which runs the whole handler again on the slow pool with req->slow_ok set.
 */
#ifndef TF_HTTP_HTTP_H
#define TF_HTTP_HTTP_H
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "l10n/l10n.h"
#include "sca/context.h"
#include "service/service.h"
#include "store/store.h"

#define TF_BODY_MAX (64 * 1024)
#define TF_JSON_DEPTH_MAX 32
#define TF_JSON_STRING_MAX 1024
#define TF_PATH_PARAMS_MAX 2
#define TF_EXTRA_HEADERS_MAX 8
#define TF_FORM_FIELDS_MAX 16 /* fields of a query string or form body */

struct tf_req;
struct receive_conn;
typedef enum tf_err (*route_handler)(struct tf_req *req);

enum route_auth {
	AUTH_NONE,  /* health, metrics */
	AUTH_ADMIN, /* Authorization: Bearer <admin token> */
	AUTH_APP,   /* api-key */
	AUTH_USER,  /* api-key and Authorization: Bearer <session token> */
	AUTH_APP_USER_OPTIONAL, /* api-key, and the session token when one is sent */
	AUTH_BEARER_APP_TOKEN,  /* Authorization: Bearer <app_id>.<session token>: the WePay face's access token */
};

enum route_flags {
	ROUTE_SLOW = 1 << 0,    /* runs on the slow pool (Argon2id), off the HTTP threads */
	ROUTE_JSON_BODY = 1 << 1, /* takes a JSON object body ({} when empty) */
	ROUTE_PAGE = 1 << 2,      /* a hosted page: HTML answers, form bodies, its own cookie session */
	ROUTE_NO_DB = 1 << 3,     /* the dispatcher takes no database connection (req->db stays NULL): the
				   * handler needs none (/healthz, /metrics) or takes its own and answers
				   * in its own shape when it cannot (/readyz); only with AUTH_NONE */
	ROUTE_STEP_UP = 1 << 4,   /* changes what protects the user (their factors, trusted payees): needs a
				   * stepped-up session (SPEC section 5). The domain checks it where its
				   * rules put it (sca_step_up_check: after finding the resource, so another
				   * user's id stays NOT_FOUND; an enrolment only once a factor is active) */
	ROUTE_COMMIT_LATER = 1 << 5, /* on an HTTP thread, the handler's transactions end before their
				      * COMMIT (store_conn.commit_later): the connection is suspended
				      * until the batch that holds them is committed (at the latest when
				      * the thread's turn ends, store_flush) and answered then, so the
				      * thread serves its other ready connections meanwhile (SQLite) */
};

struct route {
	const char *method;
	const char *pattern; /* "/v1/users/{id}/sessions": {x} matches one segment */
	route_handler handler;
	enum route_auth auth;
	unsigned flags;
	const char *metric_name; /* "POST /v1/users/{id}/sessions" */
	/* optional: decides after authentication whether this request needs the slow pool */
	bool (*slow_if)(struct tf_req *req);
	/* optional: answers an error in this route's own shape (the hosted pages' HTML, a seed
	 * vendor's error body); NULL for the native JSON error */
	void (*render_error)(struct tf_req *req, enum tf_err e);
};

/* The error renderer of the face a path belongs to (for paths no route matched), or NULL. */
typedef void (*error_renderer)(struct tf_req *req, enum tf_err e);
error_renderer routes_error_renderer(const char *path);

extern const struct route routes[];
extern const size_t routes_count;

/* Finds the route for method and path; fills params. Returns the route index, or -1 with
 * *method_mismatch set when the path exists for another method. */
int routes_match(const char *method, const char *path, char params[TF_PATH_PARAMS_MAX][128],
		 bool *method_mismatch);
/* The methods path accepts, as an Allow header value ("GET, POST"). */
void routes_allowed_methods(const char *path, char *out, size_t size);
/* What WePay's own clients send, made the call it means before routing: on /v2, repeated
 * slashes are one ("/v2//user", from a base URL ending in a slash), and GET is POST (WePay's PHP
 * SDK sends GET for a call without arguments). method holds 16 bytes; path is rewritten in place. */
void routes_wepay_request(char method[16], char *path);

struct tf_header {
	char name[32];
	char *value; /* malloc'd */
};

/* Decoded name=value pairs of a query string or an urlencoded form body (libmicrohttpd
 * decodes them); strings malloc'd and wiped on free. */
struct tf_form {
	int n;
	char *names[TF_FORM_FIELDS_MAX];
	char *values[TF_FORM_FIELDS_MAX];
	size_t lens[TF_FORM_FIELDS_MAX];
	bool overflow;  /* more fields than TF_FORM_FIELDS_MAX, or a value over TF_BODY_MAX */
	bool duplicate; /* a name appeared twice */
};

struct tf_req {
	struct tf_service *svc;
	int route_index; /* -1 when no route matched */
	const struct route *route;
	char method[16];
	char path[512];
	char params[TF_PATH_PARAMS_MAX][128];
	char request_id[40];
	char client_ip[64];

	/* headers captured on arrival (the connection is not touched off its thread) */
	char *api_key;        /* malloc'd copies, wiped on free */
	char *authorization;
	char *idempotency_ref;
	char *cookie;          /* the Cookie header (pages) */
	char *accept_language; /* the Accept-Language header (pages) */
	char *if_none_match;   /* the If-None-Match header (pages' GETs: cached assets) */
	struct tf_form query;  /* the query string (pages) */
	struct tf_form form;   /* an application/x-www-form-urlencoded body (pages) */
	bool path_too_long;

	/* body */
	char *body;
	size_t body_len;
	bool body_too_large;
	json_t *json; /* parsed body object, or NULL */

	/* resolved by the dispatcher */
	int64_t now;
	struct store_conn *db;
	/* the authenticated application: a reference into the application cache when have_app
	 * (given back by req_free), else http_no_app, a row of zeros */
	const struct app_row *app;
	bool have_app;
	struct session_row session;
	bool have_session;
	bool stepped_up; /* the session is stepped up (judged before this request's activity) */
	struct l10n l10n; /* the language of a page, once chosen (hosted_l10n) */
	bool have_l10n;
	bool wake_outbox;
	bool idem_reserved;
	/* the adapter answers once the request's writes are durable (dispatch_commit_wait): set by
	 * the adapter on a thread it may suspend the connection from */
	bool commit_wait;

	/* the answer */
	int status;
	json_t *resp;
	enum tf_err err;
	char err_field[128];
	json_t *err_extra; /* extra members merged into the error object */
	struct tf_header headers[TF_EXTRA_HEADERS_MAX];
	int n_headers;
	char *resp_text; /* the serialised answer */
	size_t resp_len;  /* its length when it may hold NUL bytes (an image); 0: strlen(resp_text) */
	const char *content_type; /* NULL: application/json */
	const char *cache_control; /* NULL: no-store */

	/* slow work a handler asked for (see the head comment) */
	void (*slow_fn)(struct tf_req *req);
	bool rerun_slow;
	bool slow_ok;     /* the handler may do slow work here: the slow pool, or no pool at all */
	int phase;        /* times the handler was called again after its slow_fn */
	void *slow_state; /* the handler's state across phases, malloc'd; wiped and freed with req */
	size_t slow_state_len;
	/* attempts a handler counted before its slow work (req_attempt_counted): a request abandoned
	 * before that work ran (503 OVERLOADED, 499) gives them back, as it never made its guess */
	struct {
		char key[400];
		int64_t window_start;
	} counted[2];
	int n_counted;

	/* owned by the adapter (server.c) */
	void *conn;
	int socket_fd; /* the connection's socket, to see whether a suspended request's client left */
	struct receive_conn *receive; /* the connection's record in the receive watch, or NULL */
	int state;
	bool recorded; /* counted in the metrics (and the access log) once */
	void *adapter;    /* the server the connection belongs to */
	atomic_int commit_flags; /* suspended, and committed (server.c) */

	int64_t start_ns;
};

/* Notes that the handler counted an attempt on a rate-limit key (counter_hit) ahead of the slow
 * work it asks for, so that dispatch_abandon gives it back if that work never runs. */
void req_attempt_counted(struct tf_req *req, const char *key, int64_t window_start);

/* Whether the handler asked for slow work (slow_fn or rerun_slow) and must return TF_OK with no
 * answer; it is called again afterwards (see the head comment). */
bool req_waiting(const struct tf_req *req);

/* The domain's challenge calls as adapters make them (domain_calls.c). */
struct sca_send_outcome;
struct sca_attempt_request;
struct sca_attempt_result;
/* Applies a send's outcome to the answer (wakes the outbox, audits a refused send off the
 * transaction, the Retry-After of a reached cap) and returns e. */
enum tf_err req_send_answer(struct tf_req *req, const struct sca_send_outcome *out, enum tf_err e);
/* A new challenge of factor f on the request's session (its kind sends what it needs), bound to
 * tx (hash tx_hash) when not NULL, under the application's send policy; in the caller's
 * transaction. */
enum tf_err req_challenge_issue(struct tf_req *req, const struct factor_row *f, enum challenge_purpose purpose,
				const struct transaction *tx, const char *tx_hash, struct challenge_row *ch);
/* The domain's attempt for the request's session, with the slow pool's step (it may set
 * req->rerun_slow and return TF_OK with nothing in *res), the Retry-After of too many wrong
 * codes and the field of an INVALID_FIELD. */
enum tf_err req_challenge_attempt(struct tf_req *req, const struct sca_attempt_request *rq,
				  struct sca_attempt_result *res);
/* A challenge as rq asks, or challenge_id sent anew, on the request's session under the
 * application's send policy, the send's outcome on the answer; *ch and *f get it and its factor. */
struct sca_challenge_request;
enum tf_err req_challenge_create(struct tf_req *req, const struct sca_challenge_request *rq, struct challenge_row *ch,
				 struct factor_row *f);
enum tf_err req_challenge_resend(struct tf_req *req, const char *challenge_id, struct challenge_row *ch,
				 struct factor_row *f);
/* Enrols a factor of kind with input in for the request's session's user: a field the kind
 * needs and lacks is MISSING_FIELD, one it refuses INVALID_FIELD (named as /v1 names them:
 * phone, channel, public_key, push_address); trusted counts as a stepped-up session (a checked
 * trusted device); the send's outcome goes on the answer. */
struct factor_kind;
struct factor_input;
struct factor_enrolment;
struct sca_enrolment_result;
enum tf_err req_factor_enrol(struct tf_req *req, const struct factor_kind *kind, const struct factor_input *in,
			     bool trusted, struct factor_enrolment *en, struct sca_enrolment_result *out);

/* A standard user's email and password, under the login rate limits, across the request's
 * phases (Argon2id on the slow pool: call again while req_waiting); SSO_LOGIN_REQUIRED for an
 * sso user (with login_url), INVALID_CREDENTIALS otherwise (password_check.c). */
enum tf_err req_password_check(struct tf_req *req, const char *email, const char *password, struct user_row *out);

/* Input helpers: each returns TF_OK, TF_ERR_MISSING_FIELD or TF_ERR_INVALID_FIELD (naming
 * the field in req->err_field). Optional getters leave *out untouched when absent. */
enum tf_err req_string(struct tf_req *req, const char *field, bool required, const char **out);
enum tf_err req_bool(struct tf_req *req, const char *field, bool *out);
enum tf_err req_reject_unknown(struct tf_req *req, const char *const *known);
enum tf_err req_no_fields(struct tf_req *req); /* a body that must be empty ({} or none) */
enum tf_err req_field_error(struct tf_req *req, enum tf_err e, const char *field);

/* Whether the request's If-None-Match names etag (a quoted entity tag; weak comparison, as
 * RFC 9110 13.1.2 asks of If-None-Match, and "*" matches): the client's copy is current. */
bool req_etag_matches(const struct tf_req *req, const char *etag);

/* Output helpers */
void resp_json(struct tf_req *req, int status, json_t *body); /* steals body */
void resp_header(struct tf_req *req, const char *name, const char *value);
/* Drops the extra headers set so far (their values wiped). */
void resp_headers_clear(struct tf_req *req);
/* Retry-After: the whole seconds from now until `until` (epoch ms), at least 1 */
void req_retry_after(struct tf_req *req, int64_t until);
void resp_set_time(json_t *obj, const char *key, int64_t ms);

/* The domain's context of this request (sca/context.h): its service, connection, application
 * (a row of zeros when none), time, address and request id; the actor is the session's user
 * ("user:..."), else the application ("app:..."), else "admin". It points into req: use it
 * while req lives, and make it again after a slow phase (req->db may change). */
void req_sca_ctx(const struct tf_req *req, struct sca_ctx *out);
/* The same, as a value: struct sca_ctx ctx = req_sca(req); */
struct sca_ctx req_sca(const struct tf_req *req);

/* Audit shorthand with the request's address and id. */
enum tf_err req_audit(struct tf_req *req, const char *event, const char *actor, const char *subject,
		      const char *details);

/* The same, written off the request path on the slow pool, in a transaction of its own: for
 * refusals whose own transaction is rolled back, and for paths that must not write. */
void req_audit_detached(struct tf_req *req, const char *event, const char *actor, const char *subject,
			const char *details);

/* The dispatcher: authentication, JSON parsing and limits, idempotency, the handler, the
 * error body. dispatch_prepare() runs on the HTTP thread and returns true when it already
 * answered; dispatch_run() runs the handler there or, when dispatch_needs_slow_pool(), on
 * the slow pool. dispatch_run() returns false, without an answer, when the handler asked for
 * slow work (the caller then runs dispatch_slow() on the slow pool); without a slow pool it
 * does that work itself. dispatch_slow() returns true when the request is answered, false
 * when dispatch_run() must be called again on an HTTP thread. */
bool dispatch_prepare(struct tf_req *req);
bool dispatch_needs_slow_pool(struct tf_req *req);
/* A request whose slow_fn waits for the hash pool gives its database connection back meanwhile
 * (queued logins must not hold the node's connections, with PostgreSQL's pool of db_pool_size),
 * and takes one again before its handler continues: dispatch_unpark() returns false when it
 * could not, with the request answered (503). */
void dispatch_park(struct tf_req *req);
bool dispatch_unpark(struct tf_req *req);
bool dispatch_run(struct tf_req *req);
bool dispatch_slow(struct tf_req *req);
/* After dispatch_run() answered a request with commit_wait set: true when that answer waits for
 * the COMMIT of the request's writes, and done(req, result) is then called once, on another
 * thread; either way dispatch_finish() follows before the answer is sent. */
bool dispatch_commit_wait(struct tf_req *req, void (*done)(void *req, enum tf_err e));
/* Ends a request answered by dispatch_run() with commit_wait set, once its writes are durable:
 * an answer whose COMMIT failed becomes 503 STORE_UNAVAILABLE; the connection goes back. */
void dispatch_finish(struct tf_req *req);
/* Answers a prepared request with an error without running its handler or its slow work (the
 * slow pool full, or its client gone before its turn): its idempotency-ref is released and the
 * attempts it counted (req_attempt_counted) are given back. */
void dispatch_abandon(struct tf_req *req, enum tf_err e);
/* Errors found before dispatch (no route, body too large). */
void dispatch_error(struct tf_req *req, enum tf_err e);

/* Makes jansson wipe every block it frees; call once at start, before any JSON is made. */
void json_use_wiping_allocator(void);

/* JSON limits (SPEC section 11): nesting depth before parsing, string length after. */
bool json_text_depth_ok(const char *text, size_t len, int max_depth);
bool json_strings_ok(const json_t *v, size_t max_len);
/* json_strings_ok for a request body, but for its top-level members that self_bounded
 * (NULL-terminated) names: their readers bound those strings themselves. Keys are always bounded. */
bool json_body_strings_ok(const json_t *body, size_t max_len, const char *const *self_bounded);
/* The first key of the object o that known (NULL-terminated) does not list, or NULL when there
 * is none (or o is no object). */
const char *json_unknown_key(const json_t *o, const char *const *known);
/* An answer's compact text, malloc'd: json_fast_dump's, or jansson's for what that leaves. */
char *json_answer_text(const json_t *v);

/* Form helpers: the value of name, or NULL; form_add appends (or extends, for a value that
 * arrives in pieces, when off > 0). */
const char *form_get(const struct tf_form *f, const char *name);
void form_add(struct tf_form *f, const char *name, const char *data, size_t off, size_t size);
void form_free(struct tf_form *f);

/* With req->session loaded: INVALID_TOKEN unless it is alive; sets req->stepped_up (a lapsed
 * step-up is cleared for good) and records the activity (idle timeout). */
enum tf_err req_session_use(struct tf_req *req);

/* Gives the request the application with that id or client id (sca/apps.h: a row of its own,
 * given back with the request); on an error the request keeps what it had. req_drop_app()
 * forgets it (an error page that must not name it). */
enum tf_err req_load_app_by_id(struct tf_req *req, const char *app_id);
enum tf_err req_load_app_by_client_id(struct tf_req *req, const char *client_id);
void req_drop_app(struct tf_req *req);

/* The application of a request that authenticated none: every field zero. */
extern const struct app_row http_no_app;

void req_free(struct tf_req *req);

#endif
