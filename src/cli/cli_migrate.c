/* cli_migrate.c: `twofold migrate --data DIR`: applies the schema migrations (serve does
 * this too at start) and prints the schema version. */
#include <stdio.h>

#include "cli/cli.h"
#include "service/service.h"

int cli_migrate(int argc, char **argv, char **envp)
{
	struct tf_config cfg;
	if (cli_load_config(&cfg, argc, argv, envp) != 0)
		return 2;
	struct tf_service *svc;
	if (service_open(&cfg, &svc) != TF_OK)
		return 1;
	printf("twofold: schema is up to date\n");
	service_close(svc);
	return 0;
}
