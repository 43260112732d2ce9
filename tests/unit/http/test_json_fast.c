/* Unit tests for http/json_fast.c: what it reads and writes equals jansson's, and everything
 * outside its subset is left to jansson (NULL). fuzz/fuzz_json_fast.c checks the same on
 * arbitrary input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_fast.h"

/* the fast parse of text equals jansson's, member order included */
static void assert_parses_as_jansson(const char *text)
{
	json_t *fast = json_fast_parse_flat(text, strlen(text));
	json_t *ref = json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(fast);
	assert_non_null(ref);
	assert_true(json_equal(fast, ref));
	char *a = json_dumps(fast, JSON_COMPACT), *b = json_dumps(ref, JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(fast);
	json_decref(ref);
}

static void assert_left_to_jansson(const char *text, size_t len)
{
	assert_null(json_fast_parse_flat(text, len));
}

#define LEFT(text) assert_left_to_jansson(text, strlen(text))

static void test_request_bodies_of_the_hot_routes(void **state)
{
	(void)state;
	assert_parses_as_jansson("{\"user_id\":\"usr_i2awcxxen32qbv26sl3u7jrury\",\"cookie\":\"tfd1.YXBw.6mv4UkBs9ChHbTgq0-bUYmfPUAeeOSAutf544n0cyhI\"}");
	assert_parses_as_jansson("{\"code\":\"123456\",\"trust_device\":true}");
	assert_parses_as_jansson("{\"amount\":1999,\"currency\":\"EUR\",\"payee\":\"ACME Ltd / 42\"}");
	assert_parses_as_jansson(" \t\r\n{ \"a\" : \"b\" , \"c\" :null,\"d\":false,\"e\":-0,\"f\":0,\"g\":-42 }\n ");
	assert_parses_as_jansson("{}");
	assert_parses_as_jansson("{\"\":\"\"}");
	assert_parses_as_jansson("{\"n\":999999999999999999,\"m\":-999999999999999999}");
}

static void test_values_it_parses_have_their_types(void **state)
{
	(void)state;
	const char *text = "{\"s\":\"x\",\"i\":-7,\"t\":true,\"f\":false,\"z\":null}";
	json_t *o = json_fast_parse_flat(text, strlen(text));
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "s")), "x");
	assert_true(json_is_integer(json_object_get(o, "i")));
	assert_int_equal(json_integer_value(json_object_get(o, "i")), -7);
	assert_true(json_is_true(json_object_get(o, "t")));
	assert_true(json_is_false(json_object_get(o, "f")));
	assert_true(json_is_null(json_object_get(o, "z")));
	json_decref(o);
}

static void test_everything_else_is_left_to_jansson(void **state)
{
	(void)state;
	/* other valid JSON */
	LEFT("{\"a\":\"caf\xc3\xa9\"}");        /* UTF-8 */
	LEFT("{\"a\":\"x\\ny\"}");              /* an escape */
	LEFT("{\"a\\u0041\":1}");               /* an escaped key */
	LEFT("{\"a\":1.5}");                    /* a real */
	LEFT("{\"a\":1e3}");
	LEFT("{\"a\":1000000000000000000}");    /* 19 digits */
	LEFT("{\"a\":{\"b\":1}}");              /* nesting */
	LEFT("{\"a\":[1]}");
	LEFT("[]");
	LEFT("\"a\"");
	LEFT("{\"a\":\"\x7f\"}");               /* DEL */
	/* invalid JSON: jansson gives the error */
	LEFT("");
	LEFT("{");
	LEFT("{\"a\":1,}");
	LEFT("{\"a\":1}x");
	LEFT("{\"a\":1}{}");
	LEFT("{\"a\":01}");
	LEFT("{\"a\":-}");
	LEFT("{\"a\":1x}");
	LEFT("{\"a\":truex}");
	LEFT("{\"a\":tru}");
	LEFT("{\"a\" 1}");
	LEFT("{a:1}");
	LEFT("{\"a\":\"b}");
	LEFT("{\"a\":\"\t\"}");                 /* a raw control character */
	LEFT("{\"a\":1,\"a\":2}");              /* a repeated key: jansson refuses it */
	assert_left_to_jansson("{\"a\":1}\0", 8); /* a NUL byte */
	assert_left_to_jansson("{\"a\":\"\0\"}", 8);
}

static void assert_dumps_as_jansson(json_t *v)
{
	char *fast = json_fast_dump(v), *ref = json_dumps(v, JSON_COMPACT);
	assert_non_null(fast);
	assert_non_null(ref);
	assert_string_equal(fast, ref);
	free(fast);
	free(ref);
	json_decref(v);
}

static void test_answers_it_writes_equal_jansson(void **state)
{
	(void)state;
	assert_dumps_as_jansson(json_pack("{s:b, s:s, s:s, s:s}", "trusted", 1, "device_id", "dev_abc", "kind", "persistent",
					  "expires_at", "2026-12-23T18:04:05Z"));
	assert_dumps_as_jansson(json_pack("{s:{s:s, s:[i, i, n, b]}, s:[], s:{}, s:I, s:I}", "error", "code", "INVALID_CODE",
					  "list", 1, -2, 0, "e", "o", "min", (json_int_t)INT64_MIN, "max",
					  (json_int_t)INT64_MAX));
	assert_dumps_as_jansson(json_pack("[s, s]", "a/b", ""));
	assert_dumps_as_jansson(json_object());
	/* a long answer, past the first buffer */
	json_t *arr = json_array();
	for (int i = 0; i < 500; i++)
		json_array_append_new(arr, json_pack("{s:i, s:s}", "i", i, "id", "fac_0123456789abcdefghijklmn"));
	assert_dumps_as_jansson(json_pack("{s:o}", "factors", arr));
}

static void test_answers_outside_the_subset_are_left_to_jansson(void **state)
{
	(void)state;
	json_t *cases[] = {
		json_pack("{s:f}", "rate", 0.5),
		json_pack("{s:s}", "name", "caf\xc3\xa9"),
		json_pack("{s:s}", "q", "say \"hi\""),
		json_pack("{s:s}", "path", "a\\b"),
		json_pack("{s:s}", "line", "a\nb"),
		json_pack("{s:s}", "caf\xc3\xa9", "key"),
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_null(json_fast_dump(cases[i]));
		json_decref(cases[i]);
	}
	json_t *deep = json_integer(1);
	for (int i = 0; i < 40; i++)
		deep = json_pack("[o]", deep);
	assert_null(json_fast_dump(deep));
	json_decref(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_bodies_of_the_hot_routes),
		cmocka_unit_test(test_values_it_parses_have_their_types),
		cmocka_unit_test(test_everything_else_is_left_to_jansson),
		cmocka_unit_test(test_answers_it_writes_equal_jansson),
		cmocka_unit_test(test_answers_outside_the_subset_are_left_to_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
