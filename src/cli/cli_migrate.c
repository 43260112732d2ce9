/* cli_migrate.c: `twofold migrate --data DIR`: applies the schema migrations (serve does
 * this too at start) and says the schema is up to date. It needs no master key: the key ring
 * is written by the first command that uses the keys (service/keyring.h). */
#include <stdio.h>

#include "cli/cli.h"
#include "service/service.h"

int cli_migrate(int argc, char **argv, char **envp)
{
	struct tf_config cfg;
	if (cli_load_config(&cfg, argc, argv, envp) != 0)
		return 2;
	struct tf_service *svc;
	if (service_open_schema(&cfg, &svc) != TF_OK)
		return 1;
	printf("twofold: schema is up to date\n");
	service_close(svc);
	return 0;
}
