/* SPDX-License-Identifier: MIT */
/*
 * DNS message parsing: the queries stub resolvers send (RFC 1035 §4.1,
 * EDNS per RFC 6891 §6), and responses for a forwarder.  Pure (core/): no
 * syscalls, no allocation; every length is checked before it is used.
 */
#include <errno.h>
#include <string.h>

#include "core/dns.h"

static uint16_t
dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1035 §4.1.2: QNAME QTYPE QCLASS; the offset after it or -EBADMSG. */
static ssize_t
dns_parse_question(const uint8_t *msg, size_t len, size_t off,
    struct dns_question *q)
{
	ssize_t n = dns_name_decode(msg, len, off, &q->name);

	if (n < 0)
		return n;
	off += (size_t)n;
	if (len - off < 4)
		return -EBADMSG;
	q->type = dns_get16(msg + off);
	q->class = dns_get16(msg + off + 2);
	return (ssize_t)(off + 4);
}

ssize_t
dns_parse_rr(const uint8_t *msg, size_t len, size_t off, struct dns_rr *rr)
{
	struct dns_rr t;
	ssize_t n;

	if (msg == NULL || off >= len)
		return -EBADMSG;
	n = dns_name_decode(msg, len, off, &t.name);
	if (n < 0)
		return n;
	off += (size_t)n;
	/* RFC 1035 §4.1.3: TYPE CLASS TTL RDLENGTH, then RDATA. */
	if (len - off < 10)
		return -EBADMSG;
	t.type = dns_get16(msg + off);
	t.class = dns_get16(msg + off + 2);
	t.ttl = dns_get32(msg + off + 4);
	t.rdlen = dns_get16(msg + off + 8);
	off += 10;
	if (len - off < t.rdlen)
		return -EBADMSG;
	t.rdata = off;
	*rr = t;
	return (ssize_t)(off + t.rdlen);
}

/* RFC 6891 §6.1.2: the OPT RDATA is {CODE, LENGTH, DATA} options that
 * must tile it exactly. */
static bool
dns_opt_options_ok(const uint8_t *rdata, size_t rdlen)
{
	size_t off = 0, l;

	while (off < rdlen) {
		if (rdlen - off < 4)
			return false;
		l = dns_get16(rdata + off + 2);
		off += 4;
		if (rdlen - off < l)
			return false;
		off += l;
	}
	return true;
}

int
dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q)
{
	struct dns_query t;
	struct dns_rr rr;
	unsigned i, skip, ar;
	ssize_t off;

	if (msg == NULL || len < DNS_HEADER_LEN)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	t.id = dns_get16(msg);
	t.flags = dns_get16(msg + 2);
	if (t.flags & DNS_FLAG_QR)
		return -EINVAL;
	if (DNS_OPCODE(t.flags) != DNS_OPCODE_QUERY)
		return -EOPNOTSUPP;
	if (dns_get16(msg + 4) != 1)
		return -EBADMSG;
	skip = (unsigned)dns_get16(msg + 6) + dns_get16(msg + 8);
	ar = dns_get16(msg + 10);
	off = dns_parse_question(msg, len, DNS_HEADER_LEN, &t.q);
	if (off < 0)
		return -EBADMSG;
	if (t.q.type == DNS_TYPE_OPT)
		return -EBADMSG;
	for (i = 0; i < skip + ar; i++) {
		off = dns_parse_rr(msg, len, (size_t)off, &rr);
		if (off < 0)
			return -EBADMSG;
		if (i < skip || rr.type != DNS_TYPE_OPT)
			continue;
		/* RFC 6891 §6.1.1: one OPT, owned by the root. */
		if (t.edns || rr.name.len != 1 ||
		    !dns_opt_options_ok(msg + rr.rdata, rr.rdlen))
			return -EBADMSG;
		t.edns = true;
		t.edns_size = rr.class;
		t.edns_version = (uint8_t)(rr.ttl >> 16);
		t.edns_do = (rr.ttl & 0x8000) != 0;
	}
	if ((size_t)off != len)		/* bytes after the last RR */
		return -EBADMSG;
	*q = t;
	return 0;
}

size_t
dns_query_limit(const struct dns_query *q, bool tcp)
{
	if (tcp)
		return DNS_MSG_MAX;
	if (q->edns && q->edns_size > DNS_UDP_MIN)
		return q->edns_size;
	return DNS_UDP_MIN;
}

int
dns_parse_response(const uint8_t *msg, size_t len, struct dns_response *r)
{
	struct dns_response t;
	struct dns_rr rr;
	unsigned i, total;
	ssize_t off;

	if (msg == NULL || len < DNS_HEADER_LEN)
		return -EBADMSG;
	memset(&t, 0, sizeof(t));
	t.id = dns_get16(msg);
	t.flags = dns_get16(msg + 2);
	if (!(t.flags & DNS_FLAG_QR) || dns_get16(msg + 4) != 1)
		return -EBADMSG;
	for (i = 0; i < 3; i++)
		t.count[i] = dns_get16(msg + 6 + 2 * i);
	off = dns_parse_question(msg, len, DNS_HEADER_LEN, &t.q);
	if (off < 0)
		return -EBADMSG;
	t.rr = (size_t)off;
	total = (unsigned)t.count[0] + t.count[1] + t.count[2];
	for (i = 0; i < total; i++) {
		off = dns_parse_rr(msg, len, (size_t)off, &rr);
		if (off < 0)
			return -EBADMSG;
	}
	if ((size_t)off != len)
		return -EBADMSG;
	*r = t;
	return 0;
}
