/* http_headers.c: see http_headers.h. Pure. */
#include "http/http_headers.h"

#include <string.h>
#include <strings.h>

const char *header_bearer_token(const char *authorization)
{
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	const char *t = authorization + 7;
	while (*t == ' ')
		t++;
	return *t ? t : NULL;
}

bool header_forwarded_for(const char *xff, char *out, size_t size)
{
	if (!xff || !*xff || size == 0)
		return false;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	size_t n = 0;
	while (last[n] && last[n] != ' ' && last[n] != '\t')
		n++;
	if (n == 0 || n > 45 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = last[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':'))
			return false;
	}
	memcpy(out, last, n);
	out[n] = '\0';
	return true;
}
