/* net_address.c: the addresses and URLs twofold may connect to for an application (see
 * net_address.h). */
#include "core/net_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* a prefix of `bits` bits and what it is */
struct prefix {
	uint8_t bytes[16];
	int bits;
};

static bool in_prefix(const uint8_t *a, const struct prefix *p)
{
	int whole = p->bits / 8, rest = p->bits % 8;
	if (memcmp(a, p->bytes, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ p->bytes[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool in_any(const uint8_t *a, const struct prefix *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (in_prefix(a, &list[i]))
			return true;
	return false;
}

static const struct prefix v4_closed[] = {
	{{0}, 8},                 /* "this network", 0.0.0.0 unspecified */
	{{10}, 8},                /* private */
	{{100, 64}, 10},          /* shared address space (CGNAT) */
	{{127}, 8},               /* loopback */
	{{169, 254}, 16},         /* link-local */
	{{172, 16}, 12},          /* private */
	{{192, 0, 0}, 24},        /* IETF protocol assignments */
	{{192, 0, 2}, 24},        /* documentation */
	{{192, 168}, 16},         /* private */
	{{198, 18}, 15},          /* benchmarking */
	{{198, 51, 100}, 24},     /* documentation */
	{{203, 0, 113}, 24},      /* documentation */
	{{224}, 4},               /* multicast */
	{{240}, 4},               /* reserved, broadcast */
};

static const struct prefix v6_closed[] = {
	{{0x01, 0x00}, 64},                   /* discard-only 100::/64 */
	{{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48}, /* local-use NAT64 */
	{{0x20, 0x01, 0x00, 0x00}, 32},       /* Teredo */
	{{0x20, 0x01, 0x0d, 0xb8}, 32},       /* documentation */
	{{0xfc}, 7},                          /* unique local */
	{{0xfe, 0x80}, 10},                   /* link-local */
	{{0xfe, 0xc0}, 10},                   /* site-local (deprecated) */
	{{0xff}, 8},                          /* multicast */
};

/* IPv6 ranges whose last (or, for 6to4, third to sixth) four bytes are an IPv4 address */
static const struct prefix v6_mapped = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96};
static const struct prefix v6_compatible = {{0}, 96};
static const struct prefix v6_nat64 = {{0x00, 0x64, 0xff, 0x9b}, 96};
static const struct prefix v6_6to4 = {{0x20, 0x02}, 16};

static bool v4_public(const uint8_t a[4])
{
	return !in_any(a, v4_closed, sizeof v4_closed / sizeof v4_closed[0]);
}

bool net_address_public(int family, const void *addr)
{
	const uint8_t *a = addr;
	if (family == AF_INET)
		return v4_public(a);
	if (family != AF_INET6)
		return false;
	if (in_prefix(a, &v6_mapped) || in_prefix(a, &v6_compatible) || in_prefix(a, &v6_nat64))
		return v4_public(a + 12);
	if (in_prefix(a, &v6_6to4))
		return v4_public(a + 2);
	return !in_any(a, v6_closed, sizeof v6_closed / sizeof v6_closed[0]);
}

/* "localhost", "localhost." or a name under it */
static bool loopback_name(const char *host, size_t len)
{
	if (len && host[len - 1] == '.')
		len--;
	return (len == 9 && !strncasecmp(host, "localhost", 9)) ||
	       (len > 10 && !strncasecmp(host + len - 10, ".localhost", 10));
}

/* the host of an authority [host or "[v6]"], len bytes, judged as an address literal or name */
static bool host_allowed(const char *host, size_t len)
{
	char text[256];
	if (len >= sizeof text)
		return false;
	memcpy(text, host, len);
	text[len] = '\0';
	if (text[0] == '[') {
		uint8_t a6[16];
		if (len < 3 || text[len - 1] != ']')
			return false;
		text[len - 1] = '\0';
		return inet_pton(AF_INET6, text + 1, a6) == 1 && net_address_public(AF_INET6, a6);
	}
	if (len && text[len - 1] == '.')
		text[len - 1] = '\0';
	struct in_addr a4;
	if (inet_aton(text, &a4))
		return net_address_public(AF_INET, &a4.s_addr);
	return !loopback_name(host, len);
}

static bool host_shaped(const char *host, size_t len)
{
	if (len == 0)
		return false;
	if (host[0] == '[') {
		for (size_t i = 1; i + 1 < len; i++)
			if (!strchr("0123456789abcdefABCDEF:.", host[i]))
				return false;
		return len > 2 && host[len - 1] == ']';
	}
	for (size_t i = 0; i < len; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			return false;
	}
	return true;
}

bool outbound_url_valid(const char *url, bool allow_private)
{
	size_t len = strlen(url);
	if (len == 0 || len > OUTBOUND_URL_MAX)
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '#')
			return false;
	const char *rest;
	if (!strncmp(url, "https://", 8))
		rest = url + 8;
	else if (allow_private && !strncmp(url, "http://", 7))
		rest = url + 7;
	else
		return false;
	size_t auth = strcspn(rest, "/?");
	if (memchr(rest, '@', auth))
		return false;
	/* the port: after the last ':' that follows the host (an IPv6 literal holds ':' too) */
	const char *close = rest[0] == '[' ? memchr(rest, ']', auth) : NULL;
	const char *colon = memchr(close ? close : rest, ':', auth - (size_t)((close ? close : rest) - rest));
	size_t host_len = colon ? (size_t)(colon - rest) : auth;
	if (colon) {
		size_t digits = auth - host_len - 1;
		char port[6];
		if (digits == 0 || digits > 5)
			return false;
		memcpy(port, colon + 1, digits);
		port[digits] = '\0';
		long n = strtol(port, NULL, 10);
		if (strspn(port, "0123456789") != digits || n < 1 || n > 65535)
			return false;
	}
	if (!host_shaped(rest, host_len))
		return false;
	return allow_private || host_allowed(rest, host_len);
}
