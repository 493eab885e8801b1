/* SPDX-License-Identifier: MIT */
/*
 * core/handshake over HTTP CONNECT (RFC 9110 sec. 9.3.6, Basic auth RFC
 * 7617): the request bytes, every status class, the head's end found in
 * a peek so the tunnel's bytes stay unread, the size limit, a non-HTTP
 * answer, and the probe. Each case runs under every delivery schedule.
 */
#include <errno.h>
#include <string.h>

#include "handshake_sim.h"

#define REQ_V4	"CONNECT 192.0.2.10:80 HTTP/1.1\r\nHost: 192.0.2.10:80\r\n\r\n"
#define REQ_V6	"CONNECT [2001:db8::1]:443 HTTP/1.1\r\n" \
	"Host: [2001:db8::1]:443\r\n\r\n"
#define REQ_DOM	"CONNECT example.com:443 HTTP/1.1\r\n" \
	"Host: example.com:443\r\n\r\n"
/* RFC 7617 sec. 2's example credentials. */
#define REQ_AUTH	"CONNECT 192.0.2.10:80 HTTP/1.1\r\n" \
	"Host: 192.0.2.10:80\r\n" \
	"Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
/* The probe asks for a tunnel to the proxy itself. */
#define REQ_PROBE	"CONNECT 192.0.2.1:3128 HTTP/1.1\r\n" \
	"Host: 192.0.2.1:3128\r\n\r\n"
#define OK_HEAD	"HTTP/1.1 200 Connection established\r\n\r\n"
/* The tunnel's first bytes look like another head: they are not ours. */
static const uint8_t tail[] = "HTTP/1.1 200 OK\r\n\r\nhello";
#define TAIL	.tail = tail, .tail_len = sizeof(tail) - 1

/* A one-hop case over u to t: request, the proxy's answer, the outcome. */
#define HCASE(u, t, ...)	&(struct sim_case){ sim_hop1(u), 1,	\
	.target = (t), TAIL, __VA_ARGS__ }

START_TEST(ok_tunnel_bytes_stay)
{
	const struct sim_step v4[] = { USS(REQ_V4), PXS(OK_HEAD) };
	const struct sim_step v6[] = { USS(REQ_V6), PXS(OK_HEAD) };
	const struct sim_step dom[] = { USS(REQ_DOM),
	    PXS("HTTP/1.0 200 OK\r\nVia: 1.1 proxy\r\nX-A: b\r\n\r\n") };
	const struct sim_step auth[] = { USS(REQ_AUTH), PXS(OK_HEAD) };

	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(v4), .st = HANDSHAKE_DONE,
	    .http_status = 200));
	sim_check(HCASE(&url_http, &t_v6, SIM_STEPS(v6), .st = HANDSHAKE_DONE,
	    .http_status = 200));
	sim_check(HCASE(&url_http, &t_dom, SIM_STEPS(dom),
	    .st = HANDSHAKE_DONE, .http_status = 200));
	sim_check(HCASE(&url_http_auth, &t_v4, SIM_STEPS(auth),
	    .st = HANDSHAKE_DONE, .http_status = 200));
}
END_TEST

START_TEST(lf_only_head)
{
	const struct sim_step s[] = { USS(REQ_V4), PXS("HTTP/1.1 200\n\n") };
	const struct sim_step m[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 204 No Content\nX: y\r\n\n") };

	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s), .st = HANDSHAKE_DONE,
	    .http_status = 200));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(m), .st = HANDSHAKE_DONE,
	    .http_status = 204));
}
END_TEST

START_TEST(auth_required)
{
	const struct sim_step s407[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n\r\n") };
	const struct sim_step a407[] = { USS(REQ_AUTH),
	    PXS("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n") };
	const struct sim_step s401[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 401 Unauthorized\r\n\r\n") };
	const struct sim_step a401[] = { USS(REQ_AUTH),
	    PXS("HTTP/1.1 401 Unauthorized\r\n\r\n") };

	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s407),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 407,
	    .why = "HTTP proxy answered 407 Proxy Authentication Required "
	    "(no user/password configured)"));
	sim_check(HCASE(&url_http_auth, &t_v4, SIM_STEPS(a407),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 407,
	    .why = "HTTP proxy answered 407 Proxy Authentication Required "
	    "(wrong user or password)"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s401),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 401,
	    .why = "HTTP proxy answered 401 Unauthorized (no user/password "
	    "configured)"));
	sim_check(HCASE(&url_http_auth, &t_v4, SIM_STEPS(a401),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 401,
	    .why = "HTTP proxy answered 401 Unauthorized (wrong user or "
	    "password)"));
}
END_TEST

START_TEST(refusals)
{
	const struct sim_step s502[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\n\r\n") };
	const struct sim_step s504[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 504 Gateway Timeout\r\n\r\n") };
	const struct sim_step s400[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 400 Bad Request\r\n\r\n") };
	/* The reason phrase reaches the log made printable. */
	const struct sim_step s403[] = { USS(REQ_V4),
	    PXS("HTTP/1.1 403 Forbidden\x01\x7f\r\n\r\n") };

	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s502),
	    .st = HANDSHAKE_FAIL, .err = ECONNREFUSED, .http_status = 502,
	    .why = "HTTP proxy answered 502 Bad Gateway"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s504),
	    .st = HANDSHAKE_FAIL, .err = ETIMEDOUT, .http_status = 504,
	    .why = "HTTP proxy answered 504 Gateway Timeout"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s400),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .http_status = 400,
	    .why = "HTTP proxy answered 400 Bad Request"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s403),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 403,
	    .why = "HTTP proxy answered 403 Forbidden??"));
}
END_TEST

START_TEST(not_http)
{
	/* A SOCKS5 method reply, an SSH banner: wrong on the first byte. */
	const struct sim_step socks[] = { USS(REQ_V4), PX(5, 0) };
	const struct sim_step ssh[] = { USS(REQ_V4),
	    PXS("SSH-2.0-OpenSSH_9.2\r\n") };
	const struct sim_step late[] = { USS(REQ_V4), PXS("HTTP/1.1 20x\r\n") };

	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(socks),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .loose = true,
	    .why = "not an HTTP proxy (malformed response to CONNECT)"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(ssh),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .loose = true,
	    .why = "not an HTTP proxy (malformed response to CONNECT)"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(late),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .loose = true,
	    .why = "not an HTTP proxy (malformed response to CONNECT)"));
}
END_TEST

/* "HTTP/1.1 200 OK\r\nX: <pad>\r\n\r\n" of exactly n bytes. */
static void
long_head(uint8_t *buf, size_t n, bool end)
{
	static const char start[] = "HTTP/1.1 200 OK\r\nX: ";

	memcpy(buf, start, sizeof(start) - 1);
	memset(buf + sizeof(start) - 1, 'a', n - (sizeof(start) - 1));
	if (end)
		memcpy(buf + n - 4, "\r\n\r\n", 4);
}

START_TEST(head_size_limit)
{
	static uint8_t max[HTTP_CONNECT_MAX_HEAD], over[sizeof(max) + 1],
	    endless[sizeof(max) + 100];
	const struct sim_step s_max[] = { USS(REQ_V4),
	    { SIM_PROXY, max, sizeof(max) } };
	const struct sim_step s_over[] = { USS(REQ_V4),
	    { SIM_PROXY, over, sizeof(over) } };
	const struct sim_step s_endless[] = { USS(REQ_V4),
	    { SIM_PROXY, endless, sizeof(endless) } };

	long_head(max, sizeof(max), true);
	long_head(over, sizeof(over), true);
	long_head(endless, sizeof(endless), false);
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s_max),
	    .st = HANDSHAKE_DONE, .http_status = 200));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s_over),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .loose = true,
	    .why = "CONNECT response head too long"));
	sim_check(HCASE(&url_http, &t_v4, SIM_STEPS(s_endless),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .loose = true,
	    .why = "CONNECT response head too long"));
}
END_TEST

START_TEST(bind_udp_unsupported)
{
	sim_check(&(struct sim_case){ sim_hop1(&url_http), 1,
	    .cmd = SOCKS5_CMD_BIND, .target = &t_v4, TAIL,
	    .st = HANDSHAKE_FAIL, .err = EOPNOTSUPP,
	    .why = "HTTP proxies cannot accept connections for us (BIND)" });
	sim_check(&(struct sim_case){ sim_hop1(&url_http), 1,
	    .cmd = SOCKS5_CMD_UDP_ASSOCIATE, .target = &t_zero, TAIL,
	    .st = HANDSHAKE_FAIL, .err = EOPNOTSUPP,
	    .why = "HTTP proxies cannot carry UDP" });
}
END_TEST

START_TEST(probe)
{
	const struct sim_step ok[] = { USS(REQ_PROBE), PXS(OK_HEAD) };
	/* Any answer but 401/407 means the credentials passed. */
	const struct sim_step s403[] = { USS(REQ_PROBE),
	    PXS("HTTP/1.1 403 Forbidden\r\n\r\n") };
	const struct sim_step s401[] = { USS(REQ_PROBE),
	    PXS("HTTP/1.1 401 Unauthorized\r\n\r\n") };
	const struct sim_step s407[] = { USS(REQ_PROBE),
	    PXS("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n") };
	const struct sim_step junk[] = { USS(REQ_PROBE), PXS("\x05\xff") };

	sim_check(HCASE(&url_http, NULL, SIM_STEPS(ok), .st = HANDSHAKE_DONE,
	    .http_status = 200));
	sim_check(HCASE(&url_http, NULL, SIM_STEPS(s403),
	    .st = HANDSHAKE_DONE, .http_status = 403));
	sim_check(HCASE(&url_http, NULL, SIM_STEPS(s401),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 401,
	    .why = "HTTP proxy answered 401 Unauthorized (no user/password "
	    "configured)"));
	sim_check(HCASE(&url_http, NULL, SIM_STEPS(s407),
	    .st = HANDSHAKE_FAIL, .err = EACCES, .http_status = 407,
	    .why = "HTTP proxy answered 407 Proxy Authentication Required "
	    "(no user/password configured)"));
	sim_check(HCASE(&url_http, NULL, SIM_STEPS(junk),
	    .st = HANDSHAKE_FAIL, .err = EPROTO, .loose = true,
	    .why = "not an HTTP proxy (malformed response to CONNECT)"));
}
END_TEST

Suite *
handshake_http_suite(void)
{
	Suite *s = suite_create("handshake_http");
	TCase *tc;

	tc = sim_tcase(s, "connect");
	tcase_add_test(tc, ok_tunnel_bytes_stay);
	tcase_add_test(tc, lf_only_head);
	tcase_add_test(tc, auth_required);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, not_http);
	tcase_add_test(tc, head_size_limit);
	tcase_add_test(tc, bind_udp_unsupported);
	tc = sim_tcase(s, "probe");
	tcase_add_test(tc, probe);
	return s;
}
