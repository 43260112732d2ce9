/* app_cache.c: see app_cache.h. One mutex per slot, held only to take or swap a reference:
 * requests for different applications rarely share a slot, so they do not wait for each
 * other. */
#include "service/app_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	atomic_int refs; /* the slot's reference and one per request holding it */
	int64_t loaded_at;
	struct app_row row;
};

struct slot {
	pthread_mutex_t lock;
	struct entry *e;
};

struct app_cache {
	struct slot slots[APP_CACHE_SLOTS];
};

static struct entry *entry_of(const struct app_row *row)
{
	return (struct entry *)(void *)((const char *)row - offsetof(struct entry, row));
}

static void entry_put(struct entry *e)
{
	if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
		free(e);
}

struct app_cache *app_cache_new(void)
{
	struct app_cache *ac = calloc(1, sizeof *ac);
	if (ac)
		for (int i = 0; i < APP_CACHE_SLOTS; i++)
			pthread_mutex_init(&ac->slots[i].lock, NULL);
	return ac;
}

void app_cache_free(struct app_cache *ac)
{
	if (!ac)
		return;
	for (int i = 0; i < APP_CACHE_SLOTS; i++) {
		entry_put(ac->slots[i].e);
		pthread_mutex_destroy(&ac->slots[i].lock);
	}
	free(ac);
}

struct app_row *app_ref_new(void)
{
	struct entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	atomic_init(&e->refs, 1);
	return &e->row;
}

void app_cache_put(const struct app_row *app)
{
	if (app)
		entry_put(entry_of(app));
}

enum tf_err app_cache_get(struct app_cache *ac, struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			  const struct app_row **out)
{
	struct slot *s = ac ? &ac->slots[mac[0]] : NULL; /* the MAC is uniformly random: its first byte spreads */
	if (s) {
		pthread_mutex_lock(&s->lock);
		struct entry *e = s->e;
		if (e && now - e->loaded_at < APP_CACHE_TTL_MS && crypto_equal(e->row.api_key_mac, mac, TF_MAC_BYTES)) {
			atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
			pthread_mutex_unlock(&s->lock);
			*out = &e->row;
			return TF_OK;
		}
		pthread_mutex_unlock(&s->lock);
	}
	struct entry *e = malloc(sizeof *e);
	if (!e)
		return TF_ERR_INTERNAL;
	enum tf_err err = STORE(c)->app_get_by_api_key(c, mac, &e->row);
	if (err != TF_OK) {
		free(e);
		return err;
	}
	e->loaded_at = now;
	atomic_init(&e->refs, s ? 2 : 1);
	if (s) {
		pthread_mutex_lock(&s->lock);
		struct entry *old = s->e;
		s->e = e;
		pthread_mutex_unlock(&s->lock);
		entry_put(old);
	}
	*out = &e->row;
	return TF_OK;
}

void app_cache_forget(struct app_cache *ac, const char *app_id)
{
	for (size_t i = 0; ac && i < APP_CACHE_SLOTS; i++) {
		struct slot *s = &ac->slots[i];
		struct entry *gone = NULL;
		pthread_mutex_lock(&s->lock);
		if (s->e && !strcmp(s->e->row.app_id, app_id)) {
			gone = s->e;
			s->e = NULL;
		}
		pthread_mutex_unlock(&s->lock);
		entry_put(gone);
	}
}
