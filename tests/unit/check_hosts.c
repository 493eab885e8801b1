/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/hosts: Debian's default file, aliases, case, families,
 * truncation, malformed and very long lines, reverse lookups.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/hosts.h"

/* What Debian's installer writes (hostname "debian", domain example.org). */
static const char debian[] =
    "127.0.0.1\tlocalhost\n"
    "127.0.1.1\tdebian.example.org\tdebian\n"
    "\n"
    "# The following lines are desirable for IPv6 capable hosts\n"
    "::1     localhost ip6-localhost ip6-loopback\n"
    "ff02::1 ip6-allnodes\n"
    "ff02::2 ip6-allrouters\n";

/*
 * The text in a heap block of exactly its length, no NUL after it, so
 * that AddressSanitizer catches any read past len.  Freed by the caller.
 */
static char *
exact(const char *text, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, text, len);
	return p;
}

static char result[4096];

/*
 * hosts_lookup() with room for max entries, results as "addr addr ...",
 * in result; *any gets any_family when any is not NULL.
 */
static const char *
look_n(const char *text, size_t len, const char *name, int family,
    size_t max, size_t *any)
{
	int fam[32];
	uint8_t addr[32][16];
	char a[INET6_ADDRSTRLEN];
	char *buf = exact(text, len);
	size_t n, i, j;

	ck_assert_uint_le(max, 32);
	memset(fam, 0, sizeof(fam));
	n = hosts_lookup(buf, len, name, family, fam, addr, max, any);
	free(buf);
	ck_assert_uint_le(n, max);
	result[0] = '\0';
	for (i = 0; i < n; i++) {
		ck_assert(fam[i] == AF_INET || fam[i] == AF_INET6);
		if (fam[i] == AF_INET)
			for (j = 4; j < 16; j++)
				ck_assert_uint_eq(addr[i][j], 0);
		ck_assert_ptr_nonnull(inet_ntop(fam[i], addr[i], a, sizeof(a)));
		if (i > 0)
			strcat(result, " ");
		strcat(result, a);
	}
	return result;
}

static const char *
look(const char *text, const char *name, int family)
{
	return look_n(text, strlen(text), name, family, 32, NULL);
}

/* hosts_reverse() of the textual address a; the name (or "") in result. */
static int
rev_cap(const char *text, const char *a, size_t cap)
{
	uint8_t bin[16];
	int family = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;
	char *buf = exact(text, strlen(text));
	int rc;

	ck_assert_int_eq(inet_pton(family, a, bin), 1);
	ck_assert_uint_le(cap, sizeof(result));
	memset(result, 0, sizeof(result));
	rc = hosts_reverse(buf, strlen(text), family, bin, result, cap);
	free(buf);
	return rc;
}

static int
rev(const char *text, const char *a)
{
	return rev_cap(text, a, sizeof(result));
}

/* A name of n bytes: "aaa...a". */
static char *
long_name(size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, 'a', n);
	s[n] = '\0';
	return s;
}

/* ---- hosts_lookup --------------------------------------------------- */

START_TEST(lookup_debian_default)
{
	size_t any;

	ck_assert_str_eq(look(debian, "localhost", AF_UNSPEC),
	    "127.0.0.1 ::1");
	ck_assert_str_eq(look(debian, "localhost", AF_INET), "127.0.0.1");
	ck_assert_str_eq(look(debian, "localhost", AF_INET6), "::1");
	ck_assert_str_eq(look(debian, "debian.example.org", AF_INET),
	    "127.0.1.1");
	ck_assert_str_eq(look(debian, "ip6-allrouters", AF_UNSPEC), "ff02::2");
	ck_assert_str_eq(look_n(debian, strlen(debian), "localhost",
	    AF_UNSPEC, 32, &any), "127.0.0.1 ::1");
	ck_assert_uint_eq(any, 2);
}
END_TEST

START_TEST(lookup_aliases)
{
	ck_assert_str_eq(look(debian, "debian", AF_UNSPEC), "127.0.1.1");
	ck_assert_str_eq(look(debian, "ip6-localhost", AF_INET6), "::1");
	ck_assert_str_eq(look(debian, "ip6-loopback", AF_UNSPEC), "::1");
	/* A prefix or suffix of a name is not the name. */
	ck_assert_str_eq(look(debian, "debian.example", AF_UNSPEC), "");
	ck_assert_str_eq(look(debian, "example.org", AF_UNSPEC), "");
	ck_assert_str_eq(look(debian, "local", AF_UNSPEC), "");
	ck_assert_str_eq(look(debian, "localhost2", AF_UNSPEC), "");
}
END_TEST

START_TEST(lookup_case_and_dot)
{
	const char *t = "10.0.0.1 Mixed.Example. other\n";

	ck_assert_str_eq(look(debian, "LOCALHOST", AF_INET), "127.0.0.1");
	ck_assert_str_eq(look(debian, "Debian.Example.ORG.", AF_INET),
	    "127.0.1.1");
	ck_assert_str_eq(look(t, "mixed.example", AF_INET), "10.0.0.1");
	ck_assert_str_eq(look(t, "MIXED.EXAMPLE.", AF_INET), "10.0.0.1");
	ck_assert_str_eq(look(t, "other.", AF_INET), "10.0.0.1");
	/* Only one trailing dot is ignored. */
	ck_assert_str_eq(look(t, "other..", AF_INET), "");
}
END_TEST

START_TEST(lookup_families)
{
	const char *t =
	    "2001:db8::1 dual\n"
	    "192.0.2.1 dual\n"
	    "::ffff:192.0.2.9 mapped\n"
	    "192.0.2.2 dual\n";

	/* File order, families interleaved. */
	ck_assert_str_eq(look(t, "dual", AF_UNSPEC),
	    "2001:db8::1 192.0.2.1 192.0.2.2");
	ck_assert_str_eq(look(t, "dual", AF_INET), "192.0.2.1 192.0.2.2");
	ck_assert_str_eq(look(t, "dual", AF_INET6), "2001:db8::1");
	/* A v4-mapped entry is an IPv6 entry. */
	ck_assert_str_eq(look(t, "mapped", AF_INET), "");
	ck_assert_str_eq(look(t, "mapped", AF_INET6), "::ffff:192.0.2.9");
	/* Other families match nothing. */
	ck_assert_str_eq(look(t, "dual", AF_UNIX), "");
}
END_TEST

START_TEST(lookup_any_family)
{
	size_t any = 99;

	ck_assert_str_eq(look_n(debian, strlen(debian), "ip6-allnodes",
	    AF_INET, 32, &any), "");
	ck_assert_uint_eq(any, 1);
	ck_assert_str_eq(look_n(debian, strlen(debian), "debian", AF_INET6,
	    32, &any), "");
	ck_assert_uint_eq(any, 1);
	ck_assert_str_eq(look_n(debian, strlen(debian), "nowhere", AF_UNSPEC,
	    32, &any), "");
	ck_assert_uint_eq(any, 0);
	ck_assert_str_eq(look_n(debian, strlen(debian), "localhost", AF_UNIX,
	    32, &any), "");
	ck_assert_uint_eq(any, 2);
}
END_TEST

START_TEST(lookup_duplicates)
{
	const char *t =
	    "10.0.0.1 dup\n"
	    "10.0.0.2 dup\n"
	    "10.0.0.1 dup alias\n"
	    "a00:1:: dup\n"		/* same 16 bytes as 10.0.0.1: kept */
	    "a00:1:: DUP\n";
	size_t any;

	ck_assert_str_eq(look_n(t, strlen(t), "dup", AF_UNSPEC, 32, &any),
	    "10.0.0.1 10.0.0.2 a00:1::");
	ck_assert_uint_eq(any, 5);	/* one per matching line */
	ck_assert_str_eq(look(t, "alias", AF_UNSPEC), "10.0.0.1");
}
END_TEST

START_TEST(lookup_max_truncation)
{
	const char *t =
	    "10.0.0.1 many\n"
	    "10.0.0.1 many\n"
	    "10.0.0.2 many\n"
	    "10.0.0.3 many\n"
	    "10.0.0.4 many\n";
	size_t any = 99;

	ck_assert_str_eq(look_n(t, strlen(t), "many", AF_INET, 2, &any),
	    "10.0.0.1 10.0.0.2");
	ck_assert_uint_eq(any, 5);
	ck_assert_str_eq(look_n(t, strlen(t), "many", AF_INET, 1, NULL),
	    "10.0.0.1");
	ck_assert_str_eq(look_n(t, strlen(t), "many", AF_INET, 4, NULL),
	    "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4");
	/* max 0: nothing written, NULL arrays fine, any still counted. */
	ck_assert_uint_eq(hosts_lookup(t, strlen(t), "many", AF_INET, NULL,
	    NULL, 0, &any), 0);
	ck_assert_uint_eq(any, 5);
	/* NULL arrays with max > 0 are treated as max 0. */
	ck_assert_uint_eq(hosts_lookup(t, strlen(t), "many", AF_INET, NULL,
	    NULL, 8, &any), 0);
	ck_assert_uint_eq(any, 5);
}
END_TEST

START_TEST(lookup_malformed)
{
	const char *t =
	    "999.1.1.1 bad\n"
	    "127.1 bad\n"
	    "1.2.3.4.5 bad\n"
	    "0x7f.0.0.1 bad\n"
	    "::g bad\n"
	    "1:2:3:4:5:6:7:8:9 bad\n"
	    "fe80::1%eth0 bad zoned\n"
	    "bad 10.0.0.9\n"
	    "10.0.0.8\n"			/* no name */
	    "10.0.0.7#bad\n"
	    "#10.0.0.6 bad\n"
	    "   # 10.0.0.5 bad\n"
	    "garbage\n"
	    "\n\n\r\n \t \n"
	    "10.0.0.1 good#bad\n"
	    "10.0.0.2 good # bad\n"
	    "10.0.0.3\tgood\t#\tbad\n";

	ck_assert_str_eq(look(t, "bad", AF_UNSPEC), "");
	ck_assert_str_eq(look(t, "zoned", AF_UNSPEC), "");
	ck_assert_str_eq(look(t, "10.0.0.9", AF_UNSPEC), "");
	ck_assert_str_eq(look(t, "good", AF_UNSPEC),
	    "10.0.0.1 10.0.0.2 10.0.0.3");
	ck_assert_str_eq(look(t, "#bad", AF_UNSPEC), "");
}
END_TEST

START_TEST(lookup_whitespace_crlf)
{
	const char *t =
	    "\t 10.0.0.1\t\t one \t two\r\n"
	    "10.0.0.2\vthree\ffour\r\n"
	    "10.0.0.3 five\r\r\n"
	    "10.0.0.4 last";			/* no final newline */

	ck_assert_str_eq(look(t, "one", AF_INET), "10.0.0.1");
	ck_assert_str_eq(look(t, "two", AF_INET), "10.0.0.1");
	ck_assert_str_eq(look(t, "three", AF_INET), "10.0.0.2");
	ck_assert_str_eq(look(t, "four", AF_INET), "10.0.0.2");
	ck_assert_str_eq(look(t, "five", AF_INET), "10.0.0.3");
	ck_assert_str_eq(look(t, "last", AF_INET), "10.0.0.4");
	ck_assert_str_eq(look(t, "two\r", AF_INET), "");
}
END_TEST

START_TEST(lookup_len_bounds)
{
	const char *t = "10.0.0.1 foo\n10.0.0.2 bar";

	/* len cuts "foo" to "fo"; the text is not NUL-terminated. */
	ck_assert_str_eq(look_n(t, 11, "fo", AF_INET, 32, NULL), "10.0.0.1");
	ck_assert_str_eq(look_n(t, 11, "foo", AF_INET, 32, NULL), "");
	ck_assert_str_eq(look_n(t, strlen(t) - 1, "ba", AF_INET, 32, NULL),
	    "10.0.0.2");
	ck_assert_str_eq(look_n(t, 0, "foo", AF_INET, 32, NULL), "");
	/* An address cut short by len. */
	ck_assert_str_eq(look_n("10.0.0.1", 6, "x", AF_INET, 32, NULL), "");
}
END_TEST

START_TEST(lookup_nul_bytes)
{
	static const char t[] = "10.0.0.1 fo\0o ok\n10.0\0.0.2 x\n";
	size_t any;

	ck_assert_str_eq(look_n(t, sizeof(t) - 1, "ok", AF_INET, 32, NULL),
	    "10.0.0.1");
	ck_assert_str_eq(look_n(t, sizeof(t) - 1, "fo", AF_INET, 32, &any),
	    "");
	ck_assert_uint_eq(any, 0);
	ck_assert_str_eq(look_n(t, sizeof(t) - 1, "x", AF_INET, 32, NULL), "");
}
END_TEST

START_TEST(lookup_name_lengths)
{
	char *n255 = long_name(255), *n256 = long_name(256);
	char line[1024], dotted[300];

	snprintf(line, sizeof(line), "10.0.0.1 %s %s. ok\n10.0.0.2 %s\n",
	    n255, n256, n255);
	snprintf(dotted, sizeof(dotted), "%s.", n255);
	ck_assert_str_eq(look(line, n255, AF_INET), "10.0.0.1 10.0.0.2");
	ck_assert_str_eq(look(line, dotted, AF_INET), "10.0.0.1 10.0.0.2");
	/* 256 bytes: ignored in the file, refused as a query. */
	ck_assert_str_eq(look(line, n256, AF_INET), "");
	ck_assert_str_eq(look(line, "ok", AF_INET), "10.0.0.1");
	free(n255);
	free(n256);
}
END_TEST

START_TEST(lookup_long_lines)
{
	size_t big = 100 * 1024, n = 0;
	char *t = malloc(3 * big + 64);

	ck_assert_ptr_nonnull(t);
	/* A 100 KB address field, then 100 KB of one name, then a short
	 * name at the end of a 100 KB line, then a normal line. */
	memset(t + n, '1', big);
	n += big;
	memcpy(t + n, " junk\n10.0.0.1 ", 15);
	n += 15;
	memset(t + n, 'b', big);
	n += big;
	memcpy(t + n, " target\n10.0.0.2", 16);
	n += 16;
	memset(t + n, ' ', big);
	n += big;
	memcpy(t + n, "after\n", 6);
	n += 6;
	ck_assert_str_eq(look_n(t, n, "target", AF_INET, 32, NULL),
	    "10.0.0.1");
	ck_assert_str_eq(look_n(t, n, "after", AF_INET, 32, NULL),
	    "10.0.0.2");
	ck_assert_str_eq(look_n(t, n, "junk", AF_INET, 32, NULL), "");
	free(t);
}
END_TEST

START_TEST(lookup_bad_args)
{
	char *n300 = long_name(300);
	int fam[2];
	uint8_t addr[2][16];
	size_t any = 99;

	ck_assert_uint_eq(hosts_lookup(NULL, 10, "localhost", AF_UNSPEC, fam,
	    addr, 2, &any), 0);
	ck_assert_uint_eq(any, 0);
	any = 99;
	ck_assert_uint_eq(hosts_lookup(debian, strlen(debian), NULL,
	    AF_UNSPEC, fam, addr, 2, &any), 0);
	ck_assert_uint_eq(any, 0);
	ck_assert_str_eq(look(debian, "", AF_UNSPEC), "");
	ck_assert_str_eq(look(debian, ".", AF_UNSPEC), "");
	ck_assert_str_eq(look(debian, n300, AF_UNSPEC), "");
	ck_assert_str_eq(look("", "localhost", AF_UNSPEC), "");
	free(n300);
}
END_TEST

/* ---- hosts_reverse -------------------------------------------------- */

START_TEST(reverse_debian_default)
{
	ck_assert_int_eq(rev(debian, "127.0.0.1"), 0);
	ck_assert_str_eq(result, "localhost");
	ck_assert_int_eq(rev(debian, "127.0.1.1"), 0);
	ck_assert_str_eq(result, "debian.example.org");
	ck_assert_int_eq(rev(debian, "::1"), 0);
	ck_assert_str_eq(result, "localhost");
	ck_assert_int_eq(rev(debian, "ff02::2"), 0);
	ck_assert_str_eq(result, "ip6-allrouters");
}
END_TEST

START_TEST(reverse_first_line_wins)
{
	const char *t =
	    "10.0.0.1 first alias\n"
	    "10.0.0.1 second\n";

	ck_assert_int_eq(rev(t, "10.0.0.1"), 0);
	ck_assert_str_eq(result, "first");
}
END_TEST

START_TEST(reverse_as_written)
{
	const char *t = "10.0.0.1\tFoo.Example.\tfoo\r\n";

	ck_assert_int_eq(rev(t, "10.0.0.1"), 0);
	ck_assert_str_eq(result, "Foo.Example.");
}
END_TEST

START_TEST(reverse_mapped)
{
	const char *t =
	    "10.0.0.1 v4name\n"
	    "::ffff:10.0.0.2 v6mapped\n"
	    "10.0.0.2 v4second\n";

	ck_assert_int_eq(rev(t, "::ffff:10.0.0.1"), 0);
	ck_assert_str_eq(result, "v4name");
	ck_assert_int_eq(rev(t, "::ffff:10.0.0.2"), 0);
	ck_assert_str_eq(result, "v6mapped");
	/* Not the other way round: a v4 query never matches a v6 line. */
	ck_assert_int_eq(rev(t, "10.0.0.2"), 0);
	ck_assert_str_eq(result, "v4second");
	/* ::10.0.0.1 (deprecated compatible form) is not mapped. */
	ck_assert_int_eq(rev(t, "::10.0.0.1"), -ENOENT);
}
END_TEST

START_TEST(reverse_skips_unusable)
{
	char *n256 = long_name(256);
	char t[600];

	/* Lines without a usable name are passed over. */
	snprintf(t, sizeof(t),
	    "10.0.0.1\n"
	    "10.0.0.1 # nothing\n"
	    "10.0.0.1 %s real\n"
	    "fe80::1%%eth0 zoned\n", n256);
	ck_assert_int_eq(rev(t, "10.0.0.1"), 0);
	ck_assert_str_eq(result, "real");
	ck_assert_int_eq(rev(t, "fe80::1"), -ENOENT);
	free(n256);
}
END_TEST

START_TEST(reverse_not_found)
{
	uint8_t a[16] = { 127, 0, 0, 1 };
	char out[64];

	ck_assert_int_eq(rev(debian, "10.9.9.9"), -ENOENT);
	ck_assert_int_eq(rev(debian, "::2"), -ENOENT);
	ck_assert_int_eq(rev("", "127.0.0.1"), -ENOENT);
	ck_assert_int_eq(hosts_reverse(NULL, 0, AF_INET, a, out, sizeof(out)),
	    -ENOENT);
	ck_assert_int_eq(hosts_reverse(debian, strlen(debian), AF_INET, NULL,
	    out, sizeof(out)), -ENOENT);
	ck_assert_int_eq(hosts_reverse(debian, strlen(debian), AF_UNIX, a,
	    out, sizeof(out)), -ENOENT);
	/* 127.0.0.1 as IPv6 bytes is not ::ffff:127.0.0.1. */
	ck_assert_int_eq(hosts_reverse(debian, strlen(debian), AF_INET6, a,
	    out, sizeof(out)), -ENOENT);
}
END_TEST

START_TEST(reverse_enospc)
{
	/* "localhost" is 9 bytes: cap 9 fails and leaves out alone. */
	ck_assert_int_eq(rev_cap(debian, "127.0.0.1", 9), -ENOSPC);
	ck_assert_str_eq(result, "");
	ck_assert_int_eq(rev_cap(debian, "127.0.0.1", 0), -ENOSPC);
	ck_assert_int_eq(rev_cap(debian, "127.0.0.1", 10), 0);
	ck_assert_str_eq(result, "localhost");
}
END_TEST

START_TEST(reverse_long_lines)
{
	const uint8_t a[4] = { 10, 0, 0, 1 };
	size_t big = 100 * 1024, n;
	char *t = malloc(big + 64);

	ck_assert_ptr_nonnull(t);
	memcpy(t, "10.0.0.1", 8);
	n = 8;
	memset(t + n, '\t', big);
	n += big;
	memcpy(t + n, "far.away", 8);	/* no newline, not NUL-terminated */
	n += 8;
	memset(result, 0, sizeof(result));
	ck_assert_int_eq(hosts_reverse(t, n, AF_INET, a, result,
	    sizeof(result)), 0);
	ck_assert_str_eq(result, "far.away");
	free(t);
}
END_TEST

static Suite *
hosts_suite(void)
{
	Suite *s = suite_create("hosts");
	TCase *tc;

	tc = tcase_create("hosts_lookup");
	tcase_add_test(tc, lookup_debian_default);
	tcase_add_test(tc, lookup_aliases);
	tcase_add_test(tc, lookup_case_and_dot);
	tcase_add_test(tc, lookup_families);
	tcase_add_test(tc, lookup_any_family);
	tcase_add_test(tc, lookup_duplicates);
	tcase_add_test(tc, lookup_max_truncation);
	tcase_add_test(tc, lookup_malformed);
	tcase_add_test(tc, lookup_whitespace_crlf);
	tcase_add_test(tc, lookup_len_bounds);
	tcase_add_test(tc, lookup_nul_bytes);
	tcase_add_test(tc, lookup_name_lengths);
	tcase_add_test(tc, lookup_long_lines);
	tcase_add_test(tc, lookup_bad_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("hosts_reverse");
	tcase_add_test(tc, reverse_debian_default);
	tcase_add_test(tc, reverse_first_line_wins);
	tcase_add_test(tc, reverse_as_written);
	tcase_add_test(tc, reverse_mapped);
	tcase_add_test(tc, reverse_skips_unusable);
	tcase_add_test(tc, reverse_not_found);
	tcase_add_test(tc, reverse_enospc);
	tcase_add_test(tc, reverse_long_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hosts_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
