/* route_match.c: finding the row of the route table (routes.c) that a request's method and
 * path name, with the path's parameters, and the normalising of WePay's requests first. */
#include <stdio.h>
#include <string.h>

#include "http/http.h"

void routes_wepay_request(char method[16], char *path)
{
	if (strncmp(path, "/v2/", 4) != 0)
		return;
	char *out = path;
	for (const char *in = path; *in; in++)
		if (!(*in == '/' && out > path && out[-1] == '/'))
			*out++ = *in;
	*out = '\0';
	if (strcmp(method, "GET") == 0)
		snprintf(method, 16, "POST");
}

/* Matches pattern against path segment by segment; {x} takes one non-empty segment. */
static bool match(const char *pattern, const char *path, char params[TF_PATH_PARAMS_MAX][128])
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *pend = strchr(p, '}');
			size_t len = strcspn(s, "/");
			if (!pend || len == 0 || len >= 128 || n >= TF_PATH_PARAMS_MAX)
				return false;
			memcpy(params[n], s, len);
			params[n][len] = '\0';
			n++;
			p = pend + 1;
			s += len;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

int routes_match(const char *method, const char *path, char params[TF_PATH_PARAMS_MAX][128], bool *method_mismatch)
{
	*method_mismatch = false;
	for (size_t i = 0; i < routes_count; i++) {
		if (!match(routes[i].pattern, path, params))
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return (int)i;
		*method_mismatch = true;
	}
	return -1;
}

void routes_allowed_methods(const char *path, char *out, size_t size)
{
	char params[TF_PATH_PARAMS_MAX][128];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < routes_count && n < size; i++)
		if (match(routes[i].pattern, path, params) && !strstr(out, routes[i].method))
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", routes[i].method);
}
