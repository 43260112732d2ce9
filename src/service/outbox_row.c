/* outbox_row.c: one sealed message into the outbox table (see outbox_row.h). */
#include "service/outbox_row.h"

#include <stdlib.h>
#include <string.h>

enum tf_err outbox_row_put(struct tf_service *svc, struct store_conn *c, struct outbox_row *row, const char *text)
{
	row->status = OUTBOX_PENDING;
	enum tf_err e = crypto_seal(svc->keys, text, strlen(text), &row->sealed_body, &row->sealed_body_len);
	if (e != TF_OK)
		return e;
	e = STORE(c)->outbox_insert(c, row);
	free(row->sealed_body);
	row->sealed_body = NULL;
	return e;
}
