/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/config: defaults, every key valid and invalid with the
 * exact "file:line: message", line syntax, routing keys (chain, fallback,
 * upstream, rule), fixtures and ../socksify.conf.
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
	ck_assert_uint_eq(c.n_chain, 0);
	ck_assert_uint_eq(c.n_fallback, 0);
	ck_assert_uint_eq(c.n_upstream, 0);
	ck_assert_uint_eq(c.n_rules, 0);
	ck_assert_str_eq(c.log_file, "");
	ck_assert(!c.pipeline);
	ck_assert(c.backstop);
	ck_assert(!c.has_dns_server);
	ck_assert(!c.io_uring);
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

#define DNS_SERVER_BAD(v) "t.conf:1: bad value '" v "' for 'dns_server' " \
	"(ADDR[:PORT]: an IP address, [IPv6]:PORT or a host name; port 1 " \
	"to 65535)"

START_TEST(set_dns_server)
{
	static const char *const bad_values[] = { "1.2.3.4:", "1.2.3.4:0",
	    "1.2.3.4:65536", "1.2.3.4:123456", "1.2.3.4:5x", "[::1", "[::1]x",
	    "[::1]:", "[1.2.3.4]:53", "[dns.example]", "a..b", "-x_/y",
	    "a b", ":53", "[]:53", NULL };
	char line[128];
	size_t i;

	good("dns_server = 10.0.0.53");
	ck_assert(c.has_dns_server);
	ck_assert_uint_eq(c.dns_server.atyp, SOCKS5_ATYP_IPV4);
	ck_assert(c.dns_server.len == 4 &&
	    memcmp(c.dns_server.addr, "\x0a\0\0\x35", 4) == 0);
	ck_assert_uint_eq(c.dns_server.port, 53);
	good("dns_server = 10.0.0.53:5353");
	ck_assert_uint_eq(c.dns_server.port, 5353);
	good("dns_server = [2001:db8::53]:853");
	ck_assert_uint_eq(c.dns_server.atyp, SOCKS5_ATYP_IPV6);
	ck_assert_uint_eq(c.dns_server.len, 16);
	ck_assert_uint_eq(c.dns_server.port, 853);
	ck_assert_uint_eq(c.dns_server.addr[15], 0x53);
	good("dns_server = 2001:db8::53");
	ck_assert_uint_eq(c.dns_server.atyp, SOCKS5_ATYP_IPV6);
	ck_assert_uint_eq(c.dns_server.port, 53);
	good("dns_server = [::1]");
	ck_assert_uint_eq(c.dns_server.port, 53);
	good("dns_server = dns.corp.example:5300");
	ck_assert_uint_eq(c.dns_server.atyp, SOCKS5_ATYP_DOMAIN);
	ck_assert(c.dns_server.len == 16 && memcmp(c.dns_server.addr,
	    "dns.corp.example", 16) == 0);
	ck_assert_uint_eq(c.dns_server.port, 5300);
	good("dns_server = 10.0.0.53\ndns_server = none");
	ck_assert(!c.has_dns_server);
	for (i = 0; bad_values[i] != NULL; i++) {
		(void)snprintf(line, sizeof(line), "dns_server = %s",
		    bad_values[i]);
		config_defaults(&c);
		err[0] = '\0';
		ck_assert_int_eq(config_parse(&c, line, strlen(line), "t.conf",
		    err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, "t.conf:1: bad value '") == err &&
		    strstr(err, "' for 'dns_server' (ADDR[:PORT]") != NULL,
		    "%s: %s", bad_values[i], err);
		ck_assert(!c.has_dns_server);
	}
	bad("dns_server = 1.2.3.4:0", DNS_SERVER_BAD("1.2.3.4:0"));
	bad("dns_server = [::1]x", DNS_SERVER_BAD("[::1]x"));
	bad("dns_server =", "t.conf:1: missing value for 'dns_server'");
	ck_assert_int_eq(config_set(&c, "dns_server", "a..b", "SOCKSIFY_X",
	    err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "SOCKSIFY_X: bad value 'a..b' for 'dns_server' "
	    "(ADDR[:PORT]: an IP address, [IPv6]:PORT or a host name; port 1 "
	    "to 65535)");
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
	    "t.conf:3: duplicate key 'proxy' (use 'fallback =' for "
	    "alternatives, 'chain =' for proxies in sequence)");
	/* chain and fallback lines are not second proxies */
	good("proxy = a:1\nchain = b:2\nfallback = c:3\nfallback = d:4");
	ck_assert_str_eq(c.proxy.host, "a");
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
		  "bad-duplicate-proxy.conf:4: duplicate key 'proxy' (use "
		  "'fallback =' for alternatives, 'chain =' for proxies in "
		  "sequence)" },
		{ "bad-rule-via.conf",
		  "bad-rule-via.conf:5: unknown upstream 'corp' for 'rule' "
		  "(define it first: upstream = corp URL)" },
		{ "bad-chain.conf",
		  "bad-chain.conf:4: bad value for 'chain': bad port '70000'" },
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

/* The message must not contain the password "hunter2". */
static void
bad_secret(const char *text, const char *msg)
{
	bad(text, msg);
	ck_assert_ptr_null(strstr(err, "hunter2"));
}

START_TEST(set_chain)
{
	good("proxy = socks5h://127.0.0.1:9050\n"
	    "chain = http://u:p@proxy.corp:3128\n"
	    "chain = socks5://[2001:db8::1]\n");
	ck_assert_uint_eq(c.n_chain, 2);
	ck_assert_int_eq(c.chain[0].kind, PROXY_HTTP);
	ck_assert_str_eq(c.chain[0].host, "proxy.corp");
	ck_assert_uint_eq(c.chain[0].port, 3128);
	ck_assert_str_eq(c.chain[0].pass, "p");
	ck_assert_int_eq(c.chain[1].kind, PROXY_SOCKS5);
	ck_assert_str_eq(c.chain[1].host, "2001:db8::1");
	ck_assert_uint_eq(c.chain[1].port, 1080);
	/* order of chain and proxy lines does not matter */
	ck_assert_str_eq(c.proxy.host, "127.0.0.1");
	good("chain = a:1\nproxy = b:2");
	ck_assert_uint_eq(c.n_chain, 1);
	ck_assert(c.has_proxy);
	/* a chain without a proxy line is kept; the proxy comes from elsewhere */
	good("chain = a:1");
	ck_assert_uint_eq(c.n_chain, 1);
	ck_assert(!c.has_proxy);
	bad_secret("chain = socks5://u:hunter2@h:0",
	    "t.conf:1: bad value for 'chain': bad port '0'");
	bad("chain = a:1\nchain = ftp://h", "t.conf:2: bad value for 'chain': "
	    "unknown scheme 'ftp'");
	bad("chain =", "t.conf:1: missing value for 'chain'");
	/* a failed line adds nothing */
	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "chain", "a:99999", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x: bad value for 'chain': bad port '99999'");
	ck_assert_uint_eq(c.n_chain, 0);
}
END_TEST

START_TEST(set_fallback)
{
	good("proxy = a:1\nfallback = socks5h://b:2\nfallback = http://c\n");
	ck_assert_uint_eq(c.n_fallback, 2);
	ck_assert_int_eq(c.fallback[0].kind, PROXY_SOCKS5H);
	ck_assert_str_eq(c.fallback[0].host, "b");
	ck_assert_uint_eq(c.fallback[0].port, 2);
	ck_assert_int_eq(c.fallback[1].kind, PROXY_HTTP);
	ck_assert_uint_eq(c.fallback[1].port, 8080);
	ck_assert_uint_eq(c.n_chain, 0);
	bad_secret("fallback = socks5://u:hunter2@",
	    "t.conf:1: bad value for 'fallback': missing host");
	bad("fallback = #", "t.conf:1: missing value for 'fallback'");
}
END_TEST

/* CONFIG_MAX_HOPS entries of key, then one more fails; n is the count. */
static void
hop_limit(const char *key, const size_t *n)
{
	char line[64], msg[128];
	int i;

	config_defaults(&c);
	for (i = 0; i < CONFIG_MAX_HOPS; i++) {
		(void)snprintf(line, sizeof(line), "h%d:%d", i, 1000 + i);
		ck_assert_int_eq(config_set(&c, key, line, "x", err,
		    sizeof(err)), 0);
	}
	ck_assert_uint_eq(*n, CONFIG_MAX_HOPS);
	ck_assert_int_eq(config_set(&c, key, "h9:9", "x", err, sizeof(err)),
	    -EINVAL);
	(void)snprintf(msg, sizeof(msg), "x: too many '%s' entries (limit 8)",
	    key);
	ck_assert_str_eq(err, msg);
	ck_assert_uint_eq(*n, CONFIG_MAX_HOPS);
}

START_TEST(set_chain_limit)
{
	hop_limit("chain", &c.n_chain);
	ck_assert_str_eq(c.chain[7].host, "h7");
	/* and in a file: the 9th line is the error */
	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, "chain=a\nchain=a\nchain=a\n"
	    "chain=a\nchain=a\nchain=a\nchain=a\nchain=a\nchain=a\n", 72,
	    "t.conf", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "t.conf:9: too many 'chain' entries (limit 8)");
}
END_TEST

START_TEST(set_fallback_limit)
{
	hop_limit("fallback", &c.n_fallback);
	ck_assert_str_eq(c.fallback[0].host, "h0");
}
END_TEST

START_TEST(set_upstream)
{
	good("upstream = corp http://u:p@proxy.corp:3128\n"
	    "upstream\t=\ttor\t socks5h://127.0.0.1:9050  # Tor\n"
	    "upstream = a-b_9 [::1]:1\n");
	ck_assert_uint_eq(c.n_upstream, 3);
	ck_assert_str_eq(c.upstream[0].name, "corp");
	ck_assert_int_eq(c.upstream[0].url.kind, PROXY_HTTP);
	ck_assert_str_eq(c.upstream[0].url.host, "proxy.corp");
	ck_assert_str_eq(c.upstream[0].url.pass, "p");
	ck_assert_str_eq(c.upstream[1].name, "tor");
	ck_assert_int_eq(c.upstream[1].url.kind, PROXY_SOCKS5H);
	ck_assert_uint_eq(c.upstream[1].url.port, 9050);
	ck_assert_str_eq(c.upstream[2].name, "a-b_9");
	ck_assert_str_eq(c.upstream[2].url.host, "::1");
	/* an upstream is not the proxy */
	ck_assert(!c.has_proxy);
	/* 31 characters is the longest name */
	good("upstream = abcdefghijklmnopqrstuvwxyz01234 h");
	ck_assert_str_eq(c.upstream[0].name, "abcdefghijklmnopqrstuvwxyz01234");
}
END_TEST

START_TEST(set_upstream_errors)
{
	bad("upstream = abcdefghijklmnopqrstuvwxyz012345 h",
	    "t.conf:1: bad name 'abcdefghijklmnopqrstuvwxyz012345' for "
	    "'upstream' (1 to 31 of a-z, 0-9, '_', '-')");
	bad("upstream = Corp h:1", "t.conf:1: bad name 'Corp' for 'upstream' "
	    "(1 to 31 of a-z, 0-9, '_', '-')");
	bad("upstream = a.b h:1", "t.conf:1: bad name 'a.b' for 'upstream' "
	    "(1 to 31 of a-z, 0-9, '_', '-')");
	/* a URL where the name should be: the password is not echoed */
	bad_secret("upstream = socks5://u:hunter2@h:1",
	    "t.conf:1: missing name before the URL for 'upstream' "
	    "(upstream = NAME URL)");
	bad_secret("upstream = u:hunter2@h:1 x",
	    "t.conf:1: missing name before the URL for 'upstream' "
	    "(upstream = NAME URL)");
	bad("upstream = corp", "t.conf:1: missing URL for 'upstream' 'corp' "
	    "(upstream = NAME URL)");
	bad("upstream = corp   # no URL", "t.conf:1: missing URL for "
	    "'upstream' 'corp' (upstream = NAME URL)");
	bad_secret("upstream = corp socks5://u:hunter2@h:99999",
	    "t.conf:1: bad value for 'upstream' 'corp': bad port '99999'");
	bad("upstream = corp ftp://h", "t.conf:1: bad value for 'upstream' "
	    "'corp': unknown scheme 'ftp'");
	bad("upstream = a h:1\nupstream = b h:2\nupstream = a h:3",
	    "t.conf:3: duplicate name 'a' for 'upstream'");
	ck_assert_uint_eq(c.n_upstream, 2);
	bad("upstream =", "t.conf:1: missing value for 'upstream'");
}
END_TEST

START_TEST(set_upstream_limit)
{
	char line[64];
	int i;

	config_defaults(&c);
	for (i = 0; i < CONFIG_MAX_HOPS; i++) {
		(void)snprintf(line, sizeof(line), "u%d h%d", i, i);
		ck_assert_int_eq(config_set(&c, "upstream", line, "x", err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(config_set(&c, "upstream", "u8 h", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x: too many 'upstream' entries (limit 8)");
	ck_assert_uint_eq(c.n_upstream, CONFIG_MAX_HOPS);
	/* a duplicate is reported as such even when full */
	ck_assert_int_eq(config_set(&c, "upstream", "u3 h", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x: duplicate name 'u3' for 'upstream'");
}
END_TEST

START_TEST(set_rule_net)
{
	good("rule = 10.0.0.0/8 direct\n"
	    "rule = fd00::/8 block\n"
	    "rule = 192.0.2.7 proxy\n"
	    "rule = 10.1.2.3/16 direct\n");
	ck_assert_uint_eq(c.n_rules, 4);
	ck_assert_int_eq(c.rules[0].match, RULE_MATCH_NET);
	ck_assert(net_is(&c.rules[0].net, "10.0.0.0/8"));
	ck_assert_int_eq(c.rules[0].action, RULE_DIRECT);
	ck_assert_int_eq(c.rules[0].upstream, -1);
	ck_assert_uint_eq(c.rules[0].line, 1);
	ck_assert(net_is(&c.rules[1].net, "fd00::/8"));
	ck_assert_int_eq(c.rules[1].action, RULE_BLOCK);
	ck_assert(net_is(&c.rules[2].net, "192.0.2.7/32"));
	ck_assert_int_eq(c.rules[2].action, RULE_PROXY);
	ck_assert_uint_eq(c.rules[2].line, 3);
	ck_assert(net_is(&c.rules[3].net, "10.1.0.0/16"));
	bad("rule = 10.0.0.0/33 direct", "t.conf:1: bad match '10.0.0.0/33' "
	    "for 'rule' (CIDR, address, host pattern, 'port N[-M]' or '*')");
	bad("rule = [::1] direct", "t.conf:1: bad match '[::1]' for 'rule' "
	    "(CIDR, address, host pattern, 'port N[-M]' or '*')");
}
END_TEST

START_TEST(set_rule_domain)
{
	good("rule = *.corp.example direct\n"
	    "rule = .corp.example proxy\n"
	    "rule = host.example. block\n");
	ck_assert_uint_eq(c.n_rules, 3);
	ck_assert_int_eq(c.rules[0].match, RULE_MATCH_DOMAIN);
	ck_assert_str_eq(c.rules[0].domain, "*.corp.example");
	ck_assert_str_eq(c.rules[1].domain, ".corp.example");
	ck_assert_str_eq(c.rules[2].domain, "host.example.");
	ck_assert(rules_domain_match(c.rules[0].domain, "git.corp.example"));
	bad("rule = a..b direct", "t.conf:1: bad match 'a..b' for 'rule' "
	    "(CIDR, address, host pattern, 'port N[-M]' or '*')");
	bad("rule = *corp direct", "t.conf:1: bad match '*corp' for 'rule' "
	    "(CIDR, address, host pattern, 'port N[-M]' or '*')");
}
END_TEST

START_TEST(set_rule_port)
{
	static const char *const bad_ports[] = {
		"0", "65536", "99999999", "-1", "1-", "-5", "5-4", "a", "1-2-3",
		"0-10", "10-0", "+1", "0x10", "1--2", "1-65536",
	};
	char text[64], msg[160];

	good("rule = port 22 direct\nrule = PORT 8000-8999 block\n"
	    "rule = port 1-65535 proxy\nrule = port 80-80 direct");
	ck_assert_uint_eq(c.n_rules, 4);
	ck_assert_int_eq(c.rules[0].match, RULE_MATCH_PORT);
	ck_assert_uint_eq(c.rules[0].port_lo, 22);
	ck_assert_uint_eq(c.rules[0].port_hi, 22);
	ck_assert_uint_eq(c.rules[1].port_lo, 8000);
	ck_assert_uint_eq(c.rules[1].port_hi, 8999);
	ck_assert_uint_eq(c.rules[2].port_lo, 1);
	ck_assert_uint_eq(c.rules[2].port_hi, 65535);
	ck_assert_uint_eq(c.rules[3].port_hi, 80);
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]);
	    i++) {
		(void)snprintf(text, sizeof(text), "rule = port %s direct",
		    bad_ports[i]);
		(void)snprintf(msg, sizeof(msg), "t.conf:1: bad port '%s' for "
		    "'rule' (port N or port N-M, 1 to 65535)", bad_ports[i]);
		bad(text, msg);
	}
	bad("rule = port 1 -2 direct", "t.conf:1: bad action '-2' for 'rule' "
	    "(direct, block, proxy or via NAME)");
	bad("rule = port", "t.conf:1: missing port for 'rule' (port N or port "
	    "N-M)");
	bad("rule = port 22", "t.conf:1: missing action after 'port 22' for "
	    "'rule' (direct, block, proxy or via NAME)");
}
END_TEST

START_TEST(set_rule_any)
{
	good("rule = * block");
	ck_assert_uint_eq(c.n_rules, 1);
	ck_assert_int_eq(c.rules[0].match, RULE_MATCH_ANY);
	ck_assert_int_eq(c.rules[0].action, RULE_BLOCK);
	bad("rule = *", "t.conf:1: missing action after '*' for 'rule' "
	    "(direct, block, proxy or via NAME)");
	bad("rule = ** direct", "t.conf:1: bad match '**' for 'rule' (CIDR, "
	    "address, host pattern, 'port N[-M]' or '*')");
}
END_TEST

START_TEST(set_rule_actions)
{
	good("rule = a.example DIRECT\nrule = b.example Block\n"
	    "rule = c.example proxy\n");
	ck_assert_int_eq(c.rules[0].action, RULE_DIRECT);
	ck_assert_int_eq(c.rules[1].action, RULE_BLOCK);
	ck_assert_int_eq(c.rules[2].action, RULE_PROXY);
	bad("rule = a.example", "t.conf:1: missing action after 'a.example' "
	    "for 'rule' (direct, block, proxy or via NAME)");
	bad("rule = a.example drop", "t.conf:1: bad action 'drop' for 'rule' "
	    "(direct, block, proxy or via NAME)");
	bad("rule = a.example direct now", "t.conf:1: unexpected 'now' after "
	    "the action for 'rule'");
	bad("rule = a.example, direct", "t.conf:1: bad match 'a.example,' for "
	    "'rule' (CIDR, address, host pattern, 'port N[-M]' or '*')");
	bad("rule =", "t.conf:1: missing value for 'rule'");
}
END_TEST

START_TEST(set_rule_via)
{
	good("upstream = corp http://proxy.corp:3128\n"
	    "upstream = tor socks5h://127.0.0.1:9050\n"
	    "rule = *.onion via tor\n"
	    "rule = 10.0.0.0/8 via corp\n"
	    "rule = port 443 proxy tor\n");
	ck_assert_uint_eq(c.n_rules, 3);
	ck_assert_int_eq(c.rules[0].action, RULE_VIA);
	ck_assert_int_eq(c.rules[0].upstream, 1);
	ck_assert_int_eq(c.rules[1].action, RULE_VIA);
	ck_assert_int_eq(c.rules[1].upstream, 0);
	/* "proxy NAME" is the same as "via NAME" */
	ck_assert_int_eq(c.rules[2].action, RULE_VIA);
	ck_assert_int_eq(c.rules[2].upstream, 1);
	bad("rule = * via corp", "t.conf:1: unknown upstream 'corp' for "
	    "'rule' (define it first: upstream = corp URL)");
	/* defined after the rule: still unknown there */
	bad("rule = * via corp\nupstream = corp h:1", "t.conf:1: unknown "
	    "upstream 'corp' for 'rule' (define it first: upstream = corp "
	    "URL)");
	bad("upstream = corp h:1\nrule = * via Corp", "t.conf:2: unknown "
	    "upstream 'Corp' for 'rule' (define it first: upstream = Corp "
	    "URL)");
	bad("upstream = corp h:1\nrule = * proxy tor", "t.conf:2: unknown "
	    "upstream 'tor' for 'rule' (define it first: upstream = tor URL)");
	bad("upstream = corp h:1\nrule = * via", "t.conf:2: missing upstream "
	    "name after 'via' for 'rule'");
	bad("upstream = corp h:1\nrule = * via corp tor", "t.conf:2: "
	    "unexpected 'tor' after the action for 'rule'");
	/* across config_set calls too (environment after a file) */
	good("upstream = corp h:1");
	ck_assert_int_eq(config_set(&c, "rule", "port 22 via corp", "env", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.rules[0].upstream, 0);
	ck_assert_uint_eq(c.rules[0].line, 0);
}
END_TEST

START_TEST(set_rule_limit)
{
	char line[64];
	int i;

	config_defaults(&c);
	for (i = 0; i < CONFIG_MAX_RULES; i++) {
		(void)snprintf(line, sizeof(line), "port %d direct", i + 1);
		ck_assert_int_eq(config_set(&c, "rule", line, "x", err,
		    sizeof(err)), 0);
	}
	ck_assert_uint_eq(c.n_rules, CONFIG_MAX_RULES);
	ck_assert_int_eq(config_set(&c, "rule", "* block", "x", err,
	    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x: too many 'rule' entries (limit 64)");
	ck_assert_uint_eq(c.n_rules, CONFIG_MAX_RULES);
	ck_assert_uint_eq(c.rules[63].port_lo, 64);
}
END_TEST

START_TEST(set_log_file)
{
	char text[400];

	good("log_file = /var/log/socksify.log");
	ck_assert_str_eq(c.log_file, "/var/log/socksify.log");
	good("log_file = /tmp/a\nlog_file = stderr");
	ck_assert_str_eq(c.log_file, "");
	bad("log_file = socksify.log", "t.conf:1: bad value 'socksify.log' "
	    "for 'log_file' (absolute path or 'stderr')");
	bad("log_file = none", "t.conf:1: bad value 'none' for 'log_file' "
	    "(absolute path or 'stderr')");
	bad("log_file =", "t.conf:1: missing value for 'log_file'");
	(void)snprintf(text, sizeof(text), "log_file = /%0255d", 0);
	bad(text, "t.conf:1: value for 'log_file' longer than 255 bytes");
	text[strlen(text) - 1] = '\0';
	good(text);
	ck_assert_uint_eq(strlen(c.log_file), 255);
	/* hosts_file's "none" and log_file's "stderr" do not mix */
	bad("hosts_file = stderr", "t.conf:1: bad value 'stderr' for "
	    "'hosts_file' (absolute path or 'none')");
}
END_TEST

START_TEST(set_io_uring)
{
	good("io_uring = allow");
	ck_assert(c.io_uring);
	good("io_uring = allow\nio_uring = Refuse");
	ck_assert(!c.io_uring);
	bad("io_uring = yes", "t.conf:1: bad value 'yes' for 'io_uring' "
	    "(refuse, allow)");
}
END_TEST

START_TEST(set_pipeline)
{
	good("pipeline = yes");
	ck_assert(c.pipeline);
	good("pipeline = yes\npipeline = NO");
	ck_assert(!c.pipeline);
	good("pipeline = true");
	ck_assert(c.pipeline);
	good("pipeline = on\npipeline = off");
	ck_assert(!c.pipeline);
	good("pipeline = false");
	ck_assert(!c.pipeline);
	bad("pipeline = 1", "t.conf:1: bad value '1' for 'pipeline' (yes, no)");
	bad("pipeline = maybe", "t.conf:1: bad value 'maybe' for 'pipeline' "
	    "(yes, no)");
}
END_TEST

START_TEST(set_backstop)
{
	good("backstop = off");
	ck_assert(!c.backstop);
	good("backstop = off\nbackstop = ON");
	ck_assert(c.backstop);
	good("backstop = no");
	ck_assert(!c.backstop);
	good("backstop = yes");
	ck_assert(c.backstop);
	bad("backstop = 0", "t.conf:1: bad value '0' for 'backstop' (on, off)");
	bad("backstop =", "t.conf:1: missing value for 'backstop'");
}
END_TEST

START_TEST(set_listen)
{
	good("timeout = 1");
	ck_assert_int_eq(c.listen, LISTEN_AUTO);	/* the default */
	good("listen = local");
	ck_assert_int_eq(c.listen, LISTEN_LOCAL);
	good("listen = local\nlisten = AUTO");
	ck_assert_int_eq(c.listen, LISTEN_AUTO);
	bad("listen = bind", "t.conf:1: bad value 'bind' for 'listen' (auto, "
	    "local)");
	bad("listen =", "t.conf:1: missing value for 'listen'");
}
END_TEST

/* Rules parsed from text, then matched: file order is match order. */
START_TEST(parse_rules_first_match)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *v4 = (const struct sockaddr *)&sin;
	const struct sockaddr *v6 = (const struct sockaddr *)&sin6;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	good("upstream = corp http://proxy.corp:3128\n"
	    "rule = 10.1.0.0/16 block\n"
	    "rule = 10.0.0.0/8 via corp\n"
	    "rule = *.corp.example via corp\n"
	    "rule = port 25 block\n"
	    "rule = * direct\n"
	    "rule = port 22 proxy\n");
	ck_assert_uint_eq(c.n_rules, 6);
	ck_assert_int_eq(inet_pton(AF_INET, "10.1.2.3", &sin.sin_addr), 1);
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules, NULL, v4, 22),
	    0);
	ck_assert_int_eq(inet_pton(AF_INET, "10.2.2.3", &sin.sin_addr), 1);
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules,
	    "git.corp.example", v4, 25), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:10.1.0.1",
	    &sin6.sin6_addr), 1);
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules, NULL, v6, 0),
	    0);
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr), 1);
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules,
	    "git.corp.example", v4, 25), 2);
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules, NULL, v4, 25),
	    3);
	/* "* direct" shadows the later port 22 rule */
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules, NULL, v4, 22),
	    4);
	ck_assert_int_eq(rules_first_match(c.rules, c.n_rules, NULL, NULL, 0),
	    4);
	ck_assert_uint_eq(c.rules[4].line, 6);
}
END_TEST

START_TEST(parse_fixture_routing)
{
	ck_assert_msg(parse_fixture("good-routing.conf") == 0, "%s", err);
	ck_assert(c.has_proxy);
	ck_assert_int_eq(c.proxy.kind, PROXY_SOCKS5H);
	ck_assert_uint_eq(c.proxy.port, 9050);
	ck_assert_uint_eq(c.n_chain, 2);
	ck_assert_int_eq(c.chain[0].kind, PROXY_HTTP);
	ck_assert_str_eq(c.chain[0].user, "user");
	ck_assert_str_eq(c.chain[0].pass, "pa ss");
	ck_assert_str_eq(c.chain[1].host, "10.0.0.2");
	ck_assert_uint_eq(c.n_fallback, 1);
	ck_assert_int_eq(c.fallback[0].kind, PROXY_SOCKS4A);
	ck_assert_uint_eq(c.n_upstream, 2);
	ck_assert_str_eq(c.upstream[1].name, "ssh");
	ck_assert_uint_eq(c.upstream[1].url.port, 1080);
	ck_assert_uint_eq(c.n_rules, 6);
	ck_assert_int_eq(c.rules[0].match, RULE_MATCH_DOMAIN);
	ck_assert_int_eq(c.rules[0].action, RULE_VIA);
	ck_assert_int_eq(c.rules[0].upstream, 0);
	ck_assert_int_eq(c.rules[1].match, RULE_MATCH_NET);
	ck_assert_int_eq(c.rules[1].action, RULE_DIRECT);
	ck_assert_int_eq(c.rules[2].match, RULE_MATCH_NET);
	ck_assert_int_eq(c.rules[3].match, RULE_MATCH_PORT);
	ck_assert_int_eq(c.rules[3].action, RULE_BLOCK);
	ck_assert_int_eq(c.rules[4].upstream, 1);
	ck_assert_int_eq(c.rules[5].match, RULE_MATCH_ANY);
	ck_assert_int_eq(c.rules[5].action, RULE_PROXY);
	ck_assert_uint_eq(c.rules[5].line, 22);
	ck_assert_str_eq(c.log_file, "/var/log/socksify.log");
	ck_assert(c.pipeline);
}
END_TEST

/* Every commented-out "#key = value" example in socksify.conf is valid. */
START_TEST(parse_socksify_conf_examples)
{
	static char text[65536];
	size_t n = read_file("socksify.conf", text, sizeof(text)), i, len;
	char line[CONFIG_LINE_MAX + 1], *eq, *p, where[64];
	unsigned lineno = 0, examples = 0;

	config_defaults(&c);
	for (i = 0; i < n; i += len + 1) {
		p = memchr(text + i, '\n', n - i);
		len = p != NULL ? (size_t)(p - (text + i)) : n - i;
		lineno++;
		ck_assert_uint_lt(len, sizeof(line));
		memcpy(line, text + i, len);
		line[len] = '\0';
		/* "#key = value" with key in [a-z0-9_] */
		for (p = line + 1; (*p >= 'a' && *p <= 'z') || *p == '_' ||
		    (*p >= '0' && *p <= '9'); p++)
			;
		if (line[0] != '#' || p == line + 1 || strncmp(p, " = ", 3) != 0)
			continue;
		eq = p;
		*eq = '\0';
		(void)snprintf(where, sizeof(where), "socksify.conf:%u",
		    lineno);
		/* config_set: a later proxy example replaces the earlier */
		ck_assert_msg(config_set(&c, line + 1, eq + 3, where, err,
		    sizeof(err)) == 0, "%s", err);
		examples++;
	}
	ck_assert_uint_ge(examples, 30);
	ck_assert_uint_ge(c.n_rules, 5);
	ck_assert_uint_ge(c.n_upstream, 2);
	ck_assert_uint_ge(c.n_chain, 1);
	ck_assert_uint_ge(c.n_fallback, 2);
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
	tcase_add_test(tc, set_dns_server);
	tcase_add_test(tc, set_placeholders);
	tcase_add_test(tc, set_hosts_file);
	tcase_add_test(tc, set_errors);
	tcase_add_test(tc, set_chain);
	tcase_add_test(tc, set_chain_limit);
	tcase_add_test(tc, set_fallback);
	tcase_add_test(tc, set_fallback_limit);
	tcase_add_test(tc, set_upstream);
	tcase_add_test(tc, set_upstream_errors);
	tcase_add_test(tc, set_upstream_limit);
	tcase_add_test(tc, set_rule_net);
	tcase_add_test(tc, set_rule_domain);
	tcase_add_test(tc, set_rule_port);
	tcase_add_test(tc, set_rule_any);
	tcase_add_test(tc, set_rule_actions);
	tcase_add_test(tc, set_rule_via);
	tcase_add_test(tc, set_rule_limit);
	tcase_add_test(tc, set_log_file);
	tcase_add_test(tc, set_pipeline);
	tcase_add_test(tc, set_backstop);
	tcase_add_test(tc, set_listen);
	tcase_add_test(tc, set_io_uring);
	suite_add_tcase(s, tc);

	tc = tcase_create("config_parse");
	tcase_add_test(tc, parse_syntax);
	tcase_add_test(tc, parse_line_endings);
	tcase_add_test(tc, parse_long_line);
	tcase_add_test(tc, parse_bounds);
	tcase_add_test(tc, parse_duplicate_proxy);
	tcase_add_test(tc, parse_rules_first_match);
	tcase_add_test(tc, parse_fixture_good);
	tcase_add_test(tc, parse_fixture_routing);
	tcase_add_test(tc, parse_fixture_bad);
	tcase_add_test(tc, parse_socksify_conf);
	tcase_add_test(tc, parse_socksify_conf_examples);
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
