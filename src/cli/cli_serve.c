/* cli_serve.c: `twofold serve`: open the service, start the outbox worker, the slow pool
 * and the HTTP listener, and run until SIGINT or SIGTERM. Also what every subcommand shares:
 * loading the configuration, reading a flag's value. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "delivery/outbox.h"
#include "delivery/provider.h"
#include "http/http.h"
#include "http/server.h"
#include "http/slow_pool.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/periodic.h"
#include "service/app_cache.h"
#include "sca/tra.h"
#include "service/audit_anchor.h"
#include "service/revocations.h"
#include "service/service.h"
#include "service/sweeper.h"

int cli_load_config(struct tf_config *cfg, int argc, char **argv, char **envp)
{
	char err[1024];
	if (config_load(cfg, argc, argv, envp, err, sizeof err) != 0) {
		fprintf(stderr, "twofold: %s\n", err);
		return -1;
	}
	enum log_level level;
	if (log_level_parse(cfg->log_level, &level) == 0)
		log_set_level(level);
	return 0;
}

const char *cli_flag_value(int argc, char **argv, int *i, const char *flag)
{
	size_t len = strlen(flag);
	if (!strcmp(argv[*i], flag) && *i + 1 < argc)
		return argv[++*i];
	if (!strncmp(argv[*i], flag, len) && argv[*i][len] == '=')
		return argv[*i] + len + 1;
	return NULL;
}

/* A slow thread that has hashed keeps its Argon2id work area (64 MiB at the default cost) for its
 * next hash while logins keep coming, and gives it back once it has had nothing to do this long. */
#define HASH_MEMORY_KEPT_IDLE_MS 5000

static void release_hash_memory(void *unused)
{
	(void)unused;
	crypto_password_release_work_area();
}

int cli_serve(int argc, char **argv, char **envp)
{
	struct tf_config cfg;
	if (cli_load_config(&cfg, argc, argv, envp) != 0)
		return 2;
	/* block the stop signals in every thread; the main thread waits for them */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a full disk or a file-size limit makes writes fail (and requests answer 503), never kills */
	signal(SIGXFSZ, SIG_IGN);

	/* Large buffers (a thread's Argon2id work area, 64 MiB at the default cost, kept through a
	 * burst of logins: crypto/password.c) are mapped on their own and returned when freed,
	 * instead of glibc raising its threshold and keeping freed ones resident */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* A mapping change takes the process's memory-map lock, which an HTTP thread whose malloc
	 * arena grows (mprotect) or shrinks then waits for, with every connection it serves, while
	 * another thread maps or unmaps large areas (a login flood's hashes). Arenas that grow
	 * 16 MiB at a time and keep up to 128 MiB of free memory change their mappings rarely. */
	mallopt(M_TOP_PAD, 16 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
	providers_global_init();
	json_use_wiping_allocator();
	struct tf_service *svc;
	if (service_open(&cfg, &svc) != TF_OK)
		return 1;
	int rc = 1;
	struct http_server *srv = NULL;
	struct periodic *sweeper = NULL;
	struct audit_anchor *anchor = NULL;
	struct tra_monitor *tra_monitor = NULL;
	if (service_load_admin_token(svc) != TF_OK)
		goto out;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t slow = cfg.slow_workers ? (size_t)cfg.slow_workers : (size_t)(cores > 1 ? cores - 1 : 1);
	svc->metrics = metrics_new(routes_count);
	svc->apps = app_cache_new();
	svc->slow_pool = slow_pool_new(slow, (size_t)cfg.slow_queue, SLOW_NICE);
	svc->hash_pool = slow_pool_new(slow, (size_t)cfg.slow_queue, SLOW_IDLE);
	if (svc->slow_pool && svc->hash_pool) {
		slow_pool_on_idle(svc->slow_pool, release_hash_memory, HASH_MEMORY_KEPT_IDLE_MS);
		slow_pool_on_idle(svc->hash_pool, release_hash_memory, HASH_MEMORY_KEPT_IDLE_MS);
	}
	if (!svc->metrics || !svc->slow_pool || !svc->hash_pool || outbox_start(svc, &svc->outbox) != TF_OK ||
	    revocations_start(svc, &svc->revocations) != TF_OK || !(sweeper = sweeper_start(svc)) ||
	    !(anchor = audit_anchor_start(svc)) || !(tra_monitor = sca_tra_monitor_start(svc)))
		goto out;
	if (http_server_start(svc, &srv) != TF_OK)
		goto out;
	log_info("twofold is serving", "listen", cfg.listen, "data", cfg.data,
		 "database", svc->store->ops->name, "delivery", cfg.delivery, NULL);
	printf("twofold: serving on http://%s (data in %s)\n"
	       "twofold: create an application: build/twofold app create --data %s --name \"My platform\"\n",
	       cfg.listen, cfg.data, cfg.data);
	fflush(stdout);
	int sig;
	sigwait(&stop, &sig);
	log_info("stopping", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
	rc = 0;
out:
	http_server_stop(srv);
	slow_pool_free(svc->slow_pool);
	slow_pool_free(svc->hash_pool);
	svc->slow_pool = svc->hash_pool = NULL;
	periodic_stop(sweeper);
	sca_tra_monitor_stop(tra_monitor);
	audit_anchor_stop(anchor); /* after the last request: the final head */
	outbox_stop(svc->outbox);
	revocations_stop(svc->revocations);
	app_cache_free(svc->apps);
	metrics_free(svc->metrics);
	service_close(svc);
	providers_global_cleanup();
	return rc;
}
