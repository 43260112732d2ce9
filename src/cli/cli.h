/* cli.h: the twofold command's subcommands, one file each. Each takes the arguments after
 * its name and returns the process exit status. */
#ifndef TF_CLI_CLI_H
#define TF_CLI_CLI_H

int cli_serve(int argc, char **argv, char **envp);
int cli_app(int argc, char **argv, char **envp);
int cli_audit(int argc, char **argv, char **envp);
int cli_migrate(int argc, char **argv, char **envp);
int cli_sign(int argc, char **argv, char **envp);
int cli_device(int argc, char **argv, char **envp);
int cli_key(int argc, char **argv, char **envp);

/* Shared: loads the configuration from flags and environment, or prints why not. */
struct tf_config;
int cli_load_config(struct tf_config *cfg, int argc, char **argv, char **envp);
/* Shared: the value argv[*i] gives a subcommand's own flag, as "--flag VALUE" (then *i moves
 * onto the value) or "--flag=VALUE"; NULL when argv[*i] is not that flag. */
const char *cli_flag_value(int argc, char **argv, int *i, const char *flag);

#endif
