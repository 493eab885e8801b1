/* SPDX-License-Identifier: MIT */
/*
 * The DNS answerer's policy: which question gets a placeholder, a name,
 * a local lookup, a forwarded answer or an immediate NODATA.  Builds the
 * messages with core/dns; the exchanges with a resolver are dnsforward.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "core/dns.h"
#include "core/namemap.h"
#include "runtime/dnsanswer.h"
#include "runtime/dnsforward.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/real.h"

/* One query being answered. */
struct ans {
	const struct runtime *rt;
	const struct dns_query *q;
	char name[DNS_TEXT_MAX];	/* the question's name as text */
	uint8_t *out;
	size_t cap, limit;
	unsigned flags;
};

bool
dnsanswer_active(const struct runtime *rt)
{
	if (rt == NULL || rt->bootstrap)
		return false;
	return rt->status < 0 || rt->cfg.dns == DNS_REMOTE;
}

/* An answer without records: rcode; NODATA and NXDOMAIN get the SOA. */
static ssize_t
ans_empty(const struct ans *a, unsigned rcode)
{
	struct dns_reply r;
	int rc;

	rc = dns_reply_start(&r, a->out, a->cap, a->limit, a->q, rcode, 0);
	if (rc < 0)
		return rc;
	if (rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN)
		(void)dns_reply_add_soa(&r, DNSANSWER_TTL);
	return (ssize_t)dns_reply_finish(&r);
}

/* The addresses of res that the question's type asks for. */
static ssize_t
ans_addrs(const struct ans *a, const struct names_result *res)
{
	uint16_t t = a->q->q.type;
	struct dns_reply r;
	size_t i, tried = 0;
	int rc;

	rc = dns_reply_start(&r, a->out, a->cap, a->limit, a->q,
	    DNS_RCODE_NOERROR, 0);
	if (rc < 0)
		return rc;
	for (i = 0; i < res->n; i++) {
		if ((res->family[i] == AF_INET && t == DNS_TYPE_AAAA) ||
		    (res->family[i] == AF_INET6 && t == DNS_TYPE_A))
			continue;
		tried++;
		(void)dns_reply_add_addr(&r, DNSANSWER_TTL, res->family[i],
		    res->addr[i]);	/* one that does not fit sets TC */
	}
	if (tried == 0)
		(void)dns_reply_add_soa(&r, DNSANSWER_TTL);	/* NODATA */
	return (ssize_t)dns_reply_finish(&r);
}

static int
ans_family(uint16_t type)
{
	if (type == DNS_TYPE_A)
		return AF_INET;
	if (type == DNS_TYPE_AAAA)
		return AF_INET6;
	return AF_UNSPEC;
}

/* A/AAAA/ANY of a name the policy resolves locally: NSS, as the program
 * would have seen without socksify. Numeric names need no I/O. */
static ssize_t
ans_local_addrs(const struct ans *a)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct names_result nr;
	const uint8_t *p;
	int rc, i;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = ans_family(a->q->q.type);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	rc = real_getaddrinfo(a->name, NULL, &hints, &res);
	if (rc == EAI_NONAME) {
		if (a->flags & DNSANSWER_NOWAIT)
			return -EWOULDBLOCK;
		hints.ai_flags = 0;
		rc = real_getaddrinfo(a->name, NULL, &hints, &res);
	}
	if (rc == EAI_NONAME)
		return ans_empty(a, DNS_RCODE_NXDOMAIN);
	if (rc == EAI_NODATA || rc == EAI_ADDRFAMILY)
		return ans_empty(a, DNS_RCODE_NOERROR);
	if (rc != 0) {
		log_error("dns %s: local lookup failed: %s", a->name,
		    gai_strerror(rc));
		return ans_empty(a, DNS_RCODE_SERVFAIL);
	}
	memset(&nr, 0, sizeof(nr));
	for (ai = res; ai != NULL && nr.n < NAMES_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			p = (const uint8_t *)&((struct sockaddr_in *)
			    ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			p = ((struct sockaddr_in6 *)ai->ai_addr)->
			    sin6_addr.s6_addr;
		else
			continue;
		for (i = 0; i < (int)nr.n; i++)	/* one per address */
			if (nr.family[i] == ai->ai_family && memcmp(nr.addr[i],
			    p, ai->ai_family == AF_INET ? 4 : 16) == 0)
				break;
		if (i < (int)nr.n)
			continue;
		nr.family[nr.n] = ai->ai_family;
		memcpy(nr.addr[nr.n], p, ai->ai_family == AF_INET ? 4 : 16);
		nr.n++;
	}
	real_freeaddrinfo(res);
	return ans_addrs(a, &nr);
}

/* Any other question: the local resolver for local names, dns_server
 * through the proxy, or NODATA at once. */
static ssize_t
ans_other(const struct ans *a, bool local)
{
	enum dnsforward_to to = DNSFORWARD_DNS_SERVER;
	ssize_t n;

	if (local)
		to = DNSFORWARD_LOCAL;
	else if (!a->rt->cfg.has_dns_server) {
		log_debug("dns %s type %u: no dns_server: NODATA", a->name,
		    a->q->q.type);
		return ans_empty(a, DNS_RCODE_NOERROR);
	}
	if (a->flags & DNSANSWER_NOWAIT)
		return -EWOULDBLOCK;
	n = dnsforward_answer(a->rt, a->q, to, a->out, a->cap, a->limit);
	if (n == -ENOSPC)
		return n;
	return n > 0 ? n : ans_empty(a, DNS_RCODE_SERVFAIL);
}

/* A, AAAA, ANY in remote mode: the resolution policy of getaddrinfo(). */
static ssize_t
ans_lookup(const struct ans *a)
{
	struct names_result res;
	enum names_how how;
	int err = 0;

	how = names_resolve(a->rt, a->name, ans_family(a->q->q.type), &res,
	    &err);
	if (how == NAMES_REAL)
		return ans_local_addrs(a);
	if (how == NAMES_ANSWER)
		return ans_addrs(a, &res);
	if (err == -ENOENT)		/* hosts file: the other family only */
		return ans_empty(a, DNS_RCODE_NOERROR);
	return ans_empty(a, err == -EACCES ? DNS_RCODE_REFUSED :
	    DNS_RCODE_SERVFAIL);
}

/* PTR: the name behind a placeholder or a hosts-file address. */
static ssize_t
ans_ptr(const struct ans *a)
{
	struct sockaddr_storage ss;
	struct dns_name target;
	struct dns_reply r;
	char name[NAMEMAP_NAME_MAX + 1];
	uint8_t addr[16];
	uint32_t slot;
	int family, rc;

	if (dns_reverse_to_addr(&a->q->q.name, &family, addr) < 0)
		return ans_other(a, names_local(a->rt, a->name));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, addr, 16);
	rc = names_placeholder_name(a->rt, (struct sockaddr *)&ss, name,
	    sizeof(name), &slot);
	if (rc < 0)			/* ours, but no name lives there */
		return ans_empty(a, DNS_RCODE_NXDOMAIN);
	if (rc == 0 && names_reverse(a->rt, family, addr, name,
	    sizeof(name)) < 0)
		return ans_other(a, names_local(a->rt, a->name));
	if (dns_name_from_text(&target, name) < 0) {
		log_error("dns %s: name '%.255s' is not a DNS name", a->name,
		    name);
		return ans_empty(a, DNS_RCODE_SERVFAIL);
	}
	rc = dns_reply_start(&r, a->out, a->cap, a->limit, a->q,
	    DNS_RCODE_NOERROR, 0);
	if (rc < 0)
		return rc;
	(void)dns_reply_add_ptr(&r, DNSANSWER_TTL, &target);
	return (ssize_t)dns_reply_finish(&r);
}

/* A query that parsed: the policy. */
static ssize_t
ans_query(struct ans *a)
{
	const struct dns_question *q = &a->q->q;

	if (a->q->edns_version > 0)	/* RFC 6891 §6.1.3 */
		return ans_empty(a, DNS_RCODE_BADVERS);
	if (!dnsanswer_active(a->rt) || a->rt->status < 0) {
		log_error("dns query refused: %s", a->rt->status < 0 ?
		    a->rt->error : a->rt->bootstrap ? "socksify is still "
		    "initialising" : "the DNS answerer is off (dns = local)");
		return ans_empty(a, DNS_RCODE_REFUSED);
	}
	if (q->class != DNS_CLASS_IN)
		return ans_empty(a, DNS_RCODE_REFUSED);
	if (q->type == DNS_TYPE_AXFR || q->type == DNS_TYPE_IXFR ||
	    q->type == DNS_TYPE_MAILA || q->type == DNS_TYPE_MAILB)
		return ans_empty(a, DNS_RCODE_NOTIMP);
	if (dns_name_to_text(&q->name, a->name, sizeof(a->name)) < 0)
		return ans_empty(a, DNS_RCODE_REFUSED);
	if (a->name[0] == '\0')		/* the root: not a host */
		return ans_other(a, false);
	if (q->type == DNS_TYPE_PTR)
		return ans_ptr(a);
	if (q->type == DNS_TYPE_A || q->type == DNS_TYPE_AAAA ||
	    q->type == DNS_TYPE_ANY)
		return ans_lookup(a);
	return ans_other(a, names_local(a->rt, a->name));
}

ssize_t
dnsanswer_answer(const struct runtime *rt, const uint8_t *query, size_t qlen,
    uint8_t *out, size_t cap, unsigned flags)
{
	struct dns_query q;
	struct ans a;
	ssize_t n;
	int rc;

	if (rt == NULL || query == NULL || out == NULL)
		return -EINVAL;
	rc = dns_parse_query(query, qlen, &q);
	if (rc == -EINVAL)
		return 0;		/* too short, or a response */
	if (rc < 0) {
		n = dns_build_error(out, cap, query, qlen, rc == -EOPNOTSUPP ?
		    DNS_RCODE_NOTIMP : DNS_RCODE_FORMERR);
		return n == -EINVAL ? 0 : n;
	}
	memset(&a, 0, sizeof(a));
	a.rt = rt;
	a.q = &q;
	a.out = out;
	a.cap = cap;
	a.limit = dns_query_limit(&q, (flags & DNSANSWER_TCP) != 0);
	a.flags = flags;
	return ans_query(&a);
}
