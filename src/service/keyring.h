/*
 * keyring.h: the key ring, the database's one row that says which master key it belongs to
 * (a check value) and holds the data keys (MACs, sealing, the audit chain, device cookies)
 * wrapped under that master key (crypto/master_key.h). This file owns its life:
 *
 *   no ring --first start--> ring --twofold key rotate--> ring under the new master key
 *
 *  (1) At every start of a command that uses the keys (serve, app create, audit), the node's
 *      master key must give the ring's check value (compared in constant time), or the command
 *      exits before it listens or writes: a node with another key would answer every request
 *      401 and seal what it writes under a key the others do not have.
 *  (2) The first start on a database without a ring writes one (insert if absent, then read
 *      back: of nodes starting together on one database, the first insert wins and every node
 *      checks its key against that one). A database with no audit row holds nothing yet: its
 *      data keys are random. One with audit rows was written before the key ring, under the data
 *      keys derived from the master key (keys_derive_legacy): those are kept, once the first
 *      audit row has verified under them (else the key is another's).
 *  (3) Rotation, in one transaction that holds the ring's row: the MAC, audit and cookie keys
 *      stay (tokens, API keys, codes and SSO tokens are stored only as MACs, device cookies and
 *      the audit chain are MACs too: none could be recomputed), re-wrapped under the new master
 *      key; the sealing key is new and random, and every sealed value (store.h, enum
 *      sealed_column) is opened under the old one and sealed under it; the check value becomes
 *      the new key's; an audit row records it. Optionally the cookie key is new too (for a
 *      master key that may have leaked while the cookie key was derived from it, or with a copy
 *      of the ring): every trusted device is revoked then, its cookie no longer validating.
 *      Every node must be stopped: one still serving would seal what it writes under the old
 *      sealing key. On PostgreSQL the rotation refuses to run while other twofold connections
 *      are open; SQLite cannot tell.
 * The keys live in memory (struct tf_keys): nothing here is on a request's path.
 */
#ifndef TF_SERVICE_KEYRING_H
#define TF_SERVICE_KEYRING_H
#include <stdbool.h>
#include <stdint.h>

#include "crypto/master_key.h"
#include "store/store.h"

struct tf_service;

enum keyring_outcome {
	KEYRING_OPENED,       /* the database's ring, opened under this master key */
	KEYRING_CREATED,      /* a database that held nothing: a new ring, random data keys */
	KEYRING_ADOPTED,      /* a database written before the key ring: a ring of its derived keys */
	KEYRING_KEY_MISMATCH, /* the database belongs to another master key */
};

/* Opens the key ring of st under master (invariants 1 and 2); *out gets the data keys. On
 * KEYRING_KEY_MISMATCH returns TF_ERR_PERMISSION_DENIED, logs nothing (the caller says it)
 * and sets *why to what showed it. */
enum tf_err keyring_open(struct store *st, const uint8_t master[MASTER_KEY_BYTES], int64_t now, struct tf_keys **out,
			 enum keyring_outcome *outcome, const char **why);

struct keyring_rotation {
	size_t resealed[SEALED__MAX]; /* values sealed anew, by column */
	int devices_revoked;          /* with a new cookie key: trusted devices revoked */
	int other_clients;            /* on TF_ERR_STATE_CONFLICT: twofold connections to the database */
	bool commit_sent;             /* on an error after this, the database may hold either ring */
};

/* Replaces the master key (invariant 3): svc was opened under old_master. TF_ERR_PERMISSION_DENIED
 * when the ring is no longer old_master's (another rotation ran meanwhile); TF_ERR_STATE_CONFLICT
 * when other twofold processes are connected to the database (PostgreSQL): a node that kept
 * serving would go on sealing under the old sealing key, which the database no longer has. */
struct keyring_rotate_options {
	bool new_cookie_key; /* also replace the device-cookie key (every trusted device revoked) */
};
enum tf_err keyring_rotate(struct tf_service *svc, const uint8_t old_master[MASTER_KEY_BYTES],
			   const uint8_t new_master[MASTER_KEY_BYTES], const struct keyring_rotate_options *opts,
			   int64_t now, struct keyring_rotation *out);

/* What each sealed column holds, for messages: "TOTP secrets". */
const char *keyring_column_name(enum sealed_column col);

#endif
