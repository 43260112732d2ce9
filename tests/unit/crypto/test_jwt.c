/* Unit tests for crypto/jwt.c: RFC 7515 appendix A.1's HS256 example, signed byte for byte,
 * and base64url without padding for every length of the last group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/jwt.h"

static int setup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), TF_OK);
	return 0;
}

static void test_rfc7515_appendix_a1_example(void **state)
{
	(void)state;
	/* the example's exact bytes: its header and payload hold CR LF and spaces */
	const char header[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
	const char payload[] = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
	const char jwk_k[] = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
	uint8_t key[64];
	size_t key_len;
	assert_int_equal(sodium_base642bin(key, sizeof key, jwk_k, strlen(jwk_k), NULL, &key_len, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_int_equal(key_len, 64);
	char *jwt = jwt_hs256(header, strlen(header), payload, strlen(payload), key, key_len);
	assert_non_null(jwt);
	assert_string_equal(jwt, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
				 ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
				 ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
	free(jwt);
}

static void test_no_padding_and_url_alphabet(void **state)
{
	(void)state;
	const uint8_t key[JWT_HS256_KEY_MIN] = {1};
	/* 0xfb 0xff encode to "-_8" in base64url: no '+', '/' or '=' may appear */
	const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
	for (size_t len = 1; len <= sizeof bytes; len++) {
		char *jwt = jwt_hs256(bytes, len, bytes, len, key, sizeof key);
		assert_non_null(jwt);
		assert_null(strpbrk(jwt, "+/="));
		const char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
		assert_non_null(dot2);
		assert_int_equal(strlen(dot2 + 1), 43); /* 32 bytes of MAC */
		assert_int_equal((size_t)(dot1 - jwt), (len * 4 + 2) / 3);
		free(jwt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7515_appendix_a1_example),
		cmocka_unit_test(test_no_padding_and_url_alphabet),
	};
	return cmocka_run_group_tests_name("crypto/jwt", tests, setup, NULL);
}
