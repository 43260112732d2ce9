/* cli_audit.c: `twofold audit verify --data DIR`: walks the audit chain and exits 0 when
 * it is intact, or 1 naming the first broken row. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "service/service.h"

struct walk {
	const struct tf_hmac_key *key;
	struct audit_row prev;
	bool have_prev;
	int64_t rows;
	int64_t broken_seq;
	const char *why;
};

static int visit(void *ctx, const struct audit_row *row)
{
	struct walk *w = ctx;
	const char *why = NULL;
	if (!audit_chain_check(w->key, w->have_prev ? &w->prev : NULL, row, &why)) {
		w->broken_seq = row->seq;
		w->why = why;
		return 1;
	}
	w->prev.seq = row->seq;
	memcpy(w->prev.hash, row->hash, AUDIT_HASH_BYTES);
	w->have_prev = true;
	w->rows++;
	return 0;
}

int cli_audit(int argc, char **argv, char **envp)
{
	if (argc < 1 || strcmp(argv[0], "verify") != 0) {
		fprintf(stderr, "usage: twofold audit verify --data DIR\n");
		return 2;
	}
	struct tf_config cfg;
	if (cli_load_config(&cfg, argc - 1, argv + 1, envp) != 0)
		return 2;
	struct tf_service *svc;
	if (service_open(&cfg, &svc) != TF_OK)
		return 2;
	struct store_conn *c;
	int rc = 2;
	if (svc->store->ops->acquire(svc->store, &c) == TF_OK) {
		struct walk w = {.key = svc->keys->audit_hmac};
		enum tf_err e = STORE(c)->audit_scan(c, visit, &w);
		STORE(c)->release(c);
		if (e != TF_OK) {
			fprintf(stderr, "twofold audit verify: cannot read the audit log: %s\n", tf_err_message(e));
		} else if (w.why) {
			printf("audit chain BROKEN at row seq=%lld: %s (%lld rows before it are intact)\n",
			       (long long)w.broken_seq, w.why, (long long)w.rows);
			rc = 1;
		} else {
			printf("audit chain intact: %lld rows\n", (long long)w.rows);
			rc = 0;
		}
	}
	service_close(svc);
	return rc;
}
