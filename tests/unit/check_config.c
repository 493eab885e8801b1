/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/config: defaults, every key valid and invalid with the
 * exact "file:line: message", line syntax, fixtures and ../socksify.conf.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "core/config.h"

static struct config c;
static char err[512];

static void
good(const char *text)
{
	config_defaults(&c);
	err[0] = '\0';
	ck_assert_msg(config_parse(&c, text, strlen(text), "t.conf", err,
	    sizeof(err)) == 0, "%s", err);
}

/* Parse text as "t.conf"; the error must be exactly msg. */
static void
bad(const char *text, const char *msg)
{
	config_defaults(&c);
	err[0] = '\0';
	ck_assert_int_eq(config_parse(&c, text, strlen(text), "t.conf", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, msg);
}

static bool
net_is(const struct rules_net *n, const char *cidr)
{
	struct rules_net want;

	ck_assert_int_eq(rules_parse_cidr(cidr, &want), 0);
	return n->family == want.family && n->prefix == want.prefix &&
	    memcmp(n->addr, want.addr, sizeof(want.addr)) == 0;
}

/* Read $srcdir/rel (srcdir defaults to "."); returns the length. */
static size_t
read_file(const char *rel, char *buf, size_t cap)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	FILE *f;
	size_t n;

	(void)snprintf(path, sizeof(path), "%s/%s",
	    srcdir != NULL ? srcdir : ".", rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, cap, f);
	ck_assert_msg(n < cap, "%s too large", path);
	(void)fclose(f);
	return n;
}

static int
parse_fixture(const char *name)
{
	static char text[65536];
	char rel[256];
	size_t n;

	(void)snprintf(rel, sizeof(rel), "tests/unit/fixtures/%s", name);
	n = read_file(rel, text, sizeof(text));
	config_defaults(&c);
	err[0] = '\0';
	return config_parse(&c, text, n, name, err, sizeof(err));
}

START_TEST(defaults_values)
{
	memset(&c, 0xa5, sizeof(c));
	config_defaults(&c);
	ck_assert(!c.has_proxy);
	ck_assert_uint_eq(c.n_local, 0);
	ck_assert_uint_eq(c.n_local_domains, 0);
	ck_assert_uint_eq(c.timeout_ms, 10000);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_ERROR);
	ck_assert_int_eq(c.dns, DNS_REMOTE);
	ck_assert(net_is(&c.placeholder_v4, "198.18.0.0/15"));
	ck_assert(net_is(&c.placeholder_v6, "fd5e:c5f1::/96"));
	ck_assert_str_eq(c.hosts_file, "/etc/hosts");
	ck_assert_int_eq(c.udp, UDP_PROXY);
}
END_TEST

START_TEST(set_proxy)
{
	good("proxy = socks5h://u:p@h:2");
	ck_assert(c.has_proxy);
	ck_assert_int_eq(c.proxy.kind, PROXY_SOCKS5H);
	ck_assert_str_eq(c.proxy.host, "h");
	ck_assert_uint_eq(c.proxy.port, 2);
	ck_assert_str_eq(c.proxy.pass, "p");
	bad("proxy = ftp://h", "t.conf:1: bad value for 'proxy': unknown "
	    "scheme 'ftp'");
	bad("proxy = socks5://u:hunter2@h:0",
	    "t.conf:1: bad value for 'proxy': bad port '0'");
	bad("proxy = socks5://u:hunter2@", "t.conf:1: bad value for 'proxy': "
	    "missing host");
	/* config_set replaces an earlier proxy (environment overrides) */
	ck_assert_int_eq(config_set(&c, "proxy", "a:1", "env", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(config_set(&c, "proxy", " b:2 ", "env", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.proxy.host, "b");
}
END_TEST

START_TEST(set_local)
{
	good("local = 10.0.0.0/8, 192.168.1.5 ,fd00::/8\n"
	    "direct = 172.16.0.0/12\tfe80::/10,,\n");
	ck_assert_uint_eq(c.n_local, 5);
	ck_assert(net_is(&c.local[1], "192.168.1.5/32"));
	ck_assert(net_is(&c.local[4], "fe80::/10"));
	bad("local = 10.0.0.0/33", "t.conf:1: bad CIDR '10.0.0.0/33' for "
	    "'local'");
	bad("\ndirect = 10.0.0.0/8 junk", "t.conf:2: bad CIDR 'junk' for "
	    "'direct'");
	bad("local = ,", "t.conf:1: missing value for 'local'");
	bad("local =", "t.conf:1: missing value for 'local'");
}
END_TEST

START_TEST(set_local_limit)
{
	char line[64];
	int i;

	config_defaults(&c);
	for (i = 0; i < CONFIG_MAX_NETS; i++) {
		(void)snprintf(line, sizeof(line), "10.0.%d.0/24", i);
		ck_assert_int_eq(config_set(&c, "local", line, "x", err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(config_set(&c, "local", "1.1.1.1", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x: too many 'local' entries (limit 64)");
	/* a failed line adds nothing */
	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "local", "1.1.1.1 2.2.2.2 x", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_uint_eq(c.n_local, 0);
}
END_TEST

START_TEST(set_local_domain)
{
	char line[64];
	int i;

	good("local_domain = *.corp.example, .lan\nlocal_domain = printer.");
	ck_assert_uint_eq(c.n_local_domains, 3);
	ck_assert_str_eq(c.local_domains[0], "*.corp.example");
	ck_assert_str_eq(c.local_domains[1], ".lan");
	ck_assert_str_eq(c.local_domains[2], "printer.");
	bad("local_domain = a..b", "t.conf:1: bad domain pattern 'a..b' for "
	    "'local_domain'");
	bad("local_domain = , ,", "t.conf:1: missing value for "
	    "'local_domain'");
	bad("local_domain = *", "t.conf:1: bad domain pattern '*' for "
	    "'local_domain'");
	config_defaults(&c);
	for (i = 0; i < CONFIG_MAX_DOMAINS; i++) {
		(void)snprintf(line, sizeof(line), "h%d.example", i);
		ck_assert_int_eq(config_set(&c, "local_domain", line, "x", err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(config_set(&c, "local_domain", "one.more", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x: too many 'local_domain' entries (limit 64)");
	ck_assert_uint_eq(c.n_local_domains, CONFIG_MAX_DOMAINS);
}
END_TEST

START_TEST(set_timeout)
{
	static const struct {
		const char *v;
		unsigned ms;
	} ok[] = {
		{ "10", 10000 }, { "2.5", 2500 }, { "0.001", 1 },
		{ "600", 600000 }, { "500ms", 500 }, { "500 ms", 500 },
		{ "1ms", 1 }, { "3s", 3000 }, { "1.25S", 1250 },
		{ ".5", 500 }, { "600000MS", 600000 }, { "007", 7000 },
	};
	char text[64];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		(void)snprintf(text, sizeof(text), "timeout = %s", ok[i].v);
		good(text);
		ck_assert_uint_eq(c.timeout_ms, ok[i].ms);
	}
	bad("timeout = 0", "t.conf:1: timeout '0' out of range (1ms to 600s)");
	bad("timeout = 0ms", "t.conf:1: timeout '0ms' out of range (1ms to "
	    "600s)");
	bad("timeout = 600.001", "t.conf:1: timeout '600.001' out of range "
	    "(1ms to 600s)");
	bad("timeout = 99999999999", "t.conf:1: bad timeout '99999999999'");
	bad("timeout = 0.0001", "t.conf:1: bad timeout '0.0001'");
	bad("timeout = 2.5ms", "t.conf:1: bad timeout '2.5ms'");
	bad("timeout = -1", "t.conf:1: bad timeout '-1'");
	bad("timeout = 1.", "t.conf:1: bad timeout '1.'");
	bad("timeout = 10m", "t.conf:1: bad timeout '10m'");
	bad("timeout = ten", "t.conf:1: bad timeout 'ten'");
	bad("timeout = 1 0", "t.conf:1: bad timeout '1 0'");
}
END_TEST

START_TEST(set_log_level)
{
	good("log_level = quiet");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_QUIET);
	good("log_level = info");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	good("log_level = Verbose");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	good("log_level = DEBUG");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
	good("log_level = debug\nlog_level = error");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_ERROR);
	bad("log_level = loud", "t.conf:1: bad value 'loud' for 'log_level' "
	    "(quiet, error, info, debug)");
	bad("log_level = 3", "t.conf:1: bad value '3' for 'log_level' "
	    "(quiet, error, info, debug)");
}
END_TEST

START_TEST(set_dns)
{
	good("dns = local");
	ck_assert_int_eq(c.dns, DNS_LOCAL);
	good("dns = remote");
	ck_assert_int_eq(c.dns, DNS_REMOTE);
	bad("dns = proxy", "t.conf:1: bad value 'proxy' for 'dns' (remote, "
	    "local)");
}
END_TEST

START_TEST(set_udp)
{
	good("udp = block");
	ck_assert_int_eq(c.udp, UDP_BLOCK);
	good("udp = direct");
	ck_assert_int_eq(c.udp, UDP_DIRECT);
	good("udp = proxy");
	ck_assert_int_eq(c.udp, UDP_PROXY);
	bad("udp = off", "t.conf:1: bad value 'off' for 'udp' (proxy, block, "
	    "direct)");
}
END_TEST

START_TEST(set_placeholders)
{
	good("placeholder_v4 = 10.64.0.0/8\nplaceholder_v6 = fd00::/120");
	ck_assert(net_is(&c.placeholder_v4, "10.0.0.0/8"));
	ck_assert(net_is(&c.placeholder_v6, "fd00::/120"));
	good("placeholder_v4 = 100.64.0.0/30\nplaceholder_v6 = fd00::/64");
	ck_assert(net_is(&c.placeholder_v4, "100.64.0.0/30"));
	bad("placeholder_v4 = 10.0.0.0/7", "t.conf:1: bad value '10.0.0.0/7' "
	    "for 'placeholder_v4' (IPv4 network, prefix /8 to /30)");
	bad("placeholder_v4 = 10.0.0.0/31", "t.conf:1: bad value "
	    "'10.0.0.0/31' for 'placeholder_v4' (IPv4 network, prefix /8 to "
	    "/30)");
	bad("placeholder_v4 = fd00::/96", "t.conf:1: bad value 'fd00::/96' "
	    "for 'placeholder_v4' (IPv4 network, prefix /8 to /30)");
	bad("placeholder_v4 = 10.0.0.0/", "t.conf:1: bad CIDR '10.0.0.0/' "
	    "for 'placeholder_v4'");
	bad("placeholder_v6 = fd00::/63", "t.conf:1: bad value 'fd00::/63' "
	    "for 'placeholder_v6' (IPv6 network, prefix /64 to /120)");
	bad("placeholder_v6 = fd00::/121", "t.conf:1: bad value 'fd00::/121' "
	    "for 'placeholder_v6' (IPv6 network, prefix /64 to /120)");
	bad("placeholder_v6 = 10.0.0.0/16", "t.conf:1: bad value "
	    "'10.0.0.0/16' for 'placeholder_v6' (IPv6 network, prefix /64 to "
	    "/120)");
	bad("placeholder_v6 = fd00::/999", "t.conf:1: bad CIDR 'fd00::/999' "
	    "for 'placeholder_v6'");
}
END_TEST

START_TEST(set_hosts_file)
{
	char text[400];

	good("hosts_file = /tmp/my hosts");
	ck_assert_str_eq(c.hosts_file, "/tmp/my hosts");
	good("hosts_file = none");
	ck_assert_str_eq(c.hosts_file, "");
	bad("hosts_file = hosts", "t.conf:1: bad value 'hosts' for "
	    "'hosts_file' (absolute path or 'none')");
	(void)snprintf(text, sizeof(text), "hosts_file = /%0255d", 0);
	bad(text, "t.conf:1: value for 'hosts_file' longer than 255 bytes");
	text[strlen(text) - 1] = '\0';
	good(text);
	ck_assert_uint_eq(strlen(c.hosts_file), 255);
}
END_TEST

START_TEST(set_errors)
{
	char big[CONFIG_LINE_MAX + 2];

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "proxxy", "x", "SOCKSIFY_X", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "SOCKSIFY_X: unknown key 'proxxy'");
	ck_assert_int_eq(config_set(&c, "dns", " \t", NULL, err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "<config>: missing value for 'dns'");
	ck_assert_int_eq(config_set(&c, "Proxy", "h", "e", err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "e: unknown key 'Proxy'");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(config_set(&c, "proxy", big, "e", err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "e: value for 'proxy' longer than 1023 bytes");
	ck_assert_int_eq(config_set(&c, "dns", NULL, "e", NULL, 0), -EINVAL);
	ck_assert_int_eq(config_set(&c, "dns", "local", "e", NULL, 0), 0);
	ck_assert_int_eq(c.dns, DNS_LOCAL);
}
END_TEST

START_TEST(parse_syntax)
{
	good("");
	good("\n\n   \n\t\n# only comments\n   # indented\n");
	good("proxy=h:1");
	ck_assert_str_eq(c.proxy.host, "h");
	good("  dns\t=\tlocal  # trailing comment\n");
	ck_assert_int_eq(c.dns, DNS_LOCAL);
	good("proxy = socks5://u:a#b@h # c");
	ck_assert_str_eq(c.proxy.pass, "a#b");
	good("hosts_file = /a#b");
	ck_assert_str_eq(c.hosts_file, "/a#b");
	bad("dns local", "t.conf:1: expected 'key = value'");
	bad("\n\n= local", "t.conf:3: expected 'key = value'");
	bad("  =", "t.conf:1: expected 'key = value'");
	bad("dns # = local", "t.conf:1: expected 'key = value'");
	bad("dns = # local", "t.conf:1: missing value for 'dns'");
	bad("# c\n\nproxxy = h\n", "t.conf:3: unknown key 'proxxy'");
	bad("pro xy = h", "t.conf:1: unknown key 'pro xy'");
	bad("dns = = local", "t.conf:1: bad value '= local' for 'dns' "
	    "(remote, local)");
}
END_TEST

START_TEST(parse_line_endings)
{
	const char crlf[] = "dns = local\r\nudp = block\r\n\r\n# x\r\nlog_level = "
	    "debug";

	good(crlf);
	ck_assert_int_eq(c.dns, DNS_LOCAL);
	ck_assert_int_eq(c.udp, UDP_BLOCK);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
	good("\xef\xbb\xbf" "dns = local\n");
	ck_assert_int_eq(c.dns, DNS_LOCAL);
	bad("dns = local\r\nudp = x\r\n", "t.conf:2: bad value 'x' for 'udp' "
	    "(proxy, block, direct)");
}
END_TEST

START_TEST(parse_long_line)
{
	static char text[3000];

	/* exactly 1023 bytes (+ CR) is fine, 1024 is not */
	memset(text, ' ', sizeof(text));
	memcpy(text, "dns = local", 11);
	memcpy(text + 1023, "\r\ndns = remote\n", 15);
	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, text, 1023 + 15, "t.conf", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.dns, DNS_REMOTE);
	memset(text, '#', sizeof(text));
	memcpy(text + 1024, "\n", 1);
	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, text, 1025, "t.conf", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "t.conf:1: line longer than 1023 bytes");
	ck_assert_int_eq(config_parse(&c, text, sizeof(text), "t.conf", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "t.conf:1: line longer than 1023 bytes");
}
END_TEST

START_TEST(parse_bounds)
{
	const char text[] = "dns = local\nudp = block\0junk";

	/* len, not NUL, ends the text; the NUL byte inside is an error */
	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, text, 11, "t.conf", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.dns, DNS_LOCAL);
	ck_assert_int_eq(c.udp, UDP_PROXY);
	ck_assert_int_eq(config_parse(&c, text, sizeof(text) - 1, "t.conf",
	    err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "t.conf:2: NUL byte in line");
	ck_assert_int_eq(config_parse(&c, NULL, 0, "t.conf", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(config_parse(&c, "x", 1, NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "<config>:1: expected 'key = value'");
	ck_assert_int_eq(config_parse(&c, "x", 1, "t.conf", NULL, 0),
	    -EINVAL);
	ck_assert_int_eq(config_parse(&c, "x", 1, "t.conf", err, 5), -EINVAL);
	ck_assert_str_eq(err, "t.co");
}
END_TEST

START_TEST(parse_duplicate_proxy)
{
	bad("proxy = a:1\n# x\nproxy = b:2\n",
	    "t.conf:3: duplicate key 'proxy'");
	/* a second file (another config_parse call) replaces it */
	good("proxy = a:1");
	ck_assert_int_eq(config_parse(&c, "proxy = b:2", 11, "u.conf", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.proxy.host, "b");
}
END_TEST

START_TEST(parse_fixture_good)
{
	ck_assert_msg(parse_fixture("good.conf") == 0, "%s", err);
	ck_assert(c.has_proxy);
	ck_assert_int_eq(c.proxy.kind, PROXY_SOCKS5H);
	ck_assert_str_eq(c.proxy.host, "proxy.example");
	ck_assert_uint_eq(c.proxy.port, 9050);
	ck_assert_str_eq(c.proxy.user, "alice");
	ck_assert_str_eq(c.proxy.pass, "p@ss#word");
	ck_assert_uint_eq(c.n_local, 4);
	ck_assert(net_is(&c.local[2], "fd00::/8"));
	ck_assert(net_is(&c.local[3], "172.16.0.0/12"));
	ck_assert_uint_eq(c.n_local_domains, 3);
	ck_assert_str_eq(c.local_domains[2], "printer");
	ck_assert_uint_eq(c.timeout_ms, 2500);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(c.dns, DNS_LOCAL);
	ck_assert(net_is(&c.placeholder_v4, "100.64.0.0/10"));
	ck_assert(net_is(&c.placeholder_v6, "fd00:1:2:3::/64"));
	ck_assert_str_eq(c.hosts_file, "/etc/socksify/hosts");
	ck_assert_int_eq(c.udp, UDP_BLOCK);
}
END_TEST

START_TEST(parse_fixture_bad)
{
	static const struct {
		const char *file, *msg;
	} cases[] = {
		{ "bad-unknown-key.conf",
		  "bad-unknown-key.conf:7: unknown key 'proxxy'" },
		{ "bad-cidr.conf",
		  "bad-cidr.conf:3: bad CIDR '10.0.0.0/33' for 'local'" },
		{ "bad-syntax.conf",
		  "bad-syntax.conf:2: expected 'key = value'" },
		{ "bad-duplicate-proxy.conf",
		  "bad-duplicate-proxy.conf:4: duplicate key 'proxy'" },
		{ "bad-proxy.conf",
		  "bad-proxy.conf:2: bad value for 'proxy': bad port '99999'" },
		{ "bad-placeholder.conf",
		  "bad-placeholder.conf:3: bad value 'fd5e:c5f1::/48' for "
		  "'placeholder_v6' (IPv6 network, prefix /64 to /120)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse_fixture(cases[i].file), -EINVAL);
		ck_assert_str_eq(err, cases[i].msg);
	}
}
END_TEST

START_TEST(parse_socksify_conf)
{
	static char text[65536];
	struct config def;
	size_t n = read_file("socksify.conf", text, sizeof(text));

	config_defaults(&c);
	ck_assert_msg(config_parse(&c, text, n, "socksify.conf", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert(c.has_proxy);
	ck_assert_int_eq(c.proxy.kind, PROXY_SOCKS5);
	ck_assert_str_eq(c.proxy.host, "127.0.0.1");
	ck_assert_uint_eq(c.proxy.port, 1080);
	/* everything else is commented out: the example changes nothing */
	config_defaults(&def);
	def.has_proxy = c.has_proxy;
	def.proxy = c.proxy;
	ck_assert(memcmp(&c, &def, sizeof(c)) == 0);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("config_defaults");
	tcase_add_test(tc, defaults_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("config_set");
	tcase_add_test(tc, set_proxy);
	tcase_add_test(tc, set_local);
	tcase_add_test(tc, set_local_limit);
	tcase_add_test(tc, set_local_domain);
	tcase_add_test(tc, set_timeout);
	tcase_add_test(tc, set_log_level);
	tcase_add_test(tc, set_dns);
	tcase_add_test(tc, set_udp);
	tcase_add_test(tc, set_placeholders);
	tcase_add_test(tc, set_hosts_file);
	tcase_add_test(tc, set_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("config_parse");
	tcase_add_test(tc, parse_syntax);
	tcase_add_test(tc, parse_line_endings);
	tcase_add_test(tc, parse_long_line);
	tcase_add_test(tc, parse_bounds);
	tcase_add_test(tc, parse_duplicate_proxy);
	tcase_add_test(tc, parse_fixture_good);
	tcase_add_test(tc, parse_fixture_bad);
	tcase_add_test(tc, parse_socksify_conf);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
