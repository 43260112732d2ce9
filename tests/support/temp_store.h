/* temp_store.h: a migrated SQLite store in a fresh temporary directory for the store's unit
 * tests, and removing it. */
#ifndef TF_TESTS_TEMP_STORE_H
#define TF_TESTS_TEMP_STORE_H
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

#define TEMP_STORE_DIR_MAX 64

/* Opens a store of durability in a new directory (its path into dir) and migrates it. */
static inline void temp_store_open(char dir[TEMP_STORE_DIR_MAX], const char *durability, struct store **out)
{
	snprintf(dir, TEMP_STORE_DIR_MAX, "/tmp/tf-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
	assert_int_equal(store_open(url, durability, 0, out), TF_OK);
	struct store_conn *c;
	assert_int_equal(store_acquire(*out, &c), TF_OK);
	int version = 0;
	assert_int_equal(STORE(c)->migrate(c, &version), TF_OK);
	store_release(c);
}

/* Closes st and removes its directory. */
static inline void temp_store_remove(char dir[TEMP_STORE_DIR_MAX], struct store *st)
{
	st->ops->close(st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
