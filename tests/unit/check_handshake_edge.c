/* SPDX-License-Identifier: MIT */
/*
 * core/handshake at its edges: a bad path, a driver feeding what was not
 * asked for, the transport failures handshake_io_error() turns into the
 * reason for the step they hit, and handshake_fail().
 */
#include <errno.h>
#include <string.h>

#include "handshake_sim.h"

static void
assert_fail(struct handshake *h, int err, const char *why)
{
	struct handshake_io io;

	ck_assert_int_eq(handshake_next(h, &io), HANDSHAKE_FAIL);
	ck_assert_int_eq(h->err, err);
	ck_assert_str_eq(h->why, why);
}

START_TEST(start_bad_path)
{
	struct handshake_hop many[HANDSHAKE_MAX_HOPS + 1];
	struct handshake h;
	size_t i;

	for (i = 0; i < HANDSHAKE_MAX_HOPS + 1; i++)
		many[i] = (struct handshake_hop){ .url = &url_s5, .via = t_v4 };
	handshake_start(&h, many, 0, SOCKS5_CMD_CONNECT, &t_v4, false);
	assert_fail(&h, EINVAL, "bad proxy path");
	ck_assert_ptr_null(handshake_hop(&h));
	handshake_start(&h, many, HANDSHAKE_MAX_HOPS + 1, SOCKS5_CMD_CONNECT,
	    &t_v4, false);
	assert_fail(&h, EINVAL, "bad proxy path");
	ck_assert_ptr_null(handshake_hop(&h));
	handshake_start(&h, NULL, 1, SOCKS5_CMD_CONNECT, &t_v4, false);
	assert_fail(&h, EINVAL, "bad proxy path");
	/* Nothing revives it. */
	handshake_sent(&h, 3);
	handshake_resume(&h);
	assert_fail(&h, EINVAL, "bad proxy path");
	(void)handshake_feed(&h, (const uint8_t *)"\5\0", 2);
	ck_assert_int_eq(handshake_next(&h, &(struct handshake_io){ 0 }),
	    HANDSHAKE_FAIL);
}
END_TEST

START_TEST(feed_more_than_want)
{
	static const uint8_t junk[HTTP_CONNECT_MAX_HEAD + 1] = "HTTP/1.1 200";
	struct handshake_io io;
	struct handshake h;

	/* Exact: 3 bytes where the method reply has 2. */
	handshake_start(&h, sim_hop1(&url_s5), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	handshake_sent(&h, io.len);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 2);
	(void)handshake_feed(&h, (const uint8_t[]){ 5, 0, 5 }, 3);
	assert_fail(&h, EPROTO, "internal error: unexpected bytes from the "
	    "proxy");
	/* Half a message, then more than the rest. */
	handshake_start(&h, sim_hop1(&url_s5), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	(void)handshake_next(&h, &io);
	handshake_sent(&h, io.len);
	ck_assert_uint_eq(handshake_feed(&h, (const uint8_t[]){ 5 }, 1), 1);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 1);
	(void)handshake_feed(&h, (const uint8_t[]){ 0, 0 }, 2);
	assert_fail(&h, EPROTO, "internal error: unexpected bytes from the "
	    "proxy");
	/* Bytes while a write is pending, and after the end. */
	handshake_start(&h, sim_hop1(&url_s5), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	(void)handshake_feed(&h, (const uint8_t[]){ 5, 0 }, 2);
	assert_fail(&h, EPROTO, "internal error: unexpected bytes from the "
	    "proxy");
	handshake_start(&h, sim_hop1(&url_s4), 1, SOCKS5_CMD_CONNECT, NULL,
	    false);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_DONE);
	(void)handshake_feed(&h, (const uint8_t[]){ 0 }, 1);
	assert_fail(&h, EPROTO, "internal error: unexpected bytes from the "
	    "proxy");
	/* Peek: one byte more than the head may have. */
	handshake_start(&h, sim_hop1(&url_http), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	handshake_sent(&h, io.len);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert(io.peek);
	ck_assert_uint_eq(io.want, HTTP_CONNECT_MAX_HEAD);
	(void)handshake_feed(&h, junk, io.want + 1);
	assert_fail(&h, EPROTO, "internal error: unexpected bytes from the "
	    "proxy");
	/* Nothing fed is nothing taken, and no verdict. */
	handshake_start(&h, sim_hop1(&url_s5), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	(void)handshake_next(&h, &io);
	handshake_sent(&h, io.len);
	ck_assert_uint_eq(handshake_feed(&h, junk, 0), 0);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_RECV);
	ck_assert_uint_eq(io.want, 2);
}
END_TEST

/* Drive c as far as the proxy's bytes go, then fail the transport. */
static void
io_error_at(const struct sim_case *c, enum handshake_status where, int err,
    bool connecting, const char *why)
{
	static struct sim_run r;
	size_t i, off = 0;

	sim_once(c, &r);
	ck_assert_int_eq(r.st, where);
	for (i = 0; i < c->n_steps; i++) {
		if (c->steps[i].who != SIM_US)
			continue;
		ck_assert(off + c->steps[i].len <= r.out_len);
		ck_assert_mem_eq(r.out + off, c->steps[i].b, c->steps[i].len);
		off += c->steps[i].len;
	}
	ck_assert_uint_eq(r.out_len, off);
	handshake_io_error(&r.h, err, connecting);
	assert_fail(&r.h, err, why);
	/* The first reason stays. */
	handshake_io_error(&r.h, ETIMEDOUT, false);
	assert_fail(&r.h, err, why);
}

#define STEPS(...)	SIM_STEPS(((const struct sim_step[]){ __VA_ARGS__ }))

START_TEST(io_error_texts)
{
	const struct handshake_hop s5h = { .url = &url_s5 }, *s5 = &s5h;
	struct handshake_io io;
	struct handshake h;

	/* Connecting: the proxy is unreachable, whatever the step. */
	handshake_start(&h, s5, 1, SOCKS5_CMD_CONNECT, &t_v4, false);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	handshake_io_error(&h, ECONNREFUSED, true);
	assert_fail(&h, ECONNREFUSED, "proxy unreachable: Connection refused");
	handshake_start(&h, s5, 1, SOCKS5_CMD_CONNECT, &t_v4, false);
	handshake_io_error(&h, ETIMEDOUT, true);
	assert_fail(&h, ETIMEDOUT, "proxy unreachable: connection timed out");
	/* The write of the greeting times out. */
	handshake_start(&h, s5, 1, SOCKS5_CMD_CONNECT, &t_v4, false);
	(void)handshake_next(&h, &io);
	handshake_io_error(&h, ETIMEDOUT, false);
	assert_fail(&h, ETIMEDOUT, "proxy timed out during the greeting");

	/* No answer to the greeting: likely not a SOCKS5 port at all. */
	io_error_at(&(struct sim_case){ s5, 1, .target = &t_v4,
	    STEPS(US(5, 1, 0)) }, HANDSHAKE_RECV, ETIMEDOUT, false,
	    "proxy timed out: no answer to the SOCKS5 greeting (not a SOCKS5 "
	    "proxy, wrong port?)");
	io_error_at(&(struct sim_case){ s5, 1, .target = &t_v4,
	    STEPS(US(5, 1, 0), PX(5)) }, HANDSHAKE_RECV, ECONNRESET, false,
	    "proxy closed the connection during the greeting");
	io_error_at(&(struct sim_case){ sim_hop1(&url_s5_auth), 1,
	    .target = &t_v4, STEPS(US(5, 2, 2, 0), PX(5, 2), US(1, 7, 'A', 'l',
	    'a', 'd', 'd', 'i', 'n', 11, 'o', 'p', 'e', 'n', ' ', 's', 'e', 's',
	    'a', 'm', 'e')) },
	    HANDSHAKE_RECV, ECONNRESET, false,
	    "proxy closed the connection during authentication");
	io_error_at(&(struct sim_case){ s5, 1, .target = &t_v4,
	    STEPS(US(5, 1, 0), PX(5, 0),
	    US(5, 1, 0, 1, 192, 0, 2, 10, 0, 80)) },
	    HANDSHAKE_RECV, ETIMEDOUT, false,
	    "proxy timed out during the reply");
	io_error_at(&(struct sim_case){ s5, 1, .target = &t_v4,
	    STEPS(US(5, 1, 0), PX(5, 0), US(5, 1, 0, 1, 192, 0, 2, 10, 0, 80),
	    PX(5, 0, 0, 3)) }, HANDSHAKE_RECV, EPIPE, false,
	    "the reply failed: Broken pipe");
	io_error_at(&(struct sim_case){ sim_hop1(&url_s4), 1, .target = &t_v4,
	    STEPS(US(4, 1, 0, 80, 192, 0, 2, 10, 0)) }, HANDSHAKE_RECV,
	    ECONNRESET, false,
	    "proxy closed the connection during the SOCKS4 request");
	io_error_at(&(struct sim_case){ sim_hop1(&url_http), 1,
	    .target = &t_v4, STEPS(USS("CONNECT 192.0.2.10:80 HTTP/1.1\r\n"
	    "Host: 192.0.2.10:80\r\n\r\n"), PXS("HTTP/1.1 200 OK\r\n")) },
	    HANDSHAKE_RECV, ECONNRESET, false,
	    "proxy closed the connection during the CONNECT response");
	/* Waiting for BIND's second reply. */
	io_error_at(&(struct sim_case){ s5, 1, .cmd = SOCKS5_CMD_BIND,
	    .target = &t_v4, STEPS(US(5, 1, 0), PX(5, 0),
	    US(5, 2, 0, 1, 192, 0, 2, 10, 0, 80),
	    PX(5, 0, 0, 1, 1, 2, 3, 4, 0, 1)) },
	    HANDSHAKE_RECV, ECONNRESET, false,
	    "proxy closed the connection during the reply");
	/* A SOCKS4 probe sends nothing: the connection is still unproven. */
	io_error_at(&(struct sim_case){ sim_hop1(&url_s4), 1, .st = 0 },
	    HANDSHAKE_DONE, ECONNREFUSED, true,
	    "proxy unreachable: Connection refused");

	/* Writes of the later messages. */
	handshake_start(&h, s5, 1, SOCKS5_CMD_CONNECT, &t_v4, false);
	(void)handshake_next(&h, &io);
	handshake_sent(&h, io.len);
	(void)handshake_feed(&h, (const uint8_t[]){ 5, 0 }, 2);
	ck_assert_int_eq(handshake_next(&h, &io), HANDSHAKE_SEND);
	handshake_sent(&h, 1);
	handshake_io_error(&h, ECONNRESET, false);
	assert_fail(&h, ECONNRESET, "proxy closed the connection during the "
	    "request");
	handshake_start(&h, sim_hop1(&url_http), 1, SOCKS5_CMD_CONNECT,
	    &t_v4, false);
	(void)handshake_next(&h, &io);
	handshake_io_error(&h, ETIMEDOUT, false);
	assert_fail(&h, ETIMEDOUT, "proxy timed out during the CONNECT "
	    "request");
	handshake_start(&h, sim_hop1(&url_s4), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	(void)handshake_next(&h, &io);
	handshake_io_error(&h, ECONNRESET, false);
	assert_fail(&h, ECONNRESET, "proxy closed the connection during the "
	    "SOCKS4 request");
}
END_TEST

START_TEST(driver_fail)
{
	struct handshake_io io;
	struct handshake h;

	handshake_start(&h, sim_hop1(&url_s5), 1, SOCKS5_CMD_CONNECT, &t_v4,
	    false);
	(void)handshake_next(&h, &io);
	handshake_fail(&h, EAFNOSUPPORT, "the proxy has an IPv6 address");
	assert_fail(&h, EAFNOSUPPORT, "the proxy has an IPv6 address");
	ck_assert_ptr_eq(handshake_hop(&h), sim_hop1(&url_s5));
}
END_TEST

Suite *
handshake_edge_suite(void)
{
	Suite *s = suite_create("handshake_edge");
	TCase *tc;

	tc = sim_tcase(s, "edge");
	tcase_add_test(tc, start_bad_path);
	tcase_add_test(tc, feed_more_than_want);
	tcase_add_test(tc, io_error_texts);
	tcase_add_test(tc, driver_fail);
	return s;
}
