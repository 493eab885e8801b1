/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/dns, part 2: responses to the captured queries
 * (ID, flags, question and EDNS echoed), answers and their compression,
 * TC at the exact size boundaries (512, EDNS, cap, TCP), BADVERS, the SOA,
 * records copied from a forwarder's response, header-only errors, queries
 * for forwarding, and the response parser cut at every length.  Linked
 * into check_dns.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dns.h"
#include "check_dns.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A query for text/type, EDNS of size (0: none), parsed into *q. */
static void
make_query(struct dns_query *q, const char *text, uint16_t type,
    uint16_t size)
{
	memset(q, 0, sizeof(*q));
	q->id = 0x4242;
	q->flags = DNS_FLAG_RD;
	ck_assert_int_eq(dns_name_from_text(&q->q.name, text), 0);
	q->q.type = type;
	q->q.class = DNS_CLASS_IN;
	q->edns = size > 0;
	q->edns_size = size;
}

START_TEST(reply_echo_captures)
{
	uint8_t buf[DNS_FIXTURE_MAX], out[DNS_MSG_MAX];
	struct dns_response rs;
	struct dns_query q;
	struct dns_reply r;
	struct dns_rr rr;
	size_t i, n, len, qend;
	uint16_t flags;
	ssize_t off;

	for (i = 0; dns_fixtures[i] != NULL; i++) {
		n = dns_fixture(dns_fixtures[i], buf);
		ck_assert_int_eq(dns_parse_query(buf, n, &q), 0);
		ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out),
		    dns_query_limit(&q, false), &q, DNS_RCODE_NOERROR, 0), 0);
		len = dns_reply_finish(&r);
		qend = DNS_HEADER_LEN + q.q.name.len + 4u;
		ck_assert_uint_eq(len, qend + (q.edns ? DNS_OPT_LEN : 0));
		ck_assert(memcmp(out, buf, 2) == 0);		/* ID */
		flags = get16(out + 2);
		ck_assert_uint_eq(flags, DNS_FLAG_QR | DNS_FLAG_RA |
		    (q.flags & (DNS_FLAG_RD | DNS_FLAG_CD)));
		ck_assert_uint_eq(get16(out + 4), 1);
		ck_assert_uint_eq(get16(out + 6), 0);
		ck_assert_uint_eq(get16(out + 8), 0);
		ck_assert_uint_eq(get16(out + 10), q.edns ? 1 : 0);
		/* The question byte for byte (the client compares it). */
		ck_assert(memcmp(out + 12, buf + 12, qend - 12) == 0);
		ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
		ck_assert(dns_name_equal(&rs.q.name, &q.q.name));
		if (!q.edns)
			continue;
		off = dns_parse_rr(out, len, rs.rr, &rr);
		ck_assert_int_eq(off, (ssize_t)len);
		ck_assert(rr.name.len == 1 && rr.type == DNS_TYPE_OPT &&
		    rr.class == DNS_EDNS_SIZE && rr.rdlen == 0);
		ck_assert_uint_eq(rr.ttl, q.edns_do ? 0x8000u : 0u);
	}
}
END_TEST

START_TEST(reply_answers)
{
	static const uint8_t a_rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60,
	    0, 4, 1, 2, 3, 4 };
	uint8_t buf[DNS_FIXTURE_MAX], out[1024], v6[16] = { 0xfd, [15] = 9 };
	struct dns_name target;
	struct dns_response rs;
	struct dns_query q;
	struct dns_reply r;
	struct dns_rr rr;
	size_t n, len, qend;
	ssize_t off;

	n = dns_fixture("dig-a-1.udp", buf);
	ck_assert_int_eq(dns_parse_query(buf, n, &q), 0);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 1232, &q,
	    DNS_RCODE_NOERROR, DNS_REPLY_AA), 0);
	ck_assert_int_eq(dns_reply_add_addr(&r, 60, AF_INET,
	    (const uint8_t *)"\1\2\3\4"), 0);
	ck_assert_int_eq(dns_reply_add_addr(&r, 60, AF_INET6, v6), 0);
	ck_assert_int_eq(dns_reply_add_addr(&r, 60, AF_UNIX, v6), -EINVAL);
	len = dns_reply_finish(&r);
	qend = DNS_HEADER_LEN + q.q.name.len + 4u;
	ck_assert_uint_eq(len, qend + 16 + 28 + DNS_OPT_LEN);
	ck_assert(memcmp(out + qend, a_rr, sizeof(a_rr)) == 0);
	ck_assert(get16(out + 2) & DNS_FLAG_AA);
	ck_assert_uint_eq(get16(out + 6), 2);
	ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
	off = dns_parse_rr(out, len, rs.rr + 16, &rr);
	ck_assert_int_gt(off, 0);
	ck_assert(rr.type == DNS_TYPE_AAAA && rr.rdlen == 16 &&
	    memcmp(out + rr.rdata, v6, 16) == 0);
	ck_assert(dns_name_equal(&rr.name, &q.q.name));
	/* Finishing twice adds no second OPT. */
	ck_assert_uint_eq(dns_reply_finish(&r), len);

	/* PTR: the target uncompressed. */
	n = dns_fixture("dig-ptr-1.udp", buf);
	ck_assert_int_eq(dns_parse_query(buf, n, &q), 0);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q,
	    DNS_RCODE_NOERROR, 0), 0);
	ck_assert_int_eq(dns_name_from_text(&target, "www.sx.test"), 0);
	ck_assert_int_eq(dns_reply_add_ptr(&r, 60, &target), 0);
	len = dns_reply_finish(&r);
	ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
	ck_assert_int_gt(dns_parse_rr(out, len, rs.rr, &rr), 0);
	ck_assert(rr.type == DNS_TYPE_PTR && rr.rdlen == target.len &&
	    memcmp(out + rr.rdata, target.wire, target.len) == 0);
}
END_TEST

/* Owner names point at the longest suffix they share with the question. */
START_TEST(reply_compression)
{
	static const struct {
		const char *owner;
		const char *want;
		size_t wlen;
	} v[] = {
		{ "example.com", "\xc0\x0c", 2 },
		{ "EXAMPLE.Com", "\xc0\x0c", 2 },
		{ "mail.example.com", "\4mail\xc0\x0c", 7 },
		{ "com", "\xc0\x14", 2 },
		{ "xexample.com", "\10xexample\xc0\x14", 11 },
		{ "other.org", "\5other\3org", 11 },
		{ "", "", 1 },
	};
	uint8_t out[512];
	struct dns_query q;
	struct dns_reply r;
	struct dns_name owner;
	size_t i, at;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		make_query(&q, "example.com", DNS_TYPE_MX, 0);
		ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q,
		    DNS_RCODE_NOERROR, 0), 0);
		at = DNS_HEADER_LEN + q.q.name.len + 4u;
		ck_assert_int_eq(dns_name_from_text(&owner, v[i].owner), 0);
		ck_assert_int_eq(dns_reply_add(&r, DNS_SECTION_ANSWER, &owner,
		    DNS_TYPE_TXT, DNS_CLASS_IN, 1, (const uint8_t *)"\1x", 2),
		    0);
		ck_assert_uint_eq(dns_reply_finish(&r), at + v[i].wlen + 12);
		ck_assert_msg(memcmp(out + at, v[i].want, v[i].wlen) == 0,
		    "owner %s", v[i].owner);
	}
	/* A bad owner name. */
	owner.len = 3;
	memcpy(owner.wire, "\5ab", 3);
	ck_assert_int_eq(dns_reply_add(&r, DNS_SECTION_ANSWER, &owner,
	    DNS_TYPE_TXT, DNS_CLASS_IN, 1, NULL, 0), -EINVAL);
}
END_TEST

/* Fill with A records: n fit exactly into limit, the next is dropped
 * with TC, and the message never passes the limit. */
static void
fill(const char *name, uint16_t edns, size_t cap, size_t limit,
    unsigned fits)
{
	uint8_t out[DNS_MSG_MAX + 1];
	struct dns_query q;
	struct dns_reply r;
	unsigned i;
	size_t len, lim = cap < limit ? cap : limit;

	make_query(&q, name, DNS_TYPE_A, edns);
	/* Exactly n: no TC. */
	ck_assert_int_eq(dns_reply_start(&r, out, cap, limit, &q, 0, 0), 0);
	for (i = 0; i < fits; i++)
		ck_assert_int_eq(dns_reply_add_addr(&r, 1, AF_INET,
		    (const uint8_t *)"\1\1\1\1"), 0);
	len = dns_reply_finish(&r);
	ck_assert_uint_le(len, lim);
	ck_assert(!(get16(out + 2) & DNS_FLAG_TC));
	ck_assert_uint_eq(get16(out + 6), fits);
	/* One more: dropped whole, TC, then nothing more goes in. */
	ck_assert_int_eq(dns_reply_start(&r, out, cap, limit, &q, 0, 0), 0);
	for (i = 0; i < fits; i++)
		ck_assert_int_eq(dns_reply_add_addr(&r, 1, AF_INET,
		    (const uint8_t *)"\1\1\1\1"), 0);
	ck_assert_int_eq(dns_reply_add_addr(&r, 1, AF_INET,
	    (const uint8_t *)"\2\2\2\2"), -EMSGSIZE);
	ck_assert_int_eq(dns_reply_add_soa(&r, 1), -EMSGSIZE);
	ck_assert_uint_eq(dns_reply_finish(&r), len);
	ck_assert(get16(out + 2) & DNS_FLAG_TC);
	ck_assert_uint_eq(get16(out + 6), fits);
	ck_assert_uint_eq(get16(out + 8), 0);
	if (edns > 0) {		/* the OPT RR is still there, last */
		ck_assert_uint_eq(get16(out + 10), 1);
		ck_assert_uint_eq(get16(out + len - 10), DNS_TYPE_OPT);
	}
}

START_TEST(reply_truncation)
{
	/* 12 + (16 + 4) + 30 * 16 = 512 exactly. */
	fill("abcdefghijklmn", 0, DNS_MSG_MAX, 512, 30);
	/* EDNS 512: 12 + (21 + 4) + 29 * 16 + 11 = 512. */
	fill("abcdefghijklmnopqrs", 512, DNS_MSG_MAX, 512, 29);
	/* The OPT's 11 bytes are kept free: 12 + 20 + 29 * 16 + 11 = 507,
	 * and a 30th record (512 without the OPT) does not go in. */
	fill("abcdefghijklmn", 512, DNS_MSG_MAX, 512, 29);
	/* EDNS 1232 limit: (1232 - 12 - 25 - 11) / 16 = 74, 1184 + 48. */
	fill("abcdefghijklmnopqrs", 1232, DNS_MSG_MAX, 1232, 74);
	/* cap below the limit: cap rules. 12 + 20 + 4 * 16 = 96 <= 100. */
	fill("abcdefghijklmn", 0, 100, 512, 4);
	/* TCP: 12 + 20 + 4093 * 16 = 65520 <= 65535. */
	fill("abcdefghijklmn", 0, DNS_MSG_MAX + 1, DNS_MSG_MAX, 4093);
}
END_TEST

START_TEST(reply_additional_no_tc)
{
	uint8_t out[512];
	struct dns_query q;
	struct dns_reply r;
	unsigned i;

	make_query(&q, "abcdefghijklmn", DNS_TYPE_A, 0);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q, 0, 0),
	    0);
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(dns_reply_add(&r, DNS_SECTION_ADDITIONAL,
		    NULL, DNS_TYPE_A, DNS_CLASS_IN, 1,
		    (const uint8_t *)"\1\1\1\1", 4), 0);
	ck_assert_int_eq(dns_reply_add(&r, DNS_SECTION_ADDITIONAL, NULL,
	    DNS_TYPE_A, DNS_CLASS_IN, 1, (const uint8_t *)"\1\1\1\1", 4),
	    -EMSGSIZE);
	ck_assert_uint_eq(dns_reply_finish(&r), 512);
	ck_assert(!(get16(out + 2) & DNS_FLAG_TC));
	ck_assert_uint_eq(get16(out + 10), 30);
	/* Sections in order only. */
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q, 0, 0),
	    0);
	ck_assert_int_eq(dns_reply_add_soa(&r, 5), 0);
	ck_assert_int_eq(dns_reply_add_addr(&r, 1, AF_INET,
	    (const uint8_t *)"\1\1\1\1"), -EINVAL);
	ck_assert_int_eq(dns_reply_add(&r, DNS_SECTION_ANSWER + 3, NULL, 1, 1,
	    1, NULL, 0), -EINVAL);
	ck_assert_int_eq(dns_reply_add(&r, DNS_SECTION_ADDITIONAL, NULL, 1, 1,
	    1, NULL, 65536), -EINVAL);
}
END_TEST

START_TEST(reply_start_errors)
{
	uint8_t out[600], before[600];
	struct dns_response rs;
	struct dns_query q;
	struct dns_reply r;
	struct dns_rr rr;
	size_t len, need;

	make_query(&q, "a.example", DNS_TYPE_A, 1232);
	need = DNS_HEADER_LEN + q.q.name.len + 4 + DNS_OPT_LEN;
	memset(out, 0xa5, sizeof(out));
	memcpy(before, out, sizeof(out));
	ck_assert_int_eq(dns_reply_start(&r, out, need - 1, 512, &q, 0, 0),
	    -ENOSPC);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), need - 1, &q,
	    0, 0), -ENOSPC);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q,
	    0x1000, 0), -EINVAL);
	ck_assert_int_eq(dns_reply_start(&r, NULL, sizeof(out), 512, &q, 0,
	    0), -EINVAL);
	ck_assert(memcmp(out, before, sizeof(out)) == 0);
	ck_assert_int_eq(dns_reply_start(&r, out, need, 512, &q, 0, 0), 0);
	ck_assert_uint_eq(dns_reply_finish(&r), need);

	/* BADVERS (16): RCODE 0 in the header, 1 in the OPT's TTL. */
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q,
	    DNS_RCODE_BADVERS, 0), 0);
	len = dns_reply_finish(&r);
	ck_assert_uint_eq(DNS_RCODE(get16(out + 2)), 0);
	ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
	ck_assert_int_eq(dns_parse_rr(out, len, rs.rr, &rr), (ssize_t)len);
	ck_assert_uint_eq(rr.ttl, 0x01000000u);
	q.edns = false;
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q,
	    DNS_RCODE_BADVERS, 0), -EINVAL);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q,
	    DNS_RCODE_NXDOMAIN, 0), 0);
	(void)dns_reply_finish(&r);
	ck_assert_uint_eq(get16(out + 2), DNS_FLAG_QR | DNS_FLAG_RD |
	    DNS_FLAG_RA | DNS_RCODE_NXDOMAIN);
}
END_TEST

START_TEST(reply_soa)
{
	static const uint8_t mname[] = "\10socksify\7invalid";
	uint8_t out[512];
	struct dns_response rs;
	struct dns_name n;
	struct dns_query q;
	struct dns_reply r;
	struct dns_rr rr;
	size_t len;
	ssize_t used;

	make_query(&q, "www.example.com", DNS_TYPE_MX, 0);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q, 0, 0),
	    0);
	ck_assert_int_eq(dns_reply_add_soa(&r, 60), 0);
	len = dns_reply_finish(&r);
	ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
	ck_assert(rs.count[0] == 0 && rs.count[1] == 1 && rs.count[2] == 0);
	ck_assert_int_eq(dns_parse_rr(out, len, rs.rr, &rr), (ssize_t)len);
	ck_assert(rr.type == DNS_TYPE_SOA && rr.ttl == 60);
	ck_assert(dns_name_equal(&rr.name, &q.q.name));
	used = dns_name_decode(out, len, rr.rdata, &n);
	ck_assert_int_eq(used, (ssize_t)sizeof(mname));
	ck_assert(memcmp(n.wire, mname, sizeof(mname)) == 0);
	used += dns_name_decode(out, len, rr.rdata + (size_t)used, &n);
	ck_assert_uint_eq(rr.rdlen, (size_t)used + 20);
	ck_assert_uint_eq(get16(out + rr.rdata + rr.rdlen - 2), 60);
}
END_TEST

/* A forwarder's response with compressed names in RDATA (MX, SRV, SOA)
 * and verbatim RDATA (TXT), copied into our reply. */
START_TEST(reply_copy_rr)
{
	static const uint8_t up[] =
	    "\x12\x34\x81\x80\0\1\0\3\0\1\0\0"
	    "\7example\3com\0\0\x0f\0\1"			/* 12: q */
	    "\xc0\x0c\0\x0f\0\1\0\0\1\0\0\x09\0\x0a\4mail\xc0\x0c"	/* MX */
	    "\xc0\x0c\0\x10\0\1\0\0\0\5\0\6\5hello"		/* TXT */
	    "\xc0\x0c\0\x21\0\1\0\0\0\5\0\x0c\0\1\0\2\0\x19\3srv\xc0\x0c"
	    "\xc0\x0c\0\6\0\1\0\0\0\7\0\x1b\2ns\xc0\x0c\xc0\x2b"
	    "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5";	/* SOA */
	static const uint8_t mx[] = "\0\x0a\4mail\7example\3com";
	static const uint8_t srv[] = "\0\1\0\2\0\x19\3srv\7example\3com";
	uint8_t out[1024];
	struct dns_response up_r, rs;
	struct dns_query q;
	struct dns_reply r;
	struct dns_rr rr[4], got;
	size_t len, i;
	ssize_t off;

	ck_assert_int_eq(dns_parse_response(up, sizeof(up) - 1, &up_r), 0);
	off = (ssize_t)up_r.rr;
	for (i = 0; i < 4; i++) {
		off = dns_parse_rr(up, sizeof(up) - 1, (size_t)off, &rr[i]);
		ck_assert_int_gt(off, 0);
	}
	ck_assert_int_eq(off, (ssize_t)sizeof(up) - 1);
	make_query(&q, "EXAMPLE.com", DNS_TYPE_MX, 0);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q, 0, 0),
	    0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(dns_reply_copy_rr(&r, DNS_SECTION_ANSWER, up,
		    sizeof(up) - 1, &rr[i]), 0);
	ck_assert_int_eq(dns_reply_copy_rr(&r, DNS_SECTION_AUTHORITY, up,
	    sizeof(up) - 1, &rr[3]), 0);
	len = dns_reply_finish(&r);
	ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
	ck_assert(rs.count[0] == 3 && rs.count[1] == 1);
	off = dns_parse_rr(out, len, rs.rr, &got);
	ck_assert(got.type == DNS_TYPE_MX && got.ttl == 256 &&
	    got.rdlen == sizeof(mx) &&
	    memcmp(out + got.rdata, mx, sizeof(mx)) == 0);
	off = dns_parse_rr(out, len, (size_t)off, &got);
	ck_assert(got.type == DNS_TYPE_TXT && got.rdlen == 6 &&
	    memcmp(out + got.rdata, "\5hello", 6) == 0);
	off = dns_parse_rr(out, len, (size_t)off, &got);
	ck_assert(got.type == DNS_TYPE_SRV && got.rdlen == sizeof(srv) &&
	    memcmp(out + got.rdata, srv, sizeof(srv)) == 0);
	off = dns_parse_rr(out, len, (size_t)off, &got);
	ck_assert(got.type == DNS_TYPE_SOA &&
	    got.rdlen == 16 + 18 + 20);	/* ns.example.com mail.example.com */
	ck_assert_int_eq(off, (ssize_t)len);

	/* RDATA whose name runs past RDLENGTH, or too short for the
	 * fixed part: refused, nothing added. */
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 512, &q, 0, 0),
	    0);
	got = rr[0];
	got.rdlen = 8;
	ck_assert_int_eq(dns_reply_copy_rr(&r, DNS_SECTION_ANSWER, up,
	    sizeof(up) - 1, &got), -EBADMSG);
	got.rdlen = 1;
	ck_assert_int_eq(dns_reply_copy_rr(&r, DNS_SECTION_ANSWER, up,
	    sizeof(up) - 1, &got), -EBADMSG);
	got = rr[3];
	got.rdlen = (uint16_t)(got.rdlen - 1);
	ck_assert_int_eq(dns_reply_copy_rr(&r, DNS_SECTION_ANSWER, up,
	    sizeof(up) - 1, &got), -EBADMSG);
	got.rdata = sizeof(up);
	ck_assert_int_eq(dns_reply_copy_rr(&r, DNS_SECTION_ANSWER, up,
	    sizeof(up) - 1, &got), -EINVAL);
	ck_assert_uint_eq(dns_reply_finish(&r), DNS_HEADER_LEN +
	    q.q.name.len + 4u);
}
END_TEST

START_TEST(build_error)
{
	uint8_t buf[DNS_FIXTURE_MAX], out[64];
	size_t n;

	n = dns_fixture("dig-a-1.udp", buf);
	ck_assert_int_eq(dns_build_error(out, sizeof(out), buf, n,
	    DNS_RCODE_FORMERR), 12);
	ck_assert(memcmp(out, buf, 2) == 0);
	ck_assert_uint_eq(get16(out + 2), DNS_FLAG_QR | DNS_FLAG_RD |
	    DNS_FLAG_RA | DNS_RCODE_FORMERR);
	ck_assert(memcmp(out + 4, "\0\0\0\0\0\0\0\0", 8) == 0);
	/* From nothing but a header of garbage, in place; opcode echoed. */
	memcpy(buf, "\xab\xcd\x29\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
	ck_assert_int_eq(dns_build_error(buf, 12, buf, 12, DNS_RCODE_NOTIMP),
	    12);
	ck_assert(memcmp(buf, "\xab\xcd\xa9\x94\0\0\0\0\0\0\0\0", 12) == 0);
	/* Nothing for a short message or a response. */
	ck_assert_int_eq(dns_build_error(out, sizeof(out), buf, 11, 1),
	    -EINVAL);
	ck_assert_int_eq(dns_build_error(out, sizeof(out), buf, 12, 1),
	    -EINVAL);			/* buf now has QR set */
	ck_assert_int_eq(dns_build_error(out, sizeof(out), NULL, 12, 1),
	    -EINVAL);
	n = dns_fixture("dig-a-1.udp", buf);
	ck_assert_int_eq(dns_build_error(out, sizeof(out), buf, n, 16),
	    -EINVAL);
	ck_assert_int_eq(dns_build_error(out, 11, buf, n, 1), -ENOSPC);
}
END_TEST

START_TEST(build_query)
{
	uint8_t buf[DNS_FIXTURE_MAX], out[600];
	struct dns_query q, back;
	size_t n, k;
	ssize_t len;

	n = dns_fixture("glibc-resquery-srv-1.udp", buf);
	ck_assert_int_eq(dns_parse_query(buf, n, &q), 0);
	len = dns_build_query(out, sizeof(out), 0x7777, &q.q, true, true,
	    true);
	ck_assert_int_eq(len, (ssize_t)(n + DNS_OPT_LEN));
	ck_assert_int_eq(dns_parse_query(out, (size_t)len, &back), 0);
	ck_assert_uint_eq(back.id, 0x7777);
	ck_assert_uint_eq(back.flags, DNS_FLAG_RD | DNS_FLAG_CD);
	ck_assert(dns_name_equal(&back.q.name, &q.q.name));
	ck_assert(back.q.type == DNS_TYPE_SRV && back.q.class == DNS_CLASS_IN);
	ck_assert(back.edns && back.edns_do && back.edns_size ==
	    DNS_EDNS_SIZE);
	for (k = 0; k < (size_t)len; k++)
		ck_assert_int_eq(dns_build_query(out, k, 1, &q.q, false, true,
		    false), -ENOSPC);
	len = dns_build_query(out, sizeof(out), 1, &q.q, false, false, false);
	ck_assert_int_eq(len, (ssize_t)n);
	ck_assert(memcmp(out + 12, buf + 12, n - 12) == 0);
}
END_TEST

/* The response parser at every length; *r unchanged on failure. */
START_TEST(parse_response_truncated)
{
	uint8_t buf[DNS_FIXTURE_MAX], out[1024];
	struct dns_response rs, before;
	struct dns_query q;
	struct dns_reply r;
	size_t n, len, k;

	n = dns_fixture("dig-a-1.udp", buf);
	ck_assert_int_eq(dns_parse_query(buf, n, &q), 0);
	ck_assert_int_eq(dns_reply_start(&r, out, sizeof(out), 1232, &q, 0,
	    0), 0);
	ck_assert_int_eq(dns_reply_add_addr(&r, 5, AF_INET,
	    (const uint8_t *)"\1\2\3\4"), 0);
	ck_assert_int_eq(dns_reply_add_soa(&r, 5), 0);
	len = dns_reply_finish(&r);
	ck_assert_int_eq(dns_parse_response(out, len, &rs), 0);
	ck_assert(rs.id == q.id && rs.count[0] == 1 && rs.count[1] == 1 &&
	    rs.count[2] == 1);
	memset(&rs, 0x5a, sizeof(rs));
	before = rs;
	for (k = 0; k < len; k++)
		ck_assert_int_eq(dns_parse_response(out, k, &rs), -EBADMSG);
	out[len] = 0;
	ck_assert_int_eq(dns_parse_response(out, len + 1, &rs), -EBADMSG);
	ck_assert(memcmp(&rs, &before, sizeof(rs)) == 0);
	/* A query is not a response. */
	ck_assert_int_eq(dns_parse_response(buf, n, &rs), -EBADMSG);
	ck_assert_int_eq(dns_parse_rr(out, len, len, NULL), -EBADMSG);
}
END_TEST

void
dns_add_build_tcases(Suite *s)
{
	TCase *tc;

	tc = tcase_create("dns_reply");
	tcase_add_test(tc, reply_echo_captures);
	tcase_add_test(tc, reply_answers);
	tcase_add_test(tc, reply_compression);
	tcase_add_test(tc, reply_truncation);
	tcase_add_test(tc, reply_additional_no_tc);
	tcase_add_test(tc, reply_start_errors);
	tcase_add_test(tc, reply_soa);
	tcase_add_test(tc, reply_copy_rr);
	suite_add_tcase(s, tc);

	tc = tcase_create("dns_build");
	tcase_add_test(tc, build_error);
	tcase_add_test(tc, build_query);
	tcase_add_test(tc, parse_response_truncated);
	suite_add_tcase(s, tc);
}
