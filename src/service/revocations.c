/* revocations.c: see revocations.h. An open-addressing hash set of device ids under a
 * read-write lock; readers (cookie validation) never block each other. */
#include "service/revocations.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/clock.h"
#include "platform/log.h"
#include "platform/periodic.h"

struct slot {
	char id[TF_ID_MAX]; /* "" when empty */
	int64_t expires_at;
};

struct revocations {
	struct tf_service *svc;
	pthread_rwlock_t lock;
	struct slot *slots;
	size_t cap, len;
	int64_t newest_seen; /* largest revoked_at read from the database */
	struct periodic *refresher;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a: ids are random, so spread is not a concern */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

/* Inserts without locking or growing; the table always has free slots. */
static void put(struct slot *slots, size_t cap, size_t *len, const char *id, int64_t expires_at)
{
	size_t i = hash(id) & (cap - 1);
	while (slots[i].id[0]) {
		if (strcmp(slots[i].id, id) == 0) {
			if (expires_at > slots[i].expires_at)
				slots[i].expires_at = expires_at;
			return;
		}
		i = (i + 1) & (cap - 1);
	}
	snprintf(slots[i].id, sizeof slots[i].id, "%s", id);
	slots[i].expires_at = expires_at;
	(*len)++;
}

/* Rebuilds the table at a size for its live entries, dropping expired ones. Lock held. */
static bool rebuild(struct revocations *r, size_t want_cap, int64_t now)
{
	struct slot *slots = calloc(want_cap, sizeof *slots);
	if (!slots)
		return false;
	size_t len = 0;
	for (size_t i = 0; i < r->cap; i++)
		if (r->slots[i].id[0] && r->slots[i].expires_at > now)
			put(slots, want_cap, &len, r->slots[i].id, r->slots[i].expires_at);
	free(r->slots);
	r->slots = slots;
	r->cap = want_cap;
	r->len = len;
	return true;
}

static void add_locked(struct revocations *r, const char *device_id, int64_t expires_at)
{
	if ((r->len + 1) * 2 > r->cap && !rebuild(r, r->cap * 2, clock_now_ms()))
		return;
	put(r->slots, r->cap, &r->len, device_id, expires_at);
}

void revocations_add(struct revocations *r, const char *device_id, int64_t expires_at)
{
	pthread_rwlock_wrlock(&r->lock);
	add_locked(r, device_id, expires_at);
	pthread_rwlock_unlock(&r->lock);
}

bool revocations_contains(struct revocations *r, const char *device_id)
{
	bool found = false;
	pthread_rwlock_rdlock(&r->lock);
	size_t i = hash(device_id) & (r->cap - 1);
	while (r->slots[i].id[0]) {
		if (strcmp(r->slots[i].id, device_id) == 0) {
			found = true;
			break;
		}
		i = (i + 1) & (r->cap - 1);
	}
	pthread_rwlock_unlock(&r->lock);
	return found;
}

size_t revocations_count(struct revocations *r)
{
	pthread_rwlock_rdlock(&r->lock);
	size_t n = r->len;
	pthread_rwlock_unlock(&r->lock);
	return n;
}

static void visit(void *ctx, const char *device_id, int64_t revoked_at, int64_t expires_at)
{
	struct revocations *r = ctx;
	add_locked(r, device_id, expires_at);
	if (revoked_at > r->newest_seen)
		r->newest_seen = revoked_at;
}

static enum tf_err refresh(struct revocations *r, int64_t since)
{
	struct store_conn *c;
	enum tf_err e = store_acquire(r->svc->store, &c);
	if (e != TF_OK)
		return e;
	int64_t now = clock_now_ms();
	pthread_rwlock_wrlock(&r->lock);
	e = STORE(c)->device_revoked_since(c, since, now, visit, r);
	if (r->len * 4 < r->cap && r->cap > 1024)
		rebuild(r, r->cap / 2, now); /* shrink, dropping the expired */
	pthread_rwlock_unlock(&r->lock);
	store_release(c);
	return e;
}

static void refresh_recent(void *arg, const atomic_int *stopping)
{
	struct revocations *r = arg;
	(void)stopping;
	int64_t since = r->newest_seen - REVOCATIONS_OVERLAP_MS;
	int64_t floor = clock_now_ms() - REVOCATIONS_OVERLAP_MS;
	if (refresh(r, since < floor ? since : floor) != TF_OK)
		log_warn("cannot refresh the device revocation cache; will retry", NULL);
}

enum tf_err revocations_start(struct tf_service *svc, struct revocations **out)
{
	struct revocations *r = calloc(1, sizeof *r);
	if (!r)
		return TF_ERR_INTERNAL;
	r->svc = svc;
	r->cap = 1024;
	r->slots = calloc(r->cap, sizeof *r->slots);
	pthread_rwlock_init(&r->lock, NULL);
	enum tf_err e = r->slots ? refresh(r, 0) : TF_ERR_INTERNAL;
	if (e == TF_OK && !(r->refresher = periodic_start(refresh_recent, r, REVOCATIONS_REFRESH_MS)))
		e = TF_ERR_INTERNAL;
	if (e != TF_OK) {
		revocations_stop(r); /* no refresher yet: frees what was made */
		return e;
	}
	*out = r;
	return TF_OK;
}

void revocations_stop(struct revocations *r)
{
	if (!r)
		return;
	periodic_stop(r->refresher);
	pthread_rwlock_destroy(&r->lock);
	free(r->slots);
	free(r);
}
