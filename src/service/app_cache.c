/* app_cache.c: see app_cache.h. One mutex per slot: requests for different applications
 * rarely share a slot, so they do not wait for each other. */
#include "service/app_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	pthread_mutex_t lock;
	bool used;
	int64_t loaded_at;
	struct app_row app;
};

struct app_cache {
	struct slot slots[APP_CACHE_SLOTS];
};

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
	for (int i = 0; i < APP_CACHE_SLOTS; i++)
		pthread_mutex_destroy(&ac->slots[i].lock);
	free(ac);
}

enum tf_err app_cache_get(struct app_cache *ac, struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			  struct app_row *out)
{
	if (!ac)
		return STORE(c)->app_get_by_api_key(c, mac, out);
	struct slot *s = &ac->slots[mac[0]]; /* the MAC is uniformly random: its first byte spreads */
	pthread_mutex_lock(&s->lock);
	if (s->used && now - s->loaded_at < APP_CACHE_TTL_MS && crypto_equal(s->app.api_key_mac, mac, TF_MAC_BYTES)) {
		*out = s->app;
		pthread_mutex_unlock(&s->lock);
		return TF_OK;
	}
	pthread_mutex_unlock(&s->lock);
	enum tf_err e = STORE(c)->app_get_by_api_key(c, mac, out);
	if (e == TF_OK) {
		pthread_mutex_lock(&s->lock);
		s->app = *out;
		s->loaded_at = now;
		s->used = true;
		pthread_mutex_unlock(&s->lock);
	}
	return e;
}
