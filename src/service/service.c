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

#include "platform/log.h"

enum tf_err service_open(const struct tf_config *cfg, struct tf_service **out)
{
	struct tf_service *svc = calloc(1, sizeof *svc);
	if (!svc)
		return TF_ERR_INTERNAL;
	svc->cfg = *cfg;
	/* every file twofold creates (database, WAL, keys, messages) is the owner's alone */
	umask(077);
	enum tf_err e = crypto_init();
	if (e != TF_OK)
		goto fail;
	crypto_password_configure((unsigned long long)cfg->argon2_opslimit, (size_t)cfg->argon2_memlimit_kib * 1024);
	if (mkdir(cfg->data, 0700) != 0 && errno != EEXIST) {
		log_error("cannot create data folder", "path", cfg->data, "error", strerror(errno), NULL);
		e = TF_ERR_INTERNAL;
		goto fail;
	}
	bool created;
	if ((e = keys_load_or_create(cfg->data, &svc->keys, &created)) != TF_OK)
		goto fail;
	if (created)
		log_info("created a new master key", "path", cfg->data, NULL);
	char url[CONFIG_STR_MAX + 32];
	if (cfg->database[0])
		snprintf(url, sizeof url, "%s", cfg->database);
	else
		snprintf(url, sizeof url, "sqlite:%s/twofold.db", cfg->data);
	if ((e = store_open(url, cfg->durability, (int)cfg->db_pool_size, &svc->store)) != TF_OK) {
		log_error("cannot open the database", "database", cfg->database[0] ? "the database setting" : url, NULL);
		goto fail;
	}
	struct store_conn *c;
	if ((e = svc->store->ops->acquire(svc->store, &c)) != TF_OK)
		goto fail;
	int version = 0;
	e = STORE(c)->migrate(c, &version);
	STORE(c)->release(c);
	if (e != TF_OK)
		goto fail;
	if (cfg->public_url[0])
		snprintf(svc->public_url, sizeof svc->public_url, "%s", cfg->public_url);
	else
		snprintf(svc->public_url, sizeof svc->public_url, "http://%s", cfg->listen);
	*out = svc;
	return TF_OK;
fail:
	service_close(svc);
	return e;
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
	free(svc);
}
