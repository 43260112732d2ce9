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

#define AUDIT_PUBLIC_KEY_BYTES 32

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
	/* the deployment's audit key (Ed25519, from DATA/audit.key or audit_key_file): it signs
	 * the audit chains' heads (zeros in the schema-only open) */
	uint8_t audit_sign_key[64];
	uint8_t audit_public_key[AUDIT_PUBLIC_KEY_BYTES];
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
/* Where the deployment's audit key is: the audit_key_file setting, or DATA/audit.key. */
void service_audit_key_path(const struct tf_config *cfg, char *out, size_t size);
/* Sets up the admin token: from the configuration, or DATA/admin.token, generated there
 * (mode 0600) and printed once to standard output when absent. */
enum tf_err service_load_admin_token(struct tf_service *svc);
void service_close(struct tf_service *svc);

/* Appends one event to its chain (core/audit_chain.h: the application's, or the deployment's),
 * after the chain's newest. Call inside a write transaction. */
struct audit_event {
	const char *app_id;
	const char *event;
	const char *actor;
	const char *subject;
	const char *ip;
	const char *request_id;
	const char *details; /* JSON object text or NULL for {} */
	/* the application's events endpoint as the caller's row of it says ("" for none), so that
	 * an event of an application without one reads nothing more; NULL: read it */
	const char *events_url;
};
enum tf_err audit_append(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev,
			 int64_t now);

/* Signs h (chain, seq, hash) at now under the deployment's audit key. */
void audit_head_sign(const struct tf_service *svc, struct audit_head_row *h, int64_t now);
/* Whether h's signature verifies under public_key. */
bool audit_head_signature_ok(const uint8_t public_key[AUDIT_PUBLIC_KEY_BYTES], const struct audit_head_row *h);
/* The signed head of chain's newest event: signed now and kept unless it is signed already.
 * NOT_FOUND for a chain without events. Logged as "audit chain head" when signed. */
enum tf_err audit_sign_chain(struct tf_service *svc, struct store_conn *c, const char *chain, int64_t now,
			     struct audit_head_row *out);
/* Signs the newest event of every chain that moved since its last signed head. */
enum tf_err audit_sign_moved(struct tf_service *svc, int64_t now, size_t *n_signed);

/* A head given to the walk (chain "" for any chain), and what the walk found of it. */
struct audit_head {
	char chain[AUDIT_CHAIN_MAX];
	int64_t seq;
	uint8_t hash[AUDIT_HASH_BYTES];
	bool seen;  /* the event is in the chain */
	bool match; /* with this hash */
};

/* What a walk of every chain found: events intact, chains and signed heads checked, and where
 * it broke (why is NULL when it did not; kept: the broken chain's events, intact, before). */
struct audit_walk {
	int64_t events, chains, signed_heads;
	char broken_chain[AUDIT_CHAIN_MAX];
	int64_t broken_seq, kept;
	const char *why;
	/* the single chain of earlier builds was broken when its rows were moved: the deployment
	 * chain's audit.chains_split event (its seq; 0: it was intact, or there was none) */
	int64_t format1_broken_at;
};

/* Walks every chain, checking each event against the one before it and every signed head (its
 * signature under the deployment's audit key, and that its event is there with its hash), and
 * marks which of heads[0..n_heads) the chains hold. */
enum tf_err audit_verify(struct tf_service *svc, struct audit_head *heads, size_t n_heads, struct audit_walk *out);
/* Visits every chain's newest event, by chain name. */
enum tf_err audit_chains_each(struct tf_service *svc, void (*fn)(void *arg, const struct audit_head_row *h), void *arg);
/* A chain's newest event (seq 0 when it has none). */
enum tf_err audit_head_read(struct tf_service *svc, const char *chain, struct audit_head_row *out);
/* Moves the rows of the format 1 chain (audit_log), checked under the audit data key, into the
 * chains they belong to, in one transaction, and records the move (and where the old chain
 * broke, if it did) as the deployment chain's event audit.chains_split. */
enum tf_err audit_move_v1(struct tf_service *svc, int64_t now, int64_t *moved);

#endif
