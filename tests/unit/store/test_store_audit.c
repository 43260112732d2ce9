/* Unit tests for the store's audit appends (store/store_records.c) on a real SQLite file:
 * a transaction's successive events of one chain, numbered and chained by the store and
 * inserted two per statement, come back in order, each chained from the one before, whatever
 * their number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "support/temp_store.h"

struct fixture {
	char dir[TEMP_STORE_DIR_MAX];
	struct store *st;
	struct store_conn *c;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	temp_store_open(f->dir, "normal", &f->st);
	assert_int_equal(store_acquire(f->st, &f->c), TF_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_release(f->c);
	temp_store_remove(f->dir, f->st);
	free(f);
	return 0;
}

/* Appends n events to chain in one transaction, after its newest, as the service does: the
 * store numbers and chains them. */
static void append(struct store_conn *c, const char *chain, size_t n, int64_t at)
{
	struct audit_event_row rows[8];
	char details[8][32];
	assert_true(n <= 8);
	assert_int_equal(store_tx_begin(c), TF_OK);
	for (size_t i = 0; i < n; i++) {
		snprintf(details[i], sizeof details[i], "{\"n\":%zu}", i);
		rows[i] = (struct audit_event_row){.at_ms = at, .type = "test.event", .actor = "app:a", .subject = "",
						   .ip = "", .request_id = "r", .details = details[i]};
		snprintf(rows[i].chain, sizeof rows[i].chain, "%s", chain);
	}
	assert_int_equal(STORE(c)->audit_append(c, rows, n), TF_OK);
	assert_int_equal(store_tx_end(c, TF_OK), TF_OK);
}

struct walk {
	int64_t seq;
	uint8_t prev[AUDIT_HASH_BYTES];
	int64_t count;
};

static int check_event(void *arg, const struct audit_event_row *a)
{
	struct walk *w = arg;
	struct audit_event_row again = *a;
	audit_event_hash(&again);
	assert_int_equal(a->seq, w->seq + 1);
	assert_memory_equal(a->prev_hash, w->prev, AUDIT_HASH_BYTES);
	assert_memory_equal(a->hash, again.hash, AUDIT_HASH_BYTES);
	w->seq = a->seq;
	memcpy(w->prev, a->hash, AUDIT_HASH_BYTES);
	w->count++;
	return 0;
}

static void test_successive_events_of_any_number_are_one_unbroken_chain(void **state)
{
	struct fixture *f = *state;
	/* one, two (one statement), three (two and one), five, then one again */
	size_t counts[] = {1, 2, 3, 5, 1};
	int64_t total = 0;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		append(f->c, "app_unit", counts[i], 1000 + (int64_t)i);
		total += (int64_t)counts[i];
	}
	struct walk w = {0};
	assert_int_equal(STORE(f->c)->audit_events(f->c, "app_unit", 0, 0, check_event, &w), TF_OK);
	assert_int_equal(w.count, total);
	struct audit_head_row newest;
	assert_int_equal(STORE(f->c)->audit_newest(f->c, "app_unit", &newest), TF_OK);
	assert_int_equal(newest.seq, total);
	assert_memory_equal(newest.hash, w.prev, AUDIT_HASH_BYTES);
}

static void test_a_rolled_back_append_leaves_the_chain_as_it_was(void **state)
{
	struct fixture *f = *state;
	append(f->c, "app_unit", 2, 1000);
	struct audit_event_row row = {.seq = 3, .at_ms = 2000, .type = "test.event", .actor = "", .subject = "",
				      .ip = "", .request_id = "", .details = "{}"};
	snprintf(row.chain, sizeof row.chain, "app_unit");
	assert_int_equal(store_tx_begin(f->c), TF_OK);
	assert_int_equal(STORE(f->c)->audit_insert(f->c, &row, 1), TF_OK);
	assert_int_equal(store_tx_end(f->c, TF_ERR_INTERNAL), TF_ERR_INTERNAL);
	struct audit_head_row newest;
	assert_int_equal(STORE(f->c)->audit_newest(f->c, "app_unit", &newest), TF_OK);
	assert_int_equal(newest.seq, 2);
}

static int hook_runs, hook_drops;
static enum tf_err failing_hook(struct store_conn *c, void *arg)
{
	(void)c;
	(void)arg;
	hook_runs++;
	return TF_ERR_STORE_UNAVAILABLE;
}
static void count_drop(void *arg)
{
	(void)arg;
	hook_drops++;
}

static void test_a_failing_before_commit_hook_rolls_the_transaction_back(void **state)
{
	struct fixture *f = *state;
	append(f->c, "app_unit", 1, 1000);
	assert_int_equal(store_tx_begin(f->c), TF_OK);
	assert_true(f->c->in_tx);
	struct audit_event_row row = {.seq = 2, .at_ms = 2000, .type = "test.event", .actor = "", .subject = "",
				      .ip = "", .request_id = "", .details = "{}"};
	snprintf(row.chain, sizeof row.chain, "app_unit");
	assert_int_equal(STORE(f->c)->audit_insert(f->c, &row, 1), TF_OK);
	f->c->before_commit = (struct store_tx_hook){.run = failing_hook, .drop = count_drop};
	assert_int_equal(store_tx_end(f->c, TF_OK), TF_ERR_STORE_UNAVAILABLE);
	assert_false(f->c->in_tx);
	assert_int_equal(hook_runs, 1);
	assert_int_equal(hook_drops, 1);
	struct audit_head_row newest;
	assert_int_equal(STORE(f->c)->audit_newest(f->c, "app_unit", &newest), TF_OK);
	assert_int_equal(newest.seq, 1);
	/* a rollback drops the hook without running it */
	assert_int_equal(store_tx_begin(f->c), TF_OK);
	f->c->before_commit = (struct store_tx_hook){.run = failing_hook, .drop = count_drop};
	assert_int_equal(store_tx_end(f->c, TF_ERR_NOT_FOUND), TF_ERR_NOT_FOUND);
	assert_int_equal(hook_runs, 1);
	assert_int_equal(hook_drops, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_successive_events_of_any_number_are_one_unbroken_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_rolled_back_append_leaves_the_chain_as_it_was, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failing_before_commit_hook_rolls_the_transaction_back, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
