/* SPDX-License-Identifier: MIT */
/*
 * core/handshake over SOCKS4 and SOCKS4a (the SOCKS4 protocol text and its
 * 4a extension): request bytes with and without a USERID, every CD class,
 * both reply versions, what SOCKS4 cannot do (IPv6, names on socks4://,
 * BIND and UDP here) and the probe that needs no message.
 */
#include <errno.h>

#include "handshake_sim.h"

/* VN CD DSTPORT DSTIP USERID NUL [name NUL] */
#define REQ4_V4		4, 1, 0, 80, 192, 0, 2, 10, 0
#define REQ4_V4_FRED	4, 1, 0, 80, 192, 0, 2, 10, 'f', 'r', 'e', 'd', 0
#define REQ4A_DOM	4, 1, 0x01, 0xbb, 0, 0, 0, 1, 0, 'e', 'x', 'a', 'm', \
	'p', 'l', 'e', '.', 'c', 'o', 'm', 0
/* VN CD DSTPORT DSTIP: the last six carry nothing for CONNECT. */
#define REP4(vn, cd)	vn, cd, 0x1f, 0x90, 10, 9, 8, 7
static const uint8_t tail[] = { REP4(0, 90), 'o', 'k' };
#define TAIL		.tail = tail, .tail_len = sizeof(tail)

START_TEST(connect_ok)
{
	const struct sim_step v4[] = { US(REQ4_V4), PX(REP4(0, 90)) };
	const struct sim_step fred[] = { US(REQ4_V4_FRED), PX(REP4(0, 90)) };
	/* Some servers echo the request's version. */
	const struct sim_step vn4[] = { US(REQ4_V4), PX(REP4(4, 90)) };
	const struct sim_step dom[] = { US(REQ4A_DOM), PX(REP4(0, 90)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1, .target = &t_v4,
	    SIM_STEPS(v4), TAIL, .st = HANDSHAKE_DONE });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4_user), 1,
	    .target = &t_v4, SIM_STEPS(fred), TAIL, .st = HANDSHAKE_DONE });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1, .target = &t_v4,
	    SIM_STEPS(vn4), TAIL, .st = HANDSHAKE_DONE });
	/* socks4a sends a name as 0.0.0.1 plus the name, an address as is. */
	sim_check(&(struct sim_case){ sim_hop1(&url_s4a), 1, .target = &t_dom,
	    SIM_STEPS(dom), TAIL, .st = HANDSHAKE_DONE });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4a), 1, .target = &t_v4,
	    SIM_STEPS(v4), TAIL, .st = HANDSHAKE_DONE });
}
END_TEST

static const struct {
	uint8_t vn, cd;
	int err;
	const char *why;
} cd_table[] = {
	{ 0, 91, ECONNREFUSED, "request rejected or failed (SOCKS4 status "
	    "91)" },
	{ 0, 92, EACCES, "request rejected: identd not reachable on the "
	    "client (SOCKS4 status 92)" },
	{ 4, 93, EACCES, "request rejected: identd user id mismatch (SOCKS4 "
	    "status 93)" },
	{ 0, 94, EPROTO, "unknown reply code (SOCKS4 status 94)" },
	{ 0, 0, EPROTO, "unknown reply code (SOCKS4 status 0)" },
	{ 0, 89, EPROTO, "unknown reply code (SOCKS4 status 89)" },
	{ 0, 255, EPROTO, "unknown reply code (SOCKS4 status 255)" },
	/* A SOCKS5 server's answer to a SOCKS4 request. */
	{ 5, 90, EPROTO, "not a SOCKS4 proxy (bad reply)" },
	{ 1, 90, EPROTO, "not a SOCKS4 proxy (bad reply)" },
};

START_TEST(reply_codes)
{
	const struct sim_step s[] = { US(REQ4_V4),
	    PX(REP4(cd_table[_i].vn, cd_table[_i].cd)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1, .target = &t_v4,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_FAIL, .err = cd_table[_i].err,
	    .why = cd_table[_i].why });
}
END_TEST

START_TEST(cannot)
{
	/* Refused before a byte is sent. */
	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1, .target = &t_v6,
	    TAIL, .st = HANDSHAKE_FAIL, .err = EAFNOSUPPORT,
	    .why = "SOCKS4 has no IPv6" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4a), 1, .target = &t_v6,
	    TAIL, .st = HANDSHAKE_FAIL, .err = EAFNOSUPPORT,
	    .why = "SOCKS4 has no IPv6" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1, .target = &t_dom,
	    TAIL, .st = HANDSHAKE_FAIL, .err = EHOSTUNREACH,
	    .why = "a socks4:// proxy cannot resolve names: use socks4a:// "
	    "or dns = local" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4a), 1,
	    .cmd = SOCKS5_CMD_BIND, .target = &t_v4, TAIL,
	    .st = HANDSHAKE_FAIL, .err = EOPNOTSUPP,
	    .why = "SOCKS4 proxies cannot accept connections for us (BIND)" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1,
	    .cmd = SOCKS5_CMD_UDP_ASSOCIATE, .target = &t_zero, TAIL,
	    .st = HANDSHAKE_FAIL, .err = EOPNOTSUPP,
	    .why = "SOCKS4 proxies cannot carry UDP" });
}
END_TEST

START_TEST(probe)
{
	/* The TCP connection is the whole test: done, nothing sent. */
	sim_check(&(struct sim_case){ sim_hop1(&url_s4), 1, TAIL,
	    .st = HANDSHAKE_DONE });
	sim_check(&(struct sim_case){ sim_hop1(&url_s4a), 1, TAIL,
	    .st = HANDSHAKE_DONE });
}
END_TEST

Suite *
handshake_socks4_suite(void)
{
	Suite *s = suite_create("handshake_socks4");
	TCase *tc;

	tc = sim_tcase(s, "connect");
	tcase_add_test(tc, connect_ok);
	tcase_add_loop_test(tc, reply_codes, 0,
	    (int)(sizeof(cd_table) / sizeof(cd_table[0])));
	tcase_add_test(tc, cannot);
	tcase_add_test(tc, probe);
	return s;
}
