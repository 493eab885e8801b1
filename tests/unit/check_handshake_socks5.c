/* SPDX-License-Identifier: MIT */
/*
 * core/handshake over SOCKS5: RFC 1928 method selection, CONNECT to each
 * address type, every BND form, RFC 1929 username/password, every REP,
 * pipelining, probes, BIND's two replies and UDP ASSOCIATE. The bytes are
 * written out by hand from the RFCs; each case runs under every delivery
 * schedule of check_handshake.c.
 */
#include <errno.h>

#include "handshake_sim.h"

/* RFC 1928 sec. 3: VER NMETHODS METHODS; sec. 4/6: requests, replies. */
#define GREET_NONE	5, 1, 0
#define GREET_AUTH	5, 2, 2, 0
#define METHOD_NONE	5, 0
#define METHOD_AUTH	5, 2
/* RFC 1929 sec. 2: VER ULEN UNAME PLEN PASSWD; the reply VER STATUS. */
#define USERPASS	1, 7, 'A', 'l', 'a', 'd', 'd', 'i', 'n', 11, 'o', 'p', \
	'e', 'n', ' ', 's', 'e', 's', 'a', 'm', 'e'
#define AUTH_OK		1, 0
#define REQ(cmd)	5, cmd, 0, 1, 192, 0, 2, 10, 0, 80
#define REQ_V4		REQ(1)
#define REQ_V6		5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 1, 0x01, 0xbb
#define REQ_DOM		5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', \
	'.', 'c', 'o', 'm', 0x01, 0xbb
#define REP_V4(rep)	5, rep, 0, 1, 198, 51, 100, 7, 0xc3, 0x50
#define REP_V6		5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 7, 0xc3, 0x51
#define REP_DOM		5, 0, 0, 3, 10, 'p', 'r', 'o', 'x', 'y', '.', 't', \
	'e', 's', 't', 0xc3, 0x52
#define REP_DOM0	5, 0, 0, 3, 0, 0xc3, 0x53
/* What the tunnel carries next: it looks like a reply, and is not ours. */
static const uint8_t tail[] = { REP_V4(0), 'G', 'E', 'T' };
#define TAIL		.tail = tail, .tail_len = sizeof(tail)

START_TEST(connect_ipv4)
{
	const struct sim_step s[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_V4), PX(REP_V4(0)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_v4 });
	/* socks5h speaks the same bytes. */
	sim_check(&(struct sim_case){ sim_hop1(&url_s5h), 1, .target = &t_v4,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_v4 });
}
END_TEST

START_TEST(connect_ipv6)
{
	const struct sim_step s[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_V6), PX(REP_V6) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v6,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_v6 });
}
END_TEST

START_TEST(connect_domain)
{
	const struct sim_step s[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_DOM), PX(REP_DOM) };
	const struct sim_step s0[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_DOM), PX(REP_DOM0) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5h), 1, .target = &t_dom,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_dom });
	/* A 0-length BND name (sloppy servers) is accepted. */
	sim_check(&(struct sim_case){ sim_hop1(&url_s5h), 1, .target = &t_dom,
	    SIM_STEPS(s0), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_dom0 });
}
END_TEST

START_TEST(userpass_ok)
{
	const struct sim_step s[] = { US(GREET_AUTH), PX(METHOD_AUTH),
	    US(USERPASS), PX(AUTH_OK), US(REQ_V4), PX(REP_V4(0)) };
	/* Offered both, the proxy may still choose no authentication. */
	const struct sim_step s2[] = { US(GREET_AUTH), PX(METHOD_NONE),
	    US(REQ_V4), PX(REP_V4(0)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE,
	    .bnd = &b_v4 });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, SIM_STEPS(s2), TAIL, .st = HANDSHAKE_DONE,
	    .bnd = &b_v4 });
}
END_TEST

START_TEST(userpass_refused)
{
	const struct sim_step fail[] = { US(GREET_AUTH), PX(METHOD_AUTH),
	    US(USERPASS), PX(1, 1) };
	const struct sim_step badver[] = { US(GREET_AUTH), PX(METHOD_AUTH),
	    US(USERPASS), PX(5, 0) };
	const struct sim_step empty[] = { US(GREET_AUTH), PX(METHOD_AUTH) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, SIM_STEPS(fail), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EACCES, .why = "authentication failed for user 'Aladdin'" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, SIM_STEPS(badver), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EPROTO, .why = "malformed authentication reply" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_emptyuser), 1,
	    .target = &t_v4, SIM_STEPS(empty), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EINVAL, .why = "username or password is empty or longer "
	    "than 255 bytes" });
}
END_TEST

START_TEST(method_refused)
{
	const struct sim_step none[] = { US(GREET_NONE), PX(5, 0xff) };
	const struct sim_step auth[] = { US(GREET_AUTH), PX(5, 0xff) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(none), TAIL, .st = HANDSHAKE_FAIL, .err = EACCES,
	    .why = "proxy requires authentication and no username/password "
	    "is configured" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, SIM_STEPS(auth), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EACCES, .why = "proxy accepts neither username/password "
	    "nor no authentication" });
}
END_TEST

START_TEST(method_not_offered)
{
	const struct sim_step up[] = { US(GREET_NONE), PX(5, 2) };
	const struct sim_step gss[] = { US(GREET_AUTH), PX(5, 1) };
	const struct sim_step badver[] = { US(GREET_NONE), PX(4, 0) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(up), TAIL, .st = HANDSHAKE_FAIL, .err = EPROTO,
	    .why = "proxy chose a method we did not offer (0x02)" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, SIM_STEPS(gss), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EPROTO, .why = "proxy chose a method we did not offer "
	    "(0x01)" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(badver), TAIL, .st = HANDSHAKE_FAIL, .err = EPROTO,
	    .why = "not a SOCKS5 proxy (bad version in the method reply)" });
}
END_TEST

/* RFC 1928 sec. 6 REP values against errmap.h's table, written out. */
static const struct {
	uint8_t rep;
	int err;
	const char *why;
} rep_table[] = {
	{ 1, ECONNREFUSED, "general SOCKS server failure (SOCKS reply 1)" },
	{ 2, EACCES, "connection not allowed by ruleset (SOCKS reply 2)" },
	{ 3, ENETUNREACH, "network unreachable (SOCKS reply 3)" },
	{ 4, EHOSTUNREACH, "host unreachable (SOCKS reply 4)" },
	{ 5, ECONNREFUSED, "connection refused (SOCKS reply 5)" },
	{ 6, ETIMEDOUT, "TTL expired (SOCKS reply 6)" },
	{ 7, EOPNOTSUPP, "command not supported (SOCKS reply 7)" },
	{ 8, EAFNOSUPPORT, "address type not supported (SOCKS reply 8)" },
	{ 9, EPROTO, "unknown reply code (SOCKS reply 9)" },
	{ 255, EPROTO, "unknown reply code (SOCKS reply 255)" },
};

START_TEST(reply_codes)
{
	const uint8_t rep = rep_table[_i].rep;
	const struct sim_step s[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_V4), PX(REP_V4(rep)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_FAIL,
	    .err = rep_table[_i].err, .why = rep_table[_i].why });
}
END_TEST

START_TEST(reply_malformed)
{
	/* The first five bytes tell: bad ATYP, bad VER. */
	const struct sim_step atyp[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_V4), PX(5, 0, 0, 9, 0) };
	const struct sim_step ver[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_V4), PX(4, 0, 0, 1, 0) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(atyp), TAIL, .st = HANDSHAKE_FAIL, .err = EPROTO,
	    .why = "malformed reply from the proxy" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    SIM_STEPS(ver), TAIL, .st = HANDSHAKE_FAIL, .err = EPROTO,
	    .why = "malformed reply from the proxy" });
}
END_TEST

START_TEST(pipelined)
{
	/* Greeting and request in one write, before any answer. */
	const struct sim_step ok[] = { US(GREET_NONE), US(REQ_V4),
	    PX(METHOD_NONE), PX(REP_V4(0)) };
	const struct sim_step ff[] = { US(GREET_NONE), US(REQ_V4),
	    PX(5, 0xff) };
	const struct sim_step other[] = { US(GREET_NONE), US(REQ_V4),
	    PX(5, 2) };
	/* With credentials, pipelining is off: the method must be known. */
	const struct sim_step auth[] = { US(GREET_AUTH), PX(METHOD_AUTH),
	    US(USERPASS), PX(AUTH_OK), US(REQ_V4), PX(REP_V4(0)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    .pipeline = true, SIM_STEPS(ok), TAIL, .st = HANDSHAKE_DONE,
	    .bnd = &b_v4 });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    .pipeline = true, SIM_STEPS(ff), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EACCES, .why = "proxy refused the pipelined greeting "
	    "(method 0xff)" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .target = &t_v4,
	    .pipeline = true, SIM_STEPS(other), TAIL, .st = HANDSHAKE_FAIL,
	    .err = EPROTO, .why = "proxy chose a method we did not offer "
	    "(0x02)" });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, .pipeline = true, SIM_STEPS(auth), TAIL,
	    .st = HANDSHAKE_DONE, .bnd = &b_v4 });
}
END_TEST

START_TEST(probe)
{
	const struct sim_step none[] = { US(GREET_NONE), PX(METHOD_NONE) };
	const struct sim_step auth[] = { US(GREET_AUTH), PX(METHOD_AUTH),
	    US(USERPASS), PX(AUTH_OK) };
	const struct sim_step bad[] = { US(GREET_AUTH), PX(METHOD_AUTH),
	    US(USERPASS), PX(1, 2) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, SIM_STEPS(none),
	    TAIL, .st = HANDSHAKE_DONE });
	/* A probe has no request to pipeline. */
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1, .pipeline = true,
	    SIM_STEPS(none), TAIL, .st = HANDSHAKE_DONE });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    SIM_STEPS(auth), TAIL, .st = HANDSHAKE_DONE });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    SIM_STEPS(bad), TAIL, .st = HANDSHAKE_FAIL, .err = EACCES,
	    .why = "authentication failed for user 'Aladdin'" });
}
END_TEST

START_TEST(bind_two_replies)
{
	/* RFC 1928 sec. 4: BND of the listening socket, then the peer. */
	const struct sim_step s[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ(2)), PX(REP_V4(0)), BOUND_HERE,
	    PX(5, 0, 0, 1, 203, 0, 113, 5, 0x9c, 0x40) };
	const struct sim_step second_fails[] = { US(GREET_NONE),
	    PX(METHOD_NONE), US(REQ(2)), PX(REP_V4(0)), BOUND_HERE,
	    PX(REP_V4(2)) };
	const struct sim_step first_fails[] = { US(GREET_NONE),
	    PX(METHOD_NONE), US(REQ(2)), PX(REP_V4(7)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1,
	    .cmd = SOCKS5_CMD_BIND, .target = &t_v4, SIM_STEPS(s), TAIL,
	    .st = HANDSHAKE_DONE, .bnd = &b_v4, .peer = &p_v4 });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1,
	    .cmd = SOCKS5_CMD_BIND, .target = &t_v4, SIM_STEPS(second_fails),
	    TAIL, .st = HANDSHAKE_FAIL, .err = EACCES, .why = "connection not "
	    "allowed by ruleset (SOCKS reply 2)", .bnd = &b_v4 });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1,
	    .cmd = SOCKS5_CMD_BIND, .target = &t_v4, SIM_STEPS(first_fails),
	    TAIL, .st = HANDSHAKE_FAIL, .err = EOPNOTSUPP, .why = "command not "
	    "supported (SOCKS reply 7)" });
}
END_TEST

START_TEST(bind_waits_for_resume)
{
	static const uint8_t rep[] = { REP_V4(0) };
	struct handshake_io io;
	struct handshake h;

	handshake_start(&h, sim_hop1(&url_s5), 1, SOCKS5_CMD_BIND, &t_v4,
	    false);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	handshake_sent(&h, io.len);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(handshake_feed(&h, (const uint8_t[]){ 5, 0 }, 2), 2);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	handshake_sent(&h, io.len);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 5);
	ck_assert_uint_eq(handshake_feed(&h, rep, 5), 5);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 5);
	ck_assert_uint_eq(handshake_feed(&h, rep + 5, 5), 5);
	/* BOUND until resumed, asking for nothing. */
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_BOUND);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_BOUND);
	ck_assert(io.want == 0 && io.len == 0);
	ck_assert(h.bnd.atyp == SOCKS5_ATYP_IPV4 && h.bnd.port == 50000);
	handshake_resume(&h);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 5);
	/* Resuming again changes nothing. */
	handshake_resume(&h);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 5);
}
END_TEST

/* BIND's second reply with an IPv6 or a named peer; either reply cut
 * short anywhere starves the engine (it asks for more, reports no peer,
 * takes no byte beyond what came). */
START_TEST(bind_replies_truncated)
{
	static const uint8_t first[] = { REP_V4(0) };
	static const uint8_t second6[] = { 5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0x9c, 0x41 };
	static const uint8_t second_dom[] = { 5, 0, 0, 3, 7, 'p', 'e', 'e',
	    'r', '.', 't', 'x', 0x9c, 0x42 };
	const struct socks5_addr p6 = { SOCKS5_ATYP_IPV6, 16,
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 }, 40001 };
	const struct socks5_addr pdom = { SOCKS5_ATYP_DOMAIN, 7, "peer.tx",
	    40002 };
	struct sim_step st[6] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ(2)), { SIM_PROXY, first, sizeof(first) }, BOUND_HERE,
	    { SIM_PROXY, second6, sizeof(second6) } };
	struct sim_case c = { sim_hop1(&url_s5), 1, .cmd = SOCKS5_CMD_BIND,
	    .target = &t_v4, .steps = st, .n_steps = 6, TAIL,
	    .st = HANDSHAKE_DONE, .bnd = &b_v4, .peer = &p6 };
	size_t k;

	sim_check(&c);
	st[5].b = second_dom;
	st[5].len = sizeof(second_dom);
	c.peer = &pdom;
	sim_check(&c);
	c.tail = NULL;
	c.tail_len = 0;
	c.peer = NULL;
	c.st = HANDSHAKE_RECV;
	for (k = 1; k < sizeof(second6); k++) {
		st[5].b = second6;
		st[5].len = k;
		sim_check(&c);
	}
	for (k = 1; k < sizeof(second_dom); k++) {
		st[5].b = second_dom;
		st[5].len = k;
		sim_check(&c);
	}
	c.n_steps = 4;
	c.bnd = NULL;
	for (k = 1; k < sizeof(first); k++) {
		st[3].len = k;
		sim_check(&c);
	}
}
END_TEST

START_TEST(udp_associate)
{
	const struct sim_step s[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(5, 3, 0, 1, 0, 0, 0, 0, 0, 0), PX(REP_V4(0)) };
	const struct sim_step refused[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(5, 3, 0, 1, 0, 0, 0, 0, 0, 0), PX(REP_V4(7)) };

	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1,
	    .cmd = SOCKS5_CMD_UDP_ASSOCIATE, .target = &t_zero, SIM_STEPS(s),
	    TAIL, .st = HANDSHAKE_DONE, .bnd = &b_v4 });
	sim_check(&(struct sim_case){ sim_hop1(&url_s5), 1,
	    .cmd = SOCKS5_CMD_UDP_ASSOCIATE, .target = &t_zero,
	    SIM_STEPS(refused), TAIL, .st = HANDSHAKE_FAIL, .err = EOPNOTSUPP,
	    .why = "command not supported (SOCKS reply 7)" });
}
END_TEST

Suite *
handshake_socks5_suite(void)
{
	Suite *s = suite_create("handshake_socks5");
	TCase *tc;

	tc = sim_tcase(s, "connect");
	tcase_add_test(tc, connect_ipv4);
	tcase_add_test(tc, connect_ipv6);
	tcase_add_test(tc, connect_domain);
	tc = sim_tcase(s, "auth");
	tcase_add_test(tc, userpass_ok);
	tcase_add_test(tc, userpass_refused);
	tcase_add_test(tc, method_refused);
	tcase_add_test(tc, method_not_offered);
	tc = sim_tcase(s, "reply");
	tcase_add_loop_test(tc, reply_codes, 0,
	    (int)(sizeof(rep_table) / sizeof(rep_table[0])));
	tcase_add_test(tc, reply_malformed);
	tc = sim_tcase(s, "pipeline_probe");
	tcase_add_test(tc, pipelined);
	tcase_add_test(tc, probe);
	tc = sim_tcase(s, "bind_udp");
	tcase_add_test(tc, bind_two_replies);
	tcase_add_test(tc, bind_waits_for_resume);
	tcase_add_test(tc, bind_replies_truncated);
	tcase_add_test(tc, udp_associate);
	return s;
}
