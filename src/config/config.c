/* config.c: applying the settings table (config_table.c) from defaults, file, flags and env. */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct config_setting *find(const char *name)
{
	for (size_t i = 0; i < config_settings_count; i++)
		if (strcmp(config_settings[i].name, name) == 0)
			return &config_settings[i];
	return NULL;
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t vlen = strlen(v);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == vlen && strncmp(p, v, n) == 0)
			return true;
		p += n + (bar ? 1 : 0);
	}
	return false;
}

int config_set(struct tf_config *cfg, const char *name, const char *value, char *err, size_t err_size)
{
	const struct config_setting *s = find(name);
	if (!s) {
		snprintf(err, err_size, "unknown setting '%s'", name);
		return -1;
	}
	char *field = (char *)cfg + s->offset;
	switch (s->type) {
	case CONFIG_CHOICE:
		if (!choice_ok(s->choices, value)) {
			snprintf(err, err_size, "setting '%s' must be one of %s", name, s->choices);
			return -1;
		}
		/* fall through */
	case CONFIG_STRING:
		if (strlen(value) >= s->size) {
			snprintf(err, err_size, "setting '%s' is too long", name);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case CONFIG_BOOL:
		if (!strcmp(value, "on") || !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
			*(bool *)field = true;
		else if (!strcmp(value, "off") || !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
			*(bool *)field = false;
		else {
			snprintf(err, err_size, "setting '%s' must be on or off", name);
			return -1;
		}
		return 0;
	case CONFIG_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno || end == value || *end || v < s->min || v > s->max) {
			snprintf(err, err_size, "setting '%s' must be a whole number from %lld to %lld", name,
				 (long long)s->min, (long long)s->max);
			return -1;
		}
		*(int64_t *)field = v;
		return 0;
	}
	}
	return -1;
}

void config_defaults(struct tf_config *cfg)
{
	char err[256];
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < config_settings_count; i++)
		(void)config_set(cfg, config_settings[i].name, config_settings[i].def, err, sizeof err);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int config_load_file(struct tf_config *cfg, const char *path, char *err, size_t err_size)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "cannot read config file %s: %s", path, strerror(errno));
		return -1;
	}
	char line[2048];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, err_size, "%s:%d: expected 'name = value'", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *name = trim(s), *value = trim(eq + 1);
		size_t vlen = strlen(value);
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
		char inner[512];
		if (config_set(cfg, name, value, inner, sizeof inner) != 0) {
			snprintf(err, err_size, "%s:%d: %s", path, lineno, inner);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

int config_load_env(struct tf_config *cfg, char *const *envp, char *err, size_t err_size)
{
	for (size_t i = 0; i < config_settings_count; i++) {
		char var[128];
		size_t n = (size_t)snprintf(var, sizeof var, "TWOFOLD_");
		for (const char *p = config_settings[i].name; *p && n < sizeof var - 1; p++)
			var[n++] = (char)toupper((unsigned char)*p);
		var[n] = '\0';
		for (char *const *e = envp; e && *e; e++) {
			if (strncmp(*e, var, n) == 0 && (*e)[n] == '=') {
				char inner[512];
				if (config_set(cfg, config_settings[i].name, *e + n + 1, inner, sizeof inner) != 0) {
					snprintf(err, err_size, "%s: %s", var, inner);
					return -1;
				}
			}
		}
	}
	return 0;
}

/* "--session-idle-timeout" -> "session_idle_timeout" */
static int flag_name(const char *arg, char *out, size_t out_size)
{
	if (strncmp(arg, "--", 2) != 0)
		return -1;
	size_t i = 0;
	for (const char *p = arg + 2; *p && *p != '=' && i < out_size - 1; p++)
		out[i++] = *p == '-' ? '_' : *p;
	out[i] = '\0';
	return i ? 0 : -1;
}

int config_load(struct tf_config *cfg, int argc, char **argv, char *const *envp, char *err,
		size_t err_size)
{
	config_defaults(cfg);
	/* the file first, wherever --config stands among the flags */
	for (int i = 0; i < argc; i++) {
		const char *path = NULL;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		if (path && config_load_file(cfg, path, err, err_size) != 0)
			return -1;
	}
	for (int i = 0; i < argc; i++) {
		char name[128];
		if (flag_name(argv[i], name, sizeof name) != 0) {
			snprintf(err, err_size, "unexpected argument '%s'", argv[i]);
			return -1;
		}
		const char *eq = strchr(argv[i], '=');
		const char *flag = argv[i];
		const char *value;
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			snprintf(err, err_size, "flag %s needs a value", flag);
			return -1;
		}
		if (strcmp(name, "config") == 0)
			continue;
		const struct config_setting *s = find(name);
		if (s && s->secret) {
			snprintf(err, err_size, "setting '%s' cannot be given as a flag (it would show in the process list); use the config file or the environment", name);
			return -1;
		}
		if (config_set(cfg, name, value, err, err_size) != 0)
			return -1;
	}
	return config_load_env(cfg, envp, err, err_size);
}

void config_print_help(void)
{
	printf("Settings (config file 'name = value', flag --name value, environment TWOFOLD_NAME):\n");
	for (size_t i = 0; i < config_settings_count; i++) {
		const struct config_setting *s = &config_settings[i];
		char flag[128];
		size_t n = 0;
		for (const char *p = s->name; *p && n < sizeof flag - 1; p++)
			flag[n++] = *p == '_' ? '-' : *p;
		flag[n] = '\0';
		printf("  --%-28s %s (default: %s)\n", flag, s->help, *s->def ? s->def : "\"\"");
	}
}
