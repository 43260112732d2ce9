/*
 * cli_audit.c: `twofold audit`, the operator's view of the audit chains (docs/audit.md):
 *   verify --data DIR [--head [CHAIN:]SEQ:HASH ...]  walks every chain and checks every signed
 *       head; exits 0 when all are intact and hold every head given (from "audit chain head"
 *       log lines), 1 naming what is broken;
 *   verify --export FILE --public-key KEY  checks an export offline (no database): every hash,
 *       every signature, no event missing between the first and the newest signed head;
 *   head --data DIR [--chain CHAIN]  prints each chain's newest event as CHAIN:SEQ:HASH;
 *   public-key --data DIR  prints the audit key's public half (base64 of 32 bytes);
 *   sign --data DIR  signs now the head of every chain that moved since its last signed head;
 *   export --data DIR --chain CHAIN [--out FILE]  writes the chain as GET /v1/audit/events and
 *       /v1/audit/heads give it: {"app_id", "events", "heads"}.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "platform/clock.h"
#include "sca/audit_chains.h"
#include "service/audit_export.h"
#include "service/service.h"

#define HEADS_MAX 16

static int usage(void)
{
	fprintf(stderr, "usage: twofold audit verify --data DIR [--head [CHAIN:]SEQ:HASH ...]\n"
			"       twofold audit verify --export FILE --public-key KEY\n"
			"       twofold audit head --data DIR [--chain CHAIN]\n"
			"       twofold audit public-key --data DIR\n"
			"       twofold audit sign --data DIR\n"
			"       twofold audit export --data DIR --chain CHAIN [--out FILE]\n");
	return 2;
}

/* "[CHAIN:]SEQ:HEX" as a log line's chain, seq and hash give them */
static bool parse_head(const char *text, struct audit_head *out)
{
	memset(out, 0, sizeof *out);
	const char *last = strrchr(text, ':');
	if (!last)
		return false;
	const char *seq_start = text;
	for (const char *p = last - 1; p >= text; p--)
		if (*p == ':') {
			size_t n = (size_t)(p - text);
			if (n == 0 || n >= sizeof out->chain)
				return false;
			memcpy(out->chain, text, n);
			seq_start = p + 1;
			break;
		}
	char *end;
	long long seq = strtoll(seq_start, &end, 10);
	if (end == seq_start || end != last || seq < 1 || !audit_hash_from_hex(last + 1, out->hash))
		return false;
	out->seq = seq;
	return true;
}

/* ---- verify --data ---- */

static int report(const struct audit_walk *w, const struct audit_head *heads, size_t n_heads)
{
	if (w->why) {
		printf("audit chain %s BROKEN at seq=%lld: %s (%lld events before it are intact)\n", w->broken_chain,
		       (long long)w->broken_seq, w->why, (long long)(w->kept ? w->kept : w->broken_seq - 1));
		return 1;
	}
	for (size_t i = 0; i < n_heads; i++) {
		const char *chain = heads[i].chain[0] ? heads[i].chain : "(any)";
		if (!heads[i].seen) {
			printf("audit chain %s BROKEN: the event seq=%lld, once its head, is gone: its newest events were "
			       "removed\n", chain, (long long)heads[i].seq);
			return 1;
		}
		if (!heads[i].match) {
			printf("audit chain %s BROKEN: the event seq=%lld is not the one that was its head (the chain was "
			       "rewritten from there)\n", chain, (long long)heads[i].seq);
			return 1;
		}
	}
	if (w->format1_broken_at)
		printf("WARNING: the audit chain of the earlier builds was already broken when its rows were moved into "
		       "these chains (deployment seq=%lld, audit.chains_split, says where)\n", (long long)w->format1_broken_at);
	printf("audit chains intact: %lld events in %lld chains, %lld signed heads verified", (long long)w->events,
	       (long long)w->chains, (long long)w->signed_heads);
	if (n_heads)
		printf(", holding the %zu head%s given", n_heads, n_heads == 1 ? "" : "s");
	printf("\n");
	return 0;
}

/* ---- verify --export (offline) ---- */

static bool public_key_of(const char *text, uint8_t out[AUDIT_PUBLIC_KEY_BYTES])
{
	size_t len = 0;
	return sodium_base642bin(out, AUDIT_PUBLIC_KEY_BYTES, text, strlen(text), NULL, &len, NULL,
				 sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       len == AUDIT_PUBLIC_KEY_BYTES;
}

/* The key as `audit public-key` prints it, or the first line of a file holding that. */
static bool read_public_key(const char *arg, uint8_t out[AUDIT_PUBLIC_KEY_BYTES])
{
	if (public_key_of(arg, out))
		return true;
	char line[256] = "";
	FILE *f = fopen(arg, "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return public_key_of(line, out);
}

static int verify_export(const char *path, const uint8_t public_key[AUDIT_PUBLIC_KEY_BYTES])
{
	json_error_t err;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	bool parsed = doc != NULL;
	struct audit_export_verdict v;
	audit_export_check(doc, public_key, &v);
	json_decref(doc);
	if (v.not_export) {
		fprintf(stderr, "twofold audit verify: %s is not an export {\"app_id\", \"events\": [...], \"heads\": "
				"[...]}%s%s\n", path, parsed ? "" : ": ", parsed ? "" : err.text);
		return 2;
	}
	if (v.why) {
		printf("audit export BROKEN at seq=%lld: %s\n", (long long)v.broken_seq, v.why);
		return 1;
	}
	printf("audit export intact: chain %s, %zu events", v.chain, v.events);
	if (v.events)
		printf(" (seq %lld to %lld)", (long long)v.first, (long long)v.last);
	printf(", %zu signed heads verified", v.heads);
	if (v.heads && v.newest_signed < v.last)
		printf("; the %lld events after seq %lld are not yet under a signed head",
		       (long long)(v.last - v.newest_signed), (long long)v.newest_signed);
	printf("\n");
	return 0;
}

/* ---- the subcommands on a data folder ---- */

static void print_head(void *arg, const struct audit_head_row *h)
{
	const char *only = arg;
	if (only && strcmp(only, h->chain) != 0)
		return;
	char hex[AUDIT_HASH_HEX];
	sodium_bin2hex(hex, sizeof hex, h->hash, AUDIT_HASH_BYTES);
	printf("%s:%lld:%s\n", h->chain, (long long)h->seq, hex);
}

static int export_event(void *arg, const struct audit_event_row *e)
{
	json_array_append_new(arg, api_audit_event_json(e));
	return 0;
}

static int export_chain(struct tf_service *svc, const char *chain, const char *out_path)
{
	struct store_conn *c;
	if (store_acquire(svc->store, &c) != TF_OK)
		return 1;
	static const struct app_row no_app;
	struct sca_ctx ctx = {.svc = svc, .db = c, .app = &no_app, .now = clock_now_ms(), .actor = "operator:cli",
			      .client_ip = "", .request_id = ""};
	json_t *events = json_array(), *heads = json_array();
	enum tf_err e = TF_OK;
	int64_t after = 0;
	for (size_t got = SCA_AUDIT_LIST_MAX; e == TF_OK && got == SCA_AUDIT_LIST_MAX;) {
		size_t before = json_array_size(events);
		e = sca_audit_events(&ctx, chain, after, SCA_AUDIT_LIST_MAX, export_event, events);
		got = json_array_size(events) - before;
		if (got)
			after = json_integer_value(json_object_get(json_array_get(events, json_array_size(events) - 1), "seq"));
	}
	struct audit_head_row *page = calloc(SCA_AUDIT_LIST_MAX, sizeof *page);
	after = 0;
	for (size_t n = SCA_AUDIT_LIST_MAX; page && e == TF_OK && n == SCA_AUDIT_LIST_MAX;) {
		if ((e = sca_audit_heads(&ctx, chain, after, page, SCA_AUDIT_LIST_MAX, &n)) != TF_OK)
			break;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(heads, api_audit_head_json(&page[i]));
		if (n)
			after = page[n - 1].seq;
	}
	if (!page)
		e = TF_ERR_INTERNAL;
	free(page);
	store_release(c);
	json_t *doc = json_pack("{s:s, s:o, s:o}", "app_id", chain, "events", events, "heads", heads);
	int rc = 1;
	if (e != TF_OK)
		fprintf(stderr, "twofold audit export: cannot read the chain: %s\n", tf_err_message(e));
	else if (out_path ? json_dump_file(doc, out_path, JSON_COMPACT) == 0 : json_dumpf(doc, stdout, JSON_COMPACT) == 0)
		rc = 0;
	else
		fprintf(stderr, "twofold audit export: cannot write %s\n", out_path ? out_path : "the export");
	if (!out_path && rc == 0)
		printf("\n");
	json_decref(doc);
	return rc;
}

int cli_audit(int argc, char **argv, char **envp)
{
	static const char *const commands[] = {"verify", "head", "public-key", "sign", "export"};
	size_t cmd = sizeof commands / sizeof commands[0];
	for (size_t k = 0; argc >= 1 && k < sizeof commands / sizeof commands[0]; k++)
		if (!strcmp(argv[0], commands[k]))
			cmd = k;
	if (cmd == sizeof commands / sizeof commands[0])
		return usage();
	struct audit_head heads[HEADS_MAX];
	size_t n_heads = 0;
	const char *export_path = NULL, *key_arg = NULL, *chain = NULL, *out_path = NULL;
	char **rest = calloc((size_t)argc, sizeof *rest);
	int n = 0;
	if (!rest)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (cmd == 0 && (v = cli_flag_value(argc, argv, &i, "--head"))) {
			if (n_heads == HEADS_MAX || !parse_head(v, &heads[n_heads++])) {
				fprintf(stderr, "twofold audit verify: --head takes [CHAIN:]SEQ:HASH (the chain, seq and the 64 hex "
						"digits of an 'audit chain head' log line), at most %d of them\n", HEADS_MAX);
				free(rest);
				return 2;
			}
		} else if (cmd == 0 && (v = cli_flag_value(argc, argv, &i, "--export"))) {
			export_path = v;
		} else if (cmd == 0 && (v = cli_flag_value(argc, argv, &i, "--public-key"))) {
			key_arg = v;
		} else if ((cmd == 1 || cmd == 4) && (v = cli_flag_value(argc, argv, &i, "--chain"))) {
			chain = v;
		} else if (cmd == 4 && (v = cli_flag_value(argc, argv, &i, "--out"))) {
			out_path = v;
		} else {
			rest[n++] = argv[i];
		}
	}
	if (export_path || key_arg) { /* offline: no data folder, no database */
		uint8_t public_key[AUDIT_PUBLIC_KEY_BYTES];
		free(rest);
		if (!export_path || !key_arg || n_heads) {
			fprintf(stderr, "twofold audit verify: --export FILE goes with --public-key KEY, and nothing else\n");
			return 2;
		}
		if (!read_public_key(key_arg, public_key)) {
			fprintf(stderr, "twofold audit verify: --public-key takes the key as `twofold audit public-key` prints "
					"it (base64 of 32 bytes), or a file holding that line\n");
			return 2;
		}
		return verify_export(export_path, public_key);
	}
	if (cmd == 4 && !chain) {
		free(rest);
		return usage();
	}
	struct tf_config cfg;
	int loaded = cli_load_config(&cfg, n, rest, envp);
	free(rest);
	if (loaded != 0)
		return 2;
	struct tf_service *svc;
	if (service_open(&cfg, &svc) != TF_OK)
		return 2;
	int rc = 1;
	enum tf_err e = TF_OK;
	if (cmd == 0) {
		struct audit_walk w;
		if ((e = audit_verify(svc, heads, n_heads, &w)) == TF_OK)
			rc = report(&w, heads, n_heads);
	} else if (cmd == 1) {
		if ((e = audit_chains_each(svc, print_head, (void *)chain)) == TF_OK)
			rc = 0;
	} else if (cmd == 2) {
		char b64[sodium_base64_ENCODED_LEN(AUDIT_PUBLIC_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof b64, svc->audit_public_key, AUDIT_PUBLIC_KEY_BYTES,
				  sodium_base64_VARIANT_ORIGINAL);
		printf("%s\n", b64);
		rc = 0;
	} else if (cmd == 3) {
		size_t signed_now = 0;
		if ((e = audit_sign_moved(svc, clock_now_ms(), &signed_now)) == TF_OK) {
			printf("signed the heads of %zu chain%s\n", signed_now, signed_now == 1 ? "" : "s");
			rc = 0;
		}
	} else {
		rc = export_chain(svc, chain, out_path);
	}
	if (e != TF_OK)
		fprintf(stderr, "twofold audit %s: cannot read the audit log: %s\n", argv[0], tf_err_message(e));
	service_close(svc);
	return e != TF_OK ? 2 : rc;
}
