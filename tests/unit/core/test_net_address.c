/* Unit tests for core/net_address.c: the addresses an application's endpoint may resolve to,
 * and the URLs it may set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "core/net_address.h"

static bool v4(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return net_address_public(AF_INET, &a);
}

static bool v6(const char *text)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return net_address_public(AF_INET6, &a);
}

static void test_ipv4_private_loopback_link_local_and_reserved_are_refused(void **state)
{
	(void)state;
	const char *closed[] = {"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
				"127.0.0.1", "127.255.0.9", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8",
				"192.0.2.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
				"224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
		if (v4(closed[i]))
			fail_msg("%s should be refused", closed[i]);
}

static void test_ipv4_public_addresses_pass_next_to_the_ranges(void **state)
{
	(void)state;
	const char *open[] = {"1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
			      "128.0.0.0", "169.253.255.255", "172.15.255.255", "172.32.0.0", "192.0.1.1", "192.167.255.255",
			      "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255", "93.184.216.34"};
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
		if (!v4(open[i]))
			fail_msg("%s should pass", open[i]);
}

static void test_ipv6_local_ranges_and_embedded_private_ipv4_are_refused(void **state)
{
	(void)state;
	const char *closed[] = {"::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1",
				"64:ff9b::a00:1", "64:ff9b:1::1", "2002:7f00:1::1", "2002:c0a8:101::1", "2001::1", "2001:db8::1",
				"fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1", "100::1"};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
		if (v6(closed[i]))
			fail_msg("%s should be refused", closed[i]);
}

static void test_ipv6_public_addresses_and_embedded_public_ipv4_pass(void **state)
{
	(void)state;
	const char *open[] = {"2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
			      "2002:808:808::1", "fbff::1", "fe00::1"};
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
		if (!v6(open[i]))
			fail_msg("%s should pass", open[i]);
}

static void test_other_families_are_refused(void **state)
{
	(void)state;
	const unsigned char bytes[16] = {8, 8, 8, 8};
	assert_false(net_address_public(AF_UNIX, bytes));
}

static void test_urls_with_public_hosts_pass_https_only(void **state)
{
	(void)state;
	assert_true(outbound_url_valid("https://events.partner.example/caep", false));
	assert_true(outbound_url_valid("https://events.partner.example:8443/caep?stream=1", false));
	assert_true(outbound_url_valid("https://93.184.216.34/e", false));
	assert_true(outbound_url_valid("https://[2606:4700:4700::1111]:443/e", false));
	assert_true(outbound_url_valid("https://partner.example", false));
	assert_false(outbound_url_valid("http://events.partner.example/caep", false));
	assert_true(outbound_url_valid("http://events.partner.example/caep", true));
	assert_false(outbound_url_valid("ftp://events.partner.example/", true));
}

static void test_urls_naming_a_private_host_are_refused_unless_allowed(void **state)
{
	(void)state;
	const char *hosts[] = {"https://127.0.0.1/e", "https://127.1/e", "https://2130706433/e", "https://0x7f000001/e",
			       "https://10.0.0.8:8080/", "https://169.254.169.254/latest/meta-data", "https://[::1]/e",
			       "https://[::ffff:127.0.0.1]/e", "https://[fd00::1]:9000/", "https://localhost/e",
			       "https://LOCALHOST./e", "https://api.localhost/e", "https://0.0.0.0/", "https://127.0.0.1./e"};
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		if (outbound_url_valid(hosts[i], false))
			fail_msg("%s should be refused", hosts[i]);
		if (!outbound_url_valid(hosts[i], true))
			fail_msg("%s should pass when private addresses are allowed", hosts[i]);
	}
}

static void test_malformed_urls_are_refused(void **state)
{
	(void)state;
	char long_url[OUTBOUND_URL_MAX + 2] = "https://partner.example/";
	for (size_t i = 24; i < sizeof long_url - 1; i++)
		long_url[i] = 'a';
	long_url[sizeof long_url - 1] = '\0';
	const char *bad[] = {"", "https://", "https:///path", "https://user:pw@partner.example/", "https://partner.example/#x",
			     "https://partner.example:0/", "https://partner.example:65536/", "https://partner.example:/",
			     "https://partner.example:80a/", "https://part ner.example/", "https://partner.example/\n",
			     "https://[::1/", "https://[zz::1]/", "https://partner!.example/", "partner.example/e", long_url};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (outbound_url_valid(bad[i], true))
			fail_msg("%s should be refused", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_private_loopback_link_local_and_reserved_are_refused),
		cmocka_unit_test(test_ipv4_public_addresses_pass_next_to_the_ranges),
		cmocka_unit_test(test_ipv6_local_ranges_and_embedded_private_ipv4_are_refused),
		cmocka_unit_test(test_ipv6_public_addresses_and_embedded_public_ipv4_pass),
		cmocka_unit_test(test_other_families_are_refused),
		cmocka_unit_test(test_urls_with_public_hosts_pass_https_only),
		cmocka_unit_test(test_urls_naming_a_private_host_are_refused_unless_allowed),
		cmocka_unit_test(test_malformed_urls_are_refused),
	};
	return cmocka_run_group_tests_name("core/net_address", tests, NULL, NULL);
}
