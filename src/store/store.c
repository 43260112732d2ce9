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

enum tf_err store_tx_begin(struct store_conn *c)
{
	c->before_commit = (struct store_tx_hook){0};
	enum tf_err e = STORE(c)->tx_begin(c);
	c->in_tx = e == TF_OK;
	return e;
}

enum tf_err store_tx_end(struct store_conn *c, enum tf_err e)
{
	struct store_tx_hook hook = c->before_commit;
	c->before_commit = (struct store_tx_hook){0};
	c->in_tx = false;
	if (e == TF_OK && hook.run) {
		c->tx_ending = true;
		e = hook.run(c, hook.arg);
		c->tx_ending = false;
	}
	if (hook.drop)
		hook.drop(hook.arg);
	if (e == TF_OK)
		return STORE(c)->tx_commit(c);
	STORE(c)->tx_rollback(c);
	return e;
}

enum store_durable store_when_durable(struct store_conn *c, void (*done)(void *arg, enum tf_err e), void *arg,
				      enum tf_err *now)
{
	*now = TF_OK;
	if (STORE(c)->ops_version < 21 || !STORE(c)->when_durable)
		return STORE_DURABLE_NOW;
	return STORE(c)->when_durable(c, done, arg, now);
}

void store_flush(struct store *st)
{
	if (st->ops->ops_version >= 22 && st->ops->flush)
		st->ops->flush(st);
}

enum tf_err store_acquire(struct store *st, struct store_conn **out)
{
	return st->ops->acquire(st, out);
}

void store_release(struct store_conn *c)
{
	if (c->before_commit.drop) /* a transaction left open: the driver rolls it back */
		c->before_commit.drop(c->before_commit.arg);
	c->before_commit = (struct store_tx_hook){0};
	c->in_tx = false;
	c->commit_later = false;
	STORE(c)->release(c); /* waits for a commit still to come */
}

void idem_answer_free(struct idem_answer *a)
{
	free(a->sealed_body);
	free(a->headers);
	a->sealed_body = NULL;
	a->headers = NULL;
}
