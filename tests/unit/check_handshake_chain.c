/* SPDX-License-Identifier: MIT */
/*
 * core/handshake over chains: each hop asked (with its own protocol) to
 * connect to the next hop's `via`, the last one for the program's target;
 * kinds mixed, a failure reported at the hop it concerns, pipelining, a
 * BIND and a probe at the end of a chain, and the longest path.
 */
#include <errno.h>
#include <string.h>

#include "handshake_sim.h"

#define GREET_NONE	5, 1, 0
#define METHOD_NONE	5, 0
/* RFC 1928 requests for via_v4 (198.51.100.20:3128), via_dom
 * (hop3.test:1080) and the targets. */
#define REQ_VIA_V4	5, 1, 0, 1, 198, 51, 100, 20, 0x0c, 0x38
#define REQ_VIA_DOM	5, 1, 0, 3, 9, 'h', 'o', 'p', '3', '.', 't', 'e', 's', \
	't', 0x04, 0x38
#define REQ_V4		5, 1, 0, 1, 192, 0, 2, 10, 0, 80
#define REQ_V6		5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 1, 0x01, 0xbb
#define REP_V4(rep)	5, rep, 0, 1, 198, 51, 100, 7, 0xc3, 0x50
#define REP_V6		5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 7, 0xc3, 0x51
#define OK_HEAD		"HTTP/1.1 200 Connection established\r\n\r\n"
static const uint8_t tail[] = { REP_V4(0), 'H', 'T', 'T', 'P' };
#define TAIL		.tail = tail, .tail_len = sizeof(tail)

static struct handshake_hop hops[HANDSHAKE_MAX_HOPS + 1];

/* hops[0..n): urls as given, hop i > 0 reached through vias[i - 1]. */
static const struct handshake_hop *
chain(size_t n, const struct proxy_url *const *urls,
    const struct socks5_addr *const *vias)
{
	size_t i;

	memset(hops, 0, sizeof(hops));
	for (i = 0; i < n; i++) {
		hops[i].url = urls[i];
		if (i > 0)
			hops[i].via = *vias[i - 1];
	}
	return hops;
}

#define CHAIN(urls, vias)	chain(sizeof(urls) / sizeof(urls[0]), urls, \
	vias), sizeof(urls) / sizeof(urls[0])

START_TEST(http_then_socks5)
{
	const struct proxy_url *urls[] = { &url_http_auth, &url_s5 };
	const struct socks5_addr *vias[] = { &via_v4 };
	const struct sim_step s[] = {
	    USS("CONNECT 198.51.100.20:3128 HTTP/1.1\r\n"
	    "Host: 198.51.100.20:3128\r\n"
	    "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"),
	    PXS("HTTP/1.1 200 OK\r\n\r\n"),
	    US(GREET_NONE), PX(METHOD_NONE), US(REQ_V6), PX(REP_V6) };

	sim_check(&(struct sim_case){ CHAIN(urls, vias), .target = &t_v6,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_v6, .hop = 1,
	    .http_status = 200 });
}
END_TEST

START_TEST(socks5_socks4a_http)
{
	const struct proxy_url *urls[] = { &url_s5_auth, &url_s4a, &url_http };
	const struct socks5_addr *vias[] = { &via_v4, &via_dom };
	const struct sim_step s[] = {
	    US(5, 2, 2, 0), PX(5, 2),
	    US(1, 7, 'A', 'l', 'a', 'd', 'd', 'i', 'n', 11, 'o', 'p', 'e', 'n',
	    ' ', 's', 'e', 's', 'a', 'm', 'e'), PX(1, 0),
	    US(REQ_VIA_V4), PX(REP_V4(0)),
	    US(4, 1, 0x04, 0x38, 0, 0, 0, 1, 0, 'h', 'o', 'p', '3', '.', 't',
	    'e', 's', 't', 0), PX(0, 90, 0, 0, 0, 0, 0, 0),
	    USS("CONNECT example.com:443 HTTP/1.1\r\n"
	    "Host: example.com:443\r\n\r\n"), PXS(OK_HEAD) };

	/* The first hop's BND is not the tunnel's: bnd stays empty. */
	sim_check(&(struct sim_case){ CHAIN(urls, vias), .target = &t_dom,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .hop = 2,
	    .http_status = 200 });
}
END_TEST

START_TEST(fails_at_its_hop)
{
	const struct proxy_url *urls[] = { &url_http, &url_s5, &url_s4 };
	const struct socks5_addr *vias[] = { &via_v4, &via_dom };
	const struct sim_step s[] = {
	    USS("CONNECT 198.51.100.20:3128 HTTP/1.1\r\n"
	    "Host: 198.51.100.20:3128\r\n\r\n"), PXS(OK_HEAD),
	    US(GREET_NONE), PX(METHOD_NONE), US(REQ_VIA_DOM), PX(REP_V4(4)) };
	const struct proxy_url *urls2[] = { &url_s5, &url_s4 };
	const struct sim_step s2[] = { US(GREET_NONE), PX(METHOD_NONE),
	    US(REQ_VIA_V4), PX(REP_V4(0)) };
	const struct sim_step s3[] = {
	    USS("CONNECT 198.51.100.20:3128 HTTP/1.1\r\n"
	    "Host: 198.51.100.20:3128\r\n\r\n"),
	    PXS("HTTP/1.1 502 Bad Gateway\r\n\r\n") };

	sim_check(&(struct sim_case){ CHAIN(urls, vias), .target = &t_v4,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_FAIL, .err = EHOSTUNREACH,
	    .why = "host unreachable (SOCKS reply 4)", .hop = 1,
	    .http_status = 200 });
	/* The last hop cannot take a name: refused before it is spoken to. */
	sim_check(&(struct sim_case){ CHAIN(urls2, vias), .target = &t_dom,
	    SIM_STEPS(s2), TAIL, .st = HANDSHAKE_FAIL, .err = EHOSTUNREACH,
	    .why = "a socks4:// proxy cannot resolve names: use socks4a:// "
	    "or dns = local", .hop = 1 });
	sim_check(&(struct sim_case){ CHAIN(urls, vias), .target = &t_v4,
	    SIM_STEPS(s3), TAIL, .st = HANDSHAKE_FAIL, .err = ECONNREFUSED,
	    .why = "HTTP proxy answered 502 Bad Gateway", .hop = 0,
	    .http_status = 502 });
}
END_TEST

START_TEST(pipelined_chain)
{
	const struct proxy_url *urls[] = { &url_s5, &url_s5 };
	const struct socks5_addr *vias[] = { &via_v4 };
	const struct sim_step s[] = {
	    US(GREET_NONE), US(REQ_VIA_V4), PX(METHOD_NONE), PX(REP_V4(0)),
	    US(GREET_NONE), US(REQ_V4), PX(METHOD_NONE), PX(REP_V6) };

	sim_check(&(struct sim_case){ CHAIN(urls, vias), .target = &t_v4,
	    .pipeline = true, SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE,
	    .bnd = &b_v6, .hop = 1 });
}
END_TEST

START_TEST(bind_and_probe_at_the_end)
{
	const struct proxy_url *urls[] = { &url_s5, &url_s5h };
	const struct socks5_addr *vias[] = { &via_dom };
	/* The first hop's reply is not BIND's first reply. */
	const struct sim_step bind[] = {
	    US(GREET_NONE), PX(METHOD_NONE), US(REQ_VIA_DOM), PX(REP_V6),
	    US(GREET_NONE), PX(METHOD_NONE), US(5, 2, 0, 1, 192, 0, 2, 10, 0,
	    80), PX(REP_V4(0)), BOUND_HERE,
	    PX(5, 0, 0, 1, 203, 0, 113, 5, 0x9c, 0x40) };
	const struct sim_step probe[] = {
	    US(GREET_NONE), PX(METHOD_NONE), US(REQ_VIA_DOM), PX(REP_V6),
	    US(GREET_NONE), PX(METHOD_NONE) };
	const struct proxy_url *urls4[] = { &url_s5, &url_s4 };
	const struct sim_step probe4[] = {
	    US(GREET_NONE), PX(METHOD_NONE), US(REQ_VIA_DOM), PX(REP_V6) };

	sim_check(&(struct sim_case){ CHAIN(urls, vias),
	    .cmd = SOCKS5_CMD_BIND, .target = &t_v4, SIM_STEPS(bind), TAIL,
	    .st = HANDSHAKE_DONE, .bnd = &b_v4, .peer = &p_v4, .hop = 1 });
	sim_check(&(struct sim_case){ CHAIN(urls, vias), SIM_STEPS(probe),
	    TAIL, .st = HANDSHAKE_DONE, .hop = 1 });
	/* A SOCKS4 last hop of a probe: reaching it was the test. */
	sim_check(&(struct sim_case){ CHAIN(urls4, vias), SIM_STEPS(probe4),
	    TAIL, .st = HANDSHAKE_DONE, .hop = 1 });
}
END_TEST

START_TEST(longest_path)
{
	static const uint8_t greet[] = { GREET_NONE }, method[] = {
	    METHOD_NONE }, req_via[] = { REQ_VIA_V4 }, req[] = { REQ_V4 },
	    rep[] = { REP_V4(0) };
	const struct proxy_url *urls[HANDSHAKE_MAX_HOPS];
	const struct socks5_addr *vias[HANDSHAKE_MAX_HOPS];
	struct sim_step s[HANDSHAKE_MAX_HOPS * 4];
	size_t i, n = 0;

	for (i = 0; i < HANDSHAKE_MAX_HOPS; i++) {
		urls[i] = &url_s5;
		vias[i] = &via_v4;
		s[n++] = (struct sim_step){ SIM_US, greet, sizeof(greet) };
		s[n++] = (struct sim_step){ SIM_PROXY, method, sizeof(method) };
		s[n++] = i + 1 < HANDSHAKE_MAX_HOPS ?
		    (struct sim_step){ SIM_US, req_via, sizeof(req_via) } :
		    (struct sim_step){ SIM_US, req, sizeof(req) };
		s[n++] = (struct sim_step){ SIM_PROXY, rep, sizeof(rep) };
	}
	sim_check(&(struct sim_case){ CHAIN(urls, vias), .target = &t_v4,
	    SIM_STEPS(s), TAIL, .st = HANDSHAKE_DONE, .bnd = &b_v4,
	    .hop = HANDSHAKE_MAX_HOPS - 1 });
}
END_TEST

Suite *
handshake_chain_suite(void)
{
	Suite *s = suite_create("handshake_chain");
	TCase *tc;

	tc = sim_tcase(s, "chain");
	tcase_add_test(tc, http_then_socks5);
	tcase_add_test(tc, socks5_socks4a_http);
	tcase_add_test(tc, fails_at_its_hop);
	tcase_add_test(tc, pipelined_chain);
	tcase_add_test(tc, bind_and_probe_at_the_end);
	tcase_add_test(tc, longest_path);
	return s;
}
