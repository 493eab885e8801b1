/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/route: route_decide() over configurations parsed by
 * config_parse() from text, so the rules are the ones a user writes. Each
 * case states the whole decision (action, errno, the line, target,
 * upstream, rule) and which facts the decision asked for on the way: the
 * name behind a placeholder first, the socket type only when it matters.
 * This file: the helpers, what is decided before any rule (families,
 * loopback, broken configuration, proxy hosts, local nets, placeholders)
 * and the target; check_route_rules.c: udp, raw sockets, rules.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "route_want.h"

struct config cfg;
static struct rules_net proxy_hosts[2];
struct route_env env;

/* A configuration from text, as the runtime would parse it. */
void
load(const char *text)
{
	char err[256];

	config_defaults(&cfg);
	ck_assert_msg(config_parse(&cfg, text, strlen(text), "test.conf", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rules_parse_cidr("192.0.2.1", &proxy_hosts[0]), 0);
	ck_assert_int_eq(rules_parse_cidr("2001:db8::53", &proxy_hosts[1]), 0);
	env = (struct route_env){ &cfg, NULL, proxy_hosts, 2 };
}
static void
setup(void)
{
	load("proxy = socks5://192.0.2.1:1080\n");
}

/* "1.2.3.4" or "2001:db8::1" (v4-mapped written "::ffff:1.2.3.4"). */
const struct addr *
ip(const char *text, uint16_t port)
{
	static struct addr a[4];
	static size_t next;
	struct addr *p = &a[next++ % 4];
	struct sockaddr_in *s4 = (struct sockaddr_in *)&p->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&p->ss;

	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		p->len = sizeof(*s4);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		p->len = sizeof(*s6);
	}
	return p;
}


void
decide_is(int line, const struct sockaddr *sa, socklen_t len, int socktype,
    enum route_placeholder ph, const char *name, const struct want *w)
{
	struct route_dest d = { sa, len, socktype, ph, name };
	struct route_decision out;
	const struct socks5_addr *t = w->target;

	memset(&out, 0x5a, sizeof(out));
	route_decide(&env, &d, &out);
	ck_assert_msg(out.action == w->action, "line %d: action %d, want %d "
	    "(%s)", line, out.action, w->action, out.action == ROUTE_BLOCK ?
	    out.why : "");
	ck_assert_msg(out.err == (w->action == ROUTE_BLOCK ? w->err : 0),
	    "line %d: errno %d, want %d", line, out.err, w->err);
	if (w->action == ROUTE_BLOCK)
		ck_assert_msg(strcmp(out.why, w->why) == 0, "line %d: why "
		    "'%s', want '%s'", line, out.why, w->why);
	ck_assert_msg(out.rule == w->rule - 1 && out.upstream ==
	    w->upstream - 1 && out.by_name == w->by_name, "line %d: rule %d "
	    "upstream %d by_name %d, want %d %d %d", line, out.rule,
	    out.upstream, out.by_name, w->rule - 1, w->upstream - 1,
	    w->by_name);
	if (w->action == ROUTE_PROXY)
		ck_assert_msg(out.target.atyp == t->atyp &&
		    out.target.len == t->len && out.target.port == t->port &&
		    memcmp(out.target.addr, t->addr, t->len) == 0, "line %d: "
		    "target", line);
}

const struct socks5_addr t_v4 = { SOCKS5_ATYP_IPV4, 4,
    { 192, 0, 2, 10 }, 80 };
const struct socks5_addr t_v6 = { SOCKS5_ATYP_IPV6, 16,
    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 443 };
const struct socks5_addr t_name = { SOCKS5_ATYP_DOMAIN, 11,
    "example.com", 443 };
const struct socks5_addr t_ph = { SOCKS5_ATYP_IPV4, 4,
    { 198, 18, 0, 5 }, 443 };

/* Loopback, unspecified, proxy hosts: direct, whatever else is set, and
 * the socket type is never asked for. */
static void
always_direct(void)
{
	static const char *const addrs[] = { "127.0.0.1", "127.9.9.9", "::1",
	    "::ffff:127.0.0.1", "0.0.0.0", "::", "::ffff:0.0.0.0" };
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		IS(ip(addrs[i], 80), 0, UNK, NULL, DIRECT);
		IS(ip(addrs[i], 80), SOCK_DGRAM, UNK, NULL, DIRECT);
		IS(ip(addrs[i], 80), SOCK_RAW, UNK, NULL, DIRECT);
	}
}

/* The decision for sa of len bytes, type unknown, no name. */
#define RAW_IS(sa, len, ...)	decide_is(__LINE__,			\
	(const struct sockaddr *)(sa), len, 0, UNK, NULL,		\
	&(struct want){ __VA_ARGS__ })

START_TEST(not_ip)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/s" };
	const struct addr *v4 = ip("192.0.2.10", 80), *v6 = ip("2001:db8::1",
	    443);

	IS(&(struct addr){ .len = sizeof(un) }, 0, UNK, NULL, DIRECT);
	RAW_IS(&un, sizeof(un), DIRECT);
	RAW_IS(NULL, 0, DIRECT);
	/* Short: the kernel answers EINVAL, not us. */
	RAW_IS(&v4->ss, v4->len - 1, DIRECT);
	RAW_IS(&v6->ss, sizeof(struct sockaddr_in), DIRECT);
	RAW_IS(&v4->ss, v4->len, NEED_TYPE);
	/* Even under a broken configuration. */
	env.broken = "test.conf:1: unknown key 'prox'";
	RAW_IS(&un, sizeof(un), DIRECT);
	RAW_IS(&v6->ss, v6->len - 1, DIRECT);
}
END_TEST

START_TEST(loopback_unspecified)
{
	always_direct();
	load("proxy = socks5://192.0.2.1\nudp = block\nrule = * block\n");
	always_direct();
	env.broken = "test.conf:1: unknown key 'prox'";
	always_direct();
}
END_TEST

START_TEST(broken)
{
	env.broken = "test.conf:3: unknown key 'prox'";
	IS(ip("192.0.2.10", 80), 0, UNK, NULL, BLOCK(EACCES, "connect "
	    "192.0.2.10: refused, socksify is not configured (test.conf:3: "
	    "unknown key 'prox')"));
	IS(ip("2001:db8::1", 443), SOCK_DGRAM, UNK, NULL, BLOCK(EACCES,
	    "UDP to 2001:db8::1: refused, socksify is not configured "
	    "(test.conf:3: unknown key 'prox')"));
	/* Nothing is proxied, the proxy itself included. */
	IS(ip("192.0.2.1", 1080), SOCK_STREAM, UNK, NULL, BLOCK(EACCES,
	    "connect 192.0.2.1: refused, socksify is not configured "
	    "(test.conf:3: unknown key 'prox')"));
	IS(ip("198.18.0.5", 443), SOCK_STREAM, UNK, NULL, BLOCK(EACCES,
	    "connect 198.18.0.5: refused, socksify is not configured "
	    "(test.conf:3: unknown key 'prox')"));
}
END_TEST

START_TEST(proxy_hosts_and_local)
{
	load("proxy = socks5://192.0.2.1\nlocal = 10.0.0.0/8, fd00::/8\n"
	    "rule = * block\nudp = block\n");
	IS(ip("192.0.2.1", 1080), 0, UNK, NULL, DIRECT);
	IS(ip("192.0.2.1", 443), 0, UNK, NULL, DIRECT);
	IS(ip("::ffff:192.0.2.1", 1080), 0, UNK, NULL, DIRECT);
	IS(ip("2001:db8::53", 1080), 0, UNK, NULL, DIRECT);
	IS(ip("10.1.2.3", 22), 0, UNK, NULL, DIRECT);
	IS(ip("::ffff:10.1.2.3", 22), 0, UNK, NULL, DIRECT);
	IS(ip("fd00::1", 22), 0, UNK, NULL, DIRECT);
	IS(ip("11.0.0.1", 22), 0, UNK, NULL, NEED_TYPE);
	IS(ip("11.0.0.1", 22), SOCK_STREAM, UNK, NULL, RULE(0),
	    BLOCK(EACCES, "11.0.0.1: blocked by the rule on line 3"));
	IS(ip("fe00::1", 22), SOCK_DGRAM, UNK, NULL, BLOCK(EACCES, "UDP to "
	    "fe00::1 refused: udp = block in the configuration"));
}
END_TEST

START_TEST(placeholder)
{
	static char long_name[257];

	/* The name is asked for before the socket type. */
	IS(ip("198.18.0.5", 443), 0, UNK, NULL, NEED_NAME);
	IS(ip("198.19.255.254", 443), SOCK_STREAM, UNK, NULL, NEED_NAME);
	IS(ip("::ffff:198.18.0.5", 443), 0, UNK, NULL, NEED_NAME);
	IS(ip("fd5e:c5f1::5", 443), 0, UNK, NULL, NEED_NAME);
	IS(ip("198.18.0.5", 443), 0, ROUTE_PH_NAME, "example.com", NEED_TYPE);
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NAME, "example.com",
	    PROXY(&t_name), .by_name = true);
	IS(ip("fd5e:c5f1::5", 443), SOCK_STREAM, ROUTE_PH_NAME, "example.com",
	    PROXY(&t_name), .by_name = true);
	/* Stale: no name behind it. */
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NONE, NULL,
	    BLOCK(EHOSTUNREACH, "198.18.0.5 is a placeholder address socksify "
	    "has no name for"));
	/* In the range but no slot: an ordinary address. */
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NOT, NULL,
	    PROXY(&t_ph));
	memset(long_name, 'a', 256);
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NAME, long_name,
	    .by_name = true, BLOCK(EHOSTUNREACH, "198.18.0.5: name too long "
	    "for the proxy"));
	/* Outside the ranges, and with dns = local, nothing is asked. */
	IS(ip("198.20.0.1", 443), 0, UNK, NULL, NEED_TYPE);
	load("proxy = socks5://192.0.2.1\ndns = local\n");
	IS(ip("198.18.0.5", 443), 0, UNK, NULL, NEED_TYPE);
	IS(ip("198.18.0.5", 443), SOCK_STREAM, UNK, NULL, PROXY(&t_ph));
	/* A placeholder is not an address of a `local` net. */
	load("proxy = socks5://192.0.2.1\nlocal = 198.18.0.0/16\n");
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NAME, "example.com",
	    PROXY(&t_name), .by_name = true);
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NOT, NULL, DIRECT);
}
END_TEST

START_TEST(is_placeholder)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	ck_assert(route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "198.18.0.1", 1)->ss));
	ck_assert(route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "::ffff:198.19.0.1", 1)->ss));
	ck_assert(route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "fd5e:c5f1::1", 1)->ss));
	ck_assert(!route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "198.20.0.1", 1)->ss));
	ck_assert(!route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "fd5e:c5f2::1", 1)->ss));
	ck_assert(!route_is_placeholder(&cfg, (struct sockaddr *)&un));
	ck_assert(!route_is_placeholder(&cfg, NULL));
	load("proxy = socks5://192.0.2.1\nplaceholder_v4 = 100.64.0.0/10\n");
	ck_assert(route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "100.64.0.1", 1)->ss));
	ck_assert(!route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "198.18.0.1", 1)->ss));
	load("proxy = socks5://192.0.2.1\ndns = local\n");
	ck_assert(!route_is_placeholder(&cfg, (struct sockaddr *)&ip(
	    "198.18.0.1", 1)->ss));
}
END_TEST

/* Port 53 is the answerer's before anything else, loopback included,
 * unless dns_direct names the server; dns = local sends it direct. */
START_TEST(dns)
{
	load("proxy = socks5://192.0.2.1\nudp = block\nrule = * block\n"
	    "local = 10.0.0.0/8\ndns_direct = 10.9.9.9, 2001:db8::99\n");
	IS(ip("127.0.0.53", 53), 0, UNK, NULL, NEED_TYPE);
	IS(ip("127.0.0.53", 53), SOCK_DGRAM, UNK, NULL, .action = ROUTE_DNS);
	IS(ip("::1", 53), SOCK_STREAM, UNK, NULL, .action = ROUTE_DNS);
	/* Not udp = block, not a local net, not the rule: the answerer. */
	IS(ip("10.1.1.1", 53), SOCK_DGRAM, UNK, NULL, .action = ROUTE_DNS);
	IS(ip("198.51.100.7", 53), SOCK_STREAM, UNK, NULL,
	    .action = ROUTE_DNS);
	IS(ip("::ffff:198.51.100.7", 53), SOCK_DGRAM, UNK, NULL,
	    .action = ROUTE_DNS);
	/* A datagram to a placeholder is the answerer's; TCP to one goes to
	 * that host by name (the rule blocks it here). */
	IS(ip("198.18.0.5", 53), SOCK_DGRAM, UNK, NULL, .action = ROUTE_DNS);
	IS(ip("198.18.0.5", 53), SOCK_STREAM, UNK, NULL, NEED_NAME);
	IS(ip("198.18.0.5", 53), SOCK_STREAM, ROUTE_PH_NAME, "ns.example",
	    RULE(0), BLOCK(EACCES, "ns.example: blocked by the rule on line 3"));
	/* The escape hatch: that server's traffic is ordinary traffic. */
	IS(ip("10.9.9.9", 53), SOCK_DGRAM, UNK, NULL, DIRECT);
	IS(ip("2001:db8::99", 53), SOCK_DGRAM, UNK, NULL, BLOCK(EACCES,
	    "UDP to 2001:db8::99 refused: udp = block in the configuration"));
	/* Raw sockets are not DNS (and go direct, as everywhere). */
	IS(ip("198.51.100.7", 53), SOCK_RAW, UNK, NULL, DIRECT);
	/* Other ports are unchanged. */
	IS(ip("127.0.0.53", 5353), 0, UNK, NULL, DIRECT);
	load("proxy = socks5://192.0.2.1\ndns = local\nrule = * block\n");
	IS(ip("198.51.100.7", 53), SOCK_DGRAM, UNK, NULL, DIRECT);
	IS(ip("198.51.100.7", 53), SOCK_STREAM, UNK, NULL, DIRECT);
	env.broken = "test.conf:1: unknown key 'prox'";
	IS(ip("127.0.0.53", 53), SOCK_DGRAM, UNK, NULL, BLOCK(EACCES,
	    "DNS to 127.0.0.53: refused, socksify is not configured "
	    "(test.conf:1: unknown key 'prox')"));
}
END_TEST

START_TEST(target_by_address)
{
	static const struct socks5_addr t_mapped = { SOCKS5_ATYP_IPV4, 4,
	    { 192, 0, 2, 10 }, 80 };

	IS(ip("192.0.2.10", 80), 0, UNK, NULL, NEED_TYPE);
	IS(ip("192.0.2.10", 80), SOCK_STREAM, UNK, NULL, PROXY(&t_v4));
	IS(ip("2001:db8::1", 443), SOCK_STREAM, UNK, NULL, PROXY(&t_v6));
	IS(ip("::ffff:192.0.2.10", 80), SOCK_STREAM, UNK, NULL,
	    PROXY(&t_mapped));
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("decide");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, not_ip);
	tcase_add_test(tc, loopback_unspecified);
	tcase_add_test(tc, broken);
	tcase_add_test(tc, proxy_hosts_and_local);
	tcase_add_test(tc, placeholder);
	tcase_add_test(tc, is_placeholder);
	tcase_add_test(tc, dns);
	tcase_add_test(tc, target_by_address);
	suite_add_tcase(s, tc);
	route_rules_tcase(s);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(route_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
