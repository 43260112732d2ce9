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

/* "SEQ:HEX" as the log line's seq and hash give them */
static bool parse_head(const char *text, struct audit_head *out)
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
static int report(const struct audit_walk *w, const struct audit_head *heads, size_t n_heads)
{
	if (w->why) {
		printf("audit chain BROKEN at row seq=%lld: %s (%lld rows before it are intact)\n",
		       (long long)w->broken_seq, w->why, (long long)w->rows);
		return 1;
	}
	for (size_t i = 0; i < n_heads; i++) {
		if (!heads[i].seen) {
			printf("audit chain BROKEN: row seq=%lld, once its head, is gone: its newest rows were removed "
			       "(%lld rows are left, intact)\n", (long long)heads[i].seq, (long long)w->rows);
			return 1;
		}
		if (!heads[i].match) {
			printf("audit chain BROKEN: row seq=%lld is not the row that was its head (the chain was "
			       "rewritten from there)\n", (long long)heads[i].seq);
			return 1;
		}
	}
	printf("audit chain intact: %lld rows", (long long)w->rows);
	if (n_heads)
		printf(", holding the %zu head%s given", n_heads, n_heads == 1 ? "" : "s");
	printf("\n");
	return 0;
}

int cli_audit(int argc, char **argv, char **envp)
{
	if (argc < 1 || (strcmp(argv[0], "verify") != 0 && strcmp(argv[0], "head") != 0))
		return usage();
	bool verify = !strcmp(argv[0], "verify");
	struct audit_head heads[HEADS_MAX];
	size_t n_heads = 0;
	char **rest = calloc((size_t)argc, sizeof *rest);
	int n = 0;
	if (!rest)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *value = verify ? cli_flag_value(argc, argv, &i, "--head") : NULL;
		if (!value)
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
	int rc = 2;
	struct audit_walk w;
	int64_t seq = 0;
	uint8_t hash[AUDIT_HASH_BYTES];
	enum tf_err e = verify ? audit_verify(svc, heads, n_heads, &w) : audit_head_read(svc, &seq, hash);
	if (e != TF_OK) {
		fprintf(stderr, "twofold audit %s: cannot read the audit log: %s\n", argv[0], tf_err_message(e));
	} else if (verify) {
		rc = report(&w, heads, n_heads);
	} else {
		char hex[2 * AUDIT_HASH_BYTES + 1];
		sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
		printf("%lld:%s\n", (long long)seq, hex);
		rc = 0;
	}
	service_close(svc);
	return rc;
}
