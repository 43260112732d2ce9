/* service.c: opening and closing the service's shared state (see service.h). */
#include "service/service.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "platform/clock.h"
#include "platform/log.h"
#include "service/keyring.h"

void service_master_key_path(const struct tf_config *cfg, char *out, size_t size)
{
	if (cfg->master_key_file[0])
		snprintf(out, size, "%s", cfg->master_key_file);
	else
		snprintf(out, size, "%s/master.key", cfg->data);
}

enum tf_err service_master_key(const struct tf_config *cfg, bool create, uint8_t out[MASTER_KEY_BYTES], bool *created)
{
	char path[CONFIG_STR_MAX + 16], why[CONFIG_STR_MAX + 128];
	bool named = cfg->master_key_file[0] != '\0';
	service_master_key_path(cfg, path, sizeof path);
	*created = false;
	enum master_key_form form = named ? MASTER_KEY_NAMED : MASTER_KEY_DATA_FILE;
	enum tf_err e = master_key_read(path, form, out, why, sizeof why);
	if (e == TF_ERR_NOT_FOUND && create && !named) {
		crypto_random_bytes(out, MASTER_KEY_BYTES);
		e = master_key_write(path, out, why, sizeof why);
		if (e == TF_OK) {
			*created = true;
			log_info("created a new master key", "path", path, NULL);
		} else { /* lost a race with another process: read theirs */
			e = master_key_read(path, form, out, why, sizeof why);
		}
	}
	if (e == TF_OK) {
		char unused[CONFIG_STR_MAX + 16];
		struct stat st;
		snprintf(unused, sizeof unused, "%s/master.key", cfg->data);
		if (named && strcmp(unused, path) != 0 && stat(unused, &st) == 0)
			log_warn("the master key is read from master_key_file: DATA/master.key is not used (remove it, once "
				 "you have checked it is the same key or not needed)", "unused", unused, NULL);
		return TF_OK;
	}
	sodium_memzero(out, MASTER_KEY_BYTES);
	if (e == TF_ERR_NOT_FOUND && named) {
		log_error("the master key file is missing (twofold never creates the file master_key_file names)", "path",
			  path, NULL);
		fprintf(stderr, "twofold: the master key file %s (master_key_file) does not exist; twofold never creates it: "
				"put the deployment's key there\n", path);
	} else if (e == TF_ERR_NOT_FOUND) {
		log_error("the master key file is missing", "path", path, NULL);
		fprintf(stderr, "twofold: the master key file %s does not exist\n", path);
	} else {
		log_error("cannot read the master key", "path", path, "error", why, NULL);
		fprintf(stderr, "twofold: cannot read the master key file %s: %s\n", path, why);
	}
	return TF_ERR_INTERNAL;
}

void service_audit_key_path(const struct tf_config *cfg, char *out, size_t size)
{
	if (cfg->audit_key_file[0])
		snprintf(out, size, "%s", cfg->audit_key_file);
	else
		snprintf(out, size, "%s/audit.key", cfg->data);
}

/* Reads (or, as DATA/audit.key, creates) the audit key and checks its public half against the
 * one the database recorded first: every node signs with the key platforms were given. */
static enum tf_err open_audit_key(struct tf_service *svc)
{
	char path[CONFIG_STR_MAX + 16], why[256] = "";
	bool named = svc->cfg.audit_key_file[0] != '\0';
	service_audit_key_path(&svc->cfg, path, sizeof path);
	uint8_t seed[32];
	enum tf_err e = master_key_read(path, named ? MASTER_KEY_NAMED : MASTER_KEY_DATA_FILE, seed, why, sizeof why);
	if (e == TF_ERR_NOT_FOUND && !named) {
		crypto_random_bytes(seed, sizeof seed);
		if ((e = master_key_write(path, seed, why, sizeof why)) == TF_OK)
			log_info("created a new audit key", "path", path, NULL);
		else /* lost a race with another process: read theirs */
			e = master_key_read(path, MASTER_KEY_DATA_FILE, seed, why, sizeof why);
	}
	if (e != TF_OK) {
		log_error("cannot read the audit key", "path", path, "error", why, NULL);
		fprintf(stderr, "twofold: cannot read the audit key file %s: %s\n", path, why[0] ? why : "missing");
		sodium_memzero(seed, sizeof seed);
		return TF_ERR_INTERNAL;
	}
	crypto_sign_seed_keypair(svc->audit_public_key, svc->audit_sign_key, seed);
	sodium_memzero(seed, sizeof seed);
	struct store_conn *c;
	if ((e = store_acquire(svc->store, &c)) != TF_OK)
		return e;
	uint8_t recorded[AUDIT_PUBLIC_KEY_BYTES];
	e = STORE(c)->audit_key_get(c, recorded);
	if (e == TF_ERR_NOT_FOUND && (e = STORE(c)->audit_key_put(c, svc->audit_public_key, clock_now_ms())) == TF_OK)
		e = STORE(c)->audit_key_get(c, recorded);
	store_release(c);
	if (e == TF_OK && sodium_memcmp(recorded, svc->audit_public_key, sizeof recorded) != 0) {
		log_error("the audit key is not the one this database's chains are signed with; stopping", "path", path, NULL);
		fprintf(stderr, "twofold: the audit key %s is not the one this database's audit chains are signed with; "
				"stopping. Every node needs the same audit key: use the one of the database's other nodes.\n",
			path);
		e = TF_ERR_INTERNAL;
	}
	return e;
}

/* Everything but the keys: the data folder, the store, the schema. */
static enum tf_err open_store(struct tf_service *svc)
{
	const struct tf_config *cfg = &svc->cfg;
	char url[CONFIG_STR_MAX + 32];
	if (cfg->database[0])
		snprintf(url, sizeof url, "%s", cfg->database);
	else
		snprintf(url, sizeof url, "sqlite:%s/twofold.db", cfg->data);
	enum tf_err e = store_open(url, cfg->durability, (int)cfg->db_pool_size, &svc->store);
	if (e != TF_OK) {
		log_error("cannot open the database", "database", cfg->database[0] ? "the database setting" : url, NULL);
		return e;
	}
	struct store_conn *c;
	if ((e = store_acquire(svc->store, &c)) != TF_OK)
		return e;
	int version = 0;
	e = STORE(c)->migrate(c, &version);
	store_release(c);
	if (cfg->public_url[0])
		snprintf(svc->public_url, sizeof svc->public_url, "%s", cfg->public_url);
	else
		snprintf(svc->public_url, sizeof svc->public_url, "http://%s", cfg->listen);
	return e;
}

static enum tf_err open_service(const struct tf_config *cfg, bool with_keys, struct tf_service **out)
{
	struct tf_service *svc = calloc(1, sizeof *svc);
	if (!svc)
		return TF_ERR_INTERNAL;
	svc->cfg = *cfg;
	/* every file twofold creates (database, WAL, keys, messages) is the owner's alone */
	umask(077);
	uint8_t master[MASTER_KEY_BYTES];
	bool created = false;
	enum tf_err e = crypto_init();
	if (e != TF_OK)
		goto fail;
	crypto_password_configure((unsigned long long)cfg->argon2_opslimit, (size_t)cfg->argon2_memlimit_kib * 1024);
	if (mkdir(cfg->data, 0700) != 0 && errno != EEXIST) {
		log_error("cannot create data folder", "path", cfg->data, "error", strerror(errno), NULL);
		e = TF_ERR_INTERNAL;
		goto fail;
	}
	if (with_keys && (e = service_master_key(cfg, true, master, &created)) != TF_OK)
		goto fail;
	if ((e = open_store(svc)) != TF_OK || !with_keys)
		goto done;
	enum keyring_outcome outcome;
	const char *why = "";
	e = keyring_open(svc->store, master, clock_now_ms(), &svc->keys, &outcome, &why);
	if (outcome == KEYRING_KEY_MISMATCH) {
		char path[CONFIG_STR_MAX + 16];
		service_master_key_path(cfg, path, sizeof path);
		log_error("the master key does not match the key this database was created with; stopping", "path", path,
			  "why", why, NULL);
		fprintf(stderr, "twofold: the master key %s does not match the key this database was created with (%s); "
				"stopping. Every node and command on one database needs the same master key: use the "
				"key of the database's other nodes%s.\n",
			path, why, created ? " (this start created that file: it holds a new key)" : "");
	} else if (outcome == KEYRING_CREATED) {
		log_info("created the key ring: new data keys, wrapped under the master key", NULL);
	} else if (outcome == KEYRING_ADOPTED) {
		log_info("created the key ring of a database from an older twofold: its data keys, wrapped under the master "
			 "key", NULL);
	}
	int64_t moved = 0;
	if (e == TF_OK && (e = open_audit_key(svc)) == TF_OK)
		e = audit_move_v1(svc, clock_now_ms(), &moved);
done:
	sodium_memzero(master, sizeof master);
	if (e != TF_OK)
		goto fail;
	*out = svc;
	return TF_OK;
fail:
	service_close(svc);
	return e;
}

enum tf_err service_open(const struct tf_config *cfg, struct tf_service **out)
{
	return open_service(cfg, true, out);
}

enum tf_err service_open_schema(const struct tf_config *cfg, struct tf_service **out)
{
	return open_service(cfg, false, out);
}

enum tf_err service_load_admin_token(struct tf_service *svc)
{
	char token[TF_TOKEN_MAX + CONFIG_STR_MAX];
	if (svc->cfg.admin_token[0]) {
		crypto_secret_mac(svc->keys, "admin", svc->cfg.admin_token, svc->admin_token_mac);
		svc->admin_token_set = true;
		return TF_OK;
	}
	char path[CONFIG_STR_MAX + 32];
	snprintf(path, sizeof path, "%s/admin.token", svc->cfg.data);
	FILE *f = fopen(path, "r");
	if (f) {
		bool ok = fgets(token, sizeof token, f) != NULL;
		fclose(f);
		token[strcspn(token, "\r\n")] = '\0';
		if (!ok || !token[0]) {
			log_error("admin token file is empty", "path", path, NULL);
			return TF_ERR_INTERNAL;
		}
	} else {
		crypto_random_token("tfa_", token);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			log_error("cannot write admin token file", "path", path, "error", strerror(errno), NULL);
			return TF_ERR_INTERNAL;
		}
		size_t len = strlen(token);
		bool ok = write(fd, token, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
		close(fd);
		if (!ok)
			return TF_ERR_INTERNAL;
		/* printed once, on standard output (not the log), the first time only */
		printf("twofold: generated an admin token (stored in %s): %s\n", path, token);
		fflush(stdout);
	}
	crypto_secret_mac(svc->keys, "admin", token, svc->admin_token_mac);
	svc->admin_token_set = true;
	sodium_memzero(token, sizeof token);
	return TF_OK;
}

void service_close(struct tf_service *svc)
{
	if (!svc)
		return;
	if (svc->store)
		svc->store->ops->close(svc->store);
	keys_free(svc->keys);
	sodium_memzero(svc->audit_sign_key, sizeof svc->audit_sign_key);
	free(svc);
}
