/* keyring.c: the key ring at start and at rotation (see keyring.h). */
#include "service/keyring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "platform/log.h"
#include "service/service.h"

/* sealed values read and re-sealed at a time */
#define RESEAL_PAGE 100

const char *keyring_column_name(enum sealed_column col)
{
	switch (col) {
	case SEALED_APP_CLIENT_SECRET:
		return "application client secrets";
	case SEALED_APP_DELIVERY:
		return "application delivery settings";
	case SEALED_FACTOR_SECRET:
		return "TOTP secrets";
	case SEALED_OUTBOX_BODY:
		return "messages not sent yet";
	case SEALED_IDEMPOTENT_ANSWER:
		return "recorded idempotent answers";
	case SEALED_APP_EVENTS_SECRET:
		return "application events secrets";
	case SEALED__MAX:
		break;
	}
	return "?";
}

/* ---- opening (invariants 1 and 2) ---- */

struct first_row {
	const struct tf_hmac_key *audit_key;
	bool seen;
	bool intact;
};

static int check_first_row(void *ctx, const struct audit_row *row)
{
	struct first_row *f = ctx;
	const char *why = NULL;
	f->seen = true;
	f->intact = audit_v1_check(f->audit_key, NULL, row, &why);
	return 1; /* the first row is enough */
}

/* The data keys of a database without a ring: derived from master when it has audit rows (and
 * its first verifies under them: *belongs false otherwise), else random. */
static enum tf_err first_data_keys(struct store_conn *c, const uint8_t master[MASTER_KEY_BYTES],
				   uint8_t data_keys[TF_DATA_KEYS_BYTES], bool *legacy, bool *belongs)
{
	struct tf_keys *derived;
	keys_derive_legacy(master, data_keys);
	enum tf_err e = keys_new(data_keys, &derived);
	if (e != TF_OK)
		return e;
	struct first_row f = {.audit_key = derived->audit_hmac};
	e = STORE(c)->audit_v1_scan(c, check_first_row, &f);
	keys_free(derived);
	if (e != TF_OK)
		return e;
	*legacy = f.seen;
	*belongs = !f.seen || f.intact;
	if (!f.seen)
		randombytes_buf(data_keys, TF_DATA_KEYS_BYTES);
	return TF_OK;
}

/* Writes this node's ring unless one is there; *row gets the ring there afterwards. */
static enum tf_err create_ring(struct store_conn *c, const uint8_t master[MASTER_KEY_BYTES], int64_t now,
			       struct keyring_row *row, enum keyring_outcome *outcome)
{
	uint8_t data_keys[TF_DATA_KEYS_BYTES];
	bool legacy = false, belongs = true;
	enum tf_err e = first_data_keys(c, master, data_keys, &legacy, &belongs);
	if (e != TF_OK || !belongs) {
		sodium_memzero(data_keys, sizeof data_keys);
		if (e == TF_OK)
			*outcome = KEYRING_KEY_MISMATCH;
		return e;
	}
	struct keyring_row mine = {.wrapped_keys_len = MASTER_KEY_WRAPPED_BYTES, .created_at = now};
	master_key_check_value(master, mine.check_value);
	master_key_wrap(master, data_keys, mine.wrapped_keys);
	sodium_memzero(data_keys, sizeof data_keys);
	if ((e = STORE(c)->keyring_insert(c, &mine)) != TF_OK || (e = STORE(c)->keyring_get(c, row)) != TF_OK)
		return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
	/* another node's insert may have come first: then its ring is the one */
	if (row->wrapped_keys_len == mine.wrapped_keys_len &&
	    memcmp(row->wrapped_keys, mine.wrapped_keys, mine.wrapped_keys_len) == 0)
		*outcome = legacy ? KEYRING_ADOPTED : KEYRING_CREATED;
	return TF_OK;
}

enum tf_err keyring_open(struct store *st, const uint8_t master[MASTER_KEY_BYTES], int64_t now, struct tf_keys **out,
			 enum keyring_outcome *outcome, const char **why)
{
	*out = NULL;
	*why = "its key check value differs";
	*outcome = KEYRING_OPENED;
	struct store_conn *c;
	enum tf_err e = store_acquire(st, &c);
	if (e != TF_OK)
		return e;
	struct keyring_row row;
	e = STORE(c)->keyring_get(c, &row);
	if (e == TF_ERR_NOT_FOUND)
		e = create_ring(c, master, now, &row, outcome);
	store_release(c);
	if (e != TF_OK)
		return e;
	if (*outcome == KEYRING_KEY_MISMATCH)
		*why = "it was written by an older twofold, and its first audit row does not verify under this key";
	if (*outcome == KEYRING_KEY_MISMATCH || !master_key_matches(master, row.check_value)) {
		*outcome = KEYRING_KEY_MISMATCH;
		return TF_ERR_PERMISSION_DENIED;
	}
	uint8_t data_keys[TF_DATA_KEYS_BYTES];
	if (!master_key_unwrap(master, row.wrapped_keys, row.wrapped_keys_len, data_keys)) {
		log_error("the key ring in the database is damaged: its data keys do not open under the master key that "
			  "matches its check value", NULL);
		return TF_ERR_INTERNAL;
	}
	e = keys_new(data_keys, out);
	sodium_memzero(data_keys, sizeof data_keys);
	return e;
}

/* ---- rotation (invariant 3) ---- */

/* Re-seals every value of one column under new_keys; *count gets how many. */
static enum tf_err reseal_column(struct store_conn *c, const struct tf_keys *old_keys, const struct tf_keys *new_keys,
				 enum sealed_column col, size_t *count)
{
	struct sealed_value *page = calloc(RESEAL_PAGE, sizeof *page);
	struct sealed_value last;
	bool have_last = false;
	enum tf_err e = page ? TF_OK : TF_ERR_INTERNAL;
	*count = 0;
	while (e == TF_OK) {
		size_t n = 0;
		if ((e = STORE(c)->sealed_page(c, col, have_last ? &last : NULL, page, RESEAL_PAGE, &n)) != TF_OK)
			break;
		for (size_t i = 0; i < n; i++) {
			uint8_t *plain = NULL, *sealed = NULL;
			size_t plain_len = 0, sealed_len = 0;
			if (e == TF_OK && crypto_open(old_keys, page[i].sealed, page[i].len, &plain, &plain_len) != TF_OK) {
				log_error("a sealed value does not open under the current key: nothing was changed", "column",
					  keyring_column_name(col), "row", page[i].key[0], "ref",
					  page[i].key[1][0] ? page[i].key[1] : NULL, NULL);
				e = TF_ERR_INTERNAL;
			}
			if (e == TF_OK)
				e = crypto_seal(new_keys, plain, plain_len, &sealed, &sealed_len);
			if (plain) {
				sodium_memzero(plain, plain_len);
				free(plain);
			}
			if (e == TF_OK) {
				free(page[i].sealed);
				page[i].sealed = sealed;
				page[i].len = sealed_len;
				e = STORE(c)->sealed_put(c, col, &page[i]);
				if (e == TF_OK)
					(*count)++;
			}
		}
		if (n > 0) {
			memcpy(last.key, page[n - 1].key, sizeof last.key);
			have_last = true;
		}
		for (size_t i = 0; i < n; i++)
			free(page[i].sealed);
		if (n < RESEAL_PAGE)
			break;
	}
	free(page);
	return e;
}

/* The rotation's work inside its transaction. */
static enum tf_err rotate_in_tx(struct tf_service *svc, struct store_conn *c, const uint8_t old_master[MASTER_KEY_BYTES],
				const uint8_t new_master[MASTER_KEY_BYTES], const struct keyring_rotate_options *opts,
				int64_t now, struct keyring_rotation *out)
{
	struct keyring_row row;
	enum tf_err e = STORE(c)->keyring_get(c, &row);
	if (e != TF_OK)
		return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
	if (!master_key_matches(old_master, row.check_value))
		return TF_ERR_PERMISSION_DENIED;
	if ((e = STORE(c)->other_clients(c, &out->other_clients)) != TF_OK)
		return e;
	if (out->other_clients > 0)
		return TF_ERR_STATE_CONFLICT;
	uint8_t data_keys[TF_DATA_KEYS_BYTES], in_use[TF_DATA_KEYS_BYTES];
	keys_export(svc->keys, in_use);
	bool same = master_key_unwrap(old_master, row.wrapped_keys, row.wrapped_keys_len, data_keys) &&
		    sodium_memcmp(data_keys, in_use, sizeof data_keys) == 0;
	sodium_memzero(in_use, sizeof in_use);
	if (!same) {
		sodium_memzero(data_keys, sizeof data_keys);
		return TF_ERR_PERMISSION_DENIED;
	}
	/* MAC, audit and cookie keys stay; the sealing key is new (and the cookie key if asked) */
	randombytes_buf(data_keys + TF_KEY_BYTES, TF_KEY_BYTES);
	if (opts->new_cookie_key) {
		randombytes_buf(data_keys + 3 * TF_KEY_BYTES, TF_KEY_BYTES);
		e = STORE(c)->devices_revoke_every(c, now, &out->devices_revoked);
	}
	struct tf_keys *new_keys = NULL;
	if (e == TF_OK)
		e = keys_new(data_keys, &new_keys);
	if (e == TF_OK) {
		for (int col = 0; col < SEALED__MAX && e == TF_OK; col++)
			e = reseal_column(c, svc->keys, new_keys, (enum sealed_column)col, &out->resealed[col]);
		keys_free(new_keys);
	}
	if (e == TF_OK) {
		struct keyring_row ring = {.wrapped_keys_len = MASTER_KEY_WRAPPED_BYTES, .created_at = row.created_at,
					   .rotated_at = now};
		master_key_check_value(new_master, ring.check_value);
		master_key_wrap(new_master, data_keys, ring.wrapped_keys);
		e = STORE(c)->keyring_replace(c, &ring);
	}
	sodium_memzero(data_keys, sizeof data_keys);
	if (e == TF_OK) {
		size_t total = 0;
		for (int col = 0; col < SEALED__MAX; col++)
			total += out->resealed[col];
		char details[128];
		snprintf(details, sizeof details, "{\"resealed\":%zu,\"new_cookie_key\":%s,\"devices_revoked\":%d}", total,
			 opts->new_cookie_key ? "true" : "false", out->devices_revoked);
		struct audit_event ev = {.event = "master_key.rotated", .actor = "operator:cli", .details = details};
		e = audit_append(svc, c, &ev, now);
	}
	return e;
}

enum tf_err keyring_rotate(struct tf_service *svc, const uint8_t old_master[MASTER_KEY_BYTES],
			   const uint8_t new_master[MASTER_KEY_BYTES], const struct keyring_rotate_options *opts,
			   int64_t now, struct keyring_rotation *out)
{
	memset(out, 0, sizeof *out);
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	if (e != TF_OK)
		return e;
	if ((e = store_tx_begin(c)) == TF_OK) {
		e = rotate_in_tx(svc, c, old_master, new_master, opts, now, out);
		if (e == TF_OK)
			out->commit_sent = true;
		e = store_tx_end(c, e);
	}
	store_release(c);
	return e;
}
