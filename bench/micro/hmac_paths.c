/*
 * hmac_paths.c: microbenchmark of the two hot paths that compute HMAC-SHA-256, against
 * build/libtwofold.a: device_cookie_check of a cookie with 26-character ids (POST
 * /v1/devices/validate and /v1/authorize) and crypto_secret_mac of an api key (every API
 * request). Not part of the build; after make:
 *   cc -std=c11 -O2 -D_GNU_SOURCE -Isrc -o /tmp/hmac_paths bench/micro/hmac_paths.c \
 *     build/libtwofold.a $(pkg-config --libs libsodium libcrypto) -pthread && /tmp/hmac_paths
 * It creates /tmp/twofold-hmac-paths/master.key.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/device_cookie.h"
#include "crypto/crypto.h"

#define N 1000000

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(void)
{
	struct tf_keys *keys;
	bool created;
	mkdir("/tmp/twofold-hmac-paths", 0700);
	if (crypto_init() != TF_OK || keys_load_or_create("/tmp/twofold-hmac-paths", &keys, &created) != TF_OK)
		return 1;
	struct device_claims cl = {.kind = DEVICE_PERSISTENT, .domain = DOMAIN_API, .expires_at = 1767225600000LL}, out;
	snprintf(cl.app_id, sizeof cl.app_id, "app_%026d", 1);
	snprintf(cl.user_id, sizeof cl.user_id, "usr_%026d", 2);
	snprintf(cl.device_id, sizeof cl.device_id, "dev_%026d", 3);
	char cookie[DEVICE_COOKIE_MAX];
	if (!device_cookie_encode(keys->cookie_hmac, &cl, cookie))
		return 1;
	printf("cookie's signed part: %zu bytes\n", (size_t)(strrchr(cookie, '.') - cookie));
	volatile int sink = 0;
	for (int round = 0; round < 3; round++) {
		double t = now_ns();
		for (int i = 0; i < N; i++)
			sink += device_cookie_check(keys->cookie_hmac, cookie, 0, &out);
		printf("device_cookie_check  %6.0f ns\n", (now_ns() - t) / N);
		uint8_t mac[TF_MAC_BYTES];
		const struct mac_part signed_part = {cookie, (size_t)(strrchr(cookie, '.') - cookie)};
		t = now_ns();
		for (int i = 0; i < N; i++) {
			hmac_sha256(keys->cookie_hmac, &signed_part, 1, mac);
			sink += mac[0];
		}
		printf("  of which the MAC   %6.0f ns\n", (now_ns() - t) / N);
		t = now_ns();
		for (int i = 0; i < N; i++) {
			crypto_secret_mac(keys, "api_key", "tfk_live_0123456789012345678901234567890123456789", mac);
			sink += mac[0];
		}
		printf("crypto_secret_mac    %6.0f ns\n", (now_ns() - t) / N);
	}
	keys_free(keys);
	return 0;
}
