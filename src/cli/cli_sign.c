/* cli_sign.c: `twofold sign --client-id ID --client-secret SECRET --token TOKEN --page PAGE
 * --redirect-uri URI`: computes the SSO entry URL's signature with the vendor's scheme
 * (core/sso_signer.h) and prints the entry query string, then the stoken on the last line. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/sso_signer.h"

/* application/x-www-form-urlencoded, as the vendor's libraries build the query */
static void form_encode(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && n + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			out[n++] = (char)*p;
		else if (*p == ' ')
			out[n++] = '+';
		else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}

int cli_sign(int argc, char **argv, char **envp)
{
	(void)envp;
	const char *id = NULL, *secret = NULL, *token = NULL, *page = NULL, *redirect = NULL;
	const struct {
		const char *flag;
		const char **value;
	} flags[] = {{"--client-id", &id}, {"--client-secret", &secret}, {"--token", &token}, {"--page", &page},
		     {"--redirect-uri", &redirect}};
	for (int i = 0; i + 1 < argc; i += 2) {
		size_t j = 0;
		while (j < sizeof flags / sizeof flags[0] && strcmp(argv[i], flags[j].flag) != 0)
			j++;
		if (j == sizeof flags / sizeof flags[0]) {
			fprintf(stderr, "twofold sign: unknown flag %s\n", argv[i]);
			return 2;
		}
		*flags[j].value = argv[i + 1];
	}
	if (argc % 2 || !id || !secret || !token || !page || !redirect) {
		fprintf(stderr, "usage: twofold sign --client-id ID --client-secret SECRET --token TOKEN --page PAGE --redirect-uri URI\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	struct sso_field f[] = {{"token", token}, {"page", page}, {"redirect_uri", redirect}};
	char stoken[SSO_STOKEN_LEN + 1];
	if (!sso_sign(id, secret, f, 3, stoken)) {
		fprintf(stderr, "twofold sign: the fields are too long\n");
		return 1;
	}
	char e_id[1024], e_page[3072], e_redirect[3072], e_token[1024];
	form_encode(id, e_id, sizeof e_id);
	form_encode(page, e_page, sizeof e_page);
	form_encode(redirect, e_redirect, sizeof e_redirect);
	form_encode(token, e_token, sizeof e_token);
	printf("client_id=%s&page=%s&redirect_uri=%s&stoken=%s&token=%s\n", e_id, e_page, e_redirect, stoken, e_token);
	printf("%s\n", stoken);
	return 0;
}
