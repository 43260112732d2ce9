/* cli_app.c: `twofold app create --data DIR --name NAME [--sandbox] [--default-locale TAG]
 * [--enabled-factor-types TYPE,...]`: creates an application and prints its credentials as
 * JSON, as POST /v1/admin/apps answers. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/validate.h"
#include "l10n/l10n.h"
#include "platform/clock.h"
#include "sca/apps.h"
#include "sca/factor_options.h"
#include "service/service.h"

int cli_app(int argc, char **argv, char **envp)
{
	if (argc < 1 || strcmp(argv[0], "create") != 0) {
		fprintf(stderr, "usage: twofold app create --data DIR --name NAME [--sandbox] [--default-locale TAG] "
				"[--enabled-factor-types TYPE,...]\n");
		return 2;
	}
	const char *name = NULL, *locale = NULL, *types_list = NULL;
	bool sandbox = false;
	char *rest[64];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		const char *value = cli_flag_value(argc, argv, &i, "--name"), *v2 = NULL;
		if (value)
			name = value;
		else if ((v2 = cli_flag_value(argc, argv, &i, "--default-locale")))
			locale = v2;
		else if ((v2 = cli_flag_value(argc, argv, &i, "--enabled-factor-types")))
			types_list = v2;
		else if (!strcmp(argv[i], "--sandbox"))
			sandbox = true;
		else if (n < 64)
			rest[n++] = argv[i];
	}
	if (!name || !*name) {
		fprintf(stderr, "twofold app create: --name is required\n");
		return 2;
	}
	if (!validate_display_text(name, APP_NAME_MAX)) {
		fprintf(stderr, "twofold app create: --name must be 1 to %d bytes of UTF-8 text without control, format, "
				"separator, private-use or unassigned characters\n", APP_NAME_MAX);
		return 2;
	}
	if (locale && !l10n_tag_valid(locale)) {
		fprintf(stderr, "twofold app create: --default-locale must be a BCP 47 tag (de, de-AT, pt-PT)\n");
		return 2;
	}
	char types_text[STORE_FACTOR_TYPES_MAX];
	if (types_list && !factor_types_parse_list(types_list, types_text)) {
		fprintf(stderr, "twofold app create: --enabled-factor-types takes factor types separated by commas "
				"(sms,voice,totp,backup_codes,push,passkey,email)\n");
		return 2;
	}
	struct tf_config cfg;
	if (cli_load_config(&cfg, n, rest, envp) != 0)
		return 2;
	struct tf_service *svc;
	if (service_open(&cfg, &svc) != TF_OK)
		return 1;
	struct store_conn *c;
	int rc = 1;
	if (store_acquire(svc->store, &c) != TF_OK)
		goto out;
	struct app_create_params p = {.name = name, .sandbox = sandbox, .can_register_sso = true,
				      .default_locale = locale, .enabled_factor_types = types_list ? types_text : NULL};
	struct app_row app;
	struct app_credentials creds;
	static const struct app_row no_app;
	struct sca_ctx ctx = {.svc = svc, .db = c, .app = &no_app, .now = clock_now_ms(), .actor = "operator:cli",
			      .client_ip = "", .request_id = ""};
	enum tf_err e = sca_app_create(&ctx, &p, &app, &creds);
	store_release(c);
	if (e != TF_OK) {
		fprintf(stderr, "twofold app create: %s\n", tf_err_message(e));
		goto out;
	}
	json_t *o = api_app_json(&app, svc->public_url);
	json_object_set_new(o, "client_secret", json_string(creds.client_secret));
	json_object_set_new(o, "api_key", json_string(creds.api_key));
	sodium_memzero(&creds, sizeof creds);
	char *text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (text) {
		printf("%s\n", text);
		free(text);
		rc = 0;
	}
out:
	service_close(svc);
	return rc;
}
