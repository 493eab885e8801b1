/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/errmap: SOCKS5 REP -> errno and text, every code.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/errmap.h"
#include "core/socks5.h"

static const struct {
	uint8_t rep;
	int err;
	const char *str;
} rep_table[] = {
	{ SOCKS5_REP_SUCCEEDED, 0, "succeeded" },
	{ SOCKS5_REP_GENERAL_FAILURE, ECONNREFUSED,
	    "general SOCKS server failure" },
	{ SOCKS5_REP_NOT_ALLOWED, EACCES, "connection not allowed by ruleset" },
	{ SOCKS5_REP_NET_UNREACH, ENETUNREACH, "network unreachable" },
	{ SOCKS5_REP_HOST_UNREACH, EHOSTUNREACH, "host unreachable" },
	{ SOCKS5_REP_CONN_REFUSED, ECONNREFUSED, "connection refused" },
	{ SOCKS5_REP_TTL_EXPIRED, ETIMEDOUT, "TTL expired" },
	{ SOCKS5_REP_CMD_UNSUPPORTED, EOPNOTSUPP, "command not supported" },
	{ SOCKS5_REP_ATYP_UNSUPPORTED, EAFNOSUPPORT,
	    "address type not supported" },
};
#define N_REP	(sizeof(rep_table) / sizeof(rep_table[0]))

START_TEST(errmap_socks5_rep_table)
{
	size_t i;

	for (i = 0; i < N_REP; i++) {
		ck_assert_uint_eq(rep_table[i].rep, i);	/* RFC 1928 §6 order */
		ck_assert_int_eq(errmap_socks5_rep(rep_table[i].rep),
		    rep_table[i].err);
	}
}
END_TEST

START_TEST(errmap_socks5_rep_unknown)
{
	unsigned int rep;

	for (rep = N_REP; rep <= 255; rep++)
		ck_assert_int_eq(errmap_socks5_rep((uint8_t)rep), EPROTO);
}
END_TEST

START_TEST(errmap_socks5_rep_str_table)
{
	size_t i;

	for (i = 0; i < N_REP; i++)
		ck_assert_str_eq(errmap_socks5_rep_str(rep_table[i].rep),
		    rep_table[i].str);
}
END_TEST

START_TEST(errmap_socks5_rep_str_unknown)
{
	unsigned int rep;

	for (rep = N_REP; rep <= 255; rep++)
		ck_assert_str_eq(errmap_socks5_rep_str((uint8_t)rep),
		    "unknown reply code");
}
END_TEST

static Suite *
errmap_suite(void)
{
	Suite *s = suite_create("errmap");
	TCase *tc;

	tc = tcase_create("errmap_socks5_rep");
	tcase_add_test(tc, errmap_socks5_rep_table);
	tcase_add_test(tc, errmap_socks5_rep_unknown);
	suite_add_tcase(s, tc);
	tc = tcase_create("errmap_socks5_rep_str");
	tcase_add_test(tc, errmap_socks5_rep_str_table);
	tcase_add_test(tc, errmap_socks5_rep_str_unknown);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(errmap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
