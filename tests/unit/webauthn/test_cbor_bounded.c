/* Unit tests for webauthn/cbor_bounded.c: CBOR from outside is measured before libcbor allocates
 * what its heads declare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "webauthn/cbor_bounded.h"

static void test_well_formed_items_are_measured_and_loaded(void **state)
{
	(void)state;
	/* {1: 2, 3: -7, -2: h'0102'} then a byte that belongs to what follows */
	const uint8_t key[] = {0xa3, 0x01, 0x02, 0x03, 0x26, 0x21, 0x42, 0x01, 0x02, 0xff};
	assert_int_equal(cbor_bounded_length(key, sizeof key), sizeof key - 1);
	size_t used;
	cbor_item_t *item = cbor_bounded_load(key, sizeof key, &used);
	assert_non_null(item);
	assert_int_equal(used, sizeof key - 1);
	assert_true(cbor_isa_map(item));
	assert_int_equal(cbor_map_size(item), 3);
	cbor_decref(&item);
	const uint8_t empty_map[] = {0xa0}, tagged[] = {0xc1, 0x1a, 0, 0, 0, 1};
	assert_int_equal(cbor_bounded_length(empty_map, 1), 1);
	assert_int_equal(cbor_bounded_length(tagged, sizeof tagged), sizeof tagged);
}

static void test_declared_sizes_that_cannot_fit_are_refused_before_any_allocation(void **state)
{
	(void)state;
	/* an array of 2^32 members, a map of 2^63, a byte string longer than the input */
	const uint8_t arr[] = {0x9a, 0xff, 0xff, 0xff, 0xff, 0x00};
	const uint8_t map[] = {0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00};
	const uint8_t bytes[] = {0x5a, 0x00, 0x10, 0x00, 0x00, 0x01};
	size_t used;
	assert_int_equal(cbor_bounded_length(arr, sizeof arr), 0);
	assert_null(cbor_bounded_load(map, sizeof map, &used));
	assert_int_equal(cbor_bounded_length(bytes, sizeof bytes), 0);
	/* two members declared, one present */
	const uint8_t short_map[] = {0xa1, 0x01};
	assert_int_equal(cbor_bounded_length(short_map, sizeof short_map), 0);
}

static void test_indefinite_lengths_and_deep_nesting_are_refused(void **state)
{
	(void)state;
	const uint8_t indef_map[] = {0xbf, 0x01, 0x02, 0xff}, indef_bytes[] = {0x5f, 0x41, 0x00, 0xff};
	assert_int_equal(cbor_bounded_length(indef_map, sizeof indef_map), 0);
	assert_int_equal(cbor_bounded_length(indef_bytes, sizeof indef_bytes), 0);
	uint8_t deep[40];
	memset(deep, 0x81, sizeof deep); /* [[[[...]]]] */
	deep[CBOR_DEPTH_MAX] = 0x00;
	assert_int_equal(cbor_bounded_length(deep, CBOR_DEPTH_MAX + 1), CBOR_DEPTH_MAX + 1);
	deep[CBOR_DEPTH_MAX] = 0x81;
	deep[CBOR_DEPTH_MAX + 1] = 0x00;
	assert_int_equal(cbor_bounded_length(deep, CBOR_DEPTH_MAX + 2), 0);
	assert_int_equal(cbor_bounded_length(deep, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed_items_are_measured_and_loaded),
		cmocka_unit_test(test_declared_sizes_that_cannot_fit_are_refused_before_any_allocation),
		cmocka_unit_test(test_indefinite_lengths_and_deep_nesting_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
