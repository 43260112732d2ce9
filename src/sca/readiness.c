/* readiness.c: the database's answer to a ping (see readiness.h). */
#include "sca/readiness.h"

enum tf_err sca_database_ping(struct tf_service *svc)
{
	struct store *store = svc->store;
	struct store_conn *c = NULL;
	enum tf_err e = store_acquire(store, &c);
	if (e != TF_OK)
		return e;
	e = STORE(c)->ping(c);
	store_release(c);
	return e;
}
