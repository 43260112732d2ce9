/*
 * app_cache.h: applications by the MAC of their api key, kept in memory for APP_CACHE_TTL_MS so
 * that authenticating a request (every request of an application) reads no database on the
 * hot paths. Direct-mapped: a slot per MAC prefix; a miss or an expired slot reads the store.
 * Unknown keys are not cached, so a new application works at once everywhere, and a change to
 * an application reaches every node within the time to live.
 *
 * A cached row is immutable and reference-counted: a request holds a pointer to it (nothing is
 * copied) from app_cache_get() to app_cache_put(), and a reload replaces the slot's row
 * without touching the rows requests still hold.
 */
#ifndef TF_SERVICE_APP_CACHE_H
#define TF_SERVICE_APP_CACHE_H
#include "service/service.h"

#define APP_CACHE_TTL_MS 5000
#define APP_CACHE_SLOTS 256

struct app_cache;

struct app_cache *app_cache_new(void);
void app_cache_free(struct app_cache *ac);

/* The application whose api key has this MAC: from the cache, else from c (and cached). Gives
 * *out a reference that app_cache_put() returns. NOT_FOUND when there is none. Without a cache
 * (ac NULL) the row is read from c into a reference of its own. */
enum tf_err app_cache_get(struct app_cache *ac, struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			  const struct app_row **out);
/* A fresh, zeroed row outside the cache, to be filled by the caller (an application found by
 * client id or id rather than api key), with one reference that app_cache_put() returns. */
struct app_row *app_ref_new(void);
/* Drops the cached row of application app_id, if any, so that the next request reads its
 * changed settings (ac NULL: nothing). */
void app_cache_forget(struct app_cache *ac, const char *app_id);
/* Returns a reference from app_cache_get() (NULL is ignored). */
void app_cache_put(const struct app_row *app);

#endif
