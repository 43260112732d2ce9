/*
 * service.h: the running service's shared state, built once at start and read by every
 * request: configuration, keys, the store, the delivery outbox, metrics and the slow pool.
 * The command-line tools (app create, audit verify, migrate) open the same state without
 * the HTTP listener.
 */
#ifndef TF_SERVICE_SERVICE_H
#define TF_SERVICE_SERVICE_H
#include <stdbool.h>

#include "config/config.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "store/store.h"

struct outbox;
struct metrics;
struct slow_pool;
struct revocations;
struct app_cache;

struct tf_service {
	struct tf_config cfg;
	struct tf_keys *keys;
	struct store *store;
	uint8_t admin_token_mac[TF_MAC_BYTES];
	bool admin_token_set;
	struct outbox *outbox;       /* NULL in command-line tools */
	struct metrics *metrics;     /* NULL in command-line tools */
	struct slow_pool *slow_pool; /* NULL in command-line tools */
	struct slow_pool *hash_pool; /* requests' slow_fn (hashes only), at SCHED_IDLE; NULL in tools */
	struct revocations *revocations; /* NULL in command-line tools */
	struct app_cache *apps;          /* NULL in command-line tools */
	char public_url[CONFIG_STR_MAX + 16];
};

/* Creates the data folder if needed, reads the master key (creating DATA/master.key when
 * absent and no master_key_file is set), opens the store, applies migrations and opens the
 * key ring under the master key (service/keyring.h). A master key that is not the database's
 * fails it, with a message on standard error and in the log. */
enum tf_err service_open(const struct tf_config *cfg, struct tf_service **out);
/* The same without the keys (svc->keys is NULL), for `twofold migrate`: the schema only. */
enum tf_err service_open_schema(const struct tf_config *cfg, struct tf_service **out);
/* Where the configuration's master key is: the master_key_file setting, or DATA/master.key. */
void service_master_key_path(const struct tf_config *cfg, char *out, size_t size);
/* Reads the configuration's master key into out. DATA/master.key is created when absent and
 * create is set (*created then); a missing master_key_file is an error. Says why it fails on
 * standard error and in the log. */
enum tf_err service_master_key(const struct tf_config *cfg, bool create, uint8_t out[MASTER_KEY_BYTES], bool *created);
/* Sets up the admin token: from the configuration, or DATA/admin.token, generated there
 * (mode 0600) and printed once to standard output when absent. */
enum tf_err service_load_admin_token(struct tf_service *svc);
void service_close(struct tf_service *svc);

/* Writes one audit row, chained to the previous one. Call inside a write transaction. */
struct audit_event {
	const char *app_id;
	const char *event;
	const char *actor;
	const char *subject;
	const char *ip;
	const char *request_id;
	const char *details; /* JSON object text or NULL for {} */
};
enum tf_err audit_append(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev,
			 int64_t now);

/* A head of the chain as the server logged it, and what the walk found of it. */
struct audit_head {
	int64_t seq;
	uint8_t hash[AUDIT_HASH_BYTES];
	bool seen;  /* the row is in the chain */
	bool match; /* with this hash */
};

/* What a walk of the whole chain found: rows intact from the start, and where it broke (why is
 * NULL when it did not). */
struct audit_walk {
	int64_t rows;
	int64_t broken_seq;
	const char *why;
};

/* Walks the whole audit chain, checking every row against the one before it, and marks which
 * of heads[0..n_heads) it holds. */
enum tf_err audit_verify(struct tf_service *svc, struct audit_head *heads, size_t n_heads, struct audit_walk *out);
/* The chain's newest row: its seq (0 when empty) and hash. */
enum tf_err audit_head_read(struct tf_service *svc, int64_t *seq, uint8_t hash[AUDIT_HASH_BYTES]);

#endif
