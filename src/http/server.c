/*
 * server.c: the adapter between libmicrohttpd and twofold's requests. It is the only file
 * that includes microhttpd.h.
 *
 * Model: one libmicrohttpd daemon per HTTP thread (one per core by default), each in
 * "external" epoll mode with its own epoll set, all accepting from one listening socket;
 * keep-alive connections cost no thread. Each thread runs its daemon's turns (MHD_run_wait:
 * the connections that are ready, then back) and, between turns, commits the writes that the
 * requests it answered left to commit (store_flush): requests that arrived together share one
 * COMMIT, and none waits longer than its thread's turn for it. A request's body
 * arrives in pieces through repeated calls of on_request(); the last call (no data) is
 * where the request is dispatched and answered. Slow routes (Argon2id) are suspended with
 * MHD_suspend_connection(), run on the slow pool, and resumed when their answer is ready,
 * so the HTTP threads never wait on them. libmicrohttpd does not watch a suspended
 * connection's socket, so the slow pool looks at it before each job: a request whose client
 * has left is not carried out (CLIENT_CLOSED_REQUEST, counted as status 499 as in nginx).
 *
 * libmicrohttpd's connection timeout is an idle one: a client that trickles its request a byte
 * now and then is never dropped by it. receive_watch.c closes a connection whose request has not
 * arrived within request_receive_timeout; the callbacks here tell it where each connection is
 * (accepted, request line, request received, answer sent) at the cost of an atomic operation.
 *
 *   NEW --(first call: route, headers)--> READING --(body pieces)--> READING
 *   READING --(last call, fast route)--> dispatch_prepare(), dispatch_run() --> answered
 *   READING --(last call, slow route)--> SUSPENDED --(slow pool: dispatch, resume)--> DONE
 *   READING --(handler asks for slow work)--> SUSPENDED --(slow pool: the work)--> CONTINUE
 *   CONTINUE --(next call: the handler again, on this thread)--> answered, or SUSPENDED
 *   DONE --(next call)--> answered
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"
#include "http/http_headers.h"
#include "http/receive_watch.h"
#include "http/slow_pool.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/metrics.h"

enum { REQ_READING, REQ_SUSPENDED, REQ_CONTINUE, REQ_DONE, REQ_COMMITTING };

#define LOOPS_MAX 256 /* the threads setting's maximum */
/* how long a thread waits for network events before it looks whether the server stops */
#define LOOP_WAIT_MS 50

struct http_loop {
	struct http_server *srv;
	struct MHD_Daemon *daemon;
	pthread_t thread;
	bool running;
};

struct http_server {
	struct http_loop loops[LOOPS_MAX];
	unsigned n_loops;
	atomic_bool loops_stop;
	struct tf_service *svc;
	struct receive_watch *watch; /* NULL: request_receive_timeout is 0 */
	/* connections suspended until their writes are committed; none may be left suspended
	 * when the daemon stops, so once stopping is set answers wait for their commit instead */
	atomic_int committing;
	atomic_bool stopping;
};

/* commit_flags: the connection is suspended, its writes are committed. Whoever sets the
 * second of the two resumes it. */
enum { COMMIT_SUSPENDED = 1, COMMIT_DONE = 2 };

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static char *dup_header(struct MHD_Connection *conn, const char *name)
{
	const char *v = header(conn, name);
	return v ? strdup(v) : NULL;
}

static void client_address(struct tf_service *svc, struct MHD_Connection *conn, char *out, size_t size)
{
	out[0] = '\0';
	if (svc->cfg.trust_forwarded_for && header_forwarded_for(header(conn, "X-Forwarded-For"), out, size))
		return;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)size);
}

/* Request ids are unique, not secret: a random prefix per process and a counter, so that no
 * request pays a getrandom(2) for its id. */
static _Atomic uint64_t request_counter;
static char request_prefix[13];
static pthread_once_t request_prefix_once = PTHREAD_ONCE_INIT;

static void request_prefix_init(void)
{
	uint8_t raw[6];
	crypto_random_bytes(raw, sizeof raw);
	sodium_bin2hex(request_prefix, sizeof request_prefix, raw, sizeof raw);
}

static void request_id_next(char out[40])
{
	pthread_once(&request_prefix_once, request_prefix_init);
	uint64_t n = atomic_fetch_add_explicit(&request_counter, 1, memory_order_relaxed);
	snprintf(out, 40, "req_%s%012llx", request_prefix, (unsigned long long)n);
}

/* libmicrohttpd has decoded the query string (%XX and '+'); a name without '=' has no value. */
static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	form_add(cls, key, value ? value : "", 0, value ? strlen(value) : 0);
	return MHD_YES;
}

static enum MHD_Result on_form_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				     const char *content_type, const char *transfer_encoding, const char *data,
				     uint64_t off, size_t size)
{
	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	form_add(cls, key, data ? data : "", (size_t)off, data ? size : 0);
	return MHD_YES;
}

/* A page's urlencoded form body, decoded by libmicrohttpd's post processor. */
static void parse_form_body(struct MHD_Connection *conn, struct tf_req *req)
{
	const char *ct = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!req->body_len || !ct || strncasecmp(ct, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
						 strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) != 0)
		return;
	struct MHD_PostProcessor *pp = MHD_create_post_processor(conn, 1024, on_form_field, &req->form);
	if (!pp) {
		req->form.overflow = true;
		return;
	}
	if (MHD_post_process(pp, req->body, req->body_len) != MHD_YES)
		req->form.overflow = true;
	MHD_destroy_post_processor(pp);
}

/* The connection's record in the receive watch, or NULL when it is not watched. */
static struct receive_conn *watched(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static struct tf_req *req_new(struct tf_service *svc, struct MHD_Connection *conn, const char *url, const char *method)
{
	struct tf_req *req = calloc(1, sizeof *req);
	if (!req)
		return NULL;
	req->svc = svc;
	req->app = &http_no_app;
	req->conn = conn;
	req->socket_fd = -1;
	req->receive = watched(conn);
	req->start_ns = clock_monotonic_ns();
	snprintf(req->method, sizeof req->method, "%s", method);
	if (strlen(url) >= sizeof req->path)
		req->path_too_long = true;
	snprintf(req->path, sizeof req->path, "%s", url);
	request_id_next(req->request_id);
	client_address(svc, conn, req->client_ip, sizeof req->client_ip);
	req->api_key = dup_header(conn, "api-key");
	req->authorization = dup_header(conn, "Authorization");
	req->idempotency_ref = dup_header(conn, "idempotency-ref");
	routes_wepay_request(req->method, req->path);
	bool method_mismatch = false;
	req->route_index = req->path_too_long ? -1 : routes_match(req->method, req->path, req->params, &method_mismatch);
	req->route = req->route_index >= 0 ? &routes[req->route_index] : NULL;
	if (!req->route)
		req->err = method_mismatch ? TF_ERR_METHOD_NOT_ALLOWED : TF_ERR_ROUTE_NOT_FOUND;
	if (req->route && (req->route->flags & ROUTE_PAGE)) {
		req->cookie = dup_header(conn, "Cookie");
		req->accept_language = dup_header(conn, "Accept-Language");
	}
	if (req->route && (req->route->flags & ROUTE_PAGE) && !strcmp(req->route->method, "GET"))
		req->if_none_match = dup_header(conn, "If-None-Match");
	/* only pages and GETs read a query string: the JSON POSTs (validation among them) skip it */
	if (req->route && ((req->route->flags & ROUTE_PAGE) || !strcmp(req->route->method, "GET")))
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &req->query);
	return req;
}

/* Counts the answer in the metrics and logs it (errors, or every answer with access_log): once. */
static void record_answer(struct tf_req *req)
{
	if (req->recorded)
		return;
	req->recorded = true;
	int status = req->status ? req->status : 500;
	int64_t dur = clock_monotonic_ns() - req->start_ns;
	metrics_record(req->svc->metrics, req->route_index, status, dur);
	if (status < 500 && !req->svc->cfg.access_log)
		return;
	char st[8], ms[32];
	snprintf(st, sizeof st, "%d", status);
	snprintf(ms, sizeof ms, "%.3f", (double)dur / 1e6);
	log_line(status >= 500 ? LOG_ERROR : LOG_INFO, "request", "request_id", req->request_id,
		 "method", req->method, "route", req->route ? req->route->metric_name : "unmatched",
		 "status", st, "duration_ms", ms, "client", req->client_ip,
		 "error", req->err != TF_OK ? tf_err_code(req->err) : NULL, NULL);
}

static enum MHD_Result send_answer(struct MHD_Connection *conn, struct tf_req *req)
{
	if (!req->resp_text) {
		if (!req->resp)
			dispatch_error(req, TF_ERR_INTERNAL);
		req->resp_text = json_answer_text(req->resp);
		if (!req->resp_text)
			req->resp_text = strdup("{}");
	}
	size_t len = req->resp_len ? req->resp_len : strlen(req->resp_text);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, req->resp_text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (len) /* an answer without a body (204, Weavr's bodiless errors) claims no type */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type ? req->content_type : "application/json");
	MHD_add_response_header(r, "X-Request-Id", req->request_id);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, req->cache_control ? req->cache_control : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (strncmp(req->path, "/multi/", 7) == 0) /* the Weavr face: a request-ref on every answer */
		MHD_add_response_header(r, "request-ref", req->request_id);
	for (int i = 0; i < req->n_headers; i++)
		MHD_add_response_header(r, req->headers[i].name, req->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)(req->status ? req->status : 500), r);
	MHD_destroy_response(r);
	record_answer(req);
	return ret;
}

/* Whether the client of a suspended request has closed the connection or reset it. Bytes
 * waiting (a pipelined request) or none yet mean it is still there. A client that has only
 * shut down its sending side counts as gone, as in nginx: HTTP/1.1 clients do not do that
 * while they wait for an answer. */
static bool client_gone(int fd)
{
	char c;
	if (fd < 0)
		return false;
	for (;;) {
		ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n >= 0)
			return n == 0;
		if (errno != EINTR)
			return errno != EAGAIN && errno != EWOULDBLOCK;
	}
}

/* Called by the thread that committed a suspended request's writes (store when_durable). */
static void committed(void *arg, enum tf_err e)
{
	(void)e; /* dispatch_finish learns it again */
	struct tf_req *req = arg;
	struct http_server *srv = req->adapter;
	if (atomic_fetch_or(&req->commit_flags, COMMIT_DONE) & COMMIT_SUSPENDED) {
		MHD_resume_connection(req->conn);
		atomic_fetch_sub(&srv->committing, 1); /* the last touch of srv: it may stop now */
	}
}

/* Answers a request that dispatch_run() answered on this thread: at once when its writes are
 * durable, else the connection is suspended until they are (REQ_COMMITTING) and this thread
 * goes on with others. */
static enum MHD_Result answer_when_durable(struct MHD_Connection *conn, struct tf_req *req)
{
	struct http_server *srv = req->adapter;
	req->state = REQ_DONE;
	if (req->commit_wait) {
		atomic_fetch_add(&srv->committing, 1);
		if (!atomic_load(&srv->stopping) && dispatch_commit_wait(req, committed)) {
			req->state = REQ_COMMITTING;
			MHD_suspend_connection(conn);
			if (atomic_fetch_or(&req->commit_flags, COMMIT_SUSPENDED) & COMMIT_DONE) {
				MHD_resume_connection(conn);
				atomic_fetch_sub(&srv->committing, 1);
			}
			return MHD_YES;
		}
		atomic_fetch_sub(&srv->committing, 1);
		req->commit_wait = false;
		dispatch_finish(req);
	}
	return send_answer(conn, req);
}

/* On the slow pool: the whole handler (a slow route), or the slow work a handler asked for,
 * after which the request goes back to an HTTP thread (REQ_CONTINUE). A request whose client
 * left while it waited is not carried out: after a flood of logins, the clients that gave up
 * cost no Argon2id. */
static void slow_job(void *arg)
{
	struct tf_req *req = arg;
	req->commit_wait = false; /* a pool's thread may wait for a commit */
	if (client_gone(req->socket_fd)) {
		dispatch_abandon(req, TF_ERR_CLIENT_CLOSED); /* releases an idempotency reservation */
		record_answer(req); /* libmicrohttpd may close the connection without asking for it */
		req->state = REQ_DONE;
	} else if (req->state == REQ_SUSPENDED && !req->slow_fn && !req->rerun_slow) {
		req->slow_ok = true;
		(void)dispatch_run(req);
		req->state = REQ_DONE;
	} else {
		req->state = dispatch_slow(req) ? REQ_DONE : REQ_CONTINUE;
	}
	MHD_resume_connection(req->conn);
}

/* 413 in the shape of the route, or of the vendor face, the path belongs to. */
static void answer_too_large(struct tf_req *req)
{
	error_renderer render = req->route ? req->route->render_error : routes_error_renderer(req->path);
	req->err = TF_ERR_BODY_TOO_LARGE;
	if (render)
		render(req, TF_ERR_BODY_TOO_LARGE);
	else
		dispatch_error(req, TF_ERR_BODY_TOO_LARGE);
}

/* Suspends the connection and queues req on the slow pool; answers 503 when it is full. */
static enum MHD_Result to_slow_pool(struct tf_service *svc, struct MHD_Connection *conn, struct tf_req *req)
{
	req->state = REQ_SUSPENDED;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	req->socket_fd = ci ? ci->connect_fd : -1;
	MHD_suspend_connection(conn);
	/* a hash alone (the handler's slow_fn) holds nothing: it runs at SCHED_IDLE */
	struct slow_pool *pool = req->slow_fn && svc->hash_pool ? svc->hash_pool : svc->slow_pool;
	if (pool == svc->hash_pool)
		dispatch_park(req);
	if (!slow_pool_submit(pool, slow_job, req)) {
		dispatch_abandon(req, TF_ERR_OVERLOADED); /* with Retry-After */
		req->state = REQ_DONE;
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct tf_service *svc = srv->svc;
	struct tf_req *req = *con_cls;
	(void)version;
	if (!req) {
		req = req_new(svc, conn, url, method);
		if (!req)
			return MHD_NO;
		req->adapter = srv;
		*con_cls = req;
		const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > TF_BODY_MAX) {
			/* answer at once; the library closes the connection without reading the body */
			if (!receive_conn_received(req->receive))
				return MHD_NO;
			req->body_too_large = true;
			answer_too_large(req);
			return send_answer(conn, req);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->body_too_large)
			return MHD_YES;
		if (req->body_len + n > TF_BODY_MAX) {
			req->body_too_large = true;
			free(req->body);
			req->body = NULL;
			req->body_len = 0;
			return MHD_YES;
		}
		char *b = realloc(req->body, req->body_len + n + 1);
		if (!b)
			return MHD_NO;
		memcpy(b + req->body_len, upload_data, n);
		req->body = b;
		req->body_len += n;
		req->body[req->body_len] = '\0';
		return MHD_YES;
	}
	if (req->state == REQ_DONE)
		return send_answer(conn, req);
	if (req->state == REQ_SUSPENDED)
		return MHD_YES;
	if (req->state == REQ_COMMITTING) { /* resumed: its writes are durable, or failed */
		req->state = REQ_DONE;
		dispatch_finish(req);
		return send_answer(conn, req);
	}
	if (req->state == REQ_CONTINUE) {
		if (!dispatch_unpark(req)) {
			req->state = REQ_DONE;
			return send_answer(conn, req);
		}
		req->commit_wait = true;
		if (!dispatch_run(req))
			return to_slow_pool(svc, conn, req);
		return answer_when_durable(conn, req); /* a later call only sends the answer again */
	}
	/* the request has arrived whole: from here on the time is the server's own */
	if (!receive_conn_received(req->receive))
		return MHD_NO; /* past request_receive_timeout: the watch is closing the connection */
	if (!req->route) {
		error_renderer render = routes_error_renderer(req->path);
		if (render)
			render(req, req->err);
		else
			dispatch_error(req, req->err);
		if (req->err == TF_ERR_METHOD_NOT_ALLOWED) {
			char allow[64];
			routes_allowed_methods(req->path, allow, sizeof allow);
			resp_header(req, "Allow", allow);
		}
		return send_answer(conn, req);
	}
	if (req->body_too_large) {
		answer_too_large(req);
		return send_answer(conn, req);
	}
	if (req->route->flags & ROUTE_PAGE)
		parse_form_body(conn, req);
	req->commit_wait = true;
	if (dispatch_prepare(req))
		return send_answer(conn, req);
	if (svc->slow_pool && dispatch_needs_slow_pool(req))
		return to_slow_pool(svc, conn, req);
	if (!dispatch_run(req))
		return to_slow_pool(svc, conn, req);
	return answer_when_durable(conn, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct tf_req *req = *con_cls;
	if (req && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		receive_conn_answered(req->receive); /* idle until its next request line */
	req_free(req);
	*con_cls = NULL;
}

/* Connections opening and closing: their records in the receive watch (cls, may be NULL). The
 * library closes the socket only after MHD_CONNECTION_NOTIFY_CLOSED. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct receive_watch *watch = cls;
	if (!watch)
		return;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *peer = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_context = fd ? receive_watch_add(watch, fd->connect_fd, peer ? peer->client_addr : NULL) : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		receive_watch_remove(watch, *socket_context);
		*socket_context = NULL;
	}
}

/* Called when a request's line has arrived, before its headers; its return value is the
 * request's first *con_cls (NULL: on_request makes the request). */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)uri;
	if (cls)
		receive_conn_request_line(watched(conn));
	return NULL;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http library", "detail", msg, NULL);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return -1;
	size_t hlen = (size_t)(colon - listen);
	if (listen[0] == '[' && hlen >= 2 && listen[hlen - 1] == ']') {
		listen++;
		hlen -= 2;
	}
	if (hlen >= sizeof host)
		return -1;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	struct addrinfo hints = {.ai_flags = AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The listening socket every daemon accepts from (libmicrohttpd takes one it did not make). */
static int listen_socket(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (ss->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, 1024) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* An HTTP thread: its daemon's turns, and after each the writes its requests left to commit. */
static void *http_loop_run(void *arg)
{
	struct http_loop *loop = arg;
	struct http_server *srv = loop->srv;
	while (!atomic_load_explicit(&srv->loops_stop, memory_order_acquire)) {
		(void)MHD_run_wait(loop->daemon, LOOP_WAIT_MS);
		store_flush(srv->svc->store);
	}
	store_flush(srv->svc->store);
	return NULL;
}

static void loops_stop(struct http_server *srv)
{
	atomic_store_explicit(&srv->loops_stop, true, memory_order_release);
	for (unsigned i = 0; i < srv->n_loops; i++)
		if (srv->loops[i].running)
			pthread_join(srv->loops[i].thread, NULL);
	for (unsigned i = 0; i < srv->n_loops; i++)
		if (srv->loops[i].daemon)
			MHD_stop_daemon(srv->loops[i].daemon); /* closes its copy of the listening socket */
}

enum tf_err http_server_start(struct tf_service *svc, struct http_server **out)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_listen(svc->cfg.listen, &ss, &sslen) != 0) {
		log_error("listen must be HOST:PORT", "listen", svc->cfg.listen, NULL);
		return TF_ERR_INVALID_REQUEST;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = svc->cfg.threads ? (unsigned)svc->cfg.threads : (unsigned)(cores > 0 ? cores : 1);
	if (threads > LOOPS_MAX)
		threads = LOOPS_MAX;
	struct http_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return TF_ERR_INTERNAL;
	srv->svc = svc;
	if (svc->cfg.request_receive_timeout > 0) {
		srv->watch = receive_watch_new(svc->cfg.request_receive_timeout, svc->cfg.connection_timeout, svc->metrics);
		if (!srv->watch || !receive_watch_start(srv->watch)) {
			log_error("cannot start the request receive watch", NULL);
			receive_watch_free(srv->watch);
			free(srv);
			return TF_ERR_INTERNAL;
		}
	}
	int listen_fd = listen_socket(&ss, sslen);
	if (listen_fd < 0) {
		log_error("cannot listen", "listen", svc->cfg.listen, "error", strerror(errno), NULL);
		receive_watch_free(srv->watch);
		free(srv);
		return TF_ERR_INTERNAL;
	}
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the connections are shared out as libmicrohttpd's own thread pool does */
	unsigned limit = (unsigned)svc->cfg.max_connections / threads;
	bool ok = true;
	for (unsigned i = 0; i < threads && ok; i++) {
		int fd = i + 1 < threads ? fcntl(listen_fd, F_DUPFD_CLOEXEC, 0) : listen_fd; /* each daemon closes its own */
		if (fd < 0) {
			ok = false;
			break;
		}
		unsigned mine = limit + (i == 0 ? (unsigned)svc->cfg.max_connections % threads : 0);
		/* libmicrohttpd 0.9.75 zeroes a connection's whole memory pool before each request of
		 * a keep-alive connection: a 64 KiB pool costs more than the rest of a cookie
		 * validation. 16 KiB still holds 8 KiB of request headers (bodies pass through it in
		 * pieces). */
		struct http_loop *loop = &srv->loops[srv->n_loops];
		loop->srv = srv;
		loop->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
						MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
						MHD_OPTION_LISTEN_SOCKET, fd,
						MHD_OPTION_CONNECTION_LIMIT, mine > 0 ? mine : 1u,
						MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)svc->cfg.connection_timeout,
						MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
						MHD_OPTION_NOTIFY_COMPLETED, on_completed, svc,
						MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv->watch,
						MHD_OPTION_URI_LOG_CALLBACK, on_request_line, srv->watch,
						MHD_OPTION_END);
		if (!loop->daemon) {
			close(fd);
			ok = false;
			break;
		}
		srv->n_loops++;
	}
	for (unsigned i = 0; i < srv->n_loops && ok; i++) {
		struct http_loop *loop = &srv->loops[i];
		loop->running = pthread_create(&loop->thread, NULL, http_loop_run, loop) == 0;
		ok = loop->running;
	}
	if (!ok) {
		log_error("cannot start the HTTP threads", "listen", svc->cfg.listen, NULL);
		if (srv->n_loops < threads) /* the last daemon, which takes listen_fd itself, was not made */
			close(listen_fd);
		loops_stop(srv);
		receive_watch_free(srv->watch);
		free(srv);
		return TF_ERR_INTERNAL;
	}
	*out = srv;
	return TF_OK;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* Slow jobs in flight finish and resume their connections before the daemons stop; later
	 * slow requests are refused (503 OVERLOADED). MHD_quiesce_daemon is not used: with several
	 * threads on one listening socket, libmicrohttpd 0.9.75 can abort in it ("Failed to remove
	 * listen FD from epoll set"). The pools are freed by the caller, after the daemons have
	 * stopped. */
	slow_pool_shutdown(srv->svc->slow_pool);
	slow_pool_shutdown(srv->svc->hash_pool);
	/* answers waiting for their commit are resumed by whoever commits it (each HTTP thread
	 * commits between its turns until it stops); later ones wait for theirs on their thread */
	atomic_store(&srv->stopping, true);
	while (atomic_load(&srv->committing) > 0) {
		struct timespec step = {.tv_nsec = 100 * 1000};
		nanosleep(&step, NULL);
	}
	loops_stop(srv);
	receive_watch_free(srv->watch); /* every connection, and so every record, is gone */
	free(srv);
}
