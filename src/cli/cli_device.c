/*
 * cli_device.c: `twofold device`, a push device in a terminal, for tests and the README's
 * tour. It holds an Ed25519 key pair in a file (mode 0600) and answers push
 * challenges the way a phone app would (core/push.h):
 *
 *   twofold device keygen --key FILE
 *       makes a key pair; prints the public key (base64) for POST /v1/factors
 *   twofold device answer --key FILE --challenge CHL_ID (--approve | --deny) [--transaction-hash HEX]
 *       prints the JSON body for POST /v1/challenges/{id}/verify: {"approve", "signature"}
 *   twofold device public-key --key FILE
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/push.h"
#include "crypto/crypto.h"

static const char *flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static bool has(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

static int usage(void)
{
	fprintf(stderr, "usage:\n"
			"  twofold device keygen --key FILE\n"
			"  twofold device public-key --key FILE\n"
			"  twofold device answer --key FILE --challenge CHL_ID (--approve | --deny) [--transaction-hash HEX]\n");
	return 2;
}

/* the key file: base64 of the 64-byte secret key (which holds the public key in its last 32) */
static bool load_key(const char *path, uint8_t sk[64])
{
	char text[128] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool ok = fgets(text, sizeof text, f) != NULL;
	fclose(f);
	text[strcspn(text, "\n")] = '\0';
	ok = ok && crypto_base64_decode_exact(text, sk, 64);
	sodium_memzero(text, sizeof text);
	return ok;
}

static void print_public(const uint8_t sk[64])
{
	char b64[64];
	crypto_base64_encode(sk + 32, 32, b64, sizeof b64);
	printf("%s\n", b64);
}

int cli_device(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc < 1 || sodium_init() < 0)
		return usage();
	const char *cmd = argv[0], *key = flag(argc, argv, "--key");
	if (!key)
		return usage();
	uint8_t pk[32], sk[64];
	if (!strcmp(cmd, "keygen")) {
		crypto_ed25519_keypair(pk, sk);
		char b64[128];
		crypto_base64_encode(sk, sizeof sk, b64, sizeof b64);
		int fd = open(key, O_WRONLY | O_CREAT | O_EXCL, 0600);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f) {
			fprintf(stderr, "twofold device: cannot create %s (it must not exist yet)\n", key);
			if (fd >= 0)
				close(fd);
			return 1;
		}
		fprintf(f, "%s\n", b64);
		fclose(f);
		sodium_memzero(b64, sizeof b64);
		print_public(sk);
		sodium_memzero(sk, sizeof sk);
		return 0;
	}
	if (!load_key(key, sk)) {
		fprintf(stderr, "twofold device: cannot read a key from %s\n", key);
		return 1;
	}
	int rc = 0;
	if (!strcmp(cmd, "public-key")) {
		print_public(sk);
	} else if (!strcmp(cmd, "answer")) {
		const char *challenge = flag(argc, argv, "--challenge"), *hash = flag(argc, argv, "--transaction-hash");
		bool approve = has(argc, argv, "--approve"), deny = has(argc, argv, "--deny");
		char msg[PUSH_SIGNING_STRING_MAX];
		size_t n = challenge && approve != deny ? push_signing_string(challenge, approve, hash ? hash : "", msg, sizeof msg) : 0;
		if (!n) {
			rc = usage();
		} else {
			uint8_t sig[64];
			char b64[128];
			crypto_ed25519_sign(sig, msg, n, sk);
			crypto_base64_encode(sig, sizeof sig, b64, sizeof b64);
			printf("{\"approve\": %s, \"signature\": \"%s\"}\n", approve ? "true" : "false", b64);
		}
	} else {
		rc = usage();
	}
	sodium_memzero(sk, sizeof sk);
	return rc;
}
