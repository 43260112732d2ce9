/*
 * config.h: every server setting, in one struct filled from one table (config_table.c).
 * Sources apply in this order, later ones winning: built-in default, config file
 * (--config FILE: "name = value" lines), command-line flags (--name value), environment
 * (TWOFOLD_NAME).
 */
#ifndef TF_CONFIG_CONFIG_H
#define TF_CONFIG_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_STR_MAX 1024

struct tf_config {
	char listen[CONFIG_STR_MAX];
	char data[CONFIG_STR_MAX];
	char master_key_file[CONFIG_STR_MAX];
	char audit_key_file[CONFIG_STR_MAX];
	char database[CONFIG_STR_MAX];
	int64_t db_pool_size;
	char admin_token[CONFIG_STR_MAX];
	char metrics_token[CONFIG_STR_MAX];
	char public_url[CONFIG_STR_MAX];
	char log_level[16];
	char durability[16];
	char delivery[16];
	char webhook_url[CONFIG_STR_MAX];
	char webhook_secret[CONFIG_STR_MAX];
	bool events_allow_private_urls;
	char twilio_account_sid[128];
	char twilio_auth_token[256];
	char twilio_from[64];
	char twilio_base_url[CONFIG_STR_MAX];
	char smtp_url[CONFIG_STR_MAX];
	char smtp_username[256];
	char smtp_password[256];
	char smtp_from[320];
	bool delivery_echo;
	bool access_log;
	bool trust_forwarded_for;
	int64_t threads;
	int64_t slow_workers;
	int64_t slow_queue;
	int64_t max_connections;
	int64_t connection_timeout;
	int64_t request_receive_timeout;
	int64_t session_idle_timeout;
	int64_t session_max_lifetime;
	int64_t unverified_user_ttl;
	int64_t argon2_opslimit;
	int64_t argon2_memlimit_kib;
	int64_t login_attempts_per_address;
	int64_t login_failures_per_user;
	int64_t rate_window;
	int64_t sso_token_lifetime;
	int64_t hosted_session_idle_timeout;
	int64_t hosted_session_max_lifetime;
	char cookie_secure[8];
	int64_t payment_authorization_lifetime;
	int64_t account_information_max_age;
	int64_t sends_per_number_per_hour;
	int64_t verify_failures_per_address;
	int64_t sends_per_range_per_hour;
	int64_t sends_per_app_per_hour;
	int64_t sends_per_user_per_hour;
	int64_t sends_per_address_per_hour;
	int64_t sends_per_email_per_hour;
	int64_t wepay_token_lifetime;
	int64_t expired_rows_kept;
	int64_t sweep_interval;
	int64_t audit_anchor_interval;
};

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_BOOL, CONFIG_CHOICE };

struct config_setting {
	const char *name;     /* in files and, with '-' for '_', as --flag */
	enum config_type type;
	size_t offset;        /* into struct tf_config */
	size_t size;          /* of a string field */
	const char *def;      /* default, as text */
	int64_t min, max;     /* bounds of an int */
	const char *choices;  /* "a|b|c" for a choice */
	bool secret;          /* never printed */
	const char *help;
};

extern const struct config_setting config_settings[];
extern const size_t config_settings_count;

/* Fills cfg with defaults. */
void config_defaults(struct tf_config *cfg);
/* Sets one setting from text. On error writes a message to err and returns -1. */
int config_set(struct tf_config *cfg, const char *name, const char *value, char *err, size_t err_size);
/* Reads a "name = value" file. */
int config_load_file(struct tf_config *cfg, const char *path, char *err, size_t err_size);
/* Applies TWOFOLD_* environment variables from envp. */
int config_load_env(struct tf_config *cfg, char *const *envp, char *err, size_t err_size);
/* Full sequence for a subcommand: defaults, --config file, flags, environment.
 * argv holds only "--name value" / "--name=value" pairs. */
int config_load(struct tf_config *cfg, int argc, char **argv, char *const *envp, char *err,
		size_t err_size);
/* Prints the settings table (for --help). */
void config_print_help(void);

#endif
