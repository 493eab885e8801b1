/* SPDX-License-Identifier: MIT */
/*
 * core/route: the parts a user configures: udp = proxy/block/direct, raw
 * sockets, and the rules (address, network, port and range, domain,
 * catch-all; direct, block, proxy, via NAME), each checked with the
 * rule's index and its line in the text.
 */
#include <errno.h>
#include <string.h>

#include "route_want.h"

static void
setup_rules(void)
{
	load("proxy = socks5://192.0.2.1:1080\n");
}

START_TEST(udp_modes)
{
	/* udp = proxy (the default) */
	IS(ip("192.0.2.10", 80), SOCK_DGRAM, UNK, NULL, PROXY(&t_v4));
	IS(ip("198.18.0.5", 443), SOCK_DGRAM, ROUTE_PH_NAME, "example.com",
	    PROXY(&t_name), .by_name = true);
	load("proxy = socks5://192.0.2.1\nudp = block\n");
	IS(ip("192.0.2.10", 80), SOCK_DGRAM, UNK, NULL, BLOCK(EACCES, "UDP to "
	    "192.0.2.10 refused: udp = block in the configuration"));
	IS(ip("198.18.0.5", 443), SOCK_DGRAM, ROUTE_PH_NAME, "example.com",
	    BLOCK(EACCES, "UDP to 198.18.0.5 refused: udp = block in the "
	    "configuration"));
	IS(ip("192.0.2.10", 80), SOCK_STREAM, UNK, NULL, PROXY(&t_v4));
	load("proxy = socks5://192.0.2.1\nudp = direct\n");
	IS(ip("192.0.2.10", 80), SOCK_DGRAM, UNK, NULL, DIRECT);
	IS(ip("198.18.0.5", 443), SOCK_DGRAM, ROUTE_PH_NAME, "example.com",
	    BLOCK(EACCES, "UDP to 198.18.0.5 refused: udp = direct in the "
	    "configuration, and this is a placeholder address"));
	IS(ip("192.0.2.10", 80), SOCK_STREAM, UNK, NULL, PROXY(&t_v4));
}
END_TEST

START_TEST(raw_sockets)
{
	IS(ip("192.0.2.10", 0), SOCK_RAW, UNK, NULL, DIRECT);
	IS(ip("2001:db8::1", 0), SOCK_SEQPACKET, UNK, NULL, DIRECT);
	IS(ip("198.18.0.5", 0), SOCK_RAW, ROUTE_PH_NAME, "example.com",
	    BLOCK(EHOSTUNREACH, "198.18.0.5 is a placeholder address and this "
	    "socket cannot go through the proxy"));
	IS(ip("198.18.0.5", 0), SOCK_RAW, ROUTE_PH_NONE, NULL,
	    BLOCK(EHOSTUNREACH, "198.18.0.5 is a placeholder address and this "
	    "socket cannot go through the proxy"));
}
END_TEST

static const char rules_conf[] =
    "proxy = socks5://192.0.2.1:1080\n"			/* 1 */
    "upstream = corp http://proxy.corp:3128\n"		/* 2 */
    "upstream = tor socks5h://127.0.0.1:9050\n"		/* 3 */
    "rule = 10.0.0.0/8 direct\n"			/* 4: rule 0 */
    "rule = 203.0.113.0/24 block\n"			/* 5: rule 1 */
    "rule = *.partner.example via corp\n"		/* 6: rule 2 */
    "# port rules\n"					/* 7 */
    "rule = port 25 block\n"				/* 8: rule 3 */
    "rule = port 6660-6669 proxy tor\n"			/* 9: rule 4 */
    "rule = 2001:db8:bad::/48 block\n"			/* 10: rule 5 */
    "rule = .onion via tor\n"				/* 11: rule 6 */
    "rule = direct.example direct\n"			/* 12: rule 7 */
    "rule = 198.51.100.0/24 proxy\n"			/* 13: rule 8 */
    "rule = 198.18.0.0/15 block\n";			/* 14: rule 9 */

START_TEST(rules)
{
	static const struct socks5_addr t_partner = { SOCKS5_ATYP_DOMAIN, 19,
	    "www.partner.example", 443 }, t_onion = { SOCKS5_ATYP_DOMAIN,
	    10, "abcd.onion", 80 }, t_irc = { SOCKS5_ATYP_IPV4, 4,
	    { 192, 0, 2, 10 }, 6667 }, t_net = { SOCKS5_ATYP_IPV4, 4,
	    { 198, 51, 100, 5 }, 80 }, t_6670 = { SOCKS5_ATYP_IPV4, 4,
	    { 192, 0, 2, 10 }, 6670 };

	load(rules_conf);
	IS(ip("10.1.1.1", 80), SOCK_STREAM, UNK, NULL, DIRECT, RULE(0));
	IS(ip("203.0.113.9", 443), SOCK_STREAM, UNK, NULL, RULE(1),
	    BLOCK(EACCES, "203.0.113.9: blocked by the rule on line 5"));
	IS(ip("::ffff:203.0.113.9", 443), SOCK_STREAM, UNK, NULL, RULE(1),
	    BLOCK(EACCES, "203.0.113.9: blocked by the rule on line 5"));
	IS(ip("2001:db8:bad::1", 443), SOCK_STREAM, UNK, NULL, RULE(5),
	    BLOCK(EACCES, "2001:db8:bad::1: blocked by the rule on line 10"));
	/* Domain rules match a placeholder's name (and only that). */
	IS(ip("198.18.0.7", 443), SOCK_STREAM, ROUTE_PH_NAME,
	    "www.partner.example", PROXY(&t_partner), .by_name = true,
	    UP(0), RULE(2));
	IS(ip("198.18.0.8", 80), SOCK_STREAM, ROUTE_PH_NAME, "abcd.onion",
	    PROXY(&t_onion), .by_name = true, UP(1), RULE(6));
	IS(ip("198.18.0.9", 443), SOCK_STREAM, ROUTE_PH_NAME,
	    "direct.example", RULE(7), .by_name = false, BLOCK(EHOSTUNREACH,
	    "direct.example: rule on line 12 says direct, but the name was "
	    "left for the proxy to resolve (add it to local_domain)"));
	/* A placeholder's address meets no address rule (line 14). */
	IS(ip("198.18.0.5", 443), SOCK_STREAM, ROUTE_PH_NAME, "example.com",
	    PROXY(&t_name), .by_name = true);
	/* Ports, by address and by name; the range's ends. */
	IS(ip("192.0.2.10", 25), SOCK_STREAM, UNK, NULL, RULE(3),
	    BLOCK(EACCES, "192.0.2.10: blocked by the rule on line 8"));
	IS(ip("198.18.0.6", 25), SOCK_STREAM, ROUTE_PH_NAME, "mail.example",
	    RULE(3), BLOCK(EACCES, "mail.example: blocked by the rule on "
	    "line 8"));
	IS(ip("192.0.2.10", 6667), SOCK_STREAM, UNK, NULL, PROXY(&t_irc),
	    UP(1), RULE(4));
	IS(ip("192.0.2.10", 6660), SOCK_STREAM, UNK, NULL, UP(1),
	    RULE(4), PROXY((&(struct socks5_addr){ SOCKS5_ATYP_IPV4, 4,
	    { 192, 0, 2, 10 }, 6660 })));
	IS(ip("192.0.2.10", 6669), SOCK_DGRAM, UNK, NULL, UP(1),
	    RULE(4), PROXY((&(struct socks5_addr){ SOCKS5_ATYP_IPV4, 4,
	    { 192, 0, 2, 10 }, 6669 })));
	IS(ip("192.0.2.10", 6670), SOCK_STREAM, UNK, NULL, PROXY(&t_6670));
	/* `proxy` is the default path, named by its rule. */
	IS(ip("198.51.100.5", 80), SOCK_STREAM, UNK, NULL, PROXY(&t_net),
	    RULE(8));
	/* No rule: the default path. */
	IS(ip("2001:db8::1", 443), SOCK_STREAM, UNK, NULL, PROXY(&t_v6));
	/* Loopback is direct before any rule. */
	IS(ip("127.0.0.1", 25), 0, UNK, NULL, DIRECT);
}
END_TEST

START_TEST(catch_all)
{
	load("proxy = socks5://192.0.2.1:1080\n\nrule = * block\n");
	IS(ip("192.0.2.10", 80), SOCK_STREAM, UNK, NULL, RULE(0),
	    BLOCK(EACCES, "192.0.2.10: blocked by the rule on line 3"));
	IS(ip("198.18.0.5", 443), SOCK_DGRAM, ROUTE_PH_NAME, "example.com",
	    RULE(0), BLOCK(EACCES, "example.com: blocked by the rule on "
	    "line 3"));
	IS(ip("127.0.0.1", 80), SOCK_STREAM, UNK, NULL, DIRECT);
	IS(ip("::1", 80), SOCK_DGRAM, UNK, NULL, DIRECT);
	IS(ip("192.0.2.1", 1080), SOCK_STREAM, UNK, NULL, DIRECT);
}
END_TEST

void
route_rules_tcase(Suite *s)
{
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup_rules, NULL);
	tcase_add_test(tc, udp_modes);
	tcase_add_test(tc, raw_sockets);
	tcase_add_test(tc, rules);
	tcase_add_test(tc, catch_all);
	suite_add_tcase(s, tc);
}
