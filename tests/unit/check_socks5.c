/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/socks5, part 1 and main(): stream decoders, sshbuf
 * matrix (exact, truncated at every offset, byte by byte, trailing, bad).
 * check_socks5_encode.c and check_socks5_addr.c add their TCases here.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/socks5.h"

#define SENTINEL	0xa5

/* The other parts of this binary's Suite. */
void socks5_add_encode_tcases(Suite *s);	/* check_socks5_encode.c */
void socks5_add_addr_tcases(Suite *s);		/* check_socks5_addr.c */

enum dec { D_METHOD, D_UPREPLY, D_REPLY };
union dec_out {
	uint8_t byte;
	struct socks5_reply reply;
};

/* Run decoder d on an exact-size heap copy of v. */
static ssize_t
dec_run(enum dec d, const uint8_t *v, size_t len, union dec_out *o,
    size_t *need)
{
	uint8_t *in = malloc(len > 0 ? len : 1);	/* for ASan */
	ssize_t rc;

	ck_assert_ptr_nonnull(in);
	memcpy(in, v, len);
	if (d == D_METHOD)
		rc = socks5_decode_method(in, len, &o->byte, need);
	else if (d == D_UPREPLY)
		rc = socks5_decode_userpass_reply(in, len, &o->byte, need);
	else
		rc = socks5_decode_reply(in, len, &o->reply, need);
	free(in);
	return rc;
}

static void
check_exact(enum dec d, const uint8_t *v, size_t n)
{
	union dec_out o;
	size_t need = 12345;

	ck_assert_int_eq(dec_run(d, v, n, &o, &need), (ssize_t)n);
	ck_assert_uint_eq(need, 12345);		/* untouched on success */
}

/* Every prefix: 0, outputs untouched, *need as documented in socks5.h. */
static void
check_truncated(enum dec d, const uint8_t *v, size_t n)
{
	union dec_out o, sent;
	size_t i, need;

	memset(&sent, SENTINEL, sizeof(sent));
	for (i = 0; i < n; i++) {
		o = sent;
		ck_assert_int_eq(dec_run(d, v, i, &o, &need), 0);
		if (d == D_REPLY && (i < 4 ||
		    (v[3] == SOCKS5_ATYP_DOMAIN && i < 5)))
			ck_assert_uint_eq(need, 7);	/* 0-length domain */
		else
			ck_assert_uint_eq(need, n);
		ck_assert_mem_eq(&o, &sent, sizeof(o));
		ck_assert_int_eq(dec_run(d, v, i, &o, NULL), 0);
	}
}

/* Grow one byte at a time, then read exactly what *need asks for. */
static void
check_bytewise(enum dec d, const uint8_t *v, size_t n)
{
	union dec_out o;
	size_t have, need, steps = 0;
	ssize_t rc;

	for (have = 0; (rc = dec_run(d, v, have, &o, &need)) == 0; have++)
		ck_assert_uint_le(have, n);
	ck_assert_uint_eq(have, n);
	ck_assert_int_eq(rc, (ssize_t)n);
	for (have = 0; (rc = dec_run(d, v, have, &o, &need)) == 0; steps++) {
		ck_assert_uint_le(need, n);	/* never past the message */
		have = need;
	}
	ck_assert_int_eq(rc, (ssize_t)n);
	ck_assert_uint_le(steps, 3);
}

static void
check_trailing(enum dec d, const uint8_t *v, size_t n)
{
	uint8_t buf[SOCKS5_MAX_REPLY + 8];
	union dec_out o;

	memcpy(buf, v, n);
	memset(buf + n, 0x05, 8);
	ck_assert_int_eq(dec_run(d, buf, n + 8, &o, NULL), (ssize_t)n);
}

static void
check_bad(enum dec d, const uint8_t *v, size_t n)
{
	union dec_out o, sent;
	size_t need = 777;

	memset(&sent, SENTINEL, sizeof(sent));
	o = sent;
	ck_assert_int_eq(dec_run(d, v, n, &o, &need), -EBADMSG);
	ck_assert_mem_eq(&o, &sent, sizeof(o));
	ck_assert_uint_eq(need, 777);
}

/* ---- vectors (RFC 1928 §4-§7, RFC 1929 §2) */

static const uint8_t rep_v4[] = { 5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38 };
static const uint8_t rep_v6[] = { 5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80 };
static const uint8_t rep_dom[] = { 5, 0, 0, 3, 11, 'e', 'x', 'a', 'm', 'p',
	'l', 'e', '.', 'c', 'o', 'm', 0x01, 0xbb };
static const uint8_t rep_empty[] = { 5, 0, 0, 3, 0, 0x1f, 0x90 };
static const uint8_t pair_method[] = { 5, SOCKS5_AUTH_USERPASS };
static const uint8_t pair_up[] = { 1, 0 };

static char name255[256];
static uint8_t rep_dom255[4 + 1 + 255 + 2];

static void
setup_vectors(void)
{
	memset(name255, 'a', 255);
	name255[255] = '\0';
	memcpy(rep_dom255, "\x05\x00\x00\x03\xff", 5);
	memcpy(rep_dom255 + 5, name255, 255);
	memcpy(rep_dom255 + 260, "\x00\x50", 2);
}

#define VEC(v)	{ v, sizeof(v) }
static const struct vec { const uint8_t *p; size_t n; } reply_vecs[] = {
	VEC(rep_v4), VEC(rep_v6), VEC(rep_dom), VEC(rep_empty), VEC(rep_dom255),
};
#define N_REPLY	(sizeof(reply_vecs) / sizeof(reply_vecs[0]))

static const struct vec method_vecs[] = { VEC(pair_method) };
static const struct vec up_vecs[] = { VEC(pair_up) };

/* The matrix columns of one decoder, each over all of its vectors. */
#define MATRIX_COLUMN(fn, col, d, vecs)					\
START_TEST(fn##_##col)							\
{									\
	size_t i;							\
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)		\
		check_##col(d, vecs[i].p, vecs[i].n);			\
}									\
END_TEST
#define MATRIX(fn, d, vecs)						\
	MATRIX_COLUMN(fn, exact, d, vecs)				\
	MATRIX_COLUMN(fn, truncated, d, vecs)				\
	MATRIX_COLUMN(fn, bytewise, d, vecs)				\
	MATRIX_COLUMN(fn, trailing, d, vecs)
#define MATRIX_ADD(tc, fn) do {						\
	tcase_add_test(tc, fn##_exact);					\
	tcase_add_test(tc, fn##_truncated);				\
	tcase_add_test(tc, fn##_bytewise);				\
	tcase_add_test(tc, fn##_trailing);				\
} while (0)

MATRIX(decode_method, D_METHOD, method_vecs)
MATRIX(decode_userpass_reply, D_UPREPLY, up_vecs)
MATRIX(decode_reply, D_REPLY, reply_vecs)

START_TEST(decode_method_normal)
{
	uint8_t m = 0;

	ck_assert_int_eq(socks5_decode_method((const uint8_t *)"\x05\x00", 2,
	    &m, NULL), 2);
	ck_assert_uint_eq(m, SOCKS5_AUTH_NONE);
	ck_assert_int_eq(socks5_decode_method((const uint8_t *)"\x05\xff", 2,
	    &m, NULL), 2);
	ck_assert_uint_eq(m, SOCKS5_AUTH_NO_ACCEPTABLE);
}
END_TEST

START_TEST(decode_method_bad_version)
{
	check_bad(D_METHOD, (const uint8_t *)"\x04\x00", 2);
	check_bad(D_METHOD, (const uint8_t *)"\x01", 1);   /* seen early */
}
END_TEST

START_TEST(decode_userpass_reply_normal)
{
	uint8_t st = 0;

	ck_assert_int_eq(socks5_decode_userpass_reply((const uint8_t *)
	    "\x01\x00", 2, &st, NULL), 2);
	ck_assert_uint_eq(st, SOCKS5_USERPASS_SUCCESS);
	ck_assert_int_eq(socks5_decode_userpass_reply((const uint8_t *)
	    "\x01\x01", 2, &st, NULL), 2);
	ck_assert_uint_eq(st, 1);
}
END_TEST

START_TEST(decode_userpass_reply_bad_version)
{
	check_bad(D_UPREPLY, (const uint8_t *)"\x05\x00", 2);
	check_bad(D_UPREPLY, (const uint8_t *)"\x00", 1);
}
END_TEST

START_TEST(decode_reply_normal)
{
	static const char *const want[] = { "127.0.0.1:1080",
	    "[2001:db8::1]:80", "example.com:443" };
	char buf[SOCKS5_ADDR_STRLEN];
	struct socks5_reply r;
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&r, SENTINEL, sizeof(r));
		ck_assert_int_eq(socks5_decode_reply(reply_vecs[i].p,
		    reply_vecs[i].n, &r, NULL), (ssize_t)reply_vecs[i].n);
		ck_assert_uint_eq(r.rep, SOCKS5_REP_SUCCEEDED);
		ck_assert_uint_eq(r.bnd.len, reply_vecs[i].n - 6 -
		    (r.bnd.atyp == SOCKS5_ATYP_DOMAIN));
		ck_assert_str_eq(socks5_addr_format(&r.bnd, buf, sizeof(buf)),
		    want[i]);
	}
}
END_TEST

START_TEST(decode_reply_domain_255)
{
	struct socks5_reply r;

	ck_assert_int_eq(socks5_decode_reply(rep_dom255, sizeof(rep_dom255),
	    &r, NULL), 262);
	ck_assert_uint_eq(r.bnd.len, 255);
	ck_assert_mem_eq(r.bnd.addr, name255, 255);
	ck_assert_uint_eq(r.bnd.port, 80);
}
END_TEST

/* Decision: a 0-length domain BND.ADDR is accepted in replies. */
START_TEST(decode_reply_domain_empty)
{
	struct socks5_reply r;

	ck_assert_int_eq(socks5_decode_reply(rep_empty, sizeof(rep_empty), &r,
	    NULL), 7);
	ck_assert_uint_eq(r.bnd.atyp, SOCKS5_ATYP_DOMAIN);
	ck_assert_uint_eq(r.bnd.len, 0);
	ck_assert_uint_eq(r.bnd.port, 8080);
}
END_TEST

/* Decision: RSV is ignored (servers are sloppy; it carries nothing). */
START_TEST(decode_reply_rsv_lenient)
{
	uint8_t v[sizeof(rep_v4)];
	struct socks5_reply r;

	memcpy(v, rep_v4, sizeof(v));
	v[2] = 0xff;
	ck_assert_int_eq(socks5_decode_reply(v, sizeof(v), &r, NULL), 10);
}
END_TEST

START_TEST(decode_reply_every_rep)
{
	uint8_t v[sizeof(rep_v4)];
	struct socks5_reply r;
	unsigned int rep;

	memcpy(v, rep_v4, sizeof(v));
	for (rep = 0; rep <= 255; rep++) {
		v[1] = (uint8_t)rep;
		ck_assert_int_eq(socks5_decode_reply(v, sizeof(v), &r, NULL),
		    10);
		ck_assert_uint_eq(r.rep, rep);
	}
}
END_TEST

START_TEST(decode_reply_bad_version)
{
	check_bad(D_REPLY, (const uint8_t *)"\x04\x00\x00\x01", 4);
	check_bad(D_REPLY, (const uint8_t *)"\x00", 1);
}
END_TEST

START_TEST(decode_reply_bad_atyp)
{
	static const uint8_t bad[] = { 0, 2, 5, 0xff };
	uint8_t v[sizeof(rep_v4)];
	size_t i;

	memcpy(v, rep_v4, sizeof(v));
	for (i = 0; i < sizeof(bad); i++) {
		v[3] = bad[i];
		check_bad(D_REPLY, v, sizeof(v));
		check_bad(D_REPLY, v, 4);	/* seen before the address */
	}
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
socks5_suite(void)
{
	Suite *s = suite_create("socks5");
	TCase *tc;

	tc = tc_new(s, "decode_method");
	tcase_add_test(tc, decode_method_normal);
	MATRIX_ADD(tc, decode_method);
	tcase_add_test(tc, decode_method_bad_version);
	tc = tc_new(s, "decode_userpass_reply");
	tcase_add_test(tc, decode_userpass_reply_normal);
	MATRIX_ADD(tc, decode_userpass_reply);
	tcase_add_test(tc, decode_userpass_reply_bad_version);
	tc = tc_new(s, "decode_reply");
	tcase_add_test(tc, decode_reply_normal);
	MATRIX_ADD(tc, decode_reply);
	tcase_add_test(tc, decode_reply_domain_255);
	tcase_add_test(tc, decode_reply_domain_empty);
	tcase_add_test(tc, decode_reply_rsv_lenient);
	tcase_add_test(tc, decode_reply_every_rep);
	tcase_add_test(tc, decode_reply_bad_version);
	tcase_add_test(tc, decode_reply_bad_atyp);
	socks5_add_encode_tcases(s);
	socks5_add_addr_tcases(s);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(socks5_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
