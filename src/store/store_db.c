/* store_db.c: running the statements of store_sql.c through the connection's driver, and
 * reading their columns, for the operations written once (store_sql.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_sql.h"

static const struct sql_driver *drv_of(struct store_conn *c)
{
	return ((const struct sql_store *)c->st)->drv;
}

enum sql_dialect db_dialect(struct store_conn *c)
{
	return drv_of(c)->dialect;
}

/* Runs statement id, after the lock of the user it names when it says locks_user. */
static enum tf_err run(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r, int *changes)
{
	const struct sql_driver *d = drv_of(c);
	if (stmt_table[id].locks_user && d->lock_user) {
		enum tf_err e = d->lock_user(c, args[0].p, args[1].p);
		if (e != TF_OK)
			return e;
	}
	return d->run(c, id, args, r, changes);
}

enum tf_err db_exec(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, int *changes)
{
	return run(c, id, args, NULL, changes);
}

enum tf_err db_change(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, enum tf_err none)
{
	int changes = 0;
	enum tf_err e = run(c, id, args, NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : none;
}

enum tf_err db_query(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r)
{
	*r = (struct rows){.c = c, .drv = drv_of(c), .id = id, .row = -1};
	if ((r->e = run(c, id, args, r, NULL)) != TF_OK)
		r->h = NULL;
	return r->e;
}

bool db_next(struct rows *r)
{
	return r->h && r->e == TF_OK && r->drv->next(r);
}

enum tf_err db_end(struct rows *r)
{
	if (!r->h)
		return r->e;
	enum tf_err e = r->drv->end(r);
	r->h = NULL;
	return e;
}

enum tf_err db_row(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r)
{
	if (db_query(c, id, args, r) != TF_OK || db_next(r))
		return r->e;
	enum tf_err e = db_end(r);
	return e == TF_OK ? TF_ERR_NOT_FOUND : e;
}

enum tf_err db_get(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, row_reader read, void *out)
{
	struct rows r;
	enum tf_err e = db_row(c, id, args, &r);
	if (e != TF_OK)
		return e;
	read(&r, out);
	return db_end(&r);
}

enum tf_err db_list(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, row_reader read, void *out,
		    size_t size, size_t max, size_t *n_out)
{
	struct rows r;
	size_t n = 0;
	db_query(c, id, args, &r);
	while (n < max && db_next(&r))
		read(&r, (char *)out + size * n++);
	*n_out = n;
	return db_end(&r);
}

enum tf_err db_int(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, int64_t *out)
{
	struct rows r;
	enum tf_err e = db_row(c, id, args, &r);
	if (e != TF_OK)
		return e;
	*out = col_int(&r, 0);
	return db_end(&r);
}

enum tf_err db_chain_locked(struct store_conn *c, const char *chain)
{
	const struct sql_driver *d = drv_of(c);
	return d->chain_locked ? d->chain_locked(c, chain) : TF_OK;
}


void col_text(struct rows *r, int i, char *out, size_t size)
{
	size_t n = 0;
	const char *t = r->drv->text(r, i, &n);
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

const char *col_str(struct rows *r, int i)
{
	size_t n;
	return r->drv->text(r, i, &n);
}

int64_t col_int(struct rows *r, int i)
{
	return r->drv->integer(r, i);
}

bool col_null(struct rows *r, int i)
{
	return r->drv->is_null(r, i);
}

size_t col_blob(struct rows *r, int i, uint8_t *out, size_t size, size_t *len)
{
	size_t n = r->drv->blob(r, i, out, size);
	if (len)
		*len = n < size ? n : size;
	return n;
}

uint8_t *col_blob_dup(struct rows *r, int i, size_t *len)
{
	*len = 0;
	size_t n = r->drv->blob(r, i, NULL, 0);
	uint8_t *b = malloc(n ? n : 1);
	if (b && n)
		*len = r->drv->blob(r, i, b, n);
	return b;
}

enum tf_err sql_ping(struct store_conn *c)
{
	int64_t one;
	enum tf_err e = db_int(c, S_PING, NULL, &one);
	return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
}
