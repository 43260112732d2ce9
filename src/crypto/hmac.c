/*
 * hmac.c: see hmac.h. SHA-256 is libcrypto's (EVP, which uses the SHA-NI or ARMv8 SHA-256
 * instructions); libsodium only serves as the fall-back if a libcrypto call ever fails.
 *
 * Why this way: libsodium's SHA-256 is portable code without the CPU's SHA instructions, and
 * copying contexts prepared once from the key is cheaper than re-initialising scratch contexts
 * and absorbing the padded key blocks for every MAC, or re-initialising a keyed EVP_MAC context
 * (which would also take one per thread and key). The deprecated SHA256_* functions are not used.
 *
 * Threads: the prepared contexts are only ever read (EVP_MD_CTX_copy_ex's source), so any number
 * of threads share them. Each thread copies them into its own two scratch contexts, made on its
 * first MAC and freed when it exits (a pthread key's destructor). Nothing is allocated per MAC by
 * twofold; libcrypto 3.0 itself duplicates the provider's SHA-256 state on each copy (one small
 * malloc and free per context).
 *
 * Secrets: the prepared contexts hold the key's padded-block midstates, which are as good as
 * the key for making MACs. They live in libcrypto's heap (not in sodium_malloc'd memory, which
 * libcrypto does not allocate from); the SHA-256 provider wipes a context's state when it is
 * reset or freed (OPENSSL_clear_free), which hmac_key_free and the scratch destructor do.
 */
#include "crypto/hmac.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"

#define BLOCK 64 /* SHA-256's block */

struct tf_hmac_key {
	EVP_MD_CTX *inner; /* SHA-256 having absorbed key ^ ipad (0x36 repeated) */
	EVP_MD_CTX *outer; /* SHA-256 having absorbed key ^ opad (0x5c repeated) */
	uint8_t block[BLOCK]; /* the key zero-padded (hashed first if longer): for the fall-back */
};

/* ---- per-thread scratch contexts ---- */

struct scratch {
	EVP_MD_CTX *inner;
	EVP_MD_CTX *outer;
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static bool scratch_key_made;
static _Thread_local struct scratch *thread_scratch;

/* The destructor of scratch_key, and hmac_thread_release's work. EVP_MD_CTX_free resets the
 * context first, which wipes the provider's SHA-256 state. */
static void scratch_free(void *p)
{
	struct scratch *s = p;
	if (!s)
		return;
	EVP_MD_CTX_free(s->inner);
	EVP_MD_CTX_free(s->outer);
	free(s);
	if (thread_scratch == s)
		thread_scratch = NULL;
}

static void scratch_key_make(void)
{
	scratch_key_made = pthread_key_create(&scratch_key, scratch_free) == 0;
}

/* The calling thread's scratch contexts, made on first use; NULL when that fails. */
static struct scratch *scratch_get(void)
{
	if (thread_scratch)
		return thread_scratch;
	pthread_once(&scratch_once, scratch_key_make);
	if (!scratch_key_made)
		return NULL;
	struct scratch *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->inner = EVP_MD_CTX_new();
	s->outer = EVP_MD_CTX_new();
	if (!s->inner || !s->outer || pthread_setspecific(scratch_key, s) != 0) {
		scratch_free(s);
		return NULL;
	}
	thread_scratch = s;
	return s;
}

void hmac_thread_release(void)
{
	struct scratch *s = thread_scratch;
	if (!s)
		return;
	pthread_setspecific(scratch_key, NULL);
	scratch_free(s);
}

/* ---- MACs ---- */

/* The libcrypto computation; false if any call failed (out is then to be ignored). */
static bool mac_evp(const struct tf_hmac_key *k, const struct mac_part *parts, size_t n,
		    uint8_t out[TF_HMAC_BYTES])
{
	struct scratch *s = scratch_get();
	uint8_t inner[TF_HMAC_BYTES];
	unsigned int len = 0;
	bool ok = s && EVP_MD_CTX_copy_ex(s->inner, k->inner);
	for (size_t i = 0; ok && i < n; i++)
		if (parts[i].len)
			ok = EVP_DigestUpdate(s->inner, parts[i].data, parts[i].len);
	ok = ok && EVP_DigestFinal_ex(s->inner, inner, &len) && len == TF_HMAC_BYTES;
	ok = ok && EVP_MD_CTX_copy_ex(s->outer, k->outer) && EVP_DigestUpdate(s->outer, inner, sizeof inner);
	len = 0;
	ok = ok && EVP_DigestFinal_ex(s->outer, out, &len) && len == TF_HMAC_BYTES;
	sodium_memzero(inner, sizeof inner);
	return ok;
}

static void mac_sodium(const struct tf_hmac_key *k, const struct mac_part *parts, size_t n,
		       uint8_t out[TF_HMAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, k->block, sizeof k->block);
	for (size_t i = 0; i < n; i++)
		if (parts[i].len)
			crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

void hmac_sha256(const struct tf_hmac_key *k, const struct mac_part *parts, size_t n,
		 uint8_t out[TF_HMAC_BYTES])
{
	if (mac_evp(k, parts, n, out))
		return;
	static atomic_flag logged = ATOMIC_FLAG_INIT;
	ERR_clear_error();
	mac_sodium(k, parts, n, out);
	if (!atomic_flag_test_and_set(&logged))
		log_error("libcrypto failed to compute an HMAC; computed with libsodium instead (logged once)",
			  NULL);
}

/* ---- keys ---- */

static bool absorb_padded(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t block[BLOCK], uint8_t pad)
{
	uint8_t b[BLOCK];
	for (size_t i = 0; i < BLOCK; i++)
		b[i] = block[i] ^ pad;
	bool ok = EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, b, sizeof b);
	sodium_memzero(b, sizeof b);
	return ok;
}

enum tf_err hmac_key_new(const uint8_t *key, size_t len, struct tf_hmac_key **out)
{
	struct tf_hmac_key *k = sodium_malloc(sizeof *k);
	if (!k) {
		log_error("cannot allocate an HMAC key", NULL);
		return TF_ERR_INTERNAL;
	}
	memset(k, 0, sizeof *k);
	if (len > BLOCK)
		crypto_hash_sha256(k->block, key, len); /* RFC 2104: K = H(K) */
	else if (len)
		memcpy(k->block, key, len);
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	k->inner = EVP_MD_CTX_new();
	k->outer = EVP_MD_CTX_new();
	bool ok = md && k->inner && k->outer && absorb_padded(k->inner, md, k->block, 0x36) &&
		  absorb_padded(k->outer, md, k->block, 0x5c);
	EVP_MD_free(md); /* the contexts hold their own references */
	/* a self-test: libcrypto and libsodium agree on a MAC under this key, or the key is refused
	 * (a MAC that differs from what older builds stored would lock every user out) */
	static const char probe[] = "twofold hmac self-test";
	const struct mac_part part = {probe, sizeof probe - 1};
	uint8_t a[TF_HMAC_BYTES], b[TF_HMAC_BYTES];
	if (ok) {
		ok = mac_evp(k, &part, 1, a);
		mac_sodium(k, &part, 1, b);
		ok = ok && sodium_memcmp(a, b, sizeof a) == 0;
	}
	sodium_memzero(a, sizeof a);
	sodium_memzero(b, sizeof b);
	if (!ok) {
		ERR_clear_error();
		log_error("cannot prepare an HMAC-SHA-256 key with libcrypto", NULL);
		hmac_key_free(k);
		return TF_ERR_INTERNAL;
	}
	sodium_mprotect_readonly(k);
	*out = k;
	return TF_OK;
}

void hmac_key_free(struct tf_hmac_key *k)
{
	if (!k)
		return;
	EVP_MD_CTX_free(k->inner);
	EVP_MD_CTX_free(k->outer);
	sodium_free(k); /* wipes block */
}
