/* fuzz_sso.c: libFuzzer target for what the SSO entry and the hosted pages read from outside:
 * the signer over arbitrary field values (the entry URL's client_id, token, page, redirect_uri),
 * the Cookie header parser of the hosted session, and the ids and phone numbers the faces and
 * send caps parse (numeric ids, calling codes and ranges). Input: fields separated by LF. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/numeric_id.h"
#include "core/phone_policy.h"
#include "core/sso_signer.h"
#include "hosted/hosted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* what the parsers see: a C string */
	if (!text)
		return 0;
	char *fields[5] = {"", "", "", "", ""};
	char *p = text;
	for (int i = 0; i < 5 && p; i++) {
		fields[i] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	struct sso_field f[] = {{"token", fields[2]}, {"page", fields[3]}, {"redirect_uri", fields[4]}};
	char stoken[SSO_STOKEN_LEN + 1];
	if (sso_sign(fields[0], fields[1], f, 3, stoken)) {
		if (strlen(stoken) != SSO_STOKEN_LEN)
			abort();
		for (const char *c = stoken; *c; c++)
			if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
				abort();
	}
	/* the Cookie header, as a browser might send it */
	struct tf_req req;
	memset(&req, 0, sizeof req);
	req.cookie = fields[0];
	char value[256];
	if (hosted_cookie(&req, HOSTED_SESSION_COOKIE, value, sizeof value) && strlen(value) >= sizeof value)
		abort();
	/* ids as numbers, both ways */
	char digits[NUMERIC_ID_MAX], id[64];
	if (numeric_id_from_id(fields[1], digits)) {
		if (!numeric_id_to_id(digits, "x", id, sizeof id))
			abort();
		if (strcmp(strchr(id, '_'), strchr(fields[1], '_')) != 0)
			abort(); /* the mapping is exact */
	}
	if (numeric_id_to_id(fields[2], "chl", id, sizeof id)) {
		if (!numeric_id_from_id(id, digits) || strcmp(digits, fields[2]) != 0)
			abort();
	}
	char range[16];
	(void)phone_country(fields[3]);
	phone_range(fields[3], range, sizeof range);
	free(text);
	return 0;
}
