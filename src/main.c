/* main.c: the twofold command: dispatches to a subcommand in src/cli/. */
#include <stdio.h>
#include <string.h>

#include "l10n/l10n.h"

#include "cli/cli.h"
#include "config/config.h"

static void usage(FILE *out)
{
	fprintf(out,
		"twofold: multi-factor and strong customer authentication service\n\n"
		"usage:\n"
		"  twofold serve [--listen HOST:PORT] [--data DIR] [--config FILE] [--SETTING VALUE ...]\n"
		"  twofold app create --data DIR --name NAME [--sandbox] [--default-locale TAG]\n"
		"                     [--enabled-factor-types TYPE,...]\n"
		"  twofold audit verify --data DIR [--head [CHAIN:]SEQ:HASH ...]\n"
		"  twofold audit verify --export FILE --public-key KEY\n"
		"  twofold audit head|public-key|sign --data DIR\n"
		"  twofold audit export --data DIR --chain CHAIN [--out FILE]\n"
		"  twofold migrate --data DIR\n"
		"  twofold key rotate [--new-key FILE] [--new-cookie-key] --data DIR   (every node stopped: README, \"The master key\")\n"
		"  twofold sign --client-id ID --client-secret SECRET --token TOKEN --page PAGE --redirect-uri URI\n"
		"  twofold device keygen|public-key|answer --key FILE [...]   (a push device, for tests and trials)\n"
		"  twofold help\n\n");
	if (out == stdout)
		config_print_help();
}

/* the subcommands in src/cli/, each given the arguments after its name */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv, char **envp);
} subcommands[] = {
	{"serve", cli_serve}, {"app", cli_app},       {"audit", cli_audit}, {"migrate", cli_migrate},
	{"sign", cli_sign},   {"device", cli_device}, {"key", cli_key},
};

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv, char **envp)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	/* `twofold SUBCOMMAND --help` asks for the usage too (and is not a flag awaiting a value) */
	for (int i = 1; i < argc; i++)
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	const char *bad_catalog = NULL;
	if (!l10n_catalogs_ok(&bad_catalog)) { /* a build fault: the catalogs are compiled in */
		fprintf(stderr, "twofold: the compiled-in catalog of language '%s' is missing or malformed\n", bad_catalog);
		return 1;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(cmd, subcommands[i].name))
			return subcommands[i].run(argc - 2, argv + 2, envp);
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "twofold: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
