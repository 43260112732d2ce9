/* store.c: choosing a backend from the database URL, and helpers shared by all backends. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

enum tf_err store_open(const char *url, const char *durability, int pool_size, struct store **out)
{
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return store_pg_open(url, pool_size > 0 ? pool_size : STORE_PG_POOL_DEFAULT, out);
	return store_sqlite_ops.open(url, durability, out);
}

enum tf_err store_tx_end(struct store_conn *c, enum tf_err e)
{
	if (e == TF_OK)
		return STORE(c)->tx_commit(c);
	STORE(c)->tx_rollback(c);
	return e;
}

enum tf_err store_acquire(struct store *st, struct store_conn **out)
{
	return st->ops->acquire(st, out);
}

void store_release(struct store_conn *c)
{
	STORE(c)->release(c);
}

void idem_answer_free(struct idem_answer *a)
{
	free(a->sealed_body);
	free(a->headers);
	a->sealed_body = NULL;
	a->headers = NULL;
}
