/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/socks5, part 3: socks5_addr helpers (from sockaddr,
 * from name, format).  Linked into check_socks5.
 */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/socks5.h"

#define SENTINEL	0xa5

void socks5_add_addr_tcases(Suite *s);

static char name255[256];

static void
setup_name(void)
{
	memset(name255, 'a', 255);
	name255[255] = '\0';
}

static const char *
fmt(const struct socks5_addr *a)
{
	static char buf[SOCKS5_ADDR_STRLEN];

	return socks5_addr_format(a, buf, sizeof(buf));
}

START_TEST(addr_from_sockaddr_ipv4)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(8080), .sin_addr.s_addr = htonl(0x0a000001) };
	struct socks5_addr a;

	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_uint_eq(a.atyp, SOCKS5_ATYP_IPV4);
	ck_assert_uint_eq(a.len, 4);
	ck_assert_str_eq(fmt(&a), "10.0.0.1:8080");
}
END_TEST

START_TEST(addr_from_sockaddr_ipv6)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(443), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct socks5_addr a;

	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_uint_eq(a.atyp, SOCKS5_ATYP_IPV6);
	ck_assert_uint_eq(a.len, 16);
	ck_assert_str_eq(fmt(&a), "[::1]:443");
	memcpy(&sin6.sin6_addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01",
	    16);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_uint_eq(a.atyp, SOCKS5_ATYP_IPV4);	/* v4-mapped */
	ck_assert_str_eq(fmt(&a), "192.0.2.1:443");
}
END_TEST

START_TEST(addr_from_sockaddr_invalid)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr sa = { .sa_family = AF_UNIX };
	struct socks5_addr a, sent;

	memset(&sent, SENTINEL, sizeof(sent));
	a = sent;
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a, &sa, sizeof(sa)),
	    -EAFNOSUPPORT);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin, sizeof(sin) - 1), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin6, sizeof(sin6) - 1), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a, &sa, 1), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a, NULL, 16), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_sockaddr(NULL, &sa, sizeof(sa)),
	    -EINVAL);
	ck_assert_mem_eq(&a, &sent, sizeof(a));
}
END_TEST

START_TEST(addr_from_name_normal)
{
	struct socks5_addr a;

	ck_assert_int_eq(socks5_addr_from_name(&a, "example.com", 443), 0);
	ck_assert_uint_eq(a.atyp, SOCKS5_ATYP_DOMAIN);
	ck_assert_uint_eq(a.len, 11);
	ck_assert_str_eq(fmt(&a), "example.com:443");
	ck_assert_int_eq(socks5_addr_from_name(&a, name255, 1), 0);
	ck_assert_uint_eq(a.len, 255);
	ck_assert_mem_eq(a.addr, name255, 255);
}
END_TEST

/* A 256-byte name cannot reach the request encoder: rejected here. */
START_TEST(addr_from_name_invalid)
{
	char long_name[257];
	struct socks5_addr a, sent;

	memset(long_name, 'n', 256);
	long_name[256] = '\0';
	memset(&sent, SENTINEL, sizeof(sent));
	a = sent;
	ck_assert_int_eq(socks5_addr_from_name(&a, long_name, 80), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_name(&a, "", 80), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_name(&a, NULL, 80), -EINVAL);
	ck_assert_int_eq(socks5_addr_from_name(NULL, "x", 80), -EINVAL);
	ck_assert_mem_eq(&a, &sent, sizeof(a));
}
END_TEST

START_TEST(addr_format_normal)
{
	struct socks5_addr a = { .atyp = SOCKS5_ATYP_IPV6, .len = 16,
	    .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .port = 80 };

	ck_assert_str_eq(fmt(&a), "[2001:db8::1]:80");
	memcpy(a.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\0\2\1", 16);
	ck_assert_str_eq(fmt(&a), "[::ffff:192.0.2.1]:80");
	a.atyp = SOCKS5_ATYP_IPV4;
	a.len = 4;
	ck_assert_str_eq(fmt(&a), "0.0.0.0:80");
}
END_TEST

START_TEST(addr_format_domain)
{
	struct socks5_addr a;
	char want[SOCKS5_ADDR_STRLEN];

	ck_assert_int_eq(socks5_addr_from_name(&a, "a b\n\x7f", 0), 0);
	ck_assert_str_eq(fmt(&a), "a?b??:0");
	ck_assert_int_eq(socks5_addr_from_name(&a, name255, 65535), 0);
	memcpy(want, name255, 255);
	memcpy(want + 255, ":65535", 7);	/* the longest text */
	ck_assert_str_eq(fmt(&a), want);
	a.len = 0;
	ck_assert_str_eq(fmt(&a), ":65535");
}
END_TEST

START_TEST(addr_format_truncated)
{
	struct socks5_addr a = { .atyp = SOCKS5_ATYP_IPV4, .len = 4,
	    .addr = { 1, 2, 3, 4 }, .port = 80 };
	const char *full = "1.2.3.4:80";
	char buf[16];
	size_t cap;

	for (cap = 1; cap <= sizeof(buf); cap++) {
		memset(buf, 'x', sizeof(buf));
		ck_assert_ptr_eq(socks5_addr_format(&a, buf, cap), buf);
		ck_assert_uint_eq(strlen(buf), cap - 1 < 10 ? cap - 1 : 10);
		ck_assert_int_eq(strncmp(buf, full, cap - 1), 0);
	}
	buf[0] = 'x';
	ck_assert_ptr_eq(socks5_addr_format(&a, buf, 0), buf);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(addr_format_invalid)
{
	static const struct socks5_addr bad[] = {
		{ .atyp = SOCKS5_ATYP_IPV4, .len = 16 },
		{ .atyp = SOCKS5_ATYP_IPV6, .len = 4 },
		{ .atyp = 2, .len = 4 },
	};
	size_t i;

	ck_assert_str_eq(fmt(NULL), "(invalid)");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_str_eq(fmt(&bad[i]), "(invalid)");
}
END_TEST

/* ---- socks5_addr_to_sockaddr */

START_TEST(addr_to_sockaddr_roundtrip)
{
	static const char *v4 = "192.0.2.7", *v6 = "2001:db8::5";
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(8080) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(443) };
	struct sockaddr_storage ss;
	struct socks5_addr a, b;
	socklen_t len;

	ck_assert_int_eq(inet_pton(AF_INET, v4, &sin.sin_addr), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, v6, &sin6.sin6_addr), 1);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, AF_INET, &ss, &len), 0);
	ck_assert_uint_eq(len, sizeof(sin));
	ck_assert_int_eq(memcmp(&ss, &sin, sizeof(sin)), 0);
	/* IPv4 into an AF_INET6 socket: v4-mapped, and back again. */
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, AF_INET6, &ss, &len), 0);
	ck_assert_uint_eq(len, sizeof(sin6));
	ck_assert_int_eq(((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[10],
	    0xff);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&b, (struct sockaddr *)&ss,
	    len), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	ck_assert_int_eq(socks5_addr_from_sockaddr(&a,
	    (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, AF_INET6, &ss, &len), 0);
	ck_assert_int_eq(memcmp(&ss, &sin6, sizeof(sin6)), 0);
}
END_TEST

START_TEST(addr_to_sockaddr_refused)
{
	struct sockaddr_storage ss, before;
	struct socks5_addr a;
	socklen_t len = 77;

	memset(&ss, 0x5a, sizeof(ss));
	before = ss;
	ck_assert_int_eq(socks5_addr_from_name(&a, "example.com", 80), 0);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, AF_INET, &ss, &len),
	    -EAFNOSUPPORT);
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, AF_INET6, &ss, &len),
	    -EAFNOSUPPORT);
	memset(&a, 0, sizeof(a));
	a.atyp = SOCKS5_ATYP_IPV6;
	a.len = 16;
	ck_assert_int_eq(socks5_addr_to_sockaddr(&a, AF_INET, &ss, &len),
	    -EAFNOSUPPORT);
	ck_assert_int_eq(memcmp(&ss, &before, sizeof(ss)), 0);
	ck_assert_uint_eq(len, 77);
}
END_TEST

static TCase *
tc_new(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup_name, NULL);
	suite_add_tcase(s, tc);
	return tc;
}

void
socks5_add_addr_tcases(Suite *s)
{
	TCase *tc;

	tc = tc_new(s, "addr_from_sockaddr");
	tcase_add_test(tc, addr_from_sockaddr_ipv4);
	tcase_add_test(tc, addr_from_sockaddr_ipv6);
	tcase_add_test(tc, addr_from_sockaddr_invalid);
	tc = tc_new(s, "addr_to_sockaddr");
	tcase_add_test(tc, addr_to_sockaddr_roundtrip);
	tcase_add_test(tc, addr_to_sockaddr_refused);
	tc = tc_new(s, "addr_from_name");
	tcase_add_test(tc, addr_from_name_normal);
	tcase_add_test(tc, addr_from_name_invalid);
	tc = tc_new(s, "addr_format");
	tcase_add_test(tc, addr_format_normal);
	tcase_add_test(tc, addr_format_domain);
	tcase_add_test(tc, addr_format_truncated);
	tcase_add_test(tc, addr_format_invalid);
}
