/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/dns, part 1: the query parser against real captured
 * queries (tests/unit/fixtures/dns: dig, host, nslookup, glibc, c-ares,
 * Go) cut at every length, compression pointers (backwards only, loops,
 * out of range), label and name limits, EDNS, several questions, trailing
 * bytes, outputs unchanged on failure; names in text and reverse form; the
 * TCP length prefix fed a byte at a time.  Part 2 is check_dns_build.c.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dns.h"
#include "check_dns.h"

const char *const dns_fixtures[] = {
	"cares-a-1.udp", "cares-mx-1.udp", "dig-a-1.udp", "dig-aaaa-1.udp",
	"dig-dnssec-1.udp", "dig-mx-1.udp", "dig-noedns-1.udp",
	"dig-ptr-1.udp", "dig-ptr6-1.udp", "dig-tcp-1.tcp",
	"glibc-gai-1.udp", "glibc-gai-2.udp", "glibc-resquery-a-1.udp",
	"glibc-resquery-srv-1.udp", "go-host-1.udp", "go-host-2.udp",
	"go-mx-1.udp", "go-ptr-1.udp", "host-1.udp", "nslookup-1.udp",
	"python-gai-1.udp", "python-gai-2.udp", NULL
};

size_t
dns_fixture(const char *name, uint8_t *buf)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	FILE *f;
	size_t n;

	(void)snprintf(path, sizeof(path), "%s/tests/unit/fixtures/dns/%s",
	    srcdir != NULL ? srcdir : ".", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "fixture %s missing (srcdir=%s)", path,
	    srcdir != NULL ? srcdir : "(unset)");
	n = fread(buf, 1, DNS_FIXTURE_MAX, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(n > 0 && n < DNS_FIXTURE_MAX, "fixture %s: %zu bytes",
	    name, n);
	return n;
}

/* ---- a message builder independent of the code under test ------------- */

struct mb {
	uint8_t b[2048];
	size_t n;
};

static void
mb_put(struct mb *m, const void *p, size_t n)
{
	ck_assert_uint_le(m->n + n, sizeof(m->b));
	if (n > 0)	/* memcpy(_, NULL, 0) is undefined */
		memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
mb_u8(struct mb *m, unsigned v)
{
	uint8_t b = (uint8_t)v;

	mb_put(m, &b, 1);
}

static void
mb_u16(struct mb *m, unsigned v)
{
	mb_u8(m, v >> 8);
	mb_u8(m, v & 0xff);
}

static void
mb_header(struct mb *m, unsigned flags, unsigned qd, unsigned an,
    unsigned ns, unsigned ar)
{
	m->n = 0;
	mb_u16(m, 0xbeef);
	mb_u16(m, flags);
	mb_u16(m, qd);
	mb_u16(m, an);
	mb_u16(m, ns);
	mb_u16(m, ar);
}

/* Dotted text as labels and the root ("" is the root alone). */
static void
mb_name(struct mb *m, const char *text)
{
	const char *p = text, *dot;
	size_t l;

	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		mb_u8(m, (unsigned)l);
		mb_put(m, p, l);
		p += l + (dot != NULL);
	}
	mb_u8(m, 0);
}

static void
mb_question(struct mb *m, const char *name, unsigned type)
{
	mb_name(m, name);
	mb_u16(m, type);
	mb_u16(m, DNS_CLASS_IN);
}

/* OPT RR: root, size, TTL word, rdata. */
static void
mb_opt(struct mb *m, unsigned size, uint32_t ttl, const void *rd, size_t rl)
{
	mb_u8(m, 0);
	mb_u16(m, DNS_TYPE_OPT);
	mb_u16(m, size);
	mb_u16(m, ttl >> 16);
	mb_u16(m, ttl & 0xffff);
	mb_u16(m, (unsigned)rl);
	mb_put(m, rd, rl);
}

/* A plain query for name/type, with an OPT of size when size > 0. */
static void
mb_query(struct mb *m, const char *name, unsigned type, unsigned size)
{
	mb_header(m, DNS_FLAG_RD, 1, 0, 0, size > 0);
	mb_question(m, name, type);
	if (size > 0)
		mb_opt(m, size, 0, NULL, 0);
}

/* Parse must fail with want and leave *q as it was. */
static void
parse_fails(const uint8_t *msg, size_t len, int want)
{
	struct dns_query q, before;

	memset(&q, 0xa5, sizeof(q));
	before = q;
	ck_assert_int_eq(dns_parse_query(msg, len, &q), want);
	ck_assert(memcmp(&q, &before, sizeof(q)) == 0);
}

static void
parse_ok(const uint8_t *msg, size_t len, struct dns_query *q)
{
	ck_assert_int_eq(dns_parse_query(msg, len, q), 0);
}

/* ---- the captures ------------------------------------------------------- */

START_TEST(parse_query_captures)
{
	uint8_t buf[DNS_FIXTURE_MAX];
	char text[DNS_TEXT_MAX];
	struct dns_query q;
	size_t i, n;

	for (i = 0; dns_fixtures[i] != NULL; i++) {
		n = dns_fixture(dns_fixtures[i], buf);
		ck_assert_msg(dns_parse_query(buf, n, &q) == 0, "%s",
		    dns_fixtures[i]);
		ck_assert_uint_eq(q.id, (unsigned)(buf[0] << 8 | buf[1]));
		ck_assert_uint_eq(q.q.class, DNS_CLASS_IN);
		ck_assert(q.flags & DNS_FLAG_RD);
		ck_assert_int_ge(dns_name_to_text(&q.q.name, text,
		    sizeof(text)), 1);
	}
	/* dig: EDNS 1232 with a cookie option, AD set, no DO. */
	n = dns_fixture("dig-a-1.udp", buf);
	parse_ok(buf, n, &q);
	ck_assert_uint_eq(q.flags, DNS_FLAG_RD | DNS_FLAG_AD);
	ck_assert(q.edns && q.edns_size == 1232 && q.edns_version == 0 &&
	    !q.edns_do);
	ck_assert_uint_eq(q.q.type, DNS_TYPE_A);
	ck_assert(dns_name_to_text(&q.q.name, text, sizeof(text)) == 15 &&
	    strcmp(text, "www.example.com") == 0);
	ck_assert_uint_eq(dns_query_limit(&q, false), 1232);
	ck_assert_uint_eq(dns_query_limit(&q, true), 65535);
	n = dns_fixture("dig-dnssec-1.udp", buf);
	parse_ok(buf, n, &q);
	ck_assert(q.edns && q.edns_do && q.q.type == DNS_TYPE_SOA);
	/* c-ares, glibc: no EDNS, 512 bytes. */
	n = dns_fixture("cares-a-1.udp", buf);
	parse_ok(buf, n, &q);
	ck_assert(!q.edns);
	ck_assert_uint_eq(dns_query_limit(&q, false), 512);
	n = dns_fixture("glibc-resquery-srv-1.udp", buf);
	parse_ok(buf, n, &q);
	ck_assert_uint_eq(q.q.type, DNS_TYPE_SRV);
	ck_assert(dns_name_to_text(&q.q.name, text, sizeof(text)) > 0 &&
	    strcmp(text, "_http._tcp.example.com") == 0);
	/* Go: EDNS 1232, AAAA and A. */
	n = dns_fixture("go-host-1.udp", buf);
	parse_ok(buf, n, &q);
	ck_assert(q.edns && q.edns_size == 1232);
	n = dns_fixture("go-ptr-1.udp", buf);
	parse_ok(buf, n, &q);
	ck_assert_uint_eq(q.q.type, DNS_TYPE_PTR);
}
END_TEST

/* Every strict prefix of a capture is refused, *q untouched; one byte
 * more is trailing garbage. */
START_TEST(parse_query_captures_truncated)
{
	uint8_t buf[DNS_FIXTURE_MAX];
	size_t i, n, k;

	for (i = 0; dns_fixtures[i] != NULL; i++) {
		n = dns_fixture(dns_fixtures[i], buf);
		for (k = 0; k < n; k++)
			parse_fails(buf, k, k < DNS_HEADER_LEN ? -EINVAL :
			    -EBADMSG);
		buf[n] = 0;
		parse_fails(buf, n + 1, -EBADMSG);
	}
	parse_fails(NULL, 0, -EINVAL);
}
END_TEST

START_TEST(parse_query_header)
{
	uint8_t buf[DNS_FIXTURE_MAX];
	struct mb m;
	size_t n;

	n = dns_fixture("cares-a-1.udp", buf);
	buf[2] |= 0x80;				/* QR: a response */
	parse_fails(buf, n, -EINVAL);
	buf[2] = (uint8_t)((buf[2] & 0x07) | 2 << 3);	/* opcode STATUS */
	parse_fails(buf, n, -EOPNOTSUPP);
	buf[2] = (uint8_t)((buf[2] & 0x07) | 5 << 3);	/* UPDATE */
	parse_fails(buf, n, -EOPNOTSUPP);
	/* QDCOUNT 0 and 2: FORMERR, even when both questions are whole. */
	mb_header(&m, 0, 0, 0, 0, 0);
	parse_fails(m.b, m.n, -EBADMSG);
	mb_header(&m, 0, 2, 0, 0, 0);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_question(&m, "b.example", DNS_TYPE_A);
	parse_fails(m.b, m.n, -EBADMSG);
	/* A question of type OPT. */
	mb_query(&m, "a.example", DNS_TYPE_OPT, 0);
	parse_fails(m.b, m.n, -EBADMSG);
}
END_TEST

START_TEST(parse_query_sections)
{
	struct dns_query q;
	struct mb m;

	/* An answer RR whose owner points back at the question: skipped. */
	mb_header(&m, 0, 1, 1, 0, 0);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_u16(&m, 0xc00c);
	mb_u16(&m, DNS_TYPE_A);
	mb_u16(&m, 1);
	mb_u16(&m, 0);
	mb_u16(&m, 60);
	mb_u16(&m, 4);
	mb_put(&m, "\1\2\3\4", 4);
	parse_ok(m.b, m.n, &q);
	ck_assert(!q.edns);
	/* RDLENGTH past the end. */
	m.b[m.n - 5] = 5;
	parse_fails(m.b, m.n, -EBADMSG);
	/* An additional RR that is not OPT (a TSIG, say) is skipped. */
	mb_header(&m, 0, 1, 0, 0, 2);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_name(&m, "key.example");
	mb_u16(&m, 250);
	mb_u16(&m, 255);
	mb_u16(&m, 0);
	mb_u16(&m, 0);
	mb_u16(&m, 2);
	mb_u16(&m, 0);
	mb_opt(&m, 4096, 0x8000, NULL, 0);
	parse_ok(m.b, m.n, &q);
	ck_assert(q.edns && q.edns_do && q.edns_size == 4096);
}
END_TEST

START_TEST(parse_query_edns)
{
	static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t bad_opt[] = { 0, 10, 0, 9, 1, 2, 3, 4, 5, 6, 7 };
	static const unsigned sizes[] = { 0, 100, 511, 512, 513, 1232, 4096,
	    65535 };
	struct dns_query q;
	struct mb m;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		mb_header(&m, 0, 1, 0, 0, 1);
		mb_question(&m, "a.example", DNS_TYPE_A);
		mb_opt(&m, sizes[i], 0, NULL, 0);
		parse_ok(m.b, m.n, &q);
		ck_assert_uint_eq(q.edns_size, sizes[i]);
		ck_assert_uint_eq(dns_query_limit(&q, false), sizes[i] < 512 ?
		    512 : sizes[i]);
	}
	/* Version 1: parsed, reported (the answerer says BADVERS). */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_opt(&m, 1232, 0x00018000, cookie, sizeof(cookie));
	parse_ok(m.b, m.n, &q);
	ck_assert_uint_eq(q.edns_version, 1);
	ck_assert(q.edns_do);
	/* Options that do not tile the RDATA. */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_opt(&m, 1232, 0, bad_opt, sizeof(bad_opt));
	parse_fails(m.b, m.n, -EBADMSG);
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_opt(&m, 1232, 0, bad_opt, 3);	/* half an option header */
	parse_fails(m.b, m.n, -EBADMSG);
	/* Two OPT RRs (RFC 6891 §6.1.1: FORMERR). */
	mb_header(&m, 0, 1, 0, 0, 2);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_opt(&m, 1232, 0, NULL, 0);
	mb_opt(&m, 1232, 0, NULL, 0);
	parse_fails(m.b, m.n, -EBADMSG);
	/* OPT owned by another name than the root. */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_u16(&m, 0xc00c);
	mb_u16(&m, DNS_TYPE_OPT);
	mb_u16(&m, 1232);
	mb_u16(&m, 0);
	mb_u16(&m, 0);
	mb_u16(&m, 0);
	parse_fails(m.b, m.n, -EBADMSG);
	/* An OPT in the answer section is just skipped, not EDNS. */
	mb_header(&m, 0, 1, 1, 0, 0);
	mb_question(&m, "a.example", DNS_TYPE_A);
	mb_opt(&m, 1232, 0, NULL, 0);
	parse_ok(m.b, m.n, &q);
	ck_assert(!q.edns);
}
END_TEST

/* ---- names ---------------------------------------------------------------- */

START_TEST(name_decode_pointers)
{
	struct dns_name n, before;
	struct mb m;
	size_t q;

	mb_header(&m, 0, 1, 0, 0, 0);
	mb_name(&m, "www.example.com");		/* at 12 */
	q = m.n;
	/* "mail" + pointer to "example.com" inside the first name. */
	mb_u8(&m, 4);
	mb_put(&m, "mail", 4);
	mb_u16(&m, 0xc000 | 16);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, q, &n), 7);
	ck_assert_uint_eq(n.len, 18);
	ck_assert(memcmp(n.wire, "\4mail\7example\3com", 18) == 0);
	/* A pointer to a pointer, both backwards: fine. */
	mb_u16(&m, 0xc000 | (unsigned)q);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, m.n - 2, &n), 2);
	ck_assert_uint_eq(n.len, 18);

	memset(&n, 0x5a, sizeof(n));
	before = n;
	/* Into the header. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u16(&m, 0xc000 | 4);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	/* To itself. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u16(&m, 0xc000 | 12);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	/* Forwards (to a valid name after it). */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u16(&m, 0xc000 | 14);
	mb_name(&m, "a");
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	/* Past the end. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_name(&m, "a");
	mb_u16(&m, 0xc000 | 0x3fff);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 15, &n), -EBADMSG);
	/* Half a pointer at the end. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_name(&m, "a");
	mb_u8(&m, 0xc0);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 15, &n), -EBADMSG);
	/* A loop: "a" + pointer at 14 back to 12, entered from 16 -> 12
	 * would be fine, but the inner pointer goes to 12 = the run it is
	 * in: not strictly backwards. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u8(&m, 1);
	mb_u8(&m, 'a');
	mb_u16(&m, 0xc000 | 12);
	mb_u16(&m, 0xc000 | 12);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 16, &n), -EBADMSG);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	/* Two pointers to each other. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u16(&m, 0xc000 | 14);
	mb_u16(&m, 0xc000 | 12);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 14, &n), -EBADMSG);
	/* Label types 0x40 and 0x80. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u8(&m, 0x41);
	mb_put(&m, "\0\0", 2);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	m.b[12] = 0x81;
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	/* A label running past the end. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u8(&m, 5);
	mb_put(&m, "abc", 3);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, m.n, &n), -EBADMSG);
	ck_assert(memcmp(&n, &before, sizeof(n)) == 0);
}
END_TEST

/* 63-byte labels are fine, 64 is a bad label type; 255 wire bytes are
 * fine, 256 are not, also when pointers assemble them. */
START_TEST(name_decode_limits)
{
	char label[64];
	struct dns_name n;
	struct mb m;
	size_t start, i, p1;

	memset(label, 'x', sizeof(label));
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u8(&m, 63);
	mb_put(&m, label, 63);
	mb_u8(&m, 0);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), 65);
	m.b[12] = 64;
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);

	/* 4 labels of 63 + one of 1 + root = 4 * 64 + 2 + 1 = 259: too long;
	 * 3 of 63 + one of 61 + root = 192 + 62 + 1 = 255: the limit. */
	mb_header(&m, 0, 1, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		mb_u8(&m, 63);
		mb_put(&m, label, 63);
	}
	mb_u8(&m, 61);
	mb_put(&m, label, 61);
	mb_u8(&m, 0);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), 255);
	ck_assert_uint_eq(n.len, 255);
	m.b[12 + 192] = 62;
	m.n = 12 + 192;
	mb_u8(&m, 62);
	mb_put(&m, label, 62);
	mb_u8(&m, 0);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), -EBADMSG);

	/* Through pointers: 200 bytes of labels, then 60 more pointing to
	 * them: 260 decoded bytes. */
	mb_header(&m, 0, 1, 0, 0, 0);
	start = m.n;
	for (i = 0; i < 4; i++) {
		mb_u8(&m, 49);
		mb_put(&m, label, 49);
	}
	mb_u8(&m, 0);				/* 201 bytes */
	p1 = m.n;
	mb_u8(&m, 59);
	mb_put(&m, label, 59);
	mb_u16(&m, 0xc000 | (unsigned)start);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, start, &n), 201);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, p1, &n), -EBADMSG);
}
END_TEST

START_TEST(name_text)
{
	char text[DNS_TEXT_MAX + 1], small[16], label[70];
	struct dns_name n, before;
	struct mb m;
	size_t i;

	ck_assert_int_eq(dns_name_from_text(&n, "WWW.Example.com."), 0);
	ck_assert_uint_eq(n.len, 17);
	ck_assert_int_eq(dns_name_to_text(&n, text, sizeof(text)), 15);
	ck_assert_str_eq(text, "WWW.Example.com");
	ck_assert_int_eq(dns_name_from_text(&before, "www.example.COM"), 0);
	ck_assert(dns_name_equal(&n, &before));
	ck_assert_int_eq(dns_name_from_text(&before, "www.example.org"), 0);
	ck_assert(!dns_name_equal(&n, &before));
	/* Root. */
	ck_assert_int_eq(dns_name_from_text(&n, "."), 0);
	ck_assert_uint_eq(n.len, 1);
	ck_assert_int_eq(dns_name_to_text(&n, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(dns_name_from_text(&n, ""), 0);
	ck_assert_uint_eq(n.len, 1);
	/* Bad text. */
	memset(&n, 0x5a, sizeof(n));
	before = n;
	ck_assert_int_eq(dns_name_from_text(&n, "a..b"), -EINVAL);
	ck_assert_int_eq(dns_name_from_text(&n, ".a"), -EINVAL);
	ck_assert_int_eq(dns_name_from_text(&n, "a b"), -EINVAL);
	ck_assert_int_eq(dns_name_from_text(&n, "a\x7f"), -EINVAL);
	ck_assert_int_eq(dns_name_from_text(&n, NULL), -EINVAL);
	memset(label, 'y', sizeof(label));
	label[64] = '\0';
	ck_assert_int_eq(dns_name_from_text(&n, label), -EINVAL);
	ck_assert(memcmp(&n, &before, sizeof(n)) == 0);
	label[63] = '\0';
	ck_assert_int_eq(dns_name_from_text(&n, label), 0);
	/* 253 characters = 255 wire bytes; 254 is too long. */
	memset(text, 'z', sizeof(text));
	for (i = 63; i < 253; i += 64)
		text[i] = '.';
	text[253] = '\0';
	ck_assert_int_eq(dns_name_from_text(&n, text), 0);
	ck_assert_uint_eq(n.len, 255);
	ck_assert_int_eq(dns_name_to_text(&n, text, sizeof(text)), 253);
	text[253] = 'z';
	text[254] = '\0';
	ck_assert_int_eq(dns_name_from_text(&n, text), -EINVAL);
	/* Wire bytes a host name cannot have: a dot, a space, 0x80. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_u8(&m, 3);
	mb_put(&m, "a.b", 3);
	mb_u8(&m, 0);
	ck_assert_int_eq(dns_name_decode(m.b, m.n, 12, &n), 5);
	strcpy(small, "unchanged");
	ck_assert_int_eq(dns_name_to_text(&n, small, sizeof(small)), -EINVAL);
	n.wire[2] = ' ';
	ck_assert_int_eq(dns_name_to_text(&n, small, sizeof(small)), -EINVAL);
	n.wire[2] = 0x80;
	ck_assert_int_eq(dns_name_to_text(&n, small, sizeof(small)), -EINVAL);
	n.len = 4;	/* no root label */
	n.wire[2] = 'x';
	ck_assert_int_eq(dns_name_to_text(&n, small, sizeof(small)), -EINVAL);
	/* The exact cap: "abc" needs 4 bytes. */
	ck_assert_int_eq(dns_name_from_text(&n, "abc"), 0);
	ck_assert_int_eq(dns_name_to_text(&n, small, 3), -ENOSPC);
	ck_assert_str_eq(small, "unchanged");
	ck_assert_int_eq(dns_name_to_text(&n, small, 4), 3);
	ck_assert_str_eq(small, "abc");
}
END_TEST

START_TEST(reverse_names)
{
	static const char *const not_addr[] = {
		"18.198.in-addr.arpa", "5.0.18.198.in-addr", "05.0.18.198.in-addr.arpa",
		"256.0.18.198.in-addr.arpa", "a.0.18.198.in-addr.arpa",
		"1.5.0.18.198.in-addr.arpa", "5.0.18.198.in-addr.arpa.x",
		"5.0.18.198.ip6.arpa", "www.example.com", "",
		"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.f.5.c.e.5.d.ip6"
		    ".arpa",
		"g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.f.5.c.e.5.d.f"
		    ".ip6.arpa",
		"50.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.f.5.c.e.5.d.f"
		    ".ip6.arpa",
		NULL };
	uint8_t buf[DNS_FIXTURE_MAX], addr[16], want[16], mark[16];
	struct dns_query q;
	struct dns_name n, m;
	char text[DNS_TEXT_MAX];
	int family, i, j;
	size_t len;

	ck_assert_int_eq(dns_name_from_text(&n, "5.0.18.198.IN-ADDR.Arpa"), 0);
	ck_assert_int_eq(dns_reverse_to_addr(&n, &family, addr), 0);
	ck_assert_int_eq(family, AF_INET);
	ck_assert(memcmp(addr, "\xc6\x12\x00\x05", 4) == 0);
	ck_assert_int_eq(dns_name_from_text(&n, "0.0.0.0.in-addr.arpa"), 0);
	ck_assert_int_eq(dns_reverse_to_addr(&n, &family, addr), 0);
	ck_assert_int_eq(dns_name_from_text(&n, "255.255.255.255.in-addr."
	    "arpa"), 0);
	ck_assert_int_eq(dns_reverse_to_addr(&n, &family, addr), 0);
	ck_assert(memcmp(addr, "\xff\xff\xff\xff", 4) == 0);
	memset(mark, 0x77, sizeof(mark));
	for (i = 0; not_addr[i] != NULL; i++) {
		ck_assert_int_eq(dns_name_from_text(&n, not_addr[i]), 0);
		memcpy(addr, mark, 16);
		family = 99;
		ck_assert_msg(dns_reverse_to_addr(&n, &family, addr) == -ENOENT,
		    "%s", not_addr[i]);
		ck_assert(family == 99 && memcmp(addr, mark, 16) == 0);
	}
	/* The captures of dig -x and Go's LookupAddr. */
	len = dns_fixture("dig-ptr-1.udp", buf);
	parse_ok(buf, len, &q);
	ck_assert_int_eq(dns_reverse_to_addr(&q.q.name, &family, addr), 0);
	ck_assert(family == AF_INET && memcmp(addr, "\xc6\x12\0\5", 4) == 0);
	len = dns_fixture("go-ptr-1.udp", buf);
	parse_ok(buf, len, &q);
	ck_assert_int_eq(dns_reverse_to_addr(&q.q.name, &family, addr), 0);
	ck_assert(family == AF_INET && memcmp(addr, "\xc6\x12\0\5", 4) == 0);
	len = dns_fixture("dig-ptr6-1.udp", buf);
	parse_ok(buf, len, &q);
	ck_assert_int_eq(dns_reverse_to_addr(&q.q.name, &family, addr), 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "fd5e:c5f1::5", want), 1);
	ck_assert(family == AF_INET6 && memcmp(addr, want, 16) == 0);
	/* Round trips, upper-case nibbles too. */
	for (i = 0; i < 256; i++) {
		for (j = 0; j < 16; j++)
			want[j] = (uint8_t)(i * 37 + j * 11);
		ck_assert_int_eq(dns_reverse_from_addr(&n, AF_INET, want), 0);
		ck_assert_int_eq(dns_reverse_to_addr(&n, &family, addr), 0);
		ck_assert(family == AF_INET && memcmp(addr, want, 4) == 0);
		ck_assert_int_eq(dns_reverse_from_addr(&n, AF_INET6, want), 0);
		ck_assert_uint_eq(n.len, 74);
		ck_assert_int_ge(dns_name_to_text(&n, text, sizeof(text)), 1);
		for (j = 0; text[j] != '\0'; j++)
			if (text[j] >= 'a' && text[j] <= 'f')
				text[j] = (char)(text[j] - 32);
		ck_assert_int_eq(dns_name_from_text(&m, text), 0);
		ck_assert_int_eq(dns_reverse_to_addr(&m, &family, addr), 0);
		ck_assert(family == AF_INET6 && memcmp(addr, want, 16) == 0);
	}
	ck_assert_int_eq(dns_reverse_from_addr(&n, AF_UNIX, want),
	    -EAFNOSUPPORT);
}
END_TEST

/* ---- TCP framing ---------------------------------------------------------- */

START_TEST(tcp_frame)
{
	uint8_t buf[DNS_FIXTURE_MAX + 2], two[2];
	size_t i, n, k, need;
	ssize_t rc;

	ck_assert_int_eq(dns_tcp_put_length(two, 2, 0), -EINVAL);
	ck_assert_int_eq(dns_tcp_put_length(two, 2, 65536), -EINVAL);
	ck_assert_int_eq(dns_tcp_put_length(two, 1, 12), -ENOSPC);
	ck_assert_int_eq(dns_tcp_put_length(two, 2, 65535), 2);
	ck_assert(two[0] == 0xff && two[1] == 0xff);
	/* Every capture framed, fed one byte more at a time. */
	for (i = 0; dns_fixtures[i] != NULL; i++) {
		n = dns_fixture(dns_fixtures[i], buf + 2);
		ck_assert_int_eq(dns_tcp_put_length(buf, 2, n), 2);
		for (k = 0; k < n + 2; k++) {
			need = 0;
			ck_assert_int_eq(dns_tcp_frame(buf, k, &need), 0);
			ck_assert_uint_eq(need, k < 2 ? 2 : n + 2);
			ck_assert_int_eq(dns_tcp_frame(buf, k, NULL), 0);
		}
		need = 12345;
		rc = dns_tcp_frame(buf, n + 2, &need);
		ck_assert_int_eq(rc, (ssize_t)n + 2);
		ck_assert_uint_eq(need, 12345);
		/* A second message behind it is not swallowed. */
		ck_assert_int_eq(dns_tcp_frame(buf, sizeof(buf), NULL),
		    (ssize_t)n + 2);
	}
	/* Shorter than a header: no DNS message. */
	two[0] = 0;
	two[1] = 11;
	ck_assert_int_eq(dns_tcp_frame(two, 2, &need), -EBADMSG);
	two[1] = 0;
	ck_assert_int_eq(dns_tcp_frame(two, 2, &need), -EBADMSG);
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc;

	tc = tcase_create("dns_parse_query");
	tcase_add_test(tc, parse_query_captures);
	tcase_add_test(tc, parse_query_captures_truncated);
	tcase_add_test(tc, parse_query_header);
	tcase_add_test(tc, parse_query_sections);
	tcase_add_test(tc, parse_query_edns);
	suite_add_tcase(s, tc);

	tc = tcase_create("dns_name");
	tcase_add_test(tc, name_decode_pointers);
	tcase_add_test(tc, name_decode_limits);
	tcase_add_test(tc, name_text);
	tcase_add_test(tc, reverse_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("dns_tcp");
	tcase_add_test(tc, tcp_frame);
	suite_add_tcase(s, tc);

	dns_add_build_tcases(s);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
