/* cli_audit.c: `twofold audit verify --data DIR [--head SEQ:HASH ...]` walks the audit chain
 * and exits 0 when it is intact and still holds every head given (from the server's "audit
 * chain head" log lines: the chain alone cannot show that its newest rows were removed), or 1
 * naming what is broken; `twofold audit head --data DIR` prints the head as SEQ:HASH. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "service/service.h"

#define HEADS_MAX 16

struct head {
	int64_t seq;
	uint8_t hash[AUDIT_HASH_BYTES];
	bool seen;  /* the row is in the chain */
	bool match; /* with this hash */
};

struct walk {
	const struct tf_hmac_key *key;
	struct audit_row prev;
	bool have_prev;
	int64_t rows;
	int64_t broken_seq;
	const char *why;
	struct head *heads;
	size_t n_heads;
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
	for (size_t i = 0; i < w->n_heads; i++)
		if (w->heads[i].seq == row->seq) {
			w->heads[i].seen = true;
			w->heads[i].match = sodium_memcmp(w->heads[i].hash, row->hash, AUDIT_HASH_BYTES) == 0;
		}
	w->prev.seq = row->seq;
	memcpy(w->prev.hash, row->hash, AUDIT_HASH_BYTES);
	w->have_prev = true;
	w->rows++;
	return 0;
}

/* "SEQ:HEX" as the log line's seq and hash give them */
static bool parse_head(const char *text, struct head *out)
{
	char *end;
	long long seq = strtoll(text, &end, 10);
	size_t len = 0;
	memset(out, 0, sizeof *out);
	if (end == text || *end != ':' || seq < 1 || strlen(end + 1) != 2 * AUDIT_HASH_BYTES ||
	    sodium_hex2bin(out->hash, AUDIT_HASH_BYTES, end + 1, 2 * AUDIT_HASH_BYTES, NULL, &len, NULL) != 0 ||
	    len != AUDIT_HASH_BYTES)
		return false;
	out->seq = seq;
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: twofold audit verify --data DIR [--head SEQ:HASH ...]\n"
			"       twofold audit head --data DIR\n");
	return 2;
}

/* The verdict on the walk: 0 intact, 1 broken (printed either way). */
static int report(const struct walk *w)
{
	if (w->why) {
		printf("audit chain BROKEN at row seq=%lld: %s (%lld rows before it are intact)\n",
		       (long long)w->broken_seq, w->why, (long long)w->rows);
		return 1;
	}
	for (size_t i = 0; i < w->n_heads; i++) {
		if (!w->heads[i].seen) {
			printf("audit chain BROKEN: row seq=%lld, once its head, is gone: its newest rows were removed "
			       "(%lld rows are left, intact)\n", (long long)w->heads[i].seq, (long long)w->rows);
			return 1;
		}
		if (!w->heads[i].match) {
			printf("audit chain BROKEN: row seq=%lld is not the row that was its head (the chain was "
			       "rewritten from there)\n", (long long)w->heads[i].seq);
			return 1;
		}
	}
	printf("audit chain intact: %lld rows", (long long)w->rows);
	if (w->n_heads)
		printf(", holding the %zu head%s given", w->n_heads, w->n_heads == 1 ? "" : "s");
	printf("\n");
	return 0;
}

int cli_audit(int argc, char **argv, char **envp)
{
	if (argc < 1 || (strcmp(argv[0], "verify") != 0 && strcmp(argv[0], "head") != 0))
		return usage();
	bool verify = !strcmp(argv[0], "verify");
	struct head heads[HEADS_MAX];
	size_t n_heads = 0;
	char **rest = calloc((size_t)argc, sizeof *rest);
	int n = 0;
	if (!rest)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *value = NULL;
		if (verify && !strcmp(argv[i], "--head") && i + 1 < argc)
			value = argv[++i];
		else if (verify && !strncmp(argv[i], "--head=", 7))
			value = argv[i] + 7;
		else
			rest[n++] = argv[i];
		if (value && (n_heads == HEADS_MAX || !parse_head(value, &heads[n_heads++]))) {
			fprintf(stderr, "twofold audit verify: --head takes SEQ:HASH (the seq and the 64 hex digits of an "
					"'audit chain head' log line), at most %d of them\n", HEADS_MAX);
			free(rest);
			return 2;
		}
	}
	struct tf_config cfg;
	int loaded = cli_load_config(&cfg, n, rest, envp);
	free(rest);
	if (loaded != 0)
		return 2;
	struct tf_service *svc;
	if (service_open(&cfg, &svc) != TF_OK)
		return 2;
	struct store_conn *c;
	int rc = 2;
	if (store_acquire(svc->store, &c) == TF_OK) {
		struct walk w = {.key = svc->keys->audit_hmac, .heads = heads, .n_heads = n_heads};
		int64_t seq = 0;
		uint8_t hash[AUDIT_HASH_BYTES];
		enum tf_err e = verify ? STORE(c)->audit_scan(c, visit, &w) : STORE(c)->audit_last(c, &seq, hash);
		store_release(c);
		if (e != TF_OK) {
			fprintf(stderr, "twofold audit %s: cannot read the audit log: %s\n", argv[0], tf_err_message(e));
		} else if (verify) {
			rc = report(&w);
		} else {
			char hex[2 * AUDIT_HASH_BYTES + 1];
			sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
			printf("%lld:%s\n", (long long)seq, hex);
			rc = 0;
		}
	}
	service_close(svc);
	return rc;
}
