/*
 * cli_key.c: `twofold key rotate [--new-key FILE] [--new-cookie-key] --data DIR [--SETTING VALUE ...]` replaces
 * the master key (service/keyring.h, invariant 3), with every node of the database stopped:
 *
 *   1. reads the current key (master_key_file, or DATA/master.key), which must be the
 *      database's, and the new one: FILE when it exists, else a random key written to FILE, or
 *      without --new-key to CURRENT.new beside the current key; written (0600, fsynced, never
 *      replacing a file) before the database changes, so that the key the database will need
 *      is on disk first;
 *   2. in one transaction: every sealed secret re-sealed under a new data key, the data keys
 *      wrapped under the new master key, the check value replaced, an audit row; with
 *      --new-cookie-key, a new device-cookie key too and every trusted device revoked;
 *   3. without --new-key, CURRENT.new takes the current key's place and the old key stays
 *      beside it as CURRENT.old-YYYYMMDDTHHMMSSZ (it opens database backups taken before);
 *      with --new-key, no key file is moved: the operator puts FILE where the nodes read it.
 * A failure before the commit changes nothing and removes the new key file it wrote.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "platform/clock.h"
#include "service/keyring.h"
#include "service/service.h"

#define PATH_MAX_LEN (CONFIG_STR_MAX + 64)

static int usage(void)
{
	fprintf(stderr, "usage: twofold key rotate [--new-key FILE] [--new-cookie-key] --data DIR [--database URL]\n"
			"                          [--master-key-file FILE]\n"
			"  Stop every node of the database first; start them again with the new key.\n"
			"  --new-cookie-key also replaces the key of trusted-device cookies: every trusted device is\n"
			"  revoked (for a master key that may have leaked; see SECURITY.md).\n");
	return 2;
}

/* The new key: read from path when it exists (it must differ from old), else made and written
 * there (*wrote). */
static int new_key(const char *path, const uint8_t old[MASTER_KEY_BYTES], uint8_t out[MASTER_KEY_BYTES], bool *wrote)
{
	char why[PATH_MAX_LEN + 128];
	*wrote = false;
	enum tf_err e = master_key_read(path, MASTER_KEY_NAMED, out, why, sizeof why);
	if (e == TF_OK) {
		if (sodium_memcmp(out, old, MASTER_KEY_BYTES) == 0) {
			fprintf(stderr, "twofold key rotate: %s holds the current master key, not a new one\n", path);
			return 1;
		}
		return 0;
	}
	if (e == TF_ERR_NOT_FOUND) {
		crypto_random_bytes(out, MASTER_KEY_BYTES);
		if (master_key_write(path, out, why, sizeof why) == TF_OK) {
			*wrote = true;
			return 0;
		}
	}
	fprintf(stderr, "twofold key rotate: cannot %s the new key %s: %s\n", e == TF_ERR_NOT_FOUND ? "write" : "read",
		path, why);
	if (e == TF_ERR_NOT_FOUND && access(path, F_OK) == 0)
		fprintf(stderr, "twofold key rotate: if an earlier rotation stopped half-way, the database may need the key "
				"in that file: start a node with --master-key-file %s to see, before removing it\n",
			path);
	return 1;
}

static void print_summary(const struct keyring_rotation *rot, bool new_cookie_key)
{
	size_t total = 0;
	for (int col = 0; col < SEALED__MAX; col++)
		total += rot->resealed[col];
	printf("twofold: the master key is replaced; %zu sealed values were sealed anew under a new data key:\n", total);
	for (int col = 0; col < SEALED__MAX; col++)
		printf("  %-32s %zu\n", keyring_column_name((enum sealed_column)col), rot->resealed[col]);
	if (new_cookie_key)
		printf("twofold: the device-cookie key is new too: %d trusted device%s revoked (their users pass a challenge "
		       "again)\n", rot->devices_revoked, rot->devices_revoked == 1 ? " was" : "s were");
}

/* Step 3 without --new-key: the new key in the current one's place, the old one kept beside it. */
static int put_in_place(const char current[PATH_MAX_LEN], const char *fresh)
{
	char backup[PATH_MAX_LEN + 48], stamp[32], why[3 * PATH_MAX_LEN];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(backup, sizeof backup, "%s.old-%s", current, stamp);
	if (master_key_replace(current, fresh, backup, why, sizeof why) != TF_OK) {
		fprintf(stderr, "twofold key rotate: the database now needs the new key, in %s, but %s. Put that file in "
				"the place of %s yourself (mode 0600) before starting any node.\n",
			fresh, why, current);
		return 1;
	}
	printf("twofold: the new master key is in %s; the old one is kept as %s: it opens database backups taken before "
	       "now, so keep it with them, away from the nodes (or delete it if you keep none).\n",
	       current, backup);
	return 0;
}

int cli_key(int argc, char **argv, char **envp)
{
	if (argc < 1 || strcmp(argv[0], "rotate") != 0)
		return usage();
	const char *new_path_arg = NULL;
	struct keyring_rotate_options opts = {.new_cookie_key = false};
	char *rest[64];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		const char *value = cli_flag_value(argc, argv, &i, "--new-key");
		if (value)
			new_path_arg = value;
		else if (!strcmp(argv[i], "--new-cookie-key"))
			opts.new_cookie_key = true;
		else if (n < 64)
			rest[n++] = argv[i];
		else
			return usage();
	}
	if (new_path_arg && !*new_path_arg)
		return usage();
	struct tf_config cfg;
	if (cli_load_config(&cfg, n, rest, envp) != 0)
		return 2;
	if (crypto_init() != TF_OK)
		return 1;
	umask(077);

	uint8_t old_key[MASTER_KEY_BYTES], new_key_bytes[MASTER_KEY_BYTES];
	char current[PATH_MAX_LEN], fresh[PATH_MAX_LEN + 8];
	bool created = false, wrote = false;
	service_master_key_path(&cfg, current, sizeof current);
	if (service_master_key(&cfg, false, old_key, &created) != TF_OK)
		return 1;
	snprintf(fresh, sizeof fresh, "%s", new_path_arg ? new_path_arg : current);
	if (!new_path_arg)
		strncat(fresh, ".new", sizeof fresh - strlen(fresh) - 1);
	/* the database first: a key that is not its own is refused before anything is written */
	struct tf_service *svc;
	struct keyring_rotation rot = {0};
	enum tf_err e = TF_ERR_INTERNAL;
	int rc = 1;
	bool opened = service_open(&cfg, &svc) == TF_OK;
	if (!opened && !new_path_arg && access(fresh, F_OK) == 0)
		fprintf(stderr, "twofold key rotate: %s exists: if an earlier rotation stopped after its commit, the database "
				"needs that key; start a node with --master-key-file %s to see\n",
			fresh, fresh);
	if (opened) {
		if ((rc = new_key(fresh, old_key, new_key_bytes, &wrote)) == 0)
			e = keyring_rotate(svc, old_key, new_key_bytes, &opts, clock_now_ms(), &rot);
		service_close(svc);
	}
	sodium_memzero(old_key, sizeof old_key);
	sodium_memzero(new_key_bytes, sizeof new_key_bytes);
	if (rc != 0)
		return rc;
	if (e != TF_OK) {
		if (e == TF_ERR_PERMISSION_DENIED)
			fprintf(stderr, "twofold key rotate: the database's key ring changed since this command read it "
					"(another rotation?): nothing was done\n");
		else if (e == TF_ERR_STATE_CONFLICT)
			fprintf(stderr, "twofold key rotate: %d other twofold connection%s to this database %s open (nodes "
					"serving, or other commands): stop every node first; nothing was done\n",
				rot.other_clients, rot.other_clients == 1 ? "" : "s", rot.other_clients == 1 ? "is" : "are");
		else if (opened)
			fprintf(stderr, "twofold key rotate: the rotation failed (see the log)%s\n",
				rot.commit_sent ? "" : ": nothing was changed");
		if (rot.commit_sent) {
			fprintf(stderr, "twofold key rotate: the database did not confirm its commit: it opens with either %s "
					"or %s; keep both and start a node with each to see which\n",
				current, fresh);
		} else if (wrote) {
			unlink(fresh);
		}
		return 1;
	}
	print_summary(&rot, opts.new_cookie_key);
	if (!new_path_arg)
		rc = put_in_place(current, fresh);
	else
		printf("twofold: the new master key is in %s, and the database opens only with it now: set every node's "
		       "master_key_file to it (or copy it to DATA/master.key, mode 0600, if it is 32 raw bytes rather than "
		       "hex). The old key (%s) no longer starts a node: keep it only with database backups taken before "
		       "now.\n",
		       fresh, current);
	printf("twofold: start every node with the new key; a node that still has the old one refuses to start.\n");
	return rc;
}
