/* audit.c: appending events to the audit chains, walking them, signing their heads and
 * moving the format 1 chain's rows into them (rules in core/audit_chain.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "platform/log.h"
#include "service/outbox_row.h"
#include "service/security_events.h"
#include "service/service.h"

#define CHAIN_PAGE 100 /* chains per listing */

/* ---- appending ---- */

/* One event waiting for its transaction's end: its row (strings owned) and its SET, if any. */
struct pending_event {
	struct audit_event_row row;
	struct outbox_row set;
	char *set_text; /* NULL: no SET */
};

/* A transaction's events, in the order they happened (the before_commit hook's argument). */
struct pending_events {
	struct tf_service *svc;
	struct pending_event *ev;
	size_t n, cap;
};

static void pending_event_clear(struct pending_event *p)
{
	free((char *)p->row.type);
	free((char *)p->row.actor);
	free((char *)p->row.subject);
	free((char *)p->row.ip);
	free((char *)p->row.request_id);
	free((char *)p->row.details);
	free(p->set_text);
}

/* Writes the events of evs that are on chain, in their order, after the chain's newest (on
 * PostgreSQL its head row is locked from the first append to the end of the transaction, all
 * of it inside the server when at the transaction's end: store.h, audit_append), then their
 * SETs, whose order within their keys that lock keeps. */
static enum tf_err write_chain(struct tf_service *svc, struct store_conn *c, struct pending_event *evs, size_t n,
			       const char *chain)
{
	struct audit_event_row *rows = calloc(n, sizeof *rows);
	if (!rows)
		return TF_ERR_INTERNAL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(evs[i].row.chain, chain) == 0)
			rows[k++] = evs[i].row;
	enum tf_err e = STORE(c)->audit_append(c, rows, k);
	free(rows);
	for (size_t i = 0; i < n && e == TF_OK; i++)
		if (evs[i].set_text && strcmp(evs[i].row.chain, chain) == 0)
			e = outbox_row_put(svc, c, &evs[i].set, evs[i].set_text);
	return e;
}

/* Writes evs: the application's chain first, then the deployment's (the order the PostgreSQL
 * driver takes chains in, so that two transactions never wait for each other's). */
static enum tf_err write_events(struct tf_service *svc, struct store_conn *c, struct pending_event *evs, size_t n)
{
	const char *app_chain = NULL;
	for (size_t i = 0; i < n && !app_chain; i++)
		if (strcmp(evs[i].row.chain, AUDIT_DEPLOYMENT_CHAIN) != 0)
			app_chain = evs[i].row.chain;
	enum tf_err e = app_chain ? write_chain(svc, c, evs, n, app_chain) : TF_OK;
	return e == TF_OK ? write_chain(svc, c, evs, n, AUDIT_DEPLOYMENT_CHAIN) : e;
}

/* The before_commit hook. */
static enum tf_err pending_write(struct store_conn *c, void *arg)
{
	struct pending_events *pe = arg;
	return write_events(pe->svc, c, pe->ev, pe->n);
}

static void pending_drop(void *arg)
{
	struct pending_events *pe = arg;
	for (size_t i = 0; i < pe->n; i++)
		pending_event_clear(&pe->ev[i]);
	free(pe->ev);
	free(pe);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* Keeps p (moved, not copied) for the end of c's transaction. */
static enum tf_err defer(struct tf_service *svc, struct store_conn *c, const struct pending_event *p)
{
	struct pending_events *pe = c->before_commit.arg;
	if (!c->before_commit.run) {
		if (!(pe = calloc(1, sizeof *pe)))
			return TF_ERR_INTERNAL;
		pe->svc = svc;
		c->before_commit = (struct store_tx_hook){.run = pending_write, .drop = pending_drop, .arg = pe};
	}
	struct pending_event *ev = grow_for_one(pe->ev, pe->n, &pe->cap, sizeof *ev);
	if (!ev)
		return TF_ERR_INTERNAL;
	pe->ev = ev;
	pe->ev[pe->n++] = *p;
	return TF_OK;
}

/* Inside a transaction the event is written at its end, just before COMMIT (store_tx_end), so
 * that its chain's head row, which every writer of the application waits for on PostgreSQL, is
 * held for the commit only, not for the rest of the request's work. Its SET's facts are read
 * now, as the transaction stands where the event happened. */
enum tf_err audit_append(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev, int64_t now)
{
	struct pending_event p = {
		.row = {
			.at_ms = now,
			.type = dup_or_empty(ev->event),
			.actor = dup_or_empty(ev->actor),
			.subject = dup_or_empty(ev->subject),
			.ip = dup_or_empty(ev->ip),
			.request_id = dup_or_empty(ev->request_id),
			.details = strdup(ev->details ? ev->details : "{}"),
		},
	};
	snprintf(p.row.chain, sizeof p.row.chain, "%s", audit_chain_of(ev->app_id, ev->event));
	enum tf_err e = p.row.type && p.row.actor && p.row.subject && p.row.ip && p.row.request_id && p.row.details
				? security_event_prepare(svc, c, ev, now, &p.set, &p.set_text)
				: TF_ERR_INTERNAL;
	if (e == TF_OK && c->in_tx && (e = defer(svc, c, &p)) == TF_OK)
		return TF_OK;
	if (e == TF_OK) /* no transaction: written now */
		e = write_events(svc, c, &p, 1);
	pending_event_clear(&p);
	return e;
}

/* Calls fn with every chain's newest event (only those not yet under a signed head, when
 * unsigned_only), by chain name, until fn fails or sets *stop. */
typedef enum tf_err (*chain_fn)(void *arg, struct store_conn *c, struct audit_head_row *h, bool *stop);

static enum tf_err each_chain(struct store_conn *c, bool unsigned_only, chain_fn fn, void *arg)
{
	struct audit_head_row *page = calloc(CHAIN_PAGE, sizeof *page);
	if (!page)
		return TF_ERR_INTERNAL;
	char after[AUDIT_CHAIN_MAX] = "";
	size_t n = CHAIN_PAGE;
	bool stop = false;
	enum tf_err e = TF_OK;
	while (e == TF_OK && !stop && n == CHAIN_PAGE) {
		if ((e = STORE(c)->audit_chain_list(c, after, unsigned_only, page, CHAIN_PAGE, &n)) != TF_OK)
			break;
		for (size_t i = 0; i < n && e == TF_OK && !stop; i++)
			e = fn(arg, c, &page[i], &stop);
		if (n)
			snprintf(after, sizeof after, "%s", page[n - 1].chain);
	}
	free(page);
	return e;
}

/* ---- signed heads ---- */

void audit_head_sign(const struct tf_service *svc, struct audit_head_row *h, int64_t now)
{
	char message[AUDIT_HEAD_MESSAGE_MAX];
	h->signed_at = now;
	size_t len = audit_head_message(h->chain, h->seq, h->hash, now, message);
	crypto_sign_detached(h->signature, NULL, (const unsigned char *)message, len, svc->audit_sign_key);
}

bool audit_head_signature_ok(const uint8_t public_key[AUDIT_PUBLIC_KEY_BYTES], const struct audit_head_row *h)
{
	char message[AUDIT_HEAD_MESSAGE_MAX];
	size_t len = audit_head_message(h->chain, h->seq, h->hash, h->signed_at, message);
	return crypto_sign_verify_detached(h->signature, (const unsigned char *)message, len, public_key) == 0;
}

static void log_signed(const struct audit_head_row *h)
{
	char seq[24], hex[AUDIT_HASH_HEX];
	snprintf(seq, sizeof seq, "%lld", (long long)h->seq);
	sodium_bin2hex(hex, sizeof hex, h->hash, AUDIT_HASH_BYTES);
	log_info("audit chain head", "chain", h->chain, "seq", seq, "hash", hex, NULL);
}

/* Signs h (a chain's newest event) and keeps it; a head another node signed at the same seq
 * first stays, and *h becomes it. */
static enum tf_err sign_and_keep(struct tf_service *svc, struct store_conn *c, struct audit_head_row *h, int64_t now)
{
	audit_head_sign(svc, h, now);
	enum tf_err e = STORE(c)->audit_signed_put(c, h);
	if (e != TF_OK)
		return e;
	struct audit_head_row kept;
	size_t n = 0;
	if ((e = STORE(c)->audit_signed_list(c, h->chain, h->seq - 1, &kept, 1, &n)) != TF_OK)
		return e;
	if (n == 1 && kept.seq == h->seq)
		*h = kept;
	log_signed(h);
	return TF_OK;
}

enum tf_err audit_sign_chain(struct tf_service *svc, struct store_conn *c, const char *chain, int64_t now,
			     struct audit_head_row *out)
{
	enum tf_err e = STORE(c)->audit_newest(c, chain, out);
	if (e != TF_OK || out->seq == 0)
		return e == TF_OK ? TF_ERR_NOT_FOUND : e;
	struct audit_head_row last;
	size_t n = 0;
	if ((e = STORE(c)->audit_signed_list(c, chain, out->seq - 1, &last, 1, &n)) != TF_OK)
		return e;
	if (n == 1 && last.seq == out->seq) {
		*out = last; /* signed already */
		return TF_OK;
	}
	return sign_and_keep(svc, c, out, now);
}

struct signing {
	struct tf_service *svc;
	int64_t now;
	size_t n;
};

static enum tf_err sign_one(void *arg, struct store_conn *c, struct audit_head_row *h, bool *stop)
{
	(void)stop;
	struct signing *s = arg;
	enum tf_err e = sign_and_keep(s->svc, c, h, s->now);
	s->n += e == TF_OK;
	return e;
}

enum tf_err audit_sign_moved(struct tf_service *svc, int64_t now, size_t *n_signed)
{
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	struct signing s = {.svc = svc, .now = now};
	if (e == TF_OK) {
		e = each_chain(c, true, sign_one, &s);
		store_release(c);
	}
	*n_signed = s.n;
	return e;
}

/* ---- walking every chain ---- */

struct walk {
	const uint8_t *public_key;
	struct audit_event_row prev;
	bool have_prev;
	struct audit_head *heads;
	size_t n_heads;
	struct audit_walk *out;
	/* the chain's signed heads, in order, checked as the walk reaches their seq */
	struct audit_head_row *signed_heads;
	size_t n_signed, next_signed;
};

static bool fail(struct audit_walk *out, const char *chain, int64_t seq, const char *why)
{
	snprintf(out->broken_chain, sizeof out->broken_chain, "%s", chain);
	out->broken_seq = seq;
	out->why = why;
	return false;
}

static int visit(void *ctx, const struct audit_event_row *row)
{
	struct walk *w = ctx;
	const char *why = NULL;
	if (!audit_event_check(w->have_prev ? &w->prev : NULL, row, &why))
		return !fail(w->out, row->chain, row->seq, why);
	for (size_t i = 0; i < w->n_heads; i++)
		if (w->heads[i].seq == row->seq && (!w->heads[i].chain[0] || !strcmp(w->heads[i].chain, row->chain)) &&
		    !w->heads[i].match) {
			w->heads[i].seen = true;
			w->heads[i].match = sodium_memcmp(w->heads[i].hash, row->hash, AUDIT_HASH_BYTES) == 0;
		}
	for (; w->next_signed < w->n_signed && w->signed_heads[w->next_signed].seq == row->seq; w->next_signed++)
		if (sodium_memcmp(w->signed_heads[w->next_signed].hash, row->hash, AUDIT_HASH_BYTES) != 0)
			return !fail(w->out, row->chain, row->seq, "a signed head holds another hash at this seq (the chain was "
								   "rewritten from there)");
	if (!strcmp(row->type, "audit.chains_split") && strstr(row->details, "\"format1_intact\":false"))
		w->out->format1_broken_at = row->seq;
	w->prev = *row;
	w->have_prev = true;
	w->out->events++;
	return 0;
}

/* Reads every signed head of chain into w (checking each signature); false with w->out's
 * verdict set when one does not verify. */
static enum tf_err load_signed(struct store_conn *c, const char *chain, struct walk *w, bool *ok)
{
	*ok = true;
	size_t cap = 0;
	int64_t after = 0;
	for (;;) {
		if (w->n_signed + CHAIN_PAGE > cap) {
			cap = 2 * cap + CHAIN_PAGE;
			struct audit_head_row *grown = realloc(w->signed_heads, cap * sizeof *grown);
			if (!grown)
				return TF_ERR_INTERNAL;
			w->signed_heads = grown;
		}
		size_t n = 0;
		enum tf_err e = STORE(c)->audit_signed_list(c, chain, after, w->signed_heads + w->n_signed, CHAIN_PAGE, &n);
		if (e != TF_OK)
			return e;
		for (size_t i = 0; i < n && *ok; i++)
			if (!audit_head_signature_ok(w->public_key, &w->signed_heads[w->n_signed + i]))
				*ok = fail(w->out, chain, w->signed_heads[w->n_signed + i].seq,
					   "a signed head's signature does not verify under the deployment's audit key");
		w->n_signed += n;
		w->out->signed_heads += (int64_t)n;
		if (!*ok || n < CHAIN_PAGE)
			return TF_OK;
		after = w->signed_heads[w->n_signed - 1].seq;
	}
}

static enum tf_err walk_chain(struct store_conn *c, const char *chain, struct walk *w)
{
	w->have_prev = false;
	w->n_signed = w->next_signed = 0;
	int64_t before = w->out->events;
	bool ok;
	enum tf_err e = load_signed(c, chain, w, &ok);
	if (e != TF_OK || !ok)
		return e;
	if ((e = STORE(c)->audit_events(c, chain, 0, 0, visit, w)) != TF_OK || w->out->why)
		return e;
	if (w->next_signed < w->n_signed) {
		fail(w->out, chain, w->signed_heads[w->next_signed].seq,
		     "a signed head names an event that is gone: the chain's newest events were removed");
		w->out->kept = w->out->events - before;
	}
	return TF_OK;
}

static enum tf_err walk_one(void *arg, struct store_conn *c, struct audit_head_row *h, bool *stop)
{
	struct walk *w = arg;
	enum tf_err e = walk_chain(c, h->chain, w);
	w->out->chains++;
	*stop = w->out->why != NULL;
	return e;
}

enum tf_err audit_verify(struct tf_service *svc, struct audit_head *heads, size_t n_heads, struct audit_walk *out)
{
	memset(out, 0, sizeof *out);
	struct walk w = {.public_key = svc->audit_public_key, .heads = heads, .n_heads = n_heads, .out = out};
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	if (e != TF_OK)
		return e;
	e = each_chain(c, false, walk_one, &w);
	free(w.signed_heads);
	store_release(c);
	return e;
}

struct visiting {
	void (*fn)(void *arg, const struct audit_head_row *h);
	void *arg;
};

static enum tf_err visit_one(void *arg, struct store_conn *c, struct audit_head_row *h, bool *stop)
{
	(void)c;
	(void)stop;
	struct visiting *v = arg;
	v->fn(v->arg, h);
	return TF_OK;
}

enum tf_err audit_chains_each(struct tf_service *svc, void (*fn)(void *arg, const struct audit_head_row *h), void *arg)
{
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	struct visiting v = {fn, arg};
	if (e == TF_OK) {
		e = each_chain(c, false, visit_one, &v);
		store_release(c);
	}
	return e;
}

enum tf_err audit_head_read(struct tf_service *svc, const char *chain, struct audit_head_row *out)
{
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	if (e != TF_OK)
		return e;
	e = STORE(c)->audit_newest(c, chain, out);
	store_release(c);
	return e;
}

/* ---- moving the format 1 chain ---- */

/* each chain's newest event while the rows move, in one transaction */
struct chain_tip {
	char chain[AUDIT_CHAIN_MAX];
	int64_t seq;
	uint8_t hash[AUDIT_HASH_BYTES];
};

struct move {
	struct store_conn *c;
	const struct tf_hmac_key *key;
	struct audit_row prev; /* the format 1 row before, for its check */
	bool have_prev;
	int64_t rows, broken_seq;
	const char *why;
	struct chain_tip *tips;
	size_t n_tips, cap_tips;
	enum tf_err e;
};

static struct chain_tip *tip_of(struct move *m, const char *chain)
{
	for (size_t i = 0; i < m->n_tips; i++)
		if (!strcmp(m->tips[i].chain, chain))
			return &m->tips[i];
	if (m->n_tips == m->cap_tips) {
		size_t cap = 2 * m->cap_tips + 16;
		struct chain_tip *grown = realloc(m->tips, cap * sizeof *grown);
		if (!grown)
			return NULL;
		m->tips = grown;
		m->cap_tips = cap;
	}
	struct chain_tip *t = &m->tips[m->n_tips++];
	struct audit_head_row newest;
	if ((m->e = STORE(m->c)->audit_newest(m->c, chain, &newest)) != TF_OK)
		return NULL;
	snprintf(t->chain, sizeof t->chain, "%s", chain);
	t->seq = newest.seq;
	memcpy(t->hash, newest.hash, AUDIT_HASH_BYTES);
	return t;
}

static enum tf_err move_append(struct move *m, struct audit_event_row *row)
{
	struct chain_tip *t = tip_of(m, row->chain);
	if (!t)
		return m->e != TF_OK ? m->e : TF_ERR_INTERNAL;
	row->seq = t->seq + 1;
	memcpy(row->prev_hash, t->hash, AUDIT_HASH_BYTES);
	audit_event_hash(row);
	enum tf_err e = STORE(m->c)->audit_insert(m->c, row, 1);
	if (e == TF_OK) {
		t->seq = row->seq;
		memcpy(t->hash, row->hash, AUDIT_HASH_BYTES);
	}
	return e;
}

static int move_row(void *ctx, const struct audit_row *v1)
{
	struct move *m = ctx;
	const char *why = NULL;
	if (!m->why && !audit_v1_check(m->key, m->have_prev ? &m->prev : NULL, v1, &why)) {
		m->why = why;
		m->broken_seq = v1->seq;
	}
	m->prev.seq = v1->seq;
	memcpy(m->prev.hash, v1->hash, AUDIT_HASH_BYTES);
	m->have_prev = true;
	m->rows++;
	struct audit_event_row row = {.at_ms = v1->at_ms, .type = v1->event, .actor = v1->actor, .subject = v1->subject,
				      .ip = v1->ip, .request_id = v1->request_id, .details = v1->details};
	snprintf(row.chain, sizeof row.chain, "%s", audit_chain_of(v1->app_id, v1->event));
	m->e = move_append(m, &row);
	return m->e != TF_OK;
}

enum tf_err audit_move_v1(struct tf_service *svc, int64_t now, int64_t *moved)
{
	*moved = 0;
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	if (e != TF_OK)
		return e;
	struct move m = {.c = c, .key = svc->keys->audit_hmac};
	if ((e = store_tx_begin(c)) != TF_OK) {
		store_release(c);
		return e;
	}
	e = STORE(c)->audit_v1_scan(c, move_row, &m);
	if (e == TF_OK)
		e = m.e;
	if (e == TF_OK && m.rows > 0) {
		/* the verdict on the rows moved, as the deployment chain's record of the move */
		char details[512], head[AUDIT_HASH_HEX];
		sodium_bin2hex(head, sizeof head, m.prev.hash, AUDIT_HASH_BYTES);
		snprintf(details, sizeof details,
			 "{\"format1_rows\":%lld,\"format1_head_seq\":%lld,\"format1_head_hash\":\"%s\",\"format1_intact\":%s,"
			 "\"format1_broken_seq\":%lld}",
			 (long long)m.rows, (long long)m.prev.seq, head, m.why ? "false" : "true", (long long)m.broken_seq);
		struct audit_event_row row = {.at_ms = now, .type = "audit.chains_split", .actor = "operator:start",
					      .subject = "", .ip = "", .request_id = "", .details = details};
		snprintf(row.chain, sizeof row.chain, "%s", AUDIT_DEPLOYMENT_CHAIN);
		if ((e = move_append(&m, &row)) == TF_OK)
			e = STORE(c)->audit_v1_clear(c);
	}
	e = store_tx_end(c, e);
	store_release(c);
	free(m.tips);
	if (e != TF_OK) {
		log_error("cannot move the audit log's rows into the per-application chains", "error", tf_err_code(e), NULL);
		return e;
	}
	*moved = m.rows;
	if (m.rows > 0) {
		char rows[24], broken[24];
		snprintf(rows, sizeof rows, "%lld", (long long)m.rows);
		snprintf(broken, sizeof broken, "%lld", (long long)m.broken_seq);
		if (m.why)
			log_error("the audit log before the per-application chains was BROKEN; its rows were moved as they are, "
				  "and the deployment chain's event audit.chains_split records where it broke",
				  "rows", rows, "broken_seq", broken, "why", m.why, NULL);
		else
			log_info("moved the audit log's rows, checked intact, into the per-application chains", "rows", rows,
				 NULL);
	}
	return TF_OK;
}
