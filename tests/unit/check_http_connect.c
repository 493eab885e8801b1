/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/http_connect: base64 (RFC 4648 §10 vectors), the
 * request encoder (exact text, -ENOSPC at every short cap), the response
 * decoder's sshbuf matrix, and the status table.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_connect.h"

#define SENTINEL	0xa5

/* ---- http_connect_base64 */

#define B64(lit, out)	{ (const uint8_t *)lit, sizeof(lit) - 1, out }
static const struct b64vec { const uint8_t *in; size_t len; const char *out;
    } rfc4648[] = {		/* RFC 4648 §10 */
	B64("", ""), B64("f", "Zg=="), B64("fo", "Zm8="), B64("foo", "Zm9v"),
	B64("foob", "Zm9vYg=="), B64("fooba", "Zm9vYmE="),
	B64("foobar", "Zm9vYmFy"),
}, binary[] = {			/* '+' '/', NUL and 0xff bytes */
	B64("\xfb\xff\xbf", "+/+/"), B64("\xfb\xff", "+/8="),
	B64("\xfb\xff\xbf\x00\x10\x83", "+/+/ABCD"), B64("\0", "AA=="),
};

/* Exact text and NUL with cap == n + 1; -ENOSPC at every smaller cap. */
static void
check_b64(const struct b64vec *v, size_t count)
{
	size_t i, n, cap;
	char *out;

	for (i = 0; i < count; i++) {
		n = strlen(v[i].out);
		ck_assert_uint_eq(HTTP_CONNECT_BASE64_LEN(v[i].len), n);
		for (cap = 0; cap <= n + 1; cap++) {
			out = malloc(cap > 0 ? cap : 1);   /* exact, for ASan */
			ck_assert_ptr_nonnull(out);
			ck_assert_int_eq(http_connect_base64(out, cap, v[i].in,
			    v[i].len), cap <= n ? -ENOSPC : (ssize_t)n);
			if (cap == n + 1)
				ck_assert_str_eq(out, v[i].out);
			free(out);
		}
	}
}

START_TEST(base64_rfc4648)
{
	check_b64(rfc4648, sizeof(rfc4648) / sizeof(rfc4648[0]));
}
END_TEST

START_TEST(base64_binary)
{
	check_b64(binary, sizeof(binary) / sizeof(binary[0]));
}
END_TEST

START_TEST(base64_einval)
{
	uint8_t out[8] = "f";

	ck_assert_int_eq(http_connect_base64(NULL, 8, out, 1), -EINVAL);
	ck_assert_int_eq(http_connect_base64((char *)out, 8, NULL, 1), -EINVAL);
	ck_assert_int_eq(http_connect_base64((char *)out, 8, NULL, 0), 0);
	ck_assert_str_eq((char *)out, "");
}
END_TEST

/* ---- http_connect_encode */

static const struct socks5_addr addr_v4 = { .atyp = SOCKS5_ATYP_IPV4,
	.len = 4, .addr = { 192, 0, 2, 1 }, .port = 443 };
static const struct socks5_addr addr_v6 = { .atyp = SOCKS5_ATYP_IPV6,
	.len = 16, .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 80 };
static struct socks5_addr addr_dom, addr_max;
static char name255[256], user255[256], pass255[256];
static char req_max[HTTP_CONNECT_MAX_REQUEST + 1];

static void
setup_vectors(void)
{
	char b64[HTTP_CONNECT_BASE64_LEN(511) + 1];
	uint8_t cred[511];

	memset(name255, 'n', 255);
	memset(user255, 'u', 255);
	memset(pass255, 'p', 255);
	ck_assert_int_eq(socks5_addr_from_name(&addr_dom, "example.com", 443),
	    0);
	ck_assert_int_eq(socks5_addr_from_name(&addr_max, name255, 65535), 0);
	/* 'u' * 255 ':' 'p' * 255: 170 groups and one 1-byte tail */
	memset(cred, 'u', 255);
	cred[255] = ':';
	memset(cred + 256, 'p', 255);
	ck_assert_int_eq(http_connect_base64(b64, sizeof(b64), cred, 511),
	    684);
	ck_assert_int_eq(snprintf(req_max, sizeof(req_max),
	    "CONNECT %s:65535 HTTP/1.1\r\nHost: %s:65535\r\n"
	    "Proxy-Authorization: Basic %s\r\n\r\n", name255, name255, b64),
	    HTTP_CONNECT_MAX_REQUEST);
}

/* Exact text at cap == n and with room to spare; -ENOSPC below n. */
static void
check_encoder(const struct socks5_addr *a, const char *user,
    const char *pass, const char *want)
{
	char big[HTTP_CONNECT_MAX_REQUEST + 8];
	size_t n = strlen(want), cap;
	char *out;

	for (cap = 0; cap <= n; cap++) {
		out = malloc(cap > 0 ? cap : 1);
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(http_connect_encode(out, cap, a, user, pass),
		    cap < n ? -ENOSPC : (ssize_t)n);
		if (cap == n)
			ck_assert_mem_eq(out, want, n);
		free(out);
	}
	memset(big, SENTINEL, sizeof(big));
	ck_assert_int_eq(http_connect_encode(big, sizeof(big), a, user, pass),
	    (ssize_t)n);
	ck_assert_mem_eq(big, want, n);
	ck_assert_uint_eq((uint8_t)big[n], SENTINEL);	/* no NUL written */
}

static void
check_enc_einval(const struct socks5_addr *a, const char *user,
    const char *pass)
{
	char big[HTTP_CONNECT_MAX_REQUEST + 8];

	ck_assert_int_eq(http_connect_encode(big, sizeof(big), a, user, pass),
	    -EINVAL);
	ck_assert_int_eq(http_connect_encode(big, 0, a, user, pass), -EINVAL);
}

#define HEAD(hp)	"CONNECT " hp " HTTP/1.1\r\nHost: " hp "\r\n"
#define AUTH(b64)	"Proxy-Authorization: Basic " b64 "\r\n"

/*
 * No credentials (pass is ignored then): one address of each type, and a
 * name made of every reg-name byte that is not a letter or digit.
 */
START_TEST(encode_no_auth)
{
	struct socks5_addr a;

	ck_assert_int_eq(socks5_addr_from_name(&a, "a-b._~%!$&'()*+,;=Z9", 1),
	    0);
	check_encoder(&a, NULL, NULL, HEAD("a-b._~%!$&'()*+,;=Z9:1") "\r\n");
	check_encoder(&addr_v4, NULL, "x", HEAD("192.0.2.1:443") "\r\n");
	check_encoder(&addr_v6, NULL, NULL, HEAD("[2001:db8::1]:80") "\r\n");
	check_encoder(&addr_dom, NULL, NULL, HEAD("example.com:443") "\r\n");
}
END_TEST

/* RFC 7617 §2's example; pass NULL is "" ("user:"); user "" sends ":pw". */
START_TEST(encode_auth)
{
	check_encoder(&addr_dom, "Aladdin", "open sesame",
	    HEAD("example.com:443")
	    AUTH("QWxhZGRpbjpvcGVuIHNlc2FtZQ==") "\r\n");
	check_encoder(&addr_v4, "user", NULL,
	    HEAD("192.0.2.1:443") AUTH("dXNlcjo=") "\r\n");
	check_encoder(&addr_v4, "", "pw",
	    HEAD("192.0.2.1:443") AUTH("OnB3") "\r\n");
}
END_TEST

START_TEST(encode_max)
{
	check_encoder(&addr_max, user255, pass255, req_max);
}
END_TEST

START_TEST(encode_einval)
{
	static const char bad[] = " \t\r\n\0:@/?#[]\"<>\\^`{|}\x7f\x80\xff";
	struct socks5_addr a[5] = { addr_v4, addr_v6, addr_v6, addr_dom };
	char long256[257];
	size_t i;

	memset(long256, 'x', 256);
	long256[256] = '\0';
	a[0].len = 16;
	a[1].len = 4;
	a[2].atyp = 2;
	a[3].len = 0;
	for (i = 0; i < 4; i++)
		check_enc_einval(&a[i], NULL, NULL);
	check_enc_einval(NULL, NULL, NULL);
	for (i = 0; i < sizeof(bad) - 1; i++) {	/* header injection */
		a[4] = addr_dom;
		a[4].addr[7] = (uint8_t)bad[i];
		check_enc_einval(&a[4], NULL, NULL);
	}
	check_enc_einval(&addr_dom, "a:b", "pw");	/* RFC 7617 §2 */
	check_enc_einval(&addr_dom, long256, "pw");
	check_enc_einval(&addr_dom, "user", long256);
}
END_TEST

/* ---- http_connect_decode: the sshbuf matrix */

#define H(lit, st, why)	{ lit, sizeof(lit) - 1, st, why }
static const struct head { const char *p; size_t n; int status;
    const char *reason; } heads[] = {
	H("HTTP/1.1 200 Connection established\r\n\r\n", 200,
	    "Connection established"),
	H("HTTP/1.0 200 OK\r\nProxy-agent: tinyproxy/1.11\r\n\r\n", 200, "OK"),
	H("HTTP/1.1 200\r\n\r\n", 200, ""),
	H("HTTP/1.1 204 \r\n\r\n", 204, ""),
	H("HTTP/1.1 200 OK\n\n", 200, "OK"),
	H("HTTP/1.1 200 OK\nVia: x\r\n\n", 200, "OK"),
	H("HTTP/1.1 200\n\n", 200, ""),
	H("HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
	    "Content-Length: 0\r\n\r\n", 407, "Proxy Authentication Required"),
	H("HTTP/1.1 502 Bad\tGate\x01way\xff\r\n\r\n", 502, "Bad?Gate?way?"),
};
#define N_HEADS	(sizeof(heads) / sizeof(heads[0]))

/* Decode an exact-size heap copy of v. */
static ssize_t
dec_run(const char *v, size_t len, int *status, char *reason, size_t cap,
    size_t *need)
{
	uint8_t *in = malloc(len > 0 ? len : 1);
	ssize_t rc;

	ck_assert_ptr_nonnull(in);
	memcpy(in, v, len);
	rc = http_connect_decode(in, len, status, reason, cap, need);
	free(in);
	return rc;
}

/* Just the return value and *need. */
static ssize_t
dec_n(const char *v, size_t len, size_t *need)
{
	return dec_run(v, len, NULL, NULL, 0, need);
}

START_TEST(decode_exact)
{
	char reason[64];
	size_t i, need;
	int st;

	for (i = 0; i < N_HEADS; i++) {
		need = 12345;
		ck_assert_int_eq(dec_run(heads[i].p, heads[i].n, &st, reason,
		    sizeof(reason), &need), (ssize_t)heads[i].n);
		ck_assert_int_eq(st, heads[i].status);
		ck_assert_str_eq(reason, heads[i].reason);
		ck_assert_uint_eq(need, 12345);
		ck_assert_int_eq(dec_n(heads[i].p, heads[i].n, NULL),
		    (ssize_t)heads[i].n);
	}
}
END_TEST

/* Every prefix: 0, outputs untouched, len < *need <= head length. */
START_TEST(decode_truncated)
{
	char reason[64], sent[64];
	size_t i, k, need;
	int st;

	memset(sent, SENTINEL, sizeof(sent));
	for (i = 0; i < N_HEADS; i++)
		for (k = 0; k < heads[i].n; k++) {
			st = -1;
			memcpy(reason, sent, sizeof(reason));
			ck_assert_int_eq(dec_run(heads[i].p, k, &st, reason,
			    sizeof(reason), &need), 0);
			ck_assert_uint_gt(need, k);
			ck_assert_uint_le(need, heads[i].n);
			ck_assert_uint_ge(need, HTTP_CONNECT_MIN_HEAD);
			ck_assert_int_eq(st, -1);
			ck_assert_mem_eq(reason, sent, sizeof(reason));
			ck_assert_int_eq(dec_n(heads[i].p, k, NULL), 0);
		}
}
END_TEST

/* Grow one byte at a time; then read exactly what *need asks for. */
START_TEST(decode_bytewise)
{
	size_t i, have, need;
	ssize_t rc;

	for (i = 0; i < N_HEADS; i++) {
		for (have = 0; (rc = dec_n(heads[i].p, have, &need)) == 0;
		    have++)
			ck_assert_uint_lt(have, heads[i].n);
		ck_assert_uint_eq(have, heads[i].n);
		ck_assert_int_eq(rc, (ssize_t)heads[i].n);
		for (have = 0; (rc = dec_n(heads[i].p, have, &need)) == 0;
		    have = need)
			ck_assert_uint_le(need, heads[i].n);
		ck_assert_int_eq(rc, (ssize_t)heads[i].n);
	}
}
END_TEST

/* Tunnel bytes after the head (even a second head) are not consumed. */
START_TEST(decode_trailing)
{
	static const char *const tails[] = { "\x16\x03\x01\x02\x00",
	    "\r\n\r\n", "\n", "HTTP/1.1 200 OK\r\n\r\n", "SSH-2.0-x\r\n" };
	char buf[256];
	size_t i, j, t;
	int st;

	for (i = 0; i < N_HEADS; i++)
		for (j = 0; j < sizeof(tails) / sizeof(tails[0]); j++) {
			t = strlen(tails[j]);
			memcpy(buf, heads[i].p, heads[i].n);
			memcpy(buf + heads[i].n, tails[j], t);
			ck_assert_int_eq(dec_run(buf, heads[i].n + t, &st,
			    NULL, 0, NULL), (ssize_t)heads[i].n);
			ck_assert_int_eq(st, heads[i].status);
		}
}
END_TEST

/* Bad status lines, with the offset of the first bad byte. */
#define BAD(lit, off)	{ lit, sizeof(lit) - 1, off }
static const struct { const char *p; size_t n, bad; } bad_heads[] = {
	BAD("HTTP/2 200 OK\r\n\r\n", 5),
	BAD("HTTP/1.1 20 OK\r\n\r\n", 11),
	BAD("HTTP/1.1 2000 OK\r\n\r\n", 12),
	BAD("HTTP/1.1  200 OK\r\n\r\n", 9),
	BAD("HTTP/1.x 200 OK\r\n\r\n", 7),
	BAD("HTTP/1.1\t200 OK\r\n\r\n", 8),
	BAD("HTTP/1.1 2a0 OK\r\n\r\n", 10),
	BAD("HTTP/1.1 200\rOK\r\n\r\n", 13),
	BAD("HTTP/1.1 200-OK\r\n\r\n", 12),
	BAD("http/1.1 200 OK\r\n\r\n", 0),
	BAD("HTTPS/1.1 200 OK\r\n\r\n", 4),
	BAD("\r\nHTTP/1.1 200 OK\r\n\r\n", 0),
	BAD("HTTP/1.1\r\n\r\n", 8),
	BAD("HTTP/1.1 200\0OK\r\n\r\n", 12),
	/* a SOCKS5 and a SOCKS4 reply: refused on the first byte */
	BAD("\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38\n\n", 0),
	BAD("\x00\x5a\x00\x00\x00\x00\x00\x00\n\n", 0),
};

START_TEST(decode_bad_status_line)
{
	char reason[8] = "keep";
	size_t i, k, need;
	int st;

	for (i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++)
		for (k = 0; k <= bad_heads[i].n; k++) {
			st = -1;
			need = 777;
			ck_assert_int_eq(dec_run(bad_heads[i].p, k, &st, reason,
			    sizeof(reason), &need),
			    k <= bad_heads[i].bad ? 0 : -EBADMSG);
			ck_assert_int_eq(st, -1);
			ck_assert_str_eq(reason, "keep");
			if (k > bad_heads[i].bad)
				ck_assert_uint_eq(need, 777);
		}
}
END_TEST

/* A head of exactly HTTP_CONNECT_MAX_HEAD bytes; one more is too long. */
START_TEST(decode_max_head)
{
	static char buf[HTTP_CONNECT_MAX_HEAD + 64];
	size_t n = HTTP_CONNECT_MAX_HEAD, need;

	memset(buf, 'h', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	memcpy(buf + n - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(dec_n(buf, n, NULL), (ssize_t)n);
	ck_assert_int_eq(dec_n(buf, sizeof(buf), NULL), (ssize_t)n);
	ck_assert_int_eq(dec_n(buf, n - 1, &need), 0);
	ck_assert_uint_eq(need, n);
	/* shifted by one byte: the same head is now 8193 bytes */
	memcpy(buf + n - 4, "h\r\n\r\n", 5);
	ck_assert_int_eq(dec_n(buf, n + 1, NULL), -EMSGSIZE);
	ck_assert_int_eq(dec_n(buf, sizeof(buf), NULL), -EMSGSIZE);
	ck_assert_int_eq(dec_n(buf, n, NULL), -EMSGSIZE);
	ck_assert_int_eq(dec_n(buf, n - 1, &need), 0);
	ck_assert_uint_eq(need, n);	/* "\n" next would still fit */
	/* a header line that never ends: 8191 bytes need 2 more, too many */
	memset(buf + 20, 'h', sizeof(buf) - 20);
	ck_assert_int_eq(dec_n(buf, n - 2, &need), 0);
	ck_assert_uint_eq(need, n);
	ck_assert_int_eq(dec_n(buf, n - 1, NULL), -EMSGSIZE);
	ck_assert_int_eq(dec_n(buf, n, NULL), -EMSGSIZE);
	ck_assert_int_eq(dec_n(buf, sizeof(buf), NULL), -EMSGSIZE);
	/* a status line that never ends */
	memset(buf + 13, 'h', sizeof(buf) - 13);
	ck_assert_int_eq(dec_n(buf, n - 1, NULL), -EMSGSIZE);
	ck_assert_int_eq(dec_n(buf, sizeof(buf), NULL), -EMSGSIZE);
}
END_TEST

START_TEST(decode_reason_truncated)
{
	static const char v[] = "HTTP/1.1 403 Forbidden\r\n\r\n";
	char reason[8];
	int st;

	ck_assert_int_eq(dec_run(v, sizeof(v) - 1, &st, reason, 4, NULL), 26);
	ck_assert_str_eq(reason, "For");
	ck_assert_int_eq(dec_run(v, sizeof(v) - 1, &st, reason, 1, NULL), 26);
	ck_assert_str_eq(reason, "");
	memcpy(reason, "keep", 5);
	ck_assert_int_eq(dec_run(v, sizeof(v) - 1, &st, reason, 0, NULL), 26);
	ck_assert_str_eq(reason, "keep");
	ck_assert_int_eq(st, 403);
}
END_TEST

START_TEST(decode_every_status)
{
	char v[] = "HTTP/1.0 000 x\r\n\r\n";
	int code, st;

	for (code = 0; code <= 999; code++) {
		v[9] = (char)('0' + code / 100);
		v[10] = (char)('0' + code / 10 % 10);
		v[11] = (char)('0' + code % 10);
		ck_assert_int_eq(dec_run(v, sizeof(v) - 1, &st, NULL, 0, NULL),
		    (ssize_t)sizeof(v) - 1);
		ck_assert_int_eq(st, code);
	}
}
END_TEST

/* ---- http_connect_status_errno */

START_TEST(status_errno_table)
{
	static const int tab[][2] = {
		{ 401, EACCES }, { 403, EACCES }, { 407, EACCES },
		{ 502, ECONNREFUSED },
		{ 503, ECONNREFUSED }, { 504, ETIMEDOUT }, { 400, EPROTO },
		{ 405, EPROTO }, { 100, EPROTO }, { 199, EPROTO },
		{ 300, EPROTO }, { 404, EPROTO }, { 500, EPROTO },
		{ 0, EPROTO }, { -200, EPROTO }, { 1200, EPROTO },
	};
	size_t i;
	int s;

	for (s = 200; s <= 299; s++)
		ck_assert_int_eq(http_connect_status_errno(s), 0);
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		ck_assert_int_eq(http_connect_status_errno(tab[i][0]),
		    tab[i][1]);
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

static Suite *
http_connect_suite(void)
{
	Suite *s = suite_create("http_connect");
	TCase *tc;

	tc = tc_new(s, "base64");
	tcase_add_test(tc, base64_rfc4648);
	tcase_add_test(tc, base64_binary);
	tcase_add_test(tc, base64_einval);
	tc = tc_new(s, "encode");
	tcase_add_test(tc, encode_no_auth);
	tcase_add_test(tc, encode_auth);
	tcase_add_test(tc, encode_max);
	tcase_add_test(tc, encode_einval);
	tc = tc_new(s, "decode");
	tcase_add_test(tc, decode_exact);
	tcase_add_test(tc, decode_truncated);
	tcase_add_test(tc, decode_bytewise);
	tcase_add_test(tc, decode_trailing);
	tcase_add_test(tc, decode_bad_status_line);
	tcase_add_test(tc, decode_max_head);
	tcase_add_test(tc, decode_reason_truncated);
	tcase_add_test(tc, decode_every_status);
	tc = tc_new(s, "status_errno");
	tcase_add_test(tc, status_errno_table);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_connect_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
