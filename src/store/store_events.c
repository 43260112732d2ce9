/* store_events.c: an application's events endpoint, its url and its sealed signing key, written
 * once for both drivers (store_sql.h; the statements are in store_sql.c). */
#include <stdlib.h>

#include "store/store_sql.h"

enum tf_err sql_app_events_set(struct store_conn *c, const char *app_id, const char *url, const uint8_t *sealed,
			       size_t len)
{
	return db_change(c, S_APP_EVENTS_SET, ARGS(TEXT(url), BLOB_OR_NULL(sealed, len), TEXT(app_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_app_events_get(struct store_conn *c, const char *app_id, char url[STORE_URL_MAX], uint8_t **sealed,
			       size_t *len)
{
	if (sealed) {
		*sealed = NULL;
		*len = 0;
	}
	struct rows r;
	enum tf_err e = db_row(c, S_APP_EVENTS_GET, ARGS(TEXT(app_id)), &r);
	if (e != TF_OK)
		return e;
	col_text(&r, 0, url, STORE_URL_MAX);
	if (sealed && !col_null(&r, 1) && !(*sealed = col_blob_dup(&r, 1, len)))
		e = TF_ERR_INTERNAL;
	enum tf_err end = db_end(&r);
	return e != TF_OK ? e : end;
}
