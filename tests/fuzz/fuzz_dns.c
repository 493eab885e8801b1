/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for core/dns.  The input is taken as a query, as a
 * response (a forwarder's) and as a TCP stream.  Checked here: no crash
 * or over-read (exact-length heap copies), return values in the
 * documented sets, outputs unchanged on failure; a parsed query gives a
 * response (with answers, a SOA, copied records) that never passes its
 * size limit, parses back as a response to the same question and ID, and
 * re-encodes as a query that parses to the same question and EDNS bits;
 * names decoded anywhere re-encode to the same wire bytes through text;
 * reverse names round-trip.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dns.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_dns: check failed: %s (%s:%d)\n",	\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

static uint8_t out[DNS_MSG_MAX];

/* A reply to q within limit: answers, a SOA, then a check of the result. */
static void
check_reply(const struct dns_query *q, size_t limit, const uint8_t *up,
    size_t uplen)
{
	static const uint8_t addr[16] = { 198, 18, 0, 5 };
	struct dns_response rs, up_r;
	struct dns_reply r;
	struct dns_rr rr;
	size_t len, i, cap = limit < sizeof(out) ? limit : sizeof(out);
	ssize_t off;
	int rc;

	rc = dns_reply_start(&r, out, cap, limit, q, DNS_RCODE_NOERROR, 0);
	if (rc == -ENOSPC) {
		CHECK(DNS_HEADER_LEN + q->q.name.len + 4u + (q->edns ?
		    DNS_OPT_LEN : 0u) > cap);
		return;
	}
	CHECK(rc == 0);
	for (i = 0; i < 3; i++) {
		rc = dns_reply_add_addr(&r, 60, i % 2 ? AF_INET6 : AF_INET,
		    addr);
		CHECK(rc == 0 || rc == -EMSGSIZE);
	}
	rc = dns_reply_add_ptr(&r, 60, &q->q.name);
	CHECK(rc == 0 || rc == -EMSGSIZE);
	rc = dns_reply_add_soa(&r, 60);
	CHECK(rc == 0 || rc == -EMSGSIZE);
	/* The records of a response given as input, decompressed. */
	if (up != NULL && dns_parse_response(up, uplen, &up_r) == 0) {
		off = (ssize_t)up_r.rr;
		for (i = 0; i < (size_t)up_r.count[0] + up_r.count[1] +
		    up_r.count[2]; i++) {
			off = dns_parse_rr(up, uplen, (size_t)off, &rr);
			CHECK(off > 0 && (size_t)off <= uplen);
			rc = dns_reply_copy_rr(&r, DNS_SECTION_ADDITIONAL, up,
			    uplen, &rr);
			CHECK(rc == 0 || rc == -EMSGSIZE || rc == -EBADMSG);
		}
		CHECK((size_t)off == uplen);
	}
	rc = dns_reply_add_addr(&r, 60, AF_INET, addr);
	CHECK(rc == -EINVAL || rc == -EMSGSIZE);	/* sections in order */
	len = dns_reply_finish(&r);
	CHECK(len <= cap && len <= limit && len >= DNS_HEADER_LEN);
	CHECK(dns_parse_response(out, len, &rs) == 0);
	CHECK(rs.id == q->id && dns_name_equal(&rs.q.name, &q->q.name));
	CHECK(rs.q.type == q->q.type && rs.q.class == q->q.class);
	CHECK(memcmp(out + DNS_HEADER_LEN, q->q.name.wire, q->q.name.len) ==
	    0);
	CHECK((rs.flags & DNS_FLAG_QR) && (rs.flags & DNS_FLAG_RA));
	CHECK((rs.flags & DNS_FLAG_RD) == (q->flags & DNS_FLAG_RD));
}

static void
check_query(const uint8_t *in, size_t len)
{
	struct dns_query q, back, before;
	uint8_t *copy = malloc(len > 0 ? len : 1), enc[600];
	ssize_t n;
	int rc;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, in, len);
	memset(&q, 0xa5, sizeof(q));
	before = q;
	rc = dns_parse_query(copy, len, &q);
	CHECK(rc == 0 || rc == -EINVAL || rc == -EBADMSG ||
	    rc == -EOPNOTSUPP);
	n = dns_build_error(out, sizeof(out), copy, len, DNS_RCODE_FORMERR);
	CHECK(n == DNS_HEADER_LEN || (n == -EINVAL && (len < DNS_HEADER_LEN ||
	    (copy[2] & 0x80))));
	if (rc == -EINVAL)
		CHECK(len < DNS_HEADER_LEN || (copy[2] & 0x80));
	if (rc != 0) {
		CHECK(memcmp(&q, &before, sizeof(q)) == 0);
		free(copy);
		return;
	}
	CHECK(q.q.name.len >= 1 && q.q.type != DNS_TYPE_OPT);
	CHECK(dns_query_limit(&q, false) >= DNS_UDP_MIN);
	check_reply(&q, dns_query_limit(&q, false), NULL, 0);
	check_reply(&q, DNS_UDP_MIN, NULL, 0);
	check_reply(&q, DNS_HEADER_LEN + q.q.name.len + 4u + 20u, NULL, 0);
	check_reply(&q, DNS_MSG_MAX, NULL, 0);

	/* Query -> forwarded query -> the same question and EDNS bits. */
	n = dns_build_query(enc, sizeof(enc), q.id, &q.q,
	    (q.flags & DNS_FLAG_CD) != 0, q.edns, q.edns_do);
	CHECK(n > 0);
	CHECK(dns_parse_query(enc, (size_t)n, &back) == 0);
	CHECK(back.id == q.id && back.q.type == q.q.type &&
	    back.q.class == q.q.class && back.q.name.len == q.q.name.len &&
	    memcmp(back.q.name.wire, q.q.name.wire, q.q.name.len) == 0);
	CHECK(back.edns == q.edns && back.edns_do == q.edns_do);
	free(copy);
}

/* Names at the first offsets; text and back gives the same bytes. */
static void
check_names(const uint8_t *in, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1), addr[16], addr2[16];
	char text[DNS_TEXT_MAX];
	struct dns_name n, m;
	size_t off;
	ssize_t used, tl;
	int fam, fam2;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, in, len);
	for (off = 0; off < len && off < 48; off++) {
		used = dns_name_decode(copy, len, off, &n);
		CHECK(used == -EBADMSG || (used > 0 && (size_t)used <= len -
		    off));
		if (used < 0)
			continue;
		CHECK(n.len >= 1 && n.wire[n.len - 1] == 0);
		tl = dns_name_to_text(&n, text, sizeof(text));
		if (tl >= 0) {
			CHECK((size_t)tl < sizeof(text));
			CHECK(dns_name_from_text(&m, text) == 0);
			CHECK(m.len == n.len && memcmp(m.wire, n.wire, n.len) ==
			    0);
		}
		if (dns_reverse_to_addr(&n, &fam, addr) == 0) {
			CHECK(dns_reverse_from_addr(&m, fam, addr) == 0);
			CHECK(dns_reverse_to_addr(&m, &fam2, addr2) == 0);
			CHECK(fam == fam2 && memcmp(addr, addr2, fam ==
			    AF_INET ? 4 : 16) == 0);
		}
	}
	free(copy);
}

static void
check_tcp(const uint8_t *in, size_t len)
{
	size_t need = 0, k;
	ssize_t rc, rk;

	rc = dns_tcp_frame(in, len, &need);
	CHECK(rc == -EBADMSG || rc == 0 || (rc > 2 && (size_t)rc <= len));
	if (rc == 0)
		CHECK(need > len && need <= 2 + DNS_MSG_MAX);
	if (rc > 0) {
		check_query(in + 2, (size_t)rc - 2);
		for (k = 0; k < (size_t)rc; k += 7) {
			rk = dns_tcp_frame(in, k, &need);
			CHECK(rk == 0 && need == (k < 2 ? 2u : (size_t)rc));
		}
	}
}

/* The input as a forwarder's response: its records copied into replies
 * to a query for its question. */
static void
check_response(const uint8_t *in, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	struct dns_response rs, before;
	struct dns_query q;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, in, len);
	memset(&rs, 0x5a, sizeof(rs));
	before = rs;
	if (dns_parse_response(copy, len, &rs) != 0) {
		CHECK(memcmp(&rs, &before, sizeof(rs)) == 0);
		free(copy);
		return;
	}
	CHECK(rs.rr <= len);
	memset(&q, 0, sizeof(q));
	q.id = rs.id;
	q.flags = DNS_FLAG_RD;
	q.q = rs.q;
	check_reply(&q, DNS_MSG_MAX, copy, len);
	check_reply(&q, DNS_UDP_MIN, copy, len);
	q.edns = true;
	q.edns_do = true;
	check_reply(&q, 700, copy, len);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query q;
	size_t k;

	check_query(data, size);
	check_response(data, size);
	/* Every prefix of an accepted query is refused. */
	if (dns_parse_query(data, size, &q) == 0)
		for (k = 0; k < size; k++)
			CHECK(dns_parse_query(data, k, &q) != 0);
	check_names(data, size);
	check_tcp(data, size);
	return 0;
}
