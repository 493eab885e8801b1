/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/socks5, part 2: encoders (RFC 1928/1929 byte vectors,
 * -ENOSPC at every short cap) and the UDP header decoder.  Linked into
 * check_socks5.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/socks5.h"

#define SENTINEL	0xa5

void socks5_add_encode_tcases(Suite *s);

enum enc { E_GREET, E_GREET_UP, E_USERPASS, E_REQUEST, E_UDP };
struct enc_args {
	const char *user, *pass;
	uint8_t cmd;
	const struct socks5_addr *a;
};

static ssize_t
enc_run(enum enc e, const struct enc_args *x, uint8_t *out, size_t cap)
{
	switch (e) {
	case E_GREET:
	case E_GREET_UP:
		return socks5_encode_greeting(out, cap, e == E_GREET_UP);
	case E_USERPASS:
		return socks5_encode_userpass(out, cap, x->user, x->pass);
	case E_REQUEST:
		return socks5_encode_request(out, cap, x->cmd, x->a);
	default:
		return socks5_encode_udp_header(out, cap, x->a);
	}
}

/* Exact bytes at cap == n and cap == max; -ENOSPC at every smaller cap. */
static void
check_encoder(enum enc e, const struct enc_args *x, const uint8_t *want,
    size_t n)
{
	uint8_t big[SOCKS5_MAX_USERPASS + 1];
	uint8_t *out;
	size_t cap;

	for (cap = 0; cap <= n; cap++) {
		out = malloc(cap > 0 ? cap : 1);
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(enc_run(e, x, out, cap),
		    cap < n ? -ENOSPC : (ssize_t)n);
		if (cap == n)
			ck_assert_mem_eq(out, want, n);
		free(out);
	}
	ck_assert_int_eq(enc_run(e, x, big, sizeof(big)), (ssize_t)n);
	ck_assert_mem_eq(big, want, n);
}

static void
check_enc_einval(enum enc e, const struct enc_args *x)
{
	uint8_t big[SOCKS5_MAX_USERPASS + 1];

	ck_assert_int_eq(enc_run(e, x, big, sizeof(big)), -EINVAL);
	ck_assert_int_eq(enc_run(e, x, big, 0), -EINVAL);
}

/* ---- vectors: one address per type, with its RFC 1928 §4 wire form */

static char name255[256];
static const struct socks5_addr addr_v4 = { .atyp = SOCKS5_ATYP_IPV4,
	.len = 4, .addr = { 127, 0, 0, 1 }, .port = 1080 };
static const struct socks5_addr addr_v6 = { .atyp = SOCKS5_ATYP_IPV6,
	.len = 16, .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 80 };
static struct socks5_addr addr_dom, addr_dom255;
static const uint8_t wire_v4[] = { 1, 127, 0, 0, 1, 0x04, 0x38 };
static const uint8_t wire_v6[] = { 4, 0x20, 0x01, 0x0d, 0xb8,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80 };
static const uint8_t wire_dom[] = { 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	'.', 'c', 'o', 'm', 0x01, 0xbb };
static uint8_t wire_dom255[1 + 1 + 255 + 2];

static const struct {
	const struct socks5_addr *a;
	const uint8_t *wire;
	size_t n;
} addr_vecs[] = {
	{ &addr_v4, wire_v4, sizeof(wire_v4) },
	{ &addr_v6, wire_v6, sizeof(wire_v6) },
	{ &addr_dom, wire_dom, sizeof(wire_dom) },
	{ &addr_dom255, wire_dom255, sizeof(wire_dom255) },
};
#define N_ADDR	(sizeof(addr_vecs) / sizeof(addr_vecs[0]))

static void
setup_vectors(void)
{
	memset(name255, 'a', 255);
	name255[255] = '\0';
	ck_assert_int_eq(socks5_addr_from_name(&addr_dom, "example.com", 443),
	    0);
	ck_assert_int_eq(socks5_addr_from_name(&addr_dom255, name255, 80), 0);
	wire_dom255[0] = SOCKS5_ATYP_DOMAIN;
	wire_dom255[1] = 255;
	memcpy(wire_dom255 + 2, name255, 255);
	memcpy(wire_dom255 + 257, "\x00\x50", 2);
}

/* ---- encoders */

START_TEST(encode_greeting_noauth)
{
	check_encoder(E_GREET, NULL, (const uint8_t *)"\x05\x01\x00", 3);
}
END_TEST

START_TEST(encode_greeting_userpass)
{
	check_encoder(E_GREET_UP, NULL, (const uint8_t *)"\x05\x02\x02\x00",
	    SOCKS5_MAX_GREETING);
}
END_TEST

START_TEST(encode_userpass_normal)
{
	struct enc_args x = { .user = "alice", .pass = "s3cret" };

	check_encoder(E_USERPASS, &x,
	    (const uint8_t *)"\x01\x05" "alice" "\x06" "s3cret", 14);
	x.user = "u";
	x.pass = "p";
	check_encoder(E_USERPASS, &x, (const uint8_t *)"\x01\x01u\x01p", 5);
	x.user = "alice";
	x.pass = "";
	check_encoder(E_USERPASS, &x, (const uint8_t *)"\x01\x05" "alice"
	    "\x00", 8);
	x.pass = NULL;
	check_encoder(E_USERPASS, &x, (const uint8_t *)"\x01\x05" "alice"
	    "\x00", 8);
}
END_TEST

START_TEST(encode_userpass_max)
{
	static uint8_t want[SOCKS5_MAX_USERPASS];
	struct enc_args x = { .user = name255, .pass = name255 };

	want[0] = 1;
	want[1] = 255;
	memcpy(want + 2, name255, 255);
	want[257] = 255;
	memcpy(want + 258, name255, 255);
	check_encoder(E_USERPASS, &x, want, sizeof(want));
}
END_TEST

START_TEST(encode_userpass_invalid)
{
	char long_name[257];
	struct enc_args x = { .user = "", .pass = "p" };

	memset(long_name, 'u', 256);
	long_name[256] = '\0';
	check_enc_einval(E_USERPASS, &x);
	x.user = NULL;
	check_enc_einval(E_USERPASS, &x);
	x.user = long_name;
	check_enc_einval(E_USERPASS, &x);
	x.user = "u";
	x.pass = long_name;
	check_enc_einval(E_USERPASS, &x);
}
END_TEST

/* Each address vector behind a 3-byte head: VER CMD RSV or RSV RSV FRAG. */
static void
check_request_like(enum enc e, uint8_t cmd, const uint8_t *head)
{
	uint8_t want[SOCKS5_MAX_REQUEST];
	struct enc_args x = { .cmd = cmd };
	size_t i;

	for (i = 0; i < N_ADDR; i++) {
		memcpy(want, head, 3);
		memcpy(want + 3, addr_vecs[i].wire, addr_vecs[i].n);
		x.a = addr_vecs[i].a;
		check_encoder(e, &x, want, 3 + addr_vecs[i].n);
	}
}

START_TEST(encode_request_normal)
{
	check_request_like(E_REQUEST, SOCKS5_CMD_CONNECT,
	    (const uint8_t *)"\x05\x01\x00");
	check_request_like(E_REQUEST, SOCKS5_CMD_UDP_ASSOCIATE,
	    (const uint8_t *)"\x05\x03\x00");
}
END_TEST

static const struct socks5_addr bad_addrs[] = {
	{ .atyp = SOCKS5_ATYP_IPV4, .len = 16 },
	{ .atyp = SOCKS5_ATYP_IPV6, .len = 4 },
	{ .atyp = SOCKS5_ATYP_DOMAIN, .len = 0 },
	{ .atyp = 2, .len = 4 },
};

static void
check_bad_addrs(enum enc e)
{
	struct enc_args x = { .cmd = SOCKS5_CMD_CONNECT, .a = NULL };
	size_t i;

	check_enc_einval(e, &x);
	for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		x.a = &bad_addrs[i];
		check_enc_einval(e, &x);
	}
}

START_TEST(encode_request_invalid)
{
	struct socks5_addr a;
	struct enc_args x = { .a = &a };

	check_bad_addrs(E_REQUEST);
	ck_assert_int_eq(socks5_addr_from_name(&a, "h", 1), 0);
	x.cmd = 0;
	check_enc_einval(E_REQUEST, &x);
	x.cmd = 4;
	check_enc_einval(E_REQUEST, &x);
}
END_TEST

START_TEST(encode_udp_header_normal)
{
	check_request_like(E_UDP, 0, (const uint8_t *)"\x00\x00\x00");
}
END_TEST

START_TEST(encode_udp_header_invalid)
{
	check_bad_addrs(E_UDP);
}
END_TEST

/* ---- UDP header decoder (RFC 1928 §7): a datagram is whole */

static void
check_udp_bad(const uint8_t *v, size_t n)
{
	uint8_t *in = malloc(n > 0 ? n : 1);	/* exact size for ASan */
	struct socks5_addr a, sent;

	ck_assert_ptr_nonnull(in);
	memcpy(in, v, n);
	memset(&sent, SENTINEL, sizeof(sent));
	a = sent;
	ck_assert_int_eq(socks5_decode_udp_header(in, n, &a), -EBADMSG);
	ck_assert_mem_eq(&a, &sent, sizeof(a));
	free(in);
}

/* Header for addr_vecs[i] into out; returns its length. */
static size_t
udp_vec(uint8_t *out, size_t i)
{
	memset(out, 0, 3);
	memcpy(out + 3, addr_vecs[i].wire, addr_vecs[i].n);
	return 3 + addr_vecs[i].n;
}

START_TEST(decode_udp_header_normal)
{
	uint8_t buf[SOCKS5_MAX_UDP_HEADER + 4];
	struct socks5_addr a;
	size_t i, n;

	for (i = 0; i < N_ADDR; i++) {
		n = udp_vec(buf, i);
		memset(&a, SENTINEL, sizeof(a));
		ck_assert_int_eq(socks5_decode_udp_header(buf, n, &a),
		    (ssize_t)n);
		ck_assert_uint_eq(a.atyp, addr_vecs[i].a->atyp);
		ck_assert_uint_eq(a.len, addr_vecs[i].a->len);
		ck_assert_mem_eq(a.addr, addr_vecs[i].a->addr, a.len);
		ck_assert_uint_eq(a.port, addr_vecs[i].a->port);
		memcpy(buf + n, "data", 4);	/* payload is not consumed */
		ck_assert_int_eq(socks5_decode_udp_header(buf, n + 4, NULL),
		    (ssize_t)n);
	}
}
END_TEST

START_TEST(decode_udp_header_truncated)
{
	uint8_t buf[SOCKS5_MAX_UDP_HEADER];
	size_t i, k, n;

	for (i = 0; i < N_ADDR; i++) {
		n = udp_vec(buf, i);
		for (k = 0; k < n; k++)
			check_udp_bad(buf, k);
	}
}
END_TEST

START_TEST(decode_udp_header_invalid)
{
	static const uint8_t empty[] = { 0, 0, 0, 3, 0, 0, 53 };
	uint8_t buf[SOCKS5_MAX_UDP_HEADER];
	size_t n, i;

	for (i = 0; i < 4; i++) {	/* RSV, RSV, FRAG, ATYP */
		n = udp_vec(buf, 0);
		buf[i] = i < 3 ? 1 : 2;
		check_udp_bad(buf, n);
	}
	check_udp_bad(empty, sizeof(empty));	/* 0-length domain */
}
END_TEST

static TCase *
tc_new(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup_vectors, NULL);
	suite_add_tcase(s, tc);
	return tc;
}

void
socks5_add_encode_tcases(Suite *s)
{
	TCase *tc;

	tc = tc_new(s, "encode_greeting");
	tcase_add_test(tc, encode_greeting_noauth);
	tcase_add_test(tc, encode_greeting_userpass);
	tc = tc_new(s, "encode_userpass");
	tcase_add_test(tc, encode_userpass_normal);
	tcase_add_test(tc, encode_userpass_max);
	tcase_add_test(tc, encode_userpass_invalid);
	tc = tc_new(s, "encode_request");
	tcase_add_test(tc, encode_request_normal);
	tcase_add_test(tc, encode_request_invalid);
	tc = tc_new(s, "encode_udp_header");
	tcase_add_test(tc, encode_udp_header_normal);
	tcase_add_test(tc, encode_udp_header_invalid);
	tc = tc_new(s, "decode_udp_header");
	tcase_add_test(tc, decode_udp_header_normal);
	tcase_add_test(tc, decode_udp_header_truncated);
	tcase_add_test(tc, decode_udp_header_invalid);
}
