/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/listen: listen_decide() over configurations parsed
 * from text. Each branch of the trigger in its order: `listen = local`,
 * not TCP/IP, a port the program chose, no proxied connection, wildcard,
 * addresses the routing sends elsewhere, the local address of a live
 * proxied connection (the most recent that has it), any other address.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "core/listen.h"

static struct config cfg;
static struct rules_net proxy_hosts[1];
static struct route_env env;
static struct sockaddr_storage conns[3];

static void
load(const char *text)
{
	char err[256];

	config_defaults(&cfg);
	ck_assert_msg(config_parse(&cfg, text, strlen(text), "t.conf", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rules_parse_cidr("192.0.2.1", &proxy_hosts[0]), 0);
	env = (struct route_env){ &cfg, NULL, proxy_hosts, 1 };
}

static void
setup(void)
{
	load("proxy = socks5://192.0.2.1:1080\nlocal = 10.9.0.0/16\n");
}

static struct sockaddr_storage
sa(const char *text, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
	}
	return ss;
}

static socklen_t
sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

/* The decision for bound (ephemeral or not) with n live connections
 * (conns[0..n)), socktype stream, at listen() or (early) before. */
static struct listen_decision
decide_at(const char *bound, bool ephemeral, bool early, size_t n)
{
	struct sockaddr_storage b = sa(bound, ephemeral ? 0 : 8080);
	struct listen_facts f = { (struct sockaddr *)&b, sa_len(&b),
	    SOCK_STREAM, ephemeral, early, conns, n };
	struct listen_decision d;

	memset(&d, 0x5a, sizeof(d));
	listen_decide(&env, &f, &d);
	return d;
}

static struct listen_decision
decide(const char *bound, bool ephemeral, size_t n)
{
	return decide_at(bound, ephemeral, false, n);
}

#define HERE(d, text) do {						\
	struct listen_decision d_ = (d);				\
	ck_assert_int_eq(d_.action, LISTEN_HERE);			\
	ck_assert_str_eq(d_.why, (text));				\
} while (0)
#define VIA(d, i) do {							\
	struct listen_decision d_ = (d);				\
	ck_assert_int_eq(d_.action, LISTEN_VIA_PROXY);			\
	ck_assert_uint_eq(d_.conn, (i));				\
} while (0)

START_TEST(decide_wildcard)
{
	conns[0] = sa("203.0.113.5", 40000);
	conns[1] = sa("203.0.113.6", 40001);
	VIA(decide("0.0.0.0", true, 2), 0);
	VIA(decide("::", true, 2), 0);
	VIA(decide("::ffff:0.0.0.0", true, 1), 0);
}
END_TEST

/* getsockname() before listen(): only an address next to a proxied
 * connection is BINDed that early; a wildcard waits for listen(). */
START_TEST(decide_early)
{
	conns[0] = sa("203.0.113.5", 40000);
	HERE(decide_at("0.0.0.0", true, true, 1),
	    "a wildcard address waits until it listens");
	HERE(decide_at("::", true, true, 1),
	    "a wildcard address waits until it listens");
	VIA(decide_at("203.0.113.5", true, true, 1), 0);
	HERE(decide_at("127.0.0.1", true, true, 1),
	    "the address is not routed through the proxy");
	HERE(decide_at("0.0.0.0", false, true, 1),
	    "the program chose the port");
}
END_TEST

START_TEST(decide_listen_local)
{
	load("proxy = socks5://192.0.2.1:1080\nlisten = local\n");
	conns[0] = sa("203.0.113.5", 40000);
	HERE(decide("0.0.0.0", true, 1), "listen = local");
	HERE(decide("203.0.113.5", true, 1), "listen = local");
}
END_TEST

START_TEST(decide_not_tcp_ip)
{
	struct sockaddr_storage b = sa("0.0.0.0", 0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct listen_facts f = { (struct sockaddr *)&b, sa_len(&b),
	    SOCK_DGRAM, true, false, conns, 1 };
	struct listen_decision d;

	conns[0] = sa("203.0.113.5", 40000);
	listen_decide(&env, &f, &d);
	HERE(d, "not a TCP/IP socket");
	f.socktype = SOCK_STREAM;
	f.bound = (struct sockaddr *)&un;
	f.len = sizeof(un);
	listen_decide(&env, &f, &d);
	HERE(d, "not a TCP/IP socket");
	f.bound = NULL;
	listen_decide(&env, &f, &d);
	HERE(d, "not a TCP/IP socket");
	/* too short for its family */
	f.bound = (struct sockaddr *)&b;
	f.len = 4;
	listen_decide(&env, &f, &d);
	HERE(d, "not a TCP/IP socket");
}
END_TEST

START_TEST(decide_chosen_port)
{
	conns[0] = sa("203.0.113.5", 40000);
	HERE(decide("0.0.0.0", false, 1), "the program chose the port");
	HERE(decide("203.0.113.5", false, 1), "the program chose the port");
}
END_TEST

START_TEST(decide_no_connection)
{
	HERE(decide("0.0.0.0", true, 0), "no proxied connection");
	HERE(decide("203.0.113.5", true, 0), "no proxied connection");
}
END_TEST

/* Loopback, `local` networks, the proxy's host, rules: local, even when
 * a proxied connection has that local address (a proxy on loopback). */
START_TEST(decide_routed_elsewhere)
{
	const char *why = "the address is not routed through the proxy";

	conns[0] = sa("127.0.0.1", 40000);
	conns[1] = sa("10.9.1.2", 40001);
	conns[2] = sa("192.0.2.1", 40002);
	HERE(decide("127.0.0.1", true, 3), why);
	HERE(decide("::1", true, 3), why);
	HERE(decide("10.9.1.2", true, 3), why);
	HERE(decide("192.0.2.1", true, 3), why);
	load("proxy = socks5://192.0.2.1:1080\n"
	    "rule = 203.0.113.0/24 direct\n"
	    "rule = 198.51.100.0/24 block\n");
	conns[0] = sa("203.0.113.5", 40000);
	conns[1] = sa("198.51.100.5", 40001);
	HERE(decide("203.0.113.5", true, 2), why);
	HERE(decide("198.51.100.5", true, 2), why);
}
END_TEST

/* The most recent live connection with that local address is the one. */
START_TEST(decide_connection_address)
{
	conns[0] = sa("203.0.113.5", 40000);
	conns[1] = sa("2001:db8:1::2", 40001);
	conns[2] = sa("203.0.113.5", 40002);
	VIA(decide("203.0.113.5", true, 3), 0);
	VIA(decide("2001:db8:1::2", true, 3), 1);
	/* v4-mapped on either side is the IPv4 address */
	VIA(decide("::ffff:203.0.113.5", true, 3), 0);
	conns[0] = sa("::ffff:198.51.100.9", 40000);
	VIA(decide("198.51.100.9", true, 3), 0);
	HERE(decide("203.0.113.77", true, 3),
	    "not the local address of a proxied connection");
}
END_TEST

static Suite *
listen_suite(void)
{
	Suite *s = suite_create("listen");
	TCase *tc = tcase_create("listen_decide");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, decide_wildcard);
	tcase_add_test(tc, decide_early);
	tcase_add_test(tc, decide_listen_local);
	tcase_add_test(tc, decide_not_tcp_ip);
	tcase_add_test(tc, decide_chosen_port);
	tcase_add_test(tc, decide_no_connection);
	tcase_add_test(tc, decide_routed_elsewhere);
	tcase_add_test(tc, decide_connection_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(listen_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
