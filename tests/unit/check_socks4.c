/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/socks4: request encoder (hand-computed SOCKS4 and
 * SOCKS4a bytes, -ENOSPC at every short cap), the reply decoder's sshbuf
 * matrix, and the CD tables.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/socks4.h"

#define SENTINEL	0xa5

/* ---- vectors */

static const struct socks5_addr addr_v4 = { .atyp = SOCKS5_ATYP_IPV4,
	.len = 4, .addr = { 93, 184, 216, 34 }, .port = 80 };
static const struct socks5_addr addr_v6 = { .atyp = SOCKS5_ATYP_IPV6,
	.len = 16, .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 80 };
static struct socks5_addr addr_dom, addr_dom255;
static char name255[256], user255[256];

/* VN CD DSTPORT(80) DSTIP(93.184.216.34) "fred" NUL */
static const uint8_t req_v4[] = { 4, 1, 0x00, 0x50, 93, 184, 216, 34,
	'f', 'r', 'e', 'd', 0 };
static const uint8_t req_v4_nouser[] = { 4, 1, 0x00, 0x50, 93, 184, 216, 34,
	0 };
/* SOCKS4a: DSTPORT(443) 0.0.0.1 "fred" NUL "example.com" NUL */
static const uint8_t req_dom[] = { 4, 1, 0x01, 0xbb, 0, 0, 0, 1,
	'f', 'r', 'e', 'd', 0,
	'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0 };
static const uint8_t req_dom_nouser[] = { 4, 1, 0x01, 0xbb, 0, 0, 0, 1, 0,
	'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0 };
static uint8_t req_max[SOCKS4_MAX_REQUEST];

static void
setup_vectors(void)
{
	memset(name255, 'n', 255);
	memset(user255, 'u', 255);
	ck_assert_int_eq(socks5_addr_from_name(&addr_dom, "example.com", 443),
	    0);
	ck_assert_int_eq(socks5_addr_from_name(&addr_dom255, name255, 0xfffe),
	    0);
	memcpy(req_max, "\x04\x01\xff\xfe\x00\x00\x00\x01", 8);
	memcpy(req_max + 8, user255, 255);
	req_max[263] = 0;
	memcpy(req_max + 264, name255, 255);
	req_max[519] = 0;
}

/* ---- socks4_encode_connect */

/* Exact bytes at cap == n and with room to spare; -ENOSPC below n. */
static void
check_encoder(const struct socks5_addr *a, const char *user,
    const uint8_t *want, size_t n)
{
	uint8_t big[SOCKS4_MAX_REQUEST + 8];
	uint8_t *out;
	size_t cap;

	for (cap = 0; cap <= n; cap++) {
		out = malloc(cap > 0 ? cap : 1);	/* exact, for ASan */
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(socks4_encode_connect(out, cap, a, user),
		    cap < n ? -ENOSPC : (ssize_t)n);
		if (cap == n)
			ck_assert_mem_eq(out, want, n);
		free(out);
	}
	ck_assert_int_eq(socks4_encode_connect(big, sizeof(big), a, user),
	    (ssize_t)n);
	ck_assert_mem_eq(big, want, n);
}

static void
check_enc_fails(const struct socks5_addr *a, const char *user, int err)
{
	uint8_t big[SOCKS4_MAX_REQUEST + 8];

	ck_assert_int_eq(socks4_encode_connect(big, sizeof(big), a, user),
	    -err);
	ck_assert_int_eq(socks4_encode_connect(big, 0, a, user), -err);
}

START_TEST(encode_connect_ipv4)
{
	check_encoder(&addr_v4, "fred", req_v4, sizeof(req_v4));
}
END_TEST

START_TEST(encode_connect_userid_empty)
{
	check_encoder(&addr_v4, NULL, req_v4_nouser, sizeof(req_v4_nouser));
	check_encoder(&addr_v4, "", req_v4_nouser, sizeof(req_v4_nouser));
}
END_TEST

START_TEST(encode_connect_socks4a)
{
	check_encoder(&addr_dom, "fred", req_dom, sizeof(req_dom));
	check_encoder(&addr_dom, NULL, req_dom_nouser, sizeof(req_dom_nouser));
}
END_TEST

START_TEST(encode_connect_max)
{
	check_encoder(&addr_dom255, user255, req_max, sizeof(req_max));
}
END_TEST

/* 0.0.0.0 is not the SOCKS4a marker; only the low byte set is. */
START_TEST(encode_connect_ipv4_zero)
{
	static const uint8_t want[] = { 4, 1, 0, 7, 0, 0, 0, 0, 0 };
	struct socks5_addr a = addr_v4;

	memset(a.addr, 0, 4);
	a.port = 7;
	check_encoder(&a, NULL, want, sizeof(want));
}
END_TEST

START_TEST(encode_connect_ipv6)
{
	check_enc_fails(&addr_v6, NULL, EAFNOSUPPORT);
	check_enc_fails(&addr_v6, "fred", EAFNOSUPPORT);
}
END_TEST

START_TEST(encode_connect_einval)
{
	struct socks5_addr a;
	char user256[257];

	memset(user256, 'u', 256);
	user256[256] = '\0';
	check_enc_fails(NULL, NULL, EINVAL);
	check_enc_fails(&addr_v4, user256, EINVAL);
	check_enc_fails(&addr_dom, user256, EINVAL);
	a = addr_v4;
	a.len = 3;
	check_enc_fails(&a, NULL, EINVAL);
	a = addr_v4;
	a.atyp = 0;
	check_enc_fails(&a, NULL, EINVAL);
	a.atyp = 2;
	check_enc_fails(&a, NULL, EINVAL);
	a = addr_dom;
	a.len = 0;
	check_enc_fails(&a, NULL, EINVAL);
	a = addr_dom;
	a.addr[3] = '\0';		/* would end the name early */
	check_enc_fails(&a, NULL, EINVAL);
}
END_TEST

/* Decision: 0.0.0.1..0.0.0.255 would be taken for SOCKS4a by the server. */
START_TEST(encode_connect_ipv4_ambiguous)
{
	struct socks5_addr a = addr_v4;
	unsigned int x;

	memset(a.addr, 0, 4);
	for (x = 1; x <= 255; x++) {
		a.addr[3] = (uint8_t)x;
		check_enc_fails(&a, "fred", EINVAL);
	}
}
END_TEST

/* ---- socks4_decode_reply: the sshbuf matrix */

static const uint8_t rep_granted[] = { 0, 90, 0x1f, 0x90, 10, 0, 0, 1 };
static const uint8_t rep_rejected[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
static const uint8_t rep_vn4[] = { 4, 90, 0, 0, 0, 0, 0, 0 };

#define VEC(v)	{ v, sizeof(v) }
static const struct vec { const uint8_t *p; size_t n; } reply_vecs[] = {
	VEC(rep_granted), VEC(rep_rejected), VEC(rep_vn4),
};
#define N_REPLY	(sizeof(reply_vecs) / sizeof(reply_vecs[0]))

/* Decode an exact-size heap copy of v. */
static ssize_t
dec_run(const uint8_t *v, size_t len, uint8_t *status, size_t *need)
{
	uint8_t *in = malloc(len > 0 ? len : 1);
	ssize_t rc;

	ck_assert_ptr_nonnull(in);
	memcpy(in, v, len);
	rc = socks4_decode_reply(in, len, status, need);
	free(in);
	return rc;
}

START_TEST(decode_reply_exact)
{
	size_t i, need;
	uint8_t st;

	for (i = 0; i < N_REPLY; i++) {
		need = 12345;
		st = SENTINEL;
		ck_assert_int_eq(dec_run(reply_vecs[i].p, 8, &st, &need), 8);
		ck_assert_uint_eq(st, reply_vecs[i].p[1]);
		ck_assert_uint_eq(need, 12345);	/* untouched on success */
		ck_assert_int_eq(dec_run(reply_vecs[i].p, 8, NULL, NULL), 8);
	}
}
END_TEST

START_TEST(decode_reply_truncated)
{
	size_t i, k, need;
	uint8_t st;

	for (i = 0; i < N_REPLY; i++)
		for (k = 0; k < reply_vecs[i].n; k++) {
			st = SENTINEL;
			need = 0;
			ck_assert_int_eq(dec_run(reply_vecs[i].p, k, &st,
			    &need), 0);
			ck_assert_uint_eq(need, 8);
			ck_assert_uint_eq(st, SENTINEL);
			ck_assert_int_eq(dec_run(reply_vecs[i].p, k, NULL,
			    NULL), 0);
		}
}
END_TEST

/* Grow one byte at a time; then read exactly what *need asks for. */
START_TEST(decode_reply_bytewise)
{
	size_t i, have, need;
	ssize_t rc;

	for (i = 0; i < N_REPLY; i++) {
		for (have = 0; (rc = dec_run(reply_vecs[i].p, have, NULL,
		    &need)) == 0; have++)
			ck_assert_uint_lt(have, 8);
		ck_assert_uint_eq(have, 8);
		ck_assert_int_eq(rc, 8);
		ck_assert_int_eq(dec_run(reply_vecs[i].p, 0, NULL, &need), 0);
		ck_assert_int_eq(dec_run(reply_vecs[i].p, need, NULL, &need),
		    8);
	}
}
END_TEST

START_TEST(decode_reply_trailing)
{
	uint8_t buf[8 + 16];
	size_t i;
	uint8_t st;

	for (i = 0; i < N_REPLY; i++) {
		memcpy(buf, reply_vecs[i].p, 8);
		memset(buf + 8, 0x04, sizeof(buf) - 8);
		ck_assert_int_eq(dec_run(buf, sizeof(buf), &st, NULL), 8);
		ck_assert_uint_eq(st, reply_vecs[i].p[1]);
	}
}
END_TEST

START_TEST(decode_reply_every_cd)
{
	uint8_t v[8], st;
	unsigned int cd;

	memcpy(v, rep_granted, 8);
	for (cd = 0; cd <= 255; cd++) {
		v[1] = (uint8_t)cd;
		ck_assert_int_eq(socks4_decode_reply(v, 8, &st, NULL), 8);
		ck_assert_uint_eq(st, cd);
	}
}
END_TEST

/* Every VN other than 0 and 4 is refused, from the first byte on. */
START_TEST(decode_reply_bad_version)
{
	uint8_t v[8], st;
	size_t k, need;
	unsigned int vn;

	memcpy(v, rep_granted, 8);
	for (vn = 0; vn <= 255; vn++) {
		if (vn == SOCKS4_REPLY_VERSION || vn == SOCKS4_VERSION)
			continue;
		v[0] = (uint8_t)vn;
		for (k = 1; k <= 8; k++) {
			st = SENTINEL;
			need = 777;
			ck_assert_int_eq(dec_run(v, k, &st, &need), -EBADMSG);
			ck_assert_uint_eq(st, SENTINEL);
			ck_assert_uint_eq(need, 777);
		}
	}
}
END_TEST

/* ---- socks4_status_errno, socks4_status_str */

START_TEST(status_errno_table)
{
	unsigned int cd;

	ck_assert_int_eq(socks4_status_errno(90), 0);
	ck_assert_int_eq(socks4_status_errno(91), ECONNREFUSED);
	ck_assert_int_eq(socks4_status_errno(92), EACCES);
	ck_assert_int_eq(socks4_status_errno(93), EACCES);
	for (cd = 0; cd <= 255; cd++)
		if (cd < 90 || cd > 93)
			ck_assert_int_eq(socks4_status_errno((uint8_t)cd),
			    EPROTO);
}
END_TEST

START_TEST(status_str_table)
{
	unsigned int cd;

	ck_assert_str_eq(socks4_status_str(90), "request granted");
	ck_assert_str_eq(socks4_status_str(91), "request rejected or failed");
	ck_assert_ptr_nonnull(strstr(socks4_status_str(92), "identd"));
	ck_assert_ptr_nonnull(strstr(socks4_status_str(93), "mismatch"));
	for (cd = 0; cd <= 255; cd++) {
		ck_assert_ptr_nonnull(socks4_status_str((uint8_t)cd));
		if (cd < 90 || cd > 93)
			ck_assert_str_eq(socks4_status_str((uint8_t)cd),
			    "unknown reply code");
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
socks4_suite(void)
{
	Suite *s = suite_create("socks4");
	TCase *tc;

	tc = tc_new(s, "encode_connect");
	tcase_add_test(tc, encode_connect_ipv4);
	tcase_add_test(tc, encode_connect_userid_empty);
	tcase_add_test(tc, encode_connect_socks4a);
	tcase_add_test(tc, encode_connect_max);
	tcase_add_test(tc, encode_connect_ipv4_zero);
	tcase_add_test(tc, encode_connect_ipv6);
	tcase_add_test(tc, encode_connect_einval);
	tcase_add_test(tc, encode_connect_ipv4_ambiguous);
	tc = tc_new(s, "decode_reply");
	tcase_add_test(tc, decode_reply_exact);
	tcase_add_test(tc, decode_reply_truncated);
	tcase_add_test(tc, decode_reply_bytewise);
	tcase_add_test(tc, decode_reply_trailing);
	tcase_add_test(tc, decode_reply_every_cd);
	tcase_add_test(tc, decode_reply_bad_version);
	tc = tc_new(s, "status_errno");
	tcase_add_test(tc, status_errno_table);
	tc = tc_new(s, "status_str");
	tcase_add_test(tc, status_str_table);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(socks4_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
