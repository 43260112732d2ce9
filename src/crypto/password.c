/*
 * password.c: Argon2id hashes of passwords and of look-up secrets (crypto.h), stored as PHC
 * strings (password.h). The hash is libargon2's, the reference implementation, working in a
 * memory area that each thread keeps from one hash to the next. libsodium's crypto_pwhash maps
 * and populates a fresh area for every hash (64 MiB at the default cost) and unmaps it after;
 * inside a process whose other threads answer requests, that kernel work delays them (under a
 * login flood, verifications' tail latency rises with it). libargon2 wipes the area after each
 * hash. A thread's area is as large as the
 * largest hash it has run, and is freed when the thread ends or, on the slow pools' threads, once
 * the thread has been idle a few seconds (crypto_password_release_work_area).
 *
 * Strings written by libsodium's crypto_pwhash (Argon2id with one lane and the settings' costs,
 * as databases may hold) have the same format and verify here; anything else does
 * not verify.
 */
#include "crypto/password.h"

#include <argon2.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define HASH_BYTES 32 /* as libsodium's crypto_pwhash_str */
#define LOOKUP_PASSES 2
#define LOOKUP_MEMORY_KIB 2048
#define BASE64_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static uint32_t pw_passes = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static uint32_t pw_memory_kib = crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024;
static char dummy_hash[TF_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* ---- the PHC string ---- */

static const char *literal(const char *s, const char *lit)
{
	size_t n = strlen(lit);
	return s && strncmp(s, lit, n) == 0 ? s + n : NULL;
}

/* A decimal number from 1 to max, without sign, spaces or leading zeros. */
static const char *number(const char *s, uint32_t max, uint32_t *out)
{
	if (!s || *s < '1' || *s > '9')
		return NULL;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return NULL;
	}
	*out = (uint32_t)v;
	return s;
}

/* Base64 (standard alphabet, no padding) up to `end` ('\0' for the string's end), decoding to
 * min..PHC_BYTES_MAX bytes. Returns where `end` is. */
static const char *base64_field(const char *s, char end, size_t min, uint8_t *buf, size_t *len)
{
	if (!s)
		return NULL;
	const char *e = strchr(s, end);
	/* the alphabet checked here: libsodium's decoder reads a byte above 0x7f as '/' */
	if (!e || e == s || strspn(s, BASE64_ALPHABET) != (size_t)(e - s))
		return NULL;
	const char *stop = NULL;
	if (sodium_base642bin(buf, PHC_BYTES_MAX, s, (size_t)(e - s), NULL, len, &stop,
			      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
	    stop != e || *len < min)
		return NULL;
	return e;
}

bool phc_parse(const char *s, struct phc_argon2id *out)
{
	memset(out, 0, sizeof *out);
	if (strnlen(s, TF_PWHASH_MAX) >= TF_PWHASH_MAX)
		return false; /* longer than any stored hash (and than libsodium's strings) */
	uint32_t lanes = 0;
	s = literal(s, "$argon2id$v=19$m=");
	s = number(s, PHC_MEMORY_KIB_MAX, &out->memory_kib);
	s = literal(s, ",t=");
	s = number(s, PHC_PASSES_MAX, &out->passes);
	s = literal(s, ",p=");
	s = number(s, 1, &lanes);
	s = literal(s, "$");
	s = base64_field(s, '$', 8, out->salt, &out->salt_len);
	s = literal(s, "$");
	s = base64_field(s, '\0', 16, out->hash, &out->hash_len);
	return s && out->memory_kib >= 8; /* Argon2's least: 8 KiB per lane */
}

bool phc_format(const struct phc_argon2id *phc, char *out, size_t out_size)
{
	char salt[sodium_base64_ENCODED_LEN(PHC_BYTES_MAX, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char hash[sizeof salt];
	if (phc->salt_len > PHC_BYTES_MAX || phc->hash_len > PHC_BYTES_MAX)
		return false;
	sodium_bin2base64(salt, sizeof salt, phc->salt, phc->salt_len, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(hash, sizeof hash, phc->hash, phc->hash_len, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	int n = snprintf(out, out_size, "$argon2id$v=19$m=%u,t=%u,p=1$%s$%s", phc->memory_kib, phc->passes, salt, hash);
	sodium_memzero(hash, sizeof hash);
	return n > 0 && (size_t)n < out_size;
}

/* ---- each thread's work area ---- */

struct work_area {
	uint8_t *memory;
	size_t size;
};

static __thread struct work_area *work; /* the thread's own (TLS keeps it reachable) */
static pthread_key_t work_key;          /* frees it when the thread ends */
static pthread_once_t work_key_once = PTHREAD_ONCE_INIT;

static void work_area_free(void *arg)
{
	struct work_area *w = arg;
	if (w) {
		free(w->memory);
		free(w);
	}
	work = NULL;
}

static void work_key_create(void)
{
	if (pthread_key_create(&work_key, work_area_free) != 0)
		abort(); /* at the first hash: out of keys is a build defect, not a runtime state */
}

/* libargon2's allocator: the thread's area, grown if this hash needs more. */
static int work_area_take(uint8_t **memory, size_t size)
{
	if (!work) {
		pthread_once(&work_key_once, work_key_create);
		struct work_area *w = calloc(1, sizeof *w);
		if (!w || pthread_setspecific(work_key, w) != 0) {
			free(w);
			return ARGON2_MEMORY_ALLOCATION_ERROR;
		}
		work = w;
	}
	if (work->size < size) {
		free(work->memory);
		work->memory = malloc(size);
		work->size = work->memory ? size : 0;
		if (!work->memory)
			return ARGON2_MEMORY_ALLOCATION_ERROR;
	}
	*memory = work->memory;
	return ARGON2_OK;
}

void crypto_password_release_work_area(void)
{
	if (work) {
		free(work->memory); /* already wiped by libargon2 */
		work->memory = NULL;
		work->size = 0;
	}
}

/* libargon2 has wiped the area before it calls this: it stays for the thread's next hash. */
static void work_area_give_back(uint8_t *memory, size_t size)
{
	(void)memory;
	(void)size;
}

/* Argon2id of secret into phc->hash (phc->hash_len bytes), with phc's costs and salt. */
static bool argon2id_into(struct phc_argon2id *phc, const char *secret)
{
	size_t len = strlen(secret);
	if (len > ARGON2_MAX_PWD_LENGTH)
		return false;
	argon2_context c = {
		.out = phc->hash,
		.outlen = (uint32_t)phc->hash_len,
		.pwd = (uint8_t *)(uintptr_t)secret, /* read only: no ARGON2_FLAG_CLEAR_PASSWORD */
		.pwdlen = (uint32_t)len,
		.salt = phc->salt,
		.saltlen = (uint32_t)phc->salt_len,
		.t_cost = phc->passes,
		.m_cost = phc->memory_kib,
		.lanes = 1,
		.threads = 1,
		.version = ARGON2_VERSION_13,
		.allocate_cbk = work_area_take,
		.free_cbk = work_area_give_back,
		.flags = ARGON2_DEFAULT_FLAGS,
	};
	return argon2id_ctx(&c) == ARGON2_OK;
}

static enum tf_err hash_secret(const char *secret, uint32_t passes, uint32_t memory_kib, char out[TF_PWHASH_MAX])
{
	struct phc_argon2id phc = {.memory_kib = memory_kib, .passes = passes, .salt_len = crypto_pwhash_SALTBYTES, .hash_len = HASH_BYTES};
	randombytes_buf(phc.salt, crypto_pwhash_SALTBYTES);
	bool ok = argon2id_into(&phc, secret) && phc_format(&phc, out, TF_PWHASH_MAX);
	sodium_memzero(&phc, sizeof phc);
	return ok ? TF_OK : TF_ERR_OVERLOADED; /* out of memory */
}

static bool verify_secret(const char *stored, const char *secret)
{
	struct phc_argon2id phc;
	if (!phc_parse(stored, &phc))
		return false;
	uint8_t expected[PHC_BYTES_MAX];
	memcpy(expected, phc.hash, phc.hash_len);
	bool ok = argon2id_into(&phc, secret) && sodium_memcmp(expected, phc.hash, phc.hash_len) == 0;
	sodium_memzero(&phc, sizeof phc);
	sodium_memzero(expected, sizeof expected);
	return ok;
}

/* ---- crypto.h ---- */

void crypto_password_configure(unsigned long long opslimit, size_t memlimit)
{
	pw_passes = (uint32_t)opslimit;
	pw_memory_kib = (uint32_t)(memlimit / 1024);
}

enum tf_err crypto_password_hash(const char *password, char out[TF_PWHASH_MAX])
{
	return hash_secret(password, pw_passes, pw_memory_kib, out);
}

bool crypto_password_verify(const char *hash, const char *password)
{
	return verify_secret(hash, password);
}

enum tf_err crypto_lookup_secret_hash(const char *secret, char out[TF_PWHASH_MAX])
{
	return hash_secret(secret, LOOKUP_PASSES, LOOKUP_MEMORY_KIB, out);
}

bool crypto_lookup_secret_verify(const char *hash, const char *secret)
{
	return verify_secret(hash, secret);
}

static void make_dummy_hash(void)
{
	if (crypto_password_hash("twofold-dummy-password", dummy_hash) != TF_OK)
		dummy_hash[0] = 0;
}

void crypto_password_dummy_verify(const char *password)
{
	pthread_once(&dummy_once, make_dummy_hash);
	if (dummy_hash[0] && verify_secret(dummy_hash, password))
		return; /* cannot match: the dummy password is not accepted at registration */
}
