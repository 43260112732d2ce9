/*
 * hmac_variants.c: microbenchmark of the ways to compute HMAC-SHA-256 of a 150-byte message
 * under a 32-byte key (a device cookie's signed part is about that long), libsodium against
 * OpenSSL's libcrypto, to choose what crypto/hmac.c does. Not part of the build:
 *   cc -O2 -o /tmp/hmac_variants bench/micro/hmac_variants.c -lsodium -lcrypto && /tmp/hmac_variants
 */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 1000000

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "%s failed\n", what);
	exit(1);
}

int main(void)
{
	uint8_t key[32], msg[150], mac[32], ref[32], pad[64];
	unsigned int len;
	if (sodium_init() < 0)
		die("sodium_init");
	randombytes_buf(key, sizeof key);
	randombytes_buf(msg, sizeof msg);
	crypto_auth_hmacsha256(ref, msg, sizeof msg, key);
	volatile uint8_t sink = 0;
	double t;

	/* A: libsodium one-shot */
	t = now_ns();
	for (int i = 0; i < N; i++) {
		crypto_auth_hmacsha256(mac, msg, sizeof msg, key);
		sink ^= mac[0];
	}
	printf("libsodium one-shot                          %6.0f ns\n", (now_ns() - t) / N);

	/* B: libsodium from a keyed state */
	crypto_auth_hmacsha256_state init, st;
	crypto_auth_hmacsha256_init(&init, key, sizeof key);
	t = now_ns();
	for (int i = 0; i < N; i++) {
		st = init;
		crypto_auth_hmacsha256_update(&st, msg, sizeof msg);
		crypto_auth_hmacsha256_final(&st, mac);
		sink ^= mac[0];
	}
	printf("libsodium from keyed state                  %6.0f ns\n", (now_ns() - t) / N);

	EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	if (!md)
		die("EVP_MD_fetch");

	/* C: precomputed inner and outer contexts, copied into scratch contexts per MAC */
	EVP_MD_CTX *in = EVP_MD_CTX_new(), *out = EVP_MD_CTX_new();
	EVP_MD_CTX *s_in = EVP_MD_CTX_new(), *s_out = EVP_MD_CTX_new();
	memset(pad, 0x36, sizeof pad);
	for (int i = 0; i < 32; i++)
		pad[i] ^= key[i];
	if (!EVP_DigestInit_ex(in, md, NULL) || !EVP_DigestUpdate(in, pad, 64))
		die("inner");
	memset(pad, 0x5c, sizeof pad);
	for (int i = 0; i < 32; i++)
		pad[i] ^= key[i];
	if (!EVP_DigestInit_ex(out, md, NULL) || !EVP_DigestUpdate(out, pad, 64))
		die("outer");
	t = now_ns();
	for (int i = 0; i < N; i++) {
		uint8_t ih[32];
		if (!EVP_MD_CTX_copy_ex(s_in, in) || !EVP_DigestUpdate(s_in, msg, sizeof msg) ||
		    !EVP_DigestFinal_ex(s_in, ih, &len) || !EVP_MD_CTX_copy_ex(s_out, out) ||
		    !EVP_DigestUpdate(s_out, ih, 32) || !EVP_DigestFinal_ex(s_out, mac, &len))
			die("C");
		sink ^= mac[0];
	}
	printf("EVP precomputed + EVP_MD_CTX_copy_ex        %6.0f ns\n", (now_ns() - t) / N);
	if (memcmp(mac, ref, 32))
		die("C result");

	/* D: scratch contexts re-initialised (same fetched digest: its provider context is
	 * reused, nothing allocated), each absorbing its 64-byte padded key block again */
	uint8_t ipad[64], opad[64];
	memset(ipad, 0x36, 64);
	memset(opad, 0x5c, 64);
	for (int i = 0; i < 32; i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	t = now_ns();
	for (int i = 0; i < N; i++) {
		uint8_t ih[32];
		if (!EVP_DigestInit_ex(s_in, md, NULL) || !EVP_DigestUpdate(s_in, ipad, 64) ||
		    !EVP_DigestUpdate(s_in, msg, sizeof msg) || !EVP_DigestFinal_ex(s_in, ih, &len) ||
		    !EVP_DigestInit_ex(s_out, md, NULL) || !EVP_DigestUpdate(s_out, opad, 64) ||
		    !EVP_DigestUpdate(s_out, ih, 32) || !EVP_DigestFinal_ex(s_out, mac, &len))
			die("D");
		sink ^= mac[0];
	}
	printf("EVP re-init + padded key blocks, no alloc   %6.0f ns\n", (now_ns() - t) / N);
	if (memcmp(mac, ref, 32))
		die("D result");

	/* D2: one scratch context for both passes */
	t = now_ns();
	for (int i = 0; i < N; i++) {
		uint8_t ih[32];
		if (!EVP_DigestInit_ex(s_in, md, NULL) || !EVP_DigestUpdate(s_in, ipad, 64) ||
		    !EVP_DigestUpdate(s_in, msg, sizeof msg) || !EVP_DigestFinal_ex(s_in, ih, &len) ||
		    !EVP_DigestInit_ex(s_in, md, NULL) || !EVP_DigestUpdate(s_in, opad, 64) ||
		    !EVP_DigestUpdate(s_in, ih, 32) || !EVP_DigestFinal_ex(s_in, mac, &len))
			die("D2");
		sink ^= mac[0];
	}
	printf("EVP re-init, one scratch context            %6.0f ns\n", (now_ns() - t) / N);
	if (memcmp(mac, ref, 32))
		die("D2 result");

	/* E: SHA-256 of 64 bytes alone (one compression, to read the others) */
	t = now_ns();
	for (int i = 0; i < N; i++) {
		if (!EVP_DigestInit_ex(s_in, md, NULL) || !EVP_DigestUpdate(s_in, ipad, 64) ||
		    !EVP_DigestFinal_ex(s_in, mac, &len))
			die("E");
		sink ^= mac[0];
	}
	printf("EVP SHA-256 of 64 bytes (2 blocks)          %6.0f ns\n", (now_ns() - t) / N);

	/* F: keyed EVP_MAC ctx re-initialised */
	EVP_MAC *hm = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mc = EVP_MAC_CTX_new(hm);
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0), OSSL_PARAM_END};
	if (!EVP_MAC_init(mc, key, 32, params))
		die("EVP_MAC_init");
	t = now_ns();
	for (int i = 0; i < N; i++) {
		size_t ol;
		if (!EVP_MAC_init(mc, NULL, 0, NULL) || !EVP_MAC_update(mc, msg, sizeof msg) ||
		    !EVP_MAC_final(mc, mac, &ol, 32))
			die("F");
		sink ^= mac[0];
	}
	printf("EVP_MAC re-init of a keyed ctx (one thread) %6.0f ns\n", (now_ns() - t) / N);
	if (memcmp(mac, ref, 32))
		die("F result");
	(void)sink;
	return 0;
}
