/* SPDX-License-Identifier: MIT */
/*
 * Tests for runtime/dnsanswer (and dnsforward) without root: the real
 * runtime (config file, hosts file, the shared name map) answering query
 * messages, among them the captured ones.  Placeholders equal what
 * names_resolve() (getaddrinfo's policy) hands out; PTR of a placeholder
 * gives its name; local, hosts-file, NODATA, error and truncation cases.
 * Forwarding to dns_server goes to a loopback peer of ours (SOCKS5
 * CONNECT, then DNS over TCP) that also plays the bad resolver; the real
 * servers (microsocks, dnsmasq) are in tests/integration/dns-answerer.sh.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/dns.h"
#include "core/namemap.h"
#include "runtime/dnsanswer.h"
#include "runtime/names.h"

static char dir[] = "/tmp/check_dnsanswer.XXXXXX";
static char conf_plain[300], conf_fwd[300], conf_broken[300],
    conf_local[300];
static char longname[256];
static int peer_fd = -1;		/* listening; inherited by each test */
static uint16_t peer_port;

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const struct runtime *
rt_with(const char *conf)
{
	const struct runtime *rt;

	/* Each test is a fresh fork: the runtime is built on first use. */
	ck_assert_int_eq(setenv("SOCKSIFY_CONF", conf, 1), 0);
	rt = runtime_get();
	ck_assert_ptr_nonnull(rt);
	return rt;
}

/* A query message for name/type (EDNS payload edns, 0 = none). */
static size_t
query(uint8_t *out, const char *name, uint16_t type, uint16_t edns)
{
	struct dns_question q;
	ssize_t n;

	ck_assert_int_eq(dns_name_from_text(&q.name, name), 0);
	q.type = type;
	q.class = DNS_CLASS_IN;
	n = dns_build_query(out, 600, 0x5151, &q, false, edns > 0, false);
	ck_assert_int_gt(n, 0);
	if (edns > 0) {			/* the OPT's CLASS is the payload */
		out[n - 8] = (uint8_t)(edns >> 8);
		out[n - 7] = (uint8_t)edns;
	}
	return (size_t)n;
}

/* Answer and parse the response; its RCODE. */
static unsigned
ask(const struct runtime *rt, const uint8_t *q, size_t qlen, unsigned flags,
    uint8_t *out, size_t *len, struct dns_response *rs)
{
	ssize_t n = dnsanswer_answer(rt, q, qlen, out, DNS_MSG_MAX, flags);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	ck_assert_int_eq(dns_parse_response(out, *len, rs), 0);
	ck_assert(memcmp(out, q, 2) == 0);	/* the ID */
	ck_assert(rs->flags & DNS_FLAG_RA);
	return DNS_RCODE(rs->flags);
}

/* The i-th answer record's RDATA (type want). */
static const uint8_t *
answer(const uint8_t *msg, size_t len, const struct dns_response *rs,
    unsigned i, uint16_t want, struct dns_rr *rr)
{
	ssize_t off = (ssize_t)rs->rr;
	unsigned k;

	ck_assert_uint_lt(i, rs->count[0]);
	for (k = 0; k <= i; k++) {
		off = dns_parse_rr(msg, len, (size_t)off, rr);
		ck_assert_int_gt(off, 0);
	}
	ck_assert_uint_eq(rr->type, want);
	return msg + rr->rdata;
}

START_TEST(active_predicate)
{
	ck_assert(!dnsanswer_active(NULL));
	ck_assert(dnsanswer_active(rt_with(conf_plain)));
}
END_TEST

START_TEST(active_local)
{
	uint8_t q[600], out[DNS_MSG_MAX];
	struct dns_response rs;
	const struct runtime *rt = rt_with(conf_local);
	size_t len;

	ck_assert(!dnsanswer_active(rt));
	/* Called anyway: refused, never answered from the local resolver. */
	len = query(q, "www.remote.test", DNS_TYPE_A, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs),
	    DNS_RCODE_REFUSED);
}
END_TEST

START_TEST(broken_config_refused)
{
	uint8_t q[600], out[DNS_MSG_MAX];
	struct dns_response rs;
	const struct runtime *rt = rt_with(conf_broken);
	size_t len;

	ck_assert(rt->status < 0);
	ck_assert(dnsanswer_active(rt));
	len = query(q, "www.remote.test", DNS_TYPE_A, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs),
	    DNS_RCODE_REFUSED);
	ck_assert_uint_eq(rs.count[0], 0);
}
END_TEST

/* A and AAAA: the placeholders names_resolve() gives for the same name,
 * in the one map; the captured queries of each client get one too. */
START_TEST(placeholders)
{
	static const char *const caps[] = { "dig-a-1.udp", "cares-a-1.udp",
	    "glibc-gai-1.udp", "go-host-2.udp", "nslookup-1.udp",
	    "go-host-1.udp", "dig-aaaa-1.udp", NULL };
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[600], out[DNS_MSG_MAX];
	struct names_result res;
	struct dns_response rs;
	struct dns_rr rr;
	char text[300];
	const uint8_t *a;
	size_t len, i;
	int err;

	len = query(q, "www.remote.test", DNS_TYPE_A, 1232);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	ck_assert_uint_eq(rs.count[0], 1);
	ck_assert_uint_eq(rs.count[2], 1);		/* our OPT */
	a = answer(out, len, &rs, 0, DNS_TYPE_A, &rr);
	ck_assert(rr.ttl == DNSANSWER_TTL && rr.rdlen == 4);
	ck_assert_int_eq(names_resolve(rt, "www.remote.test", AF_UNSPEC, &res,
	    &err), NAMES_ANSWER);
	ck_assert_uint_eq(res.n, 2);
	ck_assert(res.family[0] == AF_INET && memcmp(a, res.addr[0], 4) == 0);
	ck_assert(a[0] == 198 && (a[1] & 0xfe) == 18);
	ck_assert_int_eq(names_reverse(rt, AF_INET, a, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "www.remote.test");

	len = query(q, "WWW.Remote.Test", DNS_TYPE_AAAA, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	a = answer(out, len, &rs, 0, DNS_TYPE_AAAA, &rr);
	ck_assert(rr.rdlen == 16 && memcmp(a, res.addr[1], 16) == 0);
	/* The question comes back as asked (0x20 case). */
	ck_assert(memcmp(out + 12, q + 12, 17) == 0);

	/* ANY: both, IPv4 first. */
	len = query(q, "www.remote.test", DNS_TYPE_ANY, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	ck_assert_uint_eq(rs.count[0], 2);

	for (i = 0; caps[i] != NULL; i++) {
		char path[4096];
		FILE *f;

		(void)snprintf(path, sizeof(path),
		    "%s/tests/unit/fixtures/dns/%s", getenv("srcdir") ?
		    getenv("srcdir") : ".", caps[i]);
		f = fopen(path, "rb");
		ck_assert_msg(f != NULL, "%s missing", path);
		len = fread(q, 1, sizeof(q), f);
		(void)fclose(f);
		ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
		ck_assert_uint_eq(rs.count[0], 1);
		a = answer(out, len, &rs, 0, rs.q.type, &rr);
		ck_assert_int_eq(names_resolve(rt, "www.example.com",
		    rs.q.type == DNS_TYPE_A ? AF_INET : AF_INET6, &res, &err),
		    NAMES_ANSWER);
		ck_assert(memcmp(a, res.addr[0], rr.rdlen) == 0);
	}
}
END_TEST

START_TEST(ptr)
{
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[600], out[DNS_MSG_MAX], addr[16];
	struct names_result res;
	struct dns_response rs;
	struct dns_name rev, want;
	struct dns_rr rr;
	const uint8_t *a;
	char text[DNS_TEXT_MAX];
	size_t len;
	int err;

	ck_assert_int_eq(names_resolve(rt, "ptr.remote.test", AF_UNSPEC, &res,
	    &err), NAMES_ANSWER);
	ck_assert_int_eq(dns_name_from_text(&want, "ptr.remote.test"), 0);
	/* dig -x PLACEHOLDER, v4 and v6: the name. */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(dns_reverse_from_addr(&rev, res.family[i],
		    res.addr[i]), 0);
		ck_assert_int_ge(dns_name_to_text(&rev, text, sizeof(text)), 1);
		len = query(q, text, DNS_TYPE_PTR, 0);
		ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
		a = answer(out, len, &rs, 0, DNS_TYPE_PTR, &rr);
		ck_assert(rr.rdlen == want.len && memcmp(a, want.wire,
		    want.len) == 0);
	}
	/* A placeholder with no name: NXDOMAIN, with the SOA. */
	ck_assert_int_eq(inet_pton(AF_INET, "198.19.255.254", addr), 1);
	ck_assert_int_eq(dns_reverse_from_addr(&rev, AF_INET, addr), 0);
	ck_assert_int_ge(dns_name_to_text(&rev, text, sizeof(text)), 1);
	len = query(q, text, DNS_TYPE_PTR, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs),
	    DNS_RCODE_NXDOMAIN);
	ck_assert(rs.count[0] == 0 && rs.count[1] == 1);
	/* A hosts-file address: its name. */
	len = query(q, "55.2.0.192.in-addr.arpa", DNS_TYPE_PTR, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	a = answer(out, len, &rs, 0, DNS_TYPE_PTR, &rr);
	ck_assert_int_eq(dns_name_from_text(&want, "rev.example"), 0);
	ck_assert(rr.rdlen == want.len && memcmp(a, want.wire, want.len) == 0);
	/* Any other address, no dns_server: NODATA at once. */
	len = query(q, "1.113.0.203.in-addr.arpa", DNS_TYPE_PTR, 0);
	ck_assert_uint_eq(ask(rt, q, len, DNSANSWER_NOWAIT, out, &len, &rs),
	    0);
	ck_assert(rs.count[0] == 0 && rs.count[1] == 1);
}
END_TEST

START_TEST(hosts_and_localhost)
{
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[600], out[DNS_MSG_MAX];
	struct dns_response rs;
	struct dns_rr rr;
	const uint8_t *a;
	size_t len;

	len = query(q, "hosted.example", DNS_TYPE_A, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	a = answer(out, len, &rs, 0, DNS_TYPE_A, &rr);
	ck_assert(memcmp(a, "\x0a\x09\x08\x07", 4) == 0);
	/* Only IPv4 in the hosts file: AAAA is NODATA, not a placeholder. */
	len = query(q, "hosted.example", DNS_TYPE_AAAA, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	ck_assert(rs.count[0] == 0 && rs.count[1] == 1);
	len = query(q, "localhost", DNS_TYPE_A, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	a = answer(out, len, &rs, 0, DNS_TYPE_A, &rr);
	ck_assert(memcmp(a, "\x7f\0\0\1", 4) == 0);
}
END_TEST

/* MX, TXT, SRV... without dns_server: NODATA at once, never I/O. */
START_TEST(other_types_nodata)
{
	static const uint16_t types[] = { DNS_TYPE_MX, DNS_TYPE_TXT,
	    DNS_TYPE_SRV, DNS_TYPE_NS, DNS_TYPE_SOA, DNS_TYPE_CNAME, 65 };
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[600], out[DNS_MSG_MAX];
	struct dns_response rs;
	struct dns_rr rr;
	size_t len, i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		len = query(q, "mail.remote.test", types[i], 1232);
		ck_assert_uint_eq(ask(rt, q, len, DNSANSWER_NOWAIT, out, &len,
		    &rs), DNS_RCODE_NOERROR);
		ck_assert(rs.count[0] == 0 && rs.count[1] == 1 &&
		    rs.count[2] == 1);
		ck_assert_int_gt(dns_parse_rr(out, len, rs.rr, &rr), 0);
		ck_assert_uint_eq(rr.type, DNS_TYPE_SOA);
	}
	/* The root, too. */
	len = query(q, ".", DNS_TYPE_NS, 0);
	ck_assert_uint_eq(ask(rt, q, len, DNSANSWER_NOWAIT, out, &len, &rs),
	    0);
	ck_assert_uint_eq(rs.count[0], 0);
}
END_TEST

START_TEST(errors)
{
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[700], out[DNS_MSG_MAX];
	struct dns_response rs;
	size_t len;
	ssize_t n;

	/* Nothing at all for < 12 bytes and for responses. */
	memset(q, 0, sizeof(q));
	ck_assert_int_eq(dnsanswer_answer(rt, q, 11, out, sizeof(out), 0), 0);
	len = query(q, "a.remote.test", DNS_TYPE_A, 0);
	q[2] |= 0x80;
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out), 0), 0);
	/* Truncated: FORMERR from the header. */
	len = query(q, "a.remote.test", DNS_TYPE_A, 0);
	n = dnsanswer_answer(rt, q, len - 1, out, sizeof(out), 0);
	ck_assert_int_eq(n, 12);
	ck_assert(memcmp(out, q, 2) == 0);
	ck_assert_uint_eq(get16(out + 2), DNS_FLAG_QR | DNS_FLAG_RD |
	    DNS_FLAG_RA | DNS_RCODE_FORMERR);
	/* Two questions: FORMERR. */
	q[5] = 2;
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out), 0),
	    12);
	ck_assert_uint_eq(DNS_RCODE(get16(out + 2)), DNS_RCODE_FORMERR);
	q[5] = 1;
	/* Opcode NOTIFY: NOTIMP. */
	q[2] = (uint8_t)(4 << 3 | 1);
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out), 0),
	    12);
	ck_assert_uint_eq(DNS_RCODE(get16(out + 2)), DNS_RCODE_NOTIMP);
	ck_assert_uint_eq(DNS_OPCODE(get16(out + 2)), 4);
	/* EDNS version 1: BADVERS (extended RCODE 1 in the OPT). */
	len = query(q, "a.remote.test", DNS_TYPE_A, 1232);
	q[len - 5] = 1;			/* OPT TTL: ext-rcode 0, version 1 */
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	ck_assert_uint_eq(rs.count[0], 0);
	ck_assert_uint_eq(out[len - 6], 1);
	/* Class CHAOS: REFUSED; AXFR: NOTIMP. */
	len = query(q, "version.bind", DNS_TYPE_TXT, 0);
	q[len - 1] = 3;
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs),
	    DNS_RCODE_REFUSED);
	len = query(q, "remote.test", DNS_TYPE_AXFR, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs),
	    DNS_RCODE_NOTIMP);
	/* A name that is no host name (a space in a label): REFUSED. */
	len = query(q, "a_b.remote.test", DNS_TYPE_A, 0);
	q[13] = ' ';
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs),
	    DNS_RCODE_REFUSED);
	/* A name over 255 bytes: FORMERR, and no slot is taken for it. */
	memset(q, 0, sizeof(q));
	memcpy(q, "\x51\x51\1\0\0\1\0\0\0\0\0\0", 12);
	for (len = 12; len < 12 + 5 * 52; len += 52) {
		q[len] = 51;
		memset(q + len + 1, 'x', 51);
	}
	q[len++] = 0;
	q[len++] = 0;
	q[len++] = 1;
	q[len++] = 0;
	q[len++] = 1;
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out), 0),
	    12);
	ck_assert_uint_eq(DNS_RCODE(get16(out + 2)), DNS_RCODE_FORMERR);
	/* A cap too small for the question: -ENOSPC. */
	len = query(q, "a.remote.test", DNS_TYPE_A, 0);
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, len - 1, 0),
	    -ENOSPC);
	ck_assert_int_eq(dnsanswer_answer(NULL, q, len, out, 512, 0),
	    -EINVAL);
}
END_TEST

/* 16 AAAA records for a 204-byte name: 670 bytes. */
START_TEST(truncation)
{
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[600], out[DNS_MSG_MAX];
	struct dns_response rs;
	size_t len;

	len = query(q, longname, DNS_TYPE_AAAA, 0);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	ck_assert(get16(out + 2) & DNS_FLAG_TC);
	ck_assert_uint_le(len, 512);
	ck_assert_uint_eq(rs.count[0], (512 - 12 - 210) / 28);
	len = query(q, longname, DNS_TYPE_AAAA, 1232);
	ck_assert_uint_eq(ask(rt, q, len, 0, out, &len, &rs), 0);
	ck_assert(!(get16(out + 2) & DNS_FLAG_TC));
	ck_assert_uint_eq(rs.count[0], 16);
	len = query(q, longname, DNS_TYPE_AAAA, 0);
	ck_assert_uint_eq(ask(rt, q, len, DNSANSWER_TCP, out, &len, &rs), 0);
	ck_assert(!(get16(out + 2) & DNS_FLAG_TC));
	ck_assert_uint_eq(rs.count[0], 16);
}
END_TEST

START_TEST(local_names)
{
	const struct runtime *rt = rt_with(conf_plain);
	uint8_t q[600], out[DNS_MSG_MAX];
	struct dns_response rs;
	struct dns_rr rr;
	const uint8_t *a;
	size_t len;

	/* A numeric name resolves locally, without I/O. */
	len = query(q, "10.1.2.3", DNS_TYPE_A, 0);
	ck_assert_uint_eq(ask(rt, q, len, DNSANSWER_NOWAIT, out, &len, &rs),
	    0);
	a = answer(out, len, &rs, 0, DNS_TYPE_A, &rr);
	ck_assert(memcmp(a, "\x0a\1\2\3", 4) == 0);
	len = query(q, "10.1.2.3", DNS_TYPE_AAAA, 0);
	ck_assert_uint_eq(ask(rt, q, len, DNSANSWER_NOWAIT, out, &len, &rs),
	    0);
	ck_assert_uint_eq(rs.count[0], 0);
	/* A local_domain name would need the real resolver: not with
	 * NOWAIT, and no placeholder for it either. */
	len = query(q, "printer.lan", DNS_TYPE_A, 0);
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out),
	    DNSANSWER_NOWAIT), -EWOULDBLOCK);
	len = query(q, "printer.lan", DNS_TYPE_MX, 0);
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out),
	    DNSANSWER_NOWAIT), -EWOULDBLOCK);
	len = query(q, "x.direct.test", DNS_TYPE_A, 0);
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out),
	    DNSANSWER_NOWAIT), -EWOULDBLOCK);
}
END_TEST

/* ---- forwarding: our loopback peer as proxy and resolver --------------- */

enum peer_mode { PEER_OK, PEER_BAD_ID, PEER_WRONG_Q, PEER_SILENT,
    PEER_REFUSE, PEER_BIG };

struct peer {
	enum peer_mode mode;
	pthread_t t;
	uint8_t target[7];	/* ATYP 1, address, port the client asked */
	int seen_query;
	uint16_t qid;
};

static int
read_n(int fd, uint8_t *b, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = read(fd, b, n);
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The resolver's side: an answer to msg (len bytes) in mode. */
static size_t
peer_answer(struct peer *p, const uint8_t *msg, size_t len, uint8_t *out)
{
	struct dns_query q;
	size_t n, i, qend;

	ck_assert_int_eq(dns_parse_query(msg, len, &q), 0);
	p->qid = q.id;
	p->seen_query = 1;
	qend = 12 + q.q.name.len + 4u;
	memcpy(out, msg, qend);
	out[2] = 0x81;
	out[3] = 0x80;
	memset(out + 6, 0, 6);
	if (p->mode == PEER_BAD_ID)
		out[1] ^= 1;
	if (p->mode == PEER_WRONG_Q)
		out[13] ^= 0x01;
	n = qend;
	if (p->mode == PEER_BIG) {
		/* 40 TXT records of 100 bytes. */
		for (i = 0; i < 40; i++) {
			memcpy(out + n, "\xc0\x0c\0\x10\0\1\0\0\0\x3c\0\x65\x64",
			    13);
			memset(out + n + 13, 'a' + (int)(i % 26), 100);
			n += 113;
		}
		put16(out + 6, 40);
		return n;
	}
	/* MX 10 mail.<qname>, the exchange compressed against the question:
	 * dnsforward must expand it, as our message has its own layout. */
	memcpy(out + n, "\xc0\x0c\0\x0f\0\1\0\0\x0e\x10\0\x09\0\x0a\4mail"
	    "\xc0\x0c", 21);
	n += 21;
	put16(out + 6, 1);
	/* And its OPT, which must not be copied. */
	memcpy(out + n, "\0\0\x29\x10\0\0\0\0\0\0\0", 11);
	n += 11;
	put16(out + 10, 1);
	return n;
}

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	uint8_t b[8192], out[8192];
	size_t n;
	int c;

	c = accept(peer_fd, NULL, NULL);
	if (c < 0)
		return NULL;
	/* SOCKS5: greeting (no auth), CONNECT to an IPv4 target. */
	if (read_n(c, b, 2) < 0 || read_n(c, b + 2, b[1]) < 0 ||
	    write(c, "\5\0", 2) != 2 || read_n(c, b, 4) < 0 || b[3] != 1 ||
	    read_n(c, b + 4, 6) < 0)
		goto out;
	p->target[0] = b[3];
	memcpy(p->target + 1, b + 4, 6);
	if (p->mode == PEER_REFUSE) {
		(void)!write(c, "\5\5\0\1\0\0\0\0\0\0", 10);
		goto out;
	}
	if (write(c, "\5\0\0\1\0\0\0\0\0\0", 10) != 10)
		goto out;
	if (read_n(c, b, 2) < 0 || read_n(c, b + 2, get16(b)) < 0)
		goto out;
	if (p->mode == PEER_SILENT) {
		(void)read_n(c, b, 1);		/* until the client gives up */
		goto out;
	}
	n = peer_answer(p, b + 2, get16(b), out + 2);
	put16(out, n);
	(void)!write(c, out, n + 2);
	(void)read_n(c, b, 1);
out:
	(void)close(c);
	return NULL;
}

static void
peer_start(struct peer *p, enum peer_mode mode)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	ck_assert_int_eq(pthread_create(&p->t, NULL, peer_main, p), 0);
}

static unsigned
forward(struct peer *p, enum peer_mode mode, uint16_t type, unsigned flags,
    uint8_t *out, size_t *len, struct dns_response *rs)
{
	const struct runtime *rt = rt_with(conf_fwd);
	uint8_t q[600];
	size_t qlen;
	unsigned rc;

	peer_start(p, mode);
	qlen = query(q, "Mx.Remote.test", type, 1232);
	rc = ask(rt, q, qlen, flags, out, len, rs);
	ck_assert_int_eq(pthread_join(p->t, NULL), 0);
	/* The proxy was asked for dns_server = 127.0.0.2:5353. */
	ck_assert(memcmp(p->target, "\1\x7f\0\0\2\x14\xe9", 7) == 0);
	return rc;
}

START_TEST(forward_ok)
{
	static const uint8_t mx[] = "\0\x0a\4mail\2Mx\6Remote\4test";
	uint8_t out[DNS_MSG_MAX];
	struct dns_response rs;
	struct dns_rr rr;
	struct peer p;
	const uint8_t *a;
	size_t len;

	ck_assert_uint_eq(forward(&p, PEER_OK, DNS_TYPE_MX, 0, out, &len,
	    &rs), 0);
	ck_assert(p.seen_query);
	ck_assert_uint_ne(p.qid, 0x5151);	/* an ID of our own upstream */
	ck_assert_uint_eq(rs.count[0], 1);
	ck_assert_uint_eq(rs.count[2], 1);	/* our OPT only */
	a = answer(out, len, &rs, 0, DNS_TYPE_MX, &rr);
	ck_assert_uint_eq(rr.ttl, 3600);
	ck_assert(rr.rdlen == sizeof(mx) && memcmp(a, mx, sizeof(mx)) == 0);
}
END_TEST

START_TEST(forward_nowait)
{
	const struct runtime *rt = rt_with(conf_fwd);
	uint8_t q[600], out[600];
	size_t len;

	len = query(q, "mx.remote.test", DNS_TYPE_MX, 0);
	ck_assert_int_eq(dnsanswer_answer(rt, q, len, out, sizeof(out),
	    DNSANSWER_NOWAIT), -EWOULDBLOCK);
}
END_TEST

START_TEST(forward_bad_peer)
{
	static const enum peer_mode modes[] = { PEER_BAD_ID, PEER_WRONG_Q,
	    PEER_REFUSE };
	uint8_t out[DNS_MSG_MAX];
	struct dns_response rs;
	struct peer p;
	size_t len, i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_uint_eq(forward(&p, modes[i], DNS_TYPE_MX, 0, out,
		    &len, &rs), DNS_RCODE_SERVFAIL);
		ck_assert_uint_eq(rs.count[0], 0);
	}
}
END_TEST

START_TEST(forward_silent_timeout)
{
	uint8_t out[DNS_MSG_MAX];
	struct dns_response rs;
	struct timespec t0, t1;
	struct peer p;
	size_t len;
	double s;

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_uint_eq(forward(&p, PEER_SILENT, DNS_TYPE_TXT, 0, out, &len,
	    &rs), DNS_RCODE_SERVFAIL);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(s >= 0.9 && s < 3.0, "gave up after %.2f s (timeout "
	    "= 1 s)", s);
}
END_TEST

/* 4.5 KB of TXT: TC over UDP with EDNS 1232, whole over TCP. */
START_TEST(forward_big)
{
	uint8_t out[DNS_MSG_MAX];
	struct dns_response rs;
	struct peer p;
	size_t len;

	ck_assert_uint_eq(forward(&p, PEER_BIG, DNS_TYPE_TXT, 0, out, &len,
	    &rs), 0);
	ck_assert(get16(out + 2) & DNS_FLAG_TC);
	ck_assert_uint_le(len, 1232);
	ck_assert_uint_eq(rs.count[0], (1232 - 12 - 20 - 11) / 113);
	ck_assert_uint_eq(forward(&p, PEER_BIG, DNS_TYPE_TXT, DNSANSWER_TCP,
	    out, &len, &rs), 0);
	ck_assert(!(get16(out + 2) & DNS_FLAG_TC));
	ck_assert_uint_eq(rs.count[0], 40);
}
END_TEST

/* ---- setup ----------------------------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

static void
setup_files(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	char path[400], text[8192];
	size_t n = 0;
	int i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	/* 4 labels of 49 + "test": 204 bytes (206 in wire form). */
	for (i = 0; i < 4; i++) {
		memset(longname + i * 50, 'a' + i, 49);
		longname[i * 50 + 49] = '.';
	}
	memcpy(longname + 200, "test", 5);
	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "127.0.0.1 localhost\n::1 localhost\n10.9.8.7 hosted.example\n"
	    "192.0.2.55 rev.example\n");
	for (i = 1; i <= 16; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "fd00::%x %s\n", i, longname);
	(void)snprintf(path, sizeof(path), "%s/hosts", dir);
	write_file(path, text);

	peer_fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (peer_fd < 0 || bind(peer_fd, (struct sockaddr *)&sin, sl) != 0 ||
	    listen(peer_fd, 8) != 0 ||
	    getsockname(peer_fd, (struct sockaddr *)&sin, &sl) != 0) {
		perror("peer socket");
		exit(99);
	}
	peer_port = ntohs(sin.sin_port);

	(void)snprintf(conf_plain, sizeof(conf_plain), "%s/plain.conf", dir);
	(void)snprintf(text, sizeof(text), "proxy = socks5://127.0.0.1:%u\n"
	    "hosts_file = %s/hosts\nlocal_domain = .lan\n"
	    "rule = *.direct.test direct\ntimeout = 1\n", peer_port, dir);
	write_file(conf_plain, text);
	(void)snprintf(conf_fwd, sizeof(conf_fwd), "%s/fwd.conf", dir);
	(void)snprintf(text + strlen(text), sizeof(text) - strlen(text),
	    "dns_server = 127.0.0.2:5353\n");
	write_file(conf_fwd, text);
	(void)snprintf(conf_broken, sizeof(conf_broken), "%s/broken.conf",
	    dir);
	write_file(conf_broken, "proxy = socks5://127.0.0.1:1\nbogus\n");
	(void)snprintf(conf_local, sizeof(conf_local), "%s/local.conf", dir);
	write_file(conf_local, "proxy = socks5://127.0.0.1:1\ndns = local\n");
}

static void
cleanup_files(void)
{
	char cmd[600];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int
main(void)
{
	Suite *s = suite_create("dnsanswer");
	TCase *tc;
	SRunner *sr;
	int failed;

	unsetenv("SOCKSIFY_PROXY");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	unsetenv("SOCKSIFY_LOG");
	setup_files();

	tc = tcase_create("dnsanswer_answer");
	tcase_add_test(tc, active_predicate);
	tcase_add_test(tc, active_local);
	tcase_add_test(tc, broken_config_refused);
	tcase_add_test(tc, placeholders);
	tcase_add_test(tc, ptr);
	tcase_add_test(tc, hosts_and_localhost);
	tcase_add_test(tc, other_types_nodata);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, truncation);
	tcase_add_test(tc, local_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("dnsforward_answer");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, forward_ok);
	tcase_add_test(tc, forward_nowait);
	tcase_add_test(tc, forward_bad_peer);
	tcase_add_test(tc, forward_silent_timeout);
	tcase_add_test(tc, forward_big);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup_files();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
