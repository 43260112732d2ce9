/*
 * net_address.h: which addresses twofold may connect to on an application's behalf (its events
 * endpoint, service/security_events.h), so that an address the application names cannot make
 * twofold reach into the network it runs in (server-side request forgery). Two checks, both
 * pure: the URL when the application sets it (its scheme, its shape, a host that is an address
 * literal or a loopback name), and each address the name resolves to, when twofold connects
 * (delivery/provider_set.c): DNS could turn a public name into a private target after the first
 * check, so the second is the one that holds.
 */
#ifndef TF_CORE_NET_ADDRESS_H
#define TF_CORE_NET_ADDRESS_H
#include <stdbool.h>
#include <stddef.h>

#define OUTBOUND_URL_MAX 1024

/*
 * Whether the address is one twofold may connect to: false for what is not globally reachable
 * (IANA's special-purpose registries): unspecified, loopback, private (RFC 1918 10/8, 172.16/12,
 * 192.168/16; unique local fc00::/7), link-local (169.254/16, fe80::/10, and the old site-local
 * fec0::/10), shared address space (CGNAT, 100.64/10), multicast, reserved (240/4 with
 * broadcast), 0/8, the IETF's 192.0.0/24, benchmarking (198.18/15), the documentation ranges,
 * discard-only 100::/64, Teredo 2001::/32 and local NAT64 64:ff9b:1::/48; and an IPv6 address
 * that carries an IPv4 one (mapped ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) is judged by that IPv4 address. family is AF_INET (addr: 4 bytes, network order)
 * or AF_INET6 (16 bytes); any other family is refused.
 */
bool net_address_public(int family, const void *addr);

/*
 * Whether url may be an application's outbound endpoint: at most OUTBOUND_URL_MAX bytes of
 * printable ASCII; "https://" (or "http://" when allow_private) and a host, an optional port
 * (1 to 65535), then nothing or a path or query starting with '/' or '?'; no user name or
 * password before the host, no fragment. Unless allow_private, the host is neither an address
 * literal that net_address_public refuses (IPv6 in brackets, or IPv4 in any form inet_aton
 * reads: "127.1", "0x7f000001") nor "localhost" or a name under it (RFC 6761). A name that
 * resolves to such an address passes here: the connection's check refuses it.
 */
bool outbound_url_valid(const char *url, bool allow_private);

#endif
