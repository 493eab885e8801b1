/* SPDX-License-Identifier: MIT */
/*
 * DNS message building: responses that echo the query as strict clients
 * expect, RRs dropped whole at the size limit with TC (RFC 1035 §4.2.1,
 * RFC 2181 §9), the OPT RR of RFC 6891 §6.1.2, header-only errors and
 * forwarded queries.  Pure (core/): no syscalls, no allocation; nothing is
 * written past what was checked to fit.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dns.h"

#define DNS_TTL_MAX	0x7fffffffu	/* RFC 2181 §8 */

static void
dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
dns_put32(uint8_t *p, uint32_t v)
{
	dns_put16(p, (uint16_t)(v >> 16));
	dns_put16(p + 2, (uint16_t)v);
}

static uint8_t
dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* A well-formed wire name: labels <= 63 ending in the root, exactly len. */
static bool
dns_name_ok(const struct dns_name *n)
{
	size_t i = 0;

	if (n->len < 1)
		return false;
	while (i < n->len && n->wire[i] != 0) {
		if (n->wire[i] > DNS_LABEL_MAX)
			return false;
		i += 1u + n->wire[i];
	}
	return i + 1 == n->len;
}

/*
 * Where owner can point into the question's name (at offset 12): *cut is
 * how many leading bytes of owner are written as labels before a pointer
 * to 12 + *at; no match leaves *cut = owner->len (written uncompressed).
 * Only suffixes of more than the root label are worth a 2-byte pointer.
 */
static void
dns_compress(const struct dns_name *q, const struct dns_name *owner,
    size_t *cut, size_t *at)
{
	size_t i, j, rest, k;

	*cut = owner->len;
	for (i = 0; i + 1 < owner->len; i += 1u + owner->wire[i]) {
		rest = owner->len - i;
		if (rest > q->len)
			continue;
		/* The same-length suffix of q, if it starts at a label. */
		for (j = 0; j < q->len && q->len - j > rest; j += 1u + q->wire[j])
			;
		if (q->len - j != rest)
			continue;
		for (k = 0; k < rest; k++)
			if (dns_lower(q->wire[j + k]) !=
			    dns_lower(owner->wire[i + k]))
				break;
		if (k == rest) {
			*cut = i;
			*at = DNS_HEADER_LEN + j;
			return;
		}
	}
}

int
dns_reply_start(struct dns_reply *r, uint8_t *out, size_t cap,
    size_t limit, const struct dns_query *q, unsigned rcode, unsigned flags)
{
	size_t need, lim = limit < cap ? limit : cap;
	uint8_t *p;

	if (r == NULL || out == NULL || q == NULL || rcode > 0xfff ||
	    (rcode > 0xf && !q->edns) || !dns_name_ok(&q->q.name))
		return -EINVAL;
	if (lim > DNS_MSG_MAX)
		lim = DNS_MSG_MAX;
	need = DNS_HEADER_LEN + q->q.name.len + 4u + (q->edns ? DNS_OPT_LEN :
	    0u);
	if (need > lim)
		return -ENOSPC;
	memset(r, 0, sizeof(*r));
	r->out = out;
	r->limit = lim;
	r->reserve = q->edns ? DNS_OPT_LEN : 0;
	r->flags = (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RA | (q->flags &
	    (0x7800 | DNS_FLAG_RD | DNS_FLAG_CD)) | (rcode & 0xf));
	if (flags & DNS_REPLY_AA)
		r->flags |= DNS_FLAG_AA;
	r->opt = q->edns;
	r->ext_rcode = (uint8_t)(rcode >> 4);
	r->opt_do = q->edns_do;
	r->qname = q->q.name;
	dns_put16(out, q->id);
	memset(out + 2, 0, DNS_HEADER_LEN - 2);
	dns_put16(out + 4, 1);
	p = out + DNS_HEADER_LEN;
	memcpy(p, q->q.name.wire, q->q.name.len);
	p += q->q.name.len;
	dns_put16(p, q->q.type);
	dns_put16(p + 2, q->q.class);
	r->len = (size_t)(p + 4 - out);
	return 0;
}

int
dns_reply_add(struct dns_reply *r, enum dns_section s,
    const struct dns_name *owner, uint16_t type, uint16_t class,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	size_t cut, at = 0, need;
	uint8_t *p;

	if (r == NULL || (int)s < r->section || s > DNS_SECTION_ADDITIONAL ||
	    rdlen > 0xffff || (rdlen > 0 && rdata == NULL))
		return -EINVAL;
	if (owner == NULL)
		owner = &r->qname;
	else if (!dns_name_ok(owner))
		return -EINVAL;
	r->section = (int)s;
	if (r->full)
		return -EMSGSIZE;
	dns_compress(&r->qname, owner, &cut, &at);
	need = cut + (cut < owner->len ? 2u : 0u) + 10u + rdlen;
	if (need > r->limit - r->reserve - r->len) {
		/* Dropped whole; later RRs would be out of order. */
		r->full = true;
		if (s != DNS_SECTION_ADDITIONAL)
			r->truncated = true;
		return -EMSGSIZE;
	}
	p = r->out + r->len;
	memcpy(p, owner->wire, cut);
	p += cut;
	if (cut < owner->len) {
		dns_put16(p, (uint16_t)(0xc000 | at));
		p += 2;
	}
	dns_put16(p, type);
	dns_put16(p + 2, class);
	dns_put32(p + 4, ttl > DNS_TTL_MAX ? 0 : ttl);
	dns_put16(p + 8, (uint16_t)rdlen);
	if (rdlen > 0)
		memcpy(p + 10, rdata, rdlen);
	r->len += need;
	r->count[s]++;
	return 0;
}

int
dns_reply_add_addr(struct dns_reply *r, uint32_t ttl, int family,
    const uint8_t *addr)
{
	if (family == AF_INET)
		return dns_reply_add(r, DNS_SECTION_ANSWER, NULL, DNS_TYPE_A,
		    DNS_CLASS_IN, ttl, addr, 4);
	if (family == AF_INET6)
		return dns_reply_add(r, DNS_SECTION_ANSWER, NULL,
		    DNS_TYPE_AAAA, DNS_CLASS_IN, ttl, addr, 16);
	return -EINVAL;
}

int
dns_reply_add_ptr(struct dns_reply *r, uint32_t ttl,
    const struct dns_name *target)
{
	if (target == NULL || !dns_name_ok(target))
		return -EINVAL;
	return dns_reply_add(r, DNS_SECTION_ANSWER, NULL, DNS_TYPE_PTR,
	    DNS_CLASS_IN, ttl, target->wire, target->len);
}

int
dns_reply_add_soa(struct dns_reply *r, uint32_t ttl)
{
	static const uint8_t names[] = "\10socksify\7invalid"
	    "\0\12hostmaster\10socksify\7invalid";
	uint8_t rdata[sizeof(names) + 20];
	size_t n = sizeof(names);	/* the final NUL ends RNAME */

	/* RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM */
	memcpy(rdata, names, n);
	dns_put32(rdata + n, 1);
	dns_put32(rdata + n + 4, 3600);
	dns_put32(rdata + n + 8, 600);
	dns_put32(rdata + n + 12, 86400);
	dns_put32(rdata + n + 16, ttl);
	return dns_reply_add(r, DNS_SECTION_AUTHORITY, NULL, DNS_TYPE_SOA,
	    DNS_CLASS_IN, ttl, rdata, sizeof(rdata));
}

/*
 * RDATA layout for the types whose names may be compressed: bytes before
 * the first name, how many names follow, bytes after them.
 */
static bool
dns_rdata_names(uint16_t type, size_t *pre, unsigned *names, size_t *post)
{
	*pre = 0;
	*names = 1;
	*post = 0;
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
		return true;		/* NS MD MF CNAME MB MG MR PTR */
	case 14: case 17:		/* MINFO, RP */
		*names = 2;
		return true;
	case 15: case 18: case 21: case 36:	/* MX AFSDB RT KX */
		*pre = 2;
		return true;
	case 33:			/* SRV */
		*pre = 6;
		return true;
	case 6:				/* SOA */
		*names = 2;
		*post = 20;
		return true;
	default:
		return false;
	}
}

int
dns_reply_copy_rr(struct dns_reply *r, enum dns_section s,
    const uint8_t *msg, size_t len, const struct dns_rr *rr)
{
	uint8_t buf[2 * DNS_NAME_MAX + 20];
	size_t pre, post, off, end, out;
	struct dns_name n;
	unsigned names, i;
	ssize_t used;

	if (r == NULL || msg == NULL || rr == NULL || rr->rdata > len ||
	    len - rr->rdata < rr->rdlen)
		return -EINVAL;
	if (!dns_rdata_names(rr->type, &pre, &names, &post))
		return dns_reply_add(r, s, &rr->name, rr->type, rr->class,
		    rr->ttl, msg + rr->rdata, rr->rdlen);
	off = rr->rdata;
	end = rr->rdata + rr->rdlen;
	if (rr->rdlen < pre)
		return -EBADMSG;
	memcpy(buf, msg + off, pre);
	out = pre;
	off += pre;
	for (i = 0; i < names; i++) {
		/* Decoded within the message, but it must end inside RDATA. */
		used = dns_name_decode(msg, end, off, &n);
		if (used < 0)
			return -EBADMSG;
		memcpy(buf + out, n.wire, n.len);
		out += n.len;
		off += (size_t)used;
	}
	if (end - off != post)
		return -EBADMSG;
	memcpy(buf + out, msg + off, post);
	out += post;
	return dns_reply_add(r, s, &rr->name, rr->type, rr->class, rr->ttl,
	    buf, out);
}

size_t
dns_reply_finish(struct dns_reply *r)
{
	uint8_t *p;

	if (r->truncated)
		r->flags |= DNS_FLAG_TC;
	dns_put16(r->out + 2, r->flags);
	dns_put16(r->out + 6, r->count[0]);
	dns_put16(r->out + 8, r->count[1]);
	dns_put16(r->out + 10, (uint16_t)(r->count[2] + (r->opt ? 1 : 0)));
	if (r->opt) {
		/* RFC 6891 §6.1.2/6.1.3: root owner, CLASS = our payload
		 * size, TTL = EXTENDED-RCODE VERSION(0) DO Z, no options. */
		p = r->out + r->len;
		p[0] = 0;
		dns_put16(p + 1, DNS_TYPE_OPT);
		dns_put16(p + 3, DNS_EDNS_SIZE);
		dns_put32(p + 5, (uint32_t)r->ext_rcode << 24 |
		    (r->opt_do ? 0x8000u : 0u));
		dns_put16(p + 9, 0);
		r->len += DNS_OPT_LEN;
		r->opt = false;		/* finishing twice adds nothing */
		r->reserve = 0;
	}
	return r->len;
}

ssize_t
dns_build_error(uint8_t *out, size_t cap, const uint8_t *query, size_t qlen,
    unsigned rcode)
{
	uint16_t flags;

	if (query == NULL || qlen < DNS_HEADER_LEN || rcode > 0xf)
		return -EINVAL;
	flags = (uint16_t)(query[2] << 8 | query[3]);
	if (flags & DNS_FLAG_QR)
		return -EINVAL;
	if (out == NULL || cap < DNS_HEADER_LEN)
		return -ENOSPC;
	flags = (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RA | (flags & (0x7800 |
	    DNS_FLAG_RD | DNS_FLAG_CD)) | rcode);
	memmove(out, query, 2);
	dns_put16(out + 2, flags);
	memset(out + 4, 0, DNS_HEADER_LEN - 4);
	return DNS_HEADER_LEN;
}

ssize_t
dns_build_query(uint8_t *out, size_t cap, uint16_t id,
    const struct dns_question *q, bool cd, bool edns, bool edns_do)
{
	size_t need;
	uint8_t *p;

	if (out == NULL || q == NULL || !dns_name_ok(&q->name))
		return -EINVAL;
	need = DNS_HEADER_LEN + q->name.len + 4u + (edns ? DNS_OPT_LEN : 0u);
	if (need > cap)
		return -ENOSPC;
	dns_put16(out, id);
	dns_put16(out + 2, (uint16_t)(DNS_FLAG_RD | (cd ? DNS_FLAG_CD : 0)));
	dns_put16(out + 4, 1);
	dns_put16(out + 6, 0);
	dns_put16(out + 8, 0);
	dns_put16(out + 10, edns ? 1 : 0);
	p = out + DNS_HEADER_LEN;
	memcpy(p, q->name.wire, q->name.len);
	p += q->name.len;
	dns_put16(p, q->type);
	dns_put16(p + 2, q->class);
	p += 4;
	if (edns) {
		p[0] = 0;
		dns_put16(p + 1, DNS_TYPE_OPT);
		dns_put16(p + 3, DNS_EDNS_SIZE);
		dns_put32(p + 5, edns_do ? 0x8000u : 0u);
		dns_put16(p + 9, 0);
	}
	return (ssize_t)need;
}
