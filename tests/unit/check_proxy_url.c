/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/proxy_url: every scheme, ports, IPv6, credentials,
 * rejected input (with the reason) and the masked formatter.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proxy_url.h"

static struct proxy_url u;
static char why[128];

/* Parse text; on failure report the reason in the assertion. */
static void
parse_ok(const char *text)
{
	memset(&u, 0xa5, sizeof(u));
	why[0] = '\0';
	ck_assert_msg(proxy_url_parse(&u, text, why, sizeof(why)) == 0,
	    "'%s': %s", text, why);
}

/* Parse must fail with exactly reason; *u must be left untouched. */
static void
parse_bad(const char *text, const char *reason)
{
	struct proxy_url before;

	memset(&u, 0xa5, sizeof(u));
	before = u;
	why[0] = '\0';
	ck_assert_int_eq(proxy_url_parse(&u, text, why, sizeof(why)),
	    -EINVAL);
	ck_assert_str_eq(why, reason);
	ck_assert(memcmp(&u, &before, sizeof(u)) == 0);
}

static void
expect(enum proxy_kind kind, const char *host, unsigned port)
{
	ck_assert_int_eq(u.kind, kind);
	ck_assert_str_eq(u.host, host);
	ck_assert_uint_eq(u.port, port);
}

START_TEST(parse_socks5_full)
{
	parse_ok("socks5://alice:secret@proxy.example:1081");
	expect(PROXY_SOCKS5, "proxy.example", 1081);
	ck_assert(u.has_auth);
	ck_assert_str_eq(u.user, "alice");
	ck_assert_str_eq(u.pass, "secret");
}
END_TEST

START_TEST(parse_all_schemes_default_ports)
{
	parse_ok("socks5://h");
	expect(PROXY_SOCKS5, "h", 1080);
	ck_assert(!u.has_auth);
	ck_assert_str_eq(u.user, "");
	ck_assert_str_eq(u.pass, "");
	parse_ok("socks5h://h");
	expect(PROXY_SOCKS5H, "h", 1080);
	parse_ok("socks4://h");
	expect(PROXY_SOCKS4, "h", 1080);
	parse_ok("socks4a://h");
	expect(PROXY_SOCKS4A, "h", 1080);
	parse_ok("http://h");
	expect(PROXY_HTTP, "h", 8080);
	parse_ok("http://h:3128");
	expect(PROXY_HTTP, "h", 3128);
}
END_TEST

START_TEST(parse_scheme_case_insensitive)
{
	parse_ok("SOCKS5H://Host.Example:9050");
	expect(PROXY_SOCKS5H, "Host.Example", 9050);
	parse_ok("Http://h");
	expect(PROXY_HTTP, "h", 8080);
}
END_TEST

START_TEST(parse_no_scheme)
{
	parse_ok("127.0.0.1:1080");
	expect(PROXY_SOCKS5, "127.0.0.1", 1080);
	parse_ok("proxy");
	expect(PROXY_SOCKS5, "proxy", 1080);
	parse_ok("bob@10.1.2.3:9999");
	expect(PROXY_SOCKS5, "10.1.2.3", 9999);
	ck_assert_str_eq(u.user, "bob");
}
END_TEST

START_TEST(parse_ipv6_brackets)
{
	parse_ok("socks5://[::1]:1080");
	expect(PROXY_SOCKS5, "::1", 1080);
	parse_ok("[2001:db8::5]");
	expect(PROXY_SOCKS5, "2001:db8::5", 1080);
	parse_ok("socks5h://u:p@[fe80::1]:2000/");
	expect(PROXY_SOCKS5H, "fe80::1", 2000);
	ck_assert_str_eq(u.pass, "p");
}
END_TEST

START_TEST(parse_ipv6_errors)
{
	parse_bad("socks5://[::1:1080", "missing ']' after IPv6 address");
	parse_bad("socks5://::1:1080", "IPv6 address must be in brackets");
	parse_bad("socks5://[::g]:1080", "bad IPv6 address '::g'");
	parse_bad("socks5://[1.2.3.4]", "bad IPv6 address '1.2.3.4'");
	parse_bad("socks5://[]:1080", "missing host");
	parse_bad("socks5://[::1]x", "unexpected 'x' after ']'");
}
END_TEST

START_TEST(parse_ports)
{
	parse_ok("h:1");
	ck_assert_uint_eq(u.port, 1);
	parse_ok("h:65535");
	ck_assert_uint_eq(u.port, 65535);
	parse_ok("h:01080");
	ck_assert_uint_eq(u.port, 1080);
	parse_bad("h:0", "bad port '0'");
	parse_bad("h:65536", "bad port '65536'");
	parse_bad("h:99999", "bad port '99999'");
	parse_bad("h:123456", "bad port '123456'");
	parse_bad("h:12a", "bad port '12a'");
	parse_bad("h:-1", "bad port '-1'");
	parse_bad("h:+80", "bad port '+80'");
	parse_bad("h:", "bad port ''");
	parse_bad("[::1]:", "bad port ''");
}
END_TEST

START_TEST(parse_user_only)
{
	parse_ok("socks4://nobody@h");
	expect(PROXY_SOCKS4, "h", 1080);
	ck_assert(u.has_auth);
	ck_assert_str_eq(u.user, "nobody");
	ck_assert_str_eq(u.pass, "");
	parse_ok("socks5://u:@h");
	ck_assert(u.has_auth);
	ck_assert_str_eq(u.pass, "");
}
END_TEST

START_TEST(parse_percent_decoding)
{
	parse_ok("socks5://us%65r%3a1:p%40ss%2F%25%3A@h");
	ck_assert_str_eq(u.user, "user:1");
	ck_assert_str_eq(u.pass, "p@ss/%:");
	parse_ok("socks5://%C3%A9:%e2%82%ac@h");
	ck_assert_str_eq(u.user, "\xc3\xa9");
	ck_assert_str_eq(u.pass, "\xe2\x82\xac");
	parse_bad("socks5://u%4:p@h", "bad percent-encoding in user name");
	parse_bad("socks5://u:p%@h", "bad percent-encoding in password");
	parse_bad("socks5://u:p%zz@h", "bad percent-encoding in password");
	parse_bad("socks5://u%00:p@h", "NUL byte in user name");
}
END_TEST

START_TEST(parse_at_in_password)
{
	parse_ok("socks5://u:a%40b@h:1");
	ck_assert_str_eq(u.pass, "a@b");
	/* raw '@', '/' and ':' tolerated: the last '@' ends the password */
	parse_ok("socks5://u:a@b/c:d@h:1");
	ck_assert_str_eq(u.user, "u");
	ck_assert_str_eq(u.pass, "a@b/c:d");
	expect(PROXY_SOCKS5, "h", 1);
}
END_TEST

START_TEST(parse_lengths)
{
	char text[1024], name[257];

	memset(name, 'a', 256);
	name[255] = '\0';
	(void)snprintf(text, sizeof(text), "socks5://%s:%s@%s", name, name,
	    name);
	parse_ok(text);
	ck_assert_uint_eq(strlen(u.user), 255);
	ck_assert_uint_eq(strlen(u.pass), 255);
	ck_assert_uint_eq(strlen(u.host), 255);
	name[255] = 'a';
	name[256] = '\0';
	(void)snprintf(text, sizeof(text), "socks5://%s@h", name);
	parse_bad(text, "user name longer than 255 bytes");
	(void)snprintf(text, sizeof(text), "socks5://u:%s@h", name);
	parse_bad(text, "password longer than 255 bytes");
	(void)snprintf(text, sizeof(text), "socks5://%s:1", name);
	parse_bad(text, "host name longer than 255 bytes");
	/* 255 decoded bytes from 765 encoded ones is fine */
	text[0] = '\0';
	(void)strcat(text, "socks5://");
	for (int i = 0; i < 200; i++)
		(void)strcat(text, "%41");
	(void)strcat(text, "@h");
	parse_ok(text);
	ck_assert_uint_eq(strlen(u.user), 200);
}
END_TEST

START_TEST(parse_host_errors)
{
	parse_bad("socks5://", "missing host");
	parse_bad("socks5://:1080", "missing host");
	parse_bad("socks5://u:p@", "missing host");
	parse_bad("socks5://u:p@:1", "missing host");
	parse_bad("", "missing host");
	parse_bad("socks5://ho st:1", "bad host 'ho st'");
	parse_bad(" h", "bad host ' h'");
	parse_bad("socks5://h]:1", "bad host 'h]'");
	parse_bad("socks5://@h", "empty user name");
	parse_bad("socks5://:p@h", "empty user name");
}
END_TEST

START_TEST(parse_scheme_errors)
{
	parse_bad("ftp://h", "unknown scheme 'ftp'");
	parse_bad("socks6://h", "unknown scheme 'socks6'");
	parse_bad("https://h", "unknown scheme 'https'");
	parse_bad("://h", "missing scheme");
	/* no echo of something that may hold a password */
	parse_bad("u:secret://x@h", "bad scheme");
}
END_TEST

START_TEST(parse_path)
{
	parse_ok("socks5://h:1/");
	expect(PROXY_SOCKS5, "h", 1);
	parse_ok("h/");
	parse_bad("socks5://h:1/x", "unexpected path '/x'");
	parse_bad("socks5://h:1//", "unexpected path '//'");
	parse_bad("socks5://h?x=1", "unexpected path '?x=1'");
	parse_bad("socks5://h#frag", "unexpected path '#frag'");
}
END_TEST

START_TEST(parse_reason_hides_password)
{
	const char *bad[] = {
		"socks5://u:hunter2@h:99999", "socks5://u:hunter2@[::1",
		"socks5://u:hunter2@h/p", "socks5://u:hunter2@",
		"ftp://u:hunter2@h", "socks5://u:hunter2%@h",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_int_eq(proxy_url_parse(&u, bad[i], why, sizeof(why)),
		    -EINVAL);
		ck_assert_msg(strstr(why, "hunter2") == NULL, "%s", why);
	}
}
END_TEST

START_TEST(parse_why_optional_and_truncated)
{
	char small[8];

	ck_assert_int_eq(proxy_url_parse(&u, "ftp://h", NULL, 0), -EINVAL);
	ck_assert_int_eq(proxy_url_parse(&u, "ftp://h", small, sizeof(small)),
	    -EINVAL);
	ck_assert_str_eq(small, "unknown");
	ck_assert_int_eq(proxy_url_parse(&u, NULL, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(proxy_url_parse(NULL, "h", why, sizeof(why)),
	    -EINVAL);
}
END_TEST

START_TEST(format_masks_password)
{
	char buf[128];

	parse_ok("socks5h://alice:hunter2@proxy:1081");
	ck_assert_str_eq(proxy_url_format(&u, buf, sizeof(buf)),
	    "socks5h://alice:***@proxy:1081");
	ck_assert(strstr(buf, "hunter2") == NULL);
}
END_TEST

START_TEST(format_variants)
{
	char buf[128];

	parse_ok("127.0.0.1");
	ck_assert_str_eq(proxy_url_format(&u, buf, sizeof(buf)),
	    "socks5://127.0.0.1:1080");
	parse_ok("socks4://nobody@h");
	ck_assert_str_eq(proxy_url_format(&u, buf, sizeof(buf)),
	    "socks4://nobody@h:1080");
	parse_ok("HTTP://[::1]");
	ck_assert_str_eq(proxy_url_format(&u, buf, sizeof(buf)),
	    "http://[::1]:8080");
	parse_ok("socks4a://a%40b%3Ac%20d:x@h:2");
	ck_assert_str_eq(proxy_url_format(&u, buf, sizeof(buf)),
	    "socks4a://a%40b%3Ac%20d:***@h:2");
}
END_TEST

START_TEST(format_roundtrip)
{
	char buf[128];
	struct proxy_url first;

	parse_ok("socks5://a%3Ab%40c:p@[2001:db8::1]:3");
	first = u;
	(void)proxy_url_format(&first, buf, sizeof(buf));
	parse_ok(buf);
	ck_assert_str_eq(u.user, first.user);
	ck_assert_str_eq(u.host, first.host);
	ck_assert_uint_eq(u.port, first.port);
}
END_TEST

START_TEST(format_truncates)
{
	char buf[10];

	parse_ok("socks5://user:pw@host:1");
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(proxy_url_format(&u, buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "socks5://");
	ck_assert_ptr_eq(proxy_url_format(&u, buf, 0), buf);
}
END_TEST

START_TEST(kind_name_all)
{
	ck_assert_str_eq(proxy_kind_name(PROXY_SOCKS5), "socks5");
	ck_assert_str_eq(proxy_kind_name(PROXY_SOCKS5H), "socks5h");
	ck_assert_str_eq(proxy_kind_name(PROXY_SOCKS4), "socks4");
	ck_assert_str_eq(proxy_kind_name(PROXY_SOCKS4A), "socks4a");
	ck_assert_str_eq(proxy_kind_name(PROXY_HTTP), "http");
	ck_assert_str_eq(proxy_kind_name((enum proxy_kind)42), "?");
}
END_TEST

static Suite *
proxy_url_suite(void)
{
	Suite *s = suite_create("proxy_url");
	TCase *tc;

	tc = tcase_create("proxy_url_parse");
	tcase_add_test(tc, parse_socks5_full);
	tcase_add_test(tc, parse_all_schemes_default_ports);
	tcase_add_test(tc, parse_scheme_case_insensitive);
	tcase_add_test(tc, parse_no_scheme);
	tcase_add_test(tc, parse_ipv6_brackets);
	tcase_add_test(tc, parse_ipv6_errors);
	tcase_add_test(tc, parse_ports);
	tcase_add_test(tc, parse_user_only);
	tcase_add_test(tc, parse_percent_decoding);
	tcase_add_test(tc, parse_at_in_password);
	tcase_add_test(tc, parse_lengths);
	tcase_add_test(tc, parse_host_errors);
	tcase_add_test(tc, parse_scheme_errors);
	tcase_add_test(tc, parse_path);
	tcase_add_test(tc, parse_reason_hides_password);
	tcase_add_test(tc, parse_why_optional_and_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("proxy_url_format");
	tcase_add_test(tc, format_masks_password);
	tcase_add_test(tc, format_variants);
	tcase_add_test(tc, format_roundtrip);
	tcase_add_test(tc, format_truncates);
	suite_add_tcase(s, tc);

	tc = tcase_create("proxy_kind_name");
	tcase_add_test(tc, kind_name_all);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proxy_url_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
