/*
 * app_cache.h: applications by the MAC of their api key, kept in memory for APP_CACHE_TTL_MS so
 * that authenticating a request (every request of an application) reads no database on the
 * hot paths. Direct-mapped: a slot per MAC prefix; a miss or an expired slot reads the store.
 * Unknown keys are not cached, so a new application works at once everywhere, and a change to
 * an application reaches every node within the time to live.
 */
#ifndef TF_SERVICE_APP_CACHE_H
#define TF_SERVICE_APP_CACHE_H
#include "service/service.h"

#define APP_CACHE_TTL_MS 5000
#define APP_CACHE_SLOTS 256

struct app_cache;

struct app_cache *app_cache_new(void);
void app_cache_free(struct app_cache *ac);

/* The application whose api key has this MAC: from the cache, else from c (and cached).
 * NOT_FOUND when there is none. */
enum tf_err app_cache_get(struct app_cache *ac, struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			  struct app_row *out);

#endif
