/*
 * http_headers.h: the parsing of the request headers twofold reads itself (the HTTP library
 * parses the rest): the token of "Authorization: Bearer <token>", and the client address that
 * X-Forwarded-For names when a proxy twofold trusts put it there (the last entry: the one the
 * proxy added). Pure functions over strings (no I/O), unit-tested and a libFuzzer target
 * (fuzz/fuzz_headers.c), kept in the HTTP adapter because they parse HTTP.
 */
#ifndef TF_HTTP_HTTP_HEADERS_H
#define TF_HTTP_HTTP_HEADERS_H
#include <stdbool.h>
#include <stddef.h>

/* The token of a Bearer Authorization value (scheme case-insensitive), or NULL. */
const char *header_bearer_token(const char *authorization);

/* The last address of an X-Forwarded-For value into out (trimmed); false when there is none or
 * it is not a plausible IPv4 or IPv6 address (hex digits, '.', ':' only, at most 45 bytes). */
bool header_forwarded_for(const char *xff, char *out, size_t size);

#endif
