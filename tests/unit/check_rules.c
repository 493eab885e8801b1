/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/rules: CIDR parsing edge cases, IPv4/IPv6/mapped
 * matching, loopback detection, domain patterns and first-match rules.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/rules.h"

static struct rules_net
net(const char *text)
{
	struct rules_net n;

	ck_assert_msg(rules_parse_cidr(text, &n) == 0, "%s", text);
	return n;
}

/* Does the textual address a fall in the textual CIDR c? */
static bool
in(const char *c, const char *a)
{
	struct rules_net n = net(c);
	uint8_t bin[16];
	int family = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;

	ck_assert_int_eq(inet_pton(family, a, bin), 1);
	return rules_net_match(&n, family, bin);
}

static struct sockaddr_storage ss;

static const struct sockaddr *
sa(const char *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(a, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
	} else {
		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	}
	return (const struct sockaddr *)&ss;
}

START_TEST(parse_cidr_ipv4)
{
	struct rules_net n = net("10.0.0.0/8");
	const uint8_t a[4] = { 10, 0, 0, 0 };

	ck_assert_int_eq(n.family, AF_INET);
	ck_assert_uint_eq(n.prefix, 8);
	ck_assert(memcmp(n.addr, a, 4) == 0);
	n = net("192.168.1.5");
	ck_assert_uint_eq(n.prefix, 32);
	ck_assert_uint_eq(n.addr[3], 5);
	ck_assert_uint_eq(net("0.0.0.0/0").prefix, 0);
	ck_assert_uint_eq(net("1.2.3.4/32").prefix, 32);
	ck_assert_uint_eq(net("1.2.3.4/032").prefix, 32);
}
END_TEST

START_TEST(parse_cidr_ipv6)
{
	struct rules_net n = net("fd00::/8");

	ck_assert_int_eq(n.family, AF_INET6);
	ck_assert_uint_eq(n.prefix, 8);
	ck_assert_uint_eq(n.addr[0], 0xfd);
	n = net("::1");
	ck_assert_uint_eq(n.prefix, 128);
	ck_assert_uint_eq(n.addr[15], 1);
	ck_assert_uint_eq(net("::/0").prefix, 0);
	ck_assert_uint_eq(net("::ffff:10.0.0.0/104").prefix, 104);
	ck_assert_int_eq(net("::ffff:10.0.0.0/104").family, AF_INET6);
}
END_TEST

START_TEST(parse_cidr_masks_host_bits)
{
	struct rules_net n = net("10.1.2.3/8");
	const uint8_t a[4] = { 10, 0, 0, 0 };
	const uint8_t b[4] = { 192, 168, 0, 0 };
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb0 };

	ck_assert(memcmp(n.addr, a, 4) == 0);
	n = net("192.168.1.255/23");
	ck_assert(memcmp(n.addr, b, 4) == 0);
	n = net("255.255.255.255/0");
	ck_assert_uint_eq(n.addr[0], 0);
	n = net("2001:dbf:1::ffff/28");
	ck_assert(memcmp(n.addr, v6, 16) == 0);
}
END_TEST

START_TEST(parse_cidr_rejects)
{
	const char *bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/8x", "10.0.0.0/ 8", " 10.0.0.0/8",
		"10.0.0.0/8 ", "10.0.0/8", "10/8", "256.0.0.0/8", "junk",
		"fe80::1%eth0", "10.0.0.0/8/8", "10.0.0.0/0x8", "::1/1280",
		"1.2.3.4.5", "[::1]", "12345::/8",
	};
	struct rules_net n, before;

	memset(&n, 0x5a, sizeof(n));
	before = n;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(rules_parse_cidr(bad[i], &n) == -EINVAL, "'%s'",
		    bad[i]);
		ck_assert(memcmp(&n, &before, sizeof(n)) == 0);
	}
	ck_assert_int_eq(rules_parse_cidr(NULL, &n), -EINVAL);
	ck_assert_int_eq(rules_parse_cidr("1.2.3.4", NULL), -EINVAL);
}
END_TEST

START_TEST(net_match_ipv4)
{
	ck_assert(in("10.0.0.0/8", "10.255.1.2"));
	ck_assert(!in("10.0.0.0/8", "11.0.0.0"));
	ck_assert(!in("10.0.0.0/8", "9.255.255.255"));
	ck_assert(in("192.168.0.0/23", "192.168.1.200"));
	ck_assert(!in("192.168.0.0/23", "192.168.2.0"));
	ck_assert(in("0.0.0.0/0", "203.0.113.9"));
	ck_assert(in("1.2.3.4/32", "1.2.3.4"));
	ck_assert(!in("1.2.3.4/32", "1.2.3.5"));
	ck_assert(in("1.2.3.4/31", "1.2.3.5"));
	/* an IPv4 address never matches IPv6 nets, not even ::/0 */
	ck_assert(!in("::/0", "10.0.0.1"));
	ck_assert(!in("::ffff:0:0/96", "10.0.0.1"));
}
END_TEST

START_TEST(net_match_ipv6)
{
	ck_assert(in("fd00::/8", "fdab::1"));
	ck_assert(!in("fd00::/8", "fe00::1"));
	ck_assert(in("2001:db8::/33", "2001:db8:7fff::1"));
	ck_assert(!in("2001:db8::/33", "2001:db8:8000::1"));
	ck_assert(in("::/0", "2001:db8::1"));
	ck_assert(in("::1/128", "::1"));
	ck_assert(!in("::1/128", "::2"));
}
END_TEST

START_TEST(net_match_mapped)
{
	ck_assert(in("10.0.0.0/8", "::ffff:10.1.2.3"));
	ck_assert(!in("10.0.0.0/8", "::ffff:11.1.2.3"));
	ck_assert(in("0.0.0.0/0", "::ffff:1.1.1.1"));
	ck_assert(in("1.2.3.4", "::ffff:1.2.3.4"));
	/* not mapped: IPv4-compatible and NAT64 forms stay IPv6 */
	ck_assert(!in("10.0.0.0/8", "::10.1.2.3"));
	ck_assert(!in("10.0.0.0/8", "64:ff9b::10.1.2.3"));
	ck_assert(!in("0.0.0.0/0", "::1"));
	/* a mapped address is also an IPv6 address */
	ck_assert(in("::ffff:0:0/96", "::ffff:10.1.2.3"));
}
END_TEST

START_TEST(net_match_bad_args)
{
	struct rules_net n = net("0.0.0.0/0");
	const uint8_t a[16] = { 0 };

	ck_assert(!rules_net_match(NULL, AF_INET, a));
	ck_assert(!rules_net_match(&n, AF_INET, NULL));
	ck_assert(!rules_net_match(&n, AF_UNIX, a));
	n.family = AF_UNIX;
	ck_assert(!rules_net_match(&n, AF_INET, a));
}
END_TEST

START_TEST(nets_match_list)
{
	struct rules_net nets[3];
	const uint8_t a[4] = { 172, 16, 5, 1 }, b[4] = { 8, 8, 8, 8 };

	nets[0] = net("10.0.0.0/8");
	nets[1] = net("fd00::/8");
	nets[2] = net("172.16.0.0/12");
	ck_assert(rules_nets_match(nets, 3, AF_INET, a));
	ck_assert(!rules_nets_match(nets, 2, AF_INET, a));
	ck_assert(!rules_nets_match(nets, 3, AF_INET, b));
	ck_assert(!rules_nets_match(nets, 0, AF_INET, a));
	ck_assert(!rules_nets_match(NULL, 3, AF_INET, a));
}
END_TEST

START_TEST(nets_match_sockaddr_families)
{
	struct rules_net nets[2];
	struct sockaddr_storage un;

	nets[0] = net("10.0.0.0/8");
	nets[1] = net("fd00::/8");
	ck_assert(rules_nets_match_sockaddr(nets, 2, sa("10.9.9.9")));
	ck_assert(rules_nets_match_sockaddr(nets, 2, sa("fd12::34")));
	ck_assert(rules_nets_match_sockaddr(nets, 2, sa("::ffff:10.0.0.1")));
	ck_assert(!rules_nets_match_sockaddr(nets, 2, sa("192.0.2.1")));
	ck_assert(!rules_nets_match_sockaddr(nets, 2, sa("2001:db8::1")));
	memset(&un, 0, sizeof(un));
	un.ss_family = AF_UNIX;
	ck_assert(!rules_nets_match_sockaddr(nets, 2,
	    (struct sockaddr *)&un));
	ck_assert(!rules_nets_match_sockaddr(nets, 2, NULL));
}
END_TEST

START_TEST(is_loopback_cases)
{
	ck_assert(rules_is_loopback(sa("127.0.0.1")));
	ck_assert(rules_is_loopback(sa("127.255.255.254")));
	ck_assert(rules_is_loopback(sa("::1")));
	ck_assert(rules_is_loopback(sa("::ffff:127.0.0.1")));
	ck_assert(rules_is_loopback(sa("::ffff:127.9.8.7")));
	ck_assert(!rules_is_loopback(sa("128.0.0.1")));
	ck_assert(!rules_is_loopback(sa("126.255.255.255")));
	ck_assert(!rules_is_loopback(sa("0.0.0.0")));
	ck_assert(!rules_is_loopback(sa("::")));
	ck_assert(!rules_is_loopback(sa("::2")));
	ck_assert(!rules_is_loopback(sa("::127.0.0.1")));
	ck_assert(!rules_is_loopback(sa("::ffff:128.0.0.1")));
	ck_assert(!rules_is_loopback(NULL));
}
END_TEST

START_TEST(domain_match_exact)
{
	ck_assert(rules_domain_match("corp.example", "corp.example"));
	ck_assert(rules_domain_match("corp.example", "CORP.Example"));
	ck_assert(rules_domain_match("Corp.Example", "corp.example."));
	ck_assert(rules_domain_match("corp.example.", "corp.example"));
	ck_assert(!rules_domain_match("corp.example", "a.corp.example"));
	ck_assert(!rules_domain_match("corp.example", "corp.example.com"));
	ck_assert(!rules_domain_match("corp.example", "xcorp.example"));
	ck_assert(!rules_domain_match("corp.example", "corp.exampl"));
}
END_TEST

START_TEST(domain_match_wildcard)
{
	ck_assert(rules_domain_match("*.corp.example", "a.corp.example"));
	ck_assert(rules_domain_match("*.corp.example", "x.y.CORP.example."));
	ck_assert(!rules_domain_match("*.corp.example", "corp.example"));
	ck_assert(!rules_domain_match("*.corp.example", "xcorp.example"));
	ck_assert(!rules_domain_match("*.corp.example", "corp.example.org"));
}
END_TEST

START_TEST(domain_match_leading_dot)
{
	ck_assert(rules_domain_match(".corp.example", "a.corp.example"));
	ck_assert(rules_domain_match(".corp.example", "corp.example"));
	ck_assert(rules_domain_match(".corp.example", "Corp.Example."));
	ck_assert(!rules_domain_match(".corp.example", "xcorp.example"));
	ck_assert(!rules_domain_match(".corp.example", "example"));
}
END_TEST

START_TEST(domain_match_degenerate)
{
	ck_assert(!rules_domain_match(NULL, "a"));
	ck_assert(!rules_domain_match("a", NULL));
	ck_assert(!rules_domain_match("", ""));
	ck_assert(!rules_domain_match("a", ""));
	ck_assert(!rules_domain_match("a", "."));
	ck_assert(!rules_domain_match(".", "a"));
	ck_assert(!rules_domain_match("*.", "a"));
	ck_assert(rules_domain_match("localhost", "localhost"));
}
END_TEST

START_TEST(domain_pattern_valid_cases)
{
	char longp[300];

	ck_assert(rules_domain_pattern_valid("corp.example"));
	ck_assert(rules_domain_pattern_valid("*.corp.example"));
	ck_assert(rules_domain_pattern_valid(".corp.example"));
	ck_assert(rules_domain_pattern_valid("corp.example."));
	ck_assert(rules_domain_pattern_valid("local"));
	ck_assert(rules_domain_pattern_valid("_srv.x-y.Z9"));
	ck_assert(!rules_domain_pattern_valid(""));
	ck_assert(!rules_domain_pattern_valid("."));
	ck_assert(!rules_domain_pattern_valid("*"));
	ck_assert(!rules_domain_pattern_valid("*."));
	ck_assert(!rules_domain_pattern_valid("a..b"));
	ck_assert(!rules_domain_pattern_valid("..a"));
	ck_assert(!rules_domain_pattern_valid("a.*.b"));
	ck_assert(!rules_domain_pattern_valid("*a.b"));
	ck_assert(!rules_domain_pattern_valid("a b"));
	ck_assert(!rules_domain_pattern_valid("a.b.."));
	ck_assert(!rules_domain_pattern_valid(NULL));
	memset(longp, 'a', sizeof(longp));
	longp[255] = '\0';
	ck_assert(rules_domain_pattern_valid(longp));
	longp[255] = '.';
	longp[256] = '\0';
	ck_assert(rules_domain_pattern_valid(longp));
	longp[255] = 'a';
	ck_assert(!rules_domain_pattern_valid(longp));
}
END_TEST

/* Rule builders for rules_first_match(); action is irrelevant to matching. */
static struct rule
rule_net(const char *cidr)
{
	struct rule r = { .match = RULE_MATCH_NET, .upstream = -1 };

	r.net = net(cidr);
	return r;
}

static struct rule
rule_domain(const char *pattern)
{
	struct rule r = { .match = RULE_MATCH_DOMAIN, .upstream = -1 };

	ck_assert(rules_domain_pattern_valid(pattern));
	(void)snprintf(r.domain, sizeof(r.domain), "%s", pattern);
	return r;
}

static struct rule
rule_port(uint16_t lo, uint16_t hi)
{
	struct rule r = { .match = RULE_MATCH_PORT, .port_lo = lo,
	    .port_hi = hi, .upstream = -1 };

	return r;
}

static struct rule
rule_any(void)
{
	struct rule r = { .match = RULE_MATCH_ANY, .upstream = -1 };

	return r;
}

START_TEST(first_match_empty)
{
	struct rule r[1] = { rule_any() };

	ck_assert_int_eq(rules_first_match(r, 0, "a.example", sa("1.2.3.4"),
	    80), -1);
	ck_assert_int_eq(rules_first_match(NULL, 0, NULL, NULL, 0), -1);
	ck_assert_int_eq(rules_first_match(NULL, 5, "a", sa("1.2.3.4"), 1),
	    -1);
}
END_TEST

START_TEST(first_match_order)
{
	struct rule r[4];

	r[0] = rule_net("10.1.0.0/16");
	r[1] = rule_net("10.0.0.0/8");
	r[2] = rule_port(443, 443);
	r[3] = rule_any();
	ck_assert_int_eq(rules_first_match(r, 4, NULL, sa("10.1.2.3"), 443),
	    0);
	ck_assert_int_eq(rules_first_match(r, 4, NULL, sa("10.2.2.3"), 443),
	    1);
	ck_assert_int_eq(rules_first_match(r, 4, NULL, sa("192.0.2.1"), 443),
	    2);
	ck_assert_int_eq(rules_first_match(r, 4, NULL, sa("192.0.2.1"), 80),
	    3);
	ck_assert_int_eq(rules_first_match(r, 4, NULL, NULL, 0), 3);
	/* n limits the search */
	ck_assert_int_eq(rules_first_match(r, 3, NULL, sa("192.0.2.1"), 80),
	    -1);
	/* the broader rule first shadows the narrower one */
	r[0] = rule_net("10.0.0.0/8");
	r[1] = rule_net("10.1.0.0/16");
	ck_assert_int_eq(rules_first_match(r, 4, NULL, sa("10.1.2.3"), 1), 0);
}
END_TEST

START_TEST(first_match_net)
{
	struct rule r[2];

	r[0] = rule_net("192.0.2.7");
	r[1] = rule_net("fd00::/8");
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("192.0.2.7"), 0), 0);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("192.0.2.8"), 0),
	    -1);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("fd12::1"), 0), 1);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("fe80::1"), 0), -1);
	/* an address rule needs an address: a name never matches it */
	ck_assert_int_eq(rules_first_match(r, 2, "192.0.2.7", NULL, 0), -1);
}
END_TEST

START_TEST(first_match_mapped)
{
	struct rule r[2];

	r[0] = rule_net("10.0.0.0/8");
	r[1] = rule_net("::ffff:0:0/96");
	/* a mapped address matches IPv4 nets first, as rules_net_match */
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("::ffff:10.9.8.7"),
	    0), 0);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("::ffff:11.9.8.7"),
	    0), 1);
	/* a plain IPv4 address never matches an IPv6 net */
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("11.9.8.7"), 0), -1);
	/* IPv4-compatible is not mapped */
	ck_assert_int_eq(rules_first_match(r, 1, NULL, sa("::10.9.8.7"), 0),
	    -1);
}
END_TEST

START_TEST(first_match_domain)
{
	struct rule r[3];

	r[0] = rule_domain("*.corp.example");
	r[1] = rule_domain(".lan");
	r[2] = rule_domain("host.example");
	ck_assert_int_eq(rules_first_match(r, 3, "git.CORP.example", NULL, 0),
	    0);
	ck_assert_int_eq(rules_first_match(r, 3, "corp.example", NULL, 0), -1);
	ck_assert_int_eq(rules_first_match(r, 3, "lan", NULL, 0), 1);
	ck_assert_int_eq(rules_first_match(r, 3, "printer.lan.", NULL, 0), 1);
	ck_assert_int_eq(rules_first_match(r, 3, "host.example", NULL, 0), 2);
	ck_assert_int_eq(rules_first_match(r, 3, "a.host.example", NULL, 0),
	    -1);
	/* a name rule needs a name, whatever the address */
	ck_assert_int_eq(rules_first_match(r, 3, NULL, sa("10.0.0.1"), 22),
	    -1);
	ck_assert_int_eq(rules_first_match(r, 3, "", sa("10.0.0.1"), 22), -1);
}
END_TEST

START_TEST(first_match_port)
{
	struct rule r[2];

	r[0] = rule_port(22, 22);
	r[1] = rule_port(8000, 8999);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 22), 0);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 21), -1);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 23), -1);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 8000), 1);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 8999), 1);
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 9000), -1);
	ck_assert_int_eq(rules_first_match(r, 2, "a", sa("1.1.1.1"), 7999),
	    -1);
	/* 0 = unknown port: never matches, not even a range from 1 */
	r[0] = rule_port(1, 65535);
	ck_assert_int_eq(rules_first_match(r, 1, "a", sa("1.1.1.1"), 0), -1);
	ck_assert_int_eq(rules_first_match(r, 1, NULL, NULL, 65535), 0);
}
END_TEST

START_TEST(first_match_any)
{
	struct rule r[2];

	r[0] = rule_domain("x.example");
	r[1] = rule_any();
	ck_assert_int_eq(rules_first_match(r, 2, NULL, NULL, 0), 1);
	ck_assert_int_eq(rules_first_match(r, 2, "x.example", NULL, 0), 0);
	ck_assert_int_eq(rules_first_match(r, 2, "y.example", sa("::1"), 1),
	    1);
}
END_TEST

START_TEST(first_match_bad_args)
{
	struct rule r[2];
	struct sockaddr_storage un;

	r[0] = rule_net("0.0.0.0/0");
	r[1] = rule_net("::/0");
	memset(&un, 0, sizeof(un));
	un.ss_family = AF_UNIX;
	ck_assert_int_eq(rules_first_match(r, 2, NULL,
	    (struct sockaddr *)&un, 80), -1);
	/* an unknown match kind never matches */
	r[0].match = (enum rule_match)99;
	ck_assert_int_eq(rules_first_match(r, 2, NULL, sa("::2"), 0), 1);
	ck_assert_int_eq(rules_first_match(r, 1, NULL, sa("1.2.3.4"), 0), -1);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("rules_parse_cidr");
	tcase_add_test(tc, parse_cidr_ipv4);
	tcase_add_test(tc, parse_cidr_ipv6);
	tcase_add_test(tc, parse_cidr_masks_host_bits);
	tcase_add_test(tc, parse_cidr_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_net_match");
	tcase_add_test(tc, net_match_ipv4);
	tcase_add_test(tc, net_match_ipv6);
	tcase_add_test(tc, net_match_mapped);
	tcase_add_test(tc, net_match_bad_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_nets_match");
	tcase_add_test(tc, nets_match_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_nets_match_sockaddr");
	tcase_add_test(tc, nets_match_sockaddr_families);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_is_loopback");
	tcase_add_test(tc, is_loopback_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_domain_match");
	tcase_add_test(tc, domain_match_exact);
	tcase_add_test(tc, domain_match_wildcard);
	tcase_add_test(tc, domain_match_leading_dot);
	tcase_add_test(tc, domain_match_degenerate);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_domain_pattern_valid");
	tcase_add_test(tc, domain_pattern_valid_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules_first_match");
	tcase_add_test(tc, first_match_empty);
	tcase_add_test(tc, first_match_order);
	tcase_add_test(tc, first_match_net);
	tcase_add_test(tc, first_match_mapped);
	tcase_add_test(tc, first_match_domain);
	tcase_add_test(tc, first_match_port);
	tcase_add_test(tc, first_match_any);
	tcase_add_test(tc, first_match_bad_args);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
