/* Unit tests for core/sso_signer.c: the vendor's published test vector (identical in its
 * Python, PHP and Ruby signer libraries), and that every input changes the stoken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "core/sso_signer.h"

static const char *const vector =
	"c2de34c15cd76f797cf80781747da3874639a827a4cb79dcd862cc17b35cf2e2c721ea7d49ab9f60590d637ae0f51fd4ed8ddb551b922e0cd7e35a13b86de360";

static void sign3(const char *token, const char *page, const char *redirect, const char *id, const char *secret,
		  char out[SSO_STOKEN_LEN + 1])
{
	struct sso_field f[] = {{"token", token}, {"page", page}, {"redirect_uri", redirect}};
	assert_true(sso_sign(id, secret, f, 3, out));
}

static void test_published_test_vector(void **state)
{
	(void)state;
	char out[SSO_STOKEN_LEN + 1];
	sign3("10c936ca-5e7c-508b-9e60-b211c20be9bc", "https://wepay.com/account/12345", "https://partnersite.com/home",
	      "12173158495", "1594122c5c36f438f8ba", out);
	assert_string_equal(out, vector);
}

static void test_field_order_and_case_do_not_matter_values_do(void **state)
{
	(void)state;
	char a[SSO_STOKEN_LEN + 1], b[SSO_STOKEN_LEN + 1];
	struct sso_field reordered[] = {{"redirect_uri", "https://partnersite.com/home"},
					{"page", "HTTPS://WEPAY.COM/account/12345"},
					{"token", "10c936ca-5e7c-508b-9e60-b211c20be9bc"}};
	assert_true(sso_sign("12173158495", "1594122c5c36f438f8ba", reordered, 3, a));
	assert_string_equal(a, vector); /* values are lower-cased before signing */
	sign3("10c936ca-5e7c-508b-9e60-b211c20be9bd", "https://wepay.com/account/12345", "https://partnersite.com/home",
	      "12173158495", "1594122c5c36f438f8ba", b);
	assert_string_not_equal(b, vector);
	sign3("10c936ca-5e7c-508b-9e60-b211c20be9bc", "https://wepay.com/account/12345", "https://partnersite.com/home",
	      "12173158495", "1594122c5c36f438f8bb", b);
	assert_string_not_equal(b, vector);
	sign3("10c936ca-5e7c-508b-9e60-b211c20be9bc", "https://wepay.com/account/12345", "https://partnersite.com/homE2",
	      "12173158495", "1594122c5c36f438f8ba", b);
	assert_string_not_equal(b, vector);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_test_vector),
		cmocka_unit_test(test_field_order_and_case_do_not_matter_values_do),
	};
	return cmocka_run_group_tests_name("core/sso_signer", tests, NULL, NULL);
}
