/* SPDX-License-Identifier: MIT */
/*
 * Test helper: one question through the resolver library (libresolv's
 * API, as mail tools, LDAP clients and apt's SRV lookup use it), the
 * answer parsed with ns_parserr() and printed.  Usage:
 *   resquery query|search|nquery|nsearch|send|nsend NAME TYPE
 *   resquery querydomain NAME DOMAIN TYPE
 * TYPE: A, AAAA, MX, SRV, TXT, PTR or a number.  query/search/nquery/
 * nsearch call res_query/res_search/res_nquery/res_nsearch; querydomain
 * res_querydomain; send and nsend build the question with res_mkquery and
 * call res_send/res_nsend.  Prints "rcode R ancount N", then one line per
 * answer record ("A ADDR", "AAAA ADDR", "MX PREF HOST", "SRV PRIO WEIGHT
 * PORT HOST", "TXT TEXT", "PTR HOST", "TYPE n LEN") and "ms N" (the time
 * the call took).  A failing call prints "error h_errno N" (res_query
 * and friends; "errno" for res_send) and exits 2; usage errors exit 1.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const struct {
	const char *name;
	int type;
} types[] = {
	{ "A", ns_t_a }, { "AAAA", ns_t_aaaa }, { "MX", ns_t_mx },
	{ "SRV", ns_t_srv }, { "TXT", ns_t_txt }, { "PTR", ns_t_ptr },
};

static int
parse_type(const char *s)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, types[i].name) == 0)
			return types[i].type;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || v > 65535)
		return -1;
	return (int)v;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One record of the answer section on one line. */
static void
print_rr(ns_msg *m, ns_rr *rr)
{
	const unsigned char *d = ns_rr_rdata(*rr);
	unsigned len = ns_rr_rdlen(*rr);
	char text[NS_MAXDNAME], addr[INET6_ADDRSTRLEN];
	unsigned off = 0;

	switch (ns_rr_type(*rr)) {
	case ns_t_a:
	case ns_t_aaaa:
		if (len != 4 && len != 16)
			break;
		inet_ntop(len == 4 ? AF_INET : AF_INET6, d, addr, sizeof(addr));
		printf("%s %s\n", len == 4 ? "A" : "AAAA", addr);
		return;
	case ns_t_mx:
		off = 2;
		/* FALLTHROUGH */
	case ns_t_ptr:
		if (len < off || ns_name_uncompress(ns_msg_base(*m),
		    ns_msg_end(*m), d + off, text, sizeof(text)) < 0)
			break;
		if (off == 2)
			printf("MX %u %s\n", ns_get16(d), text);
		else
			printf("PTR %s\n", text);
		return;
	case ns_t_srv:
		if (len < 7 || ns_name_uncompress(ns_msg_base(*m),
		    ns_msg_end(*m), d + 6, text, sizeof(text)) < 0)
			break;
		printf("SRV %u %u %u %s\n", ns_get16(d), ns_get16(d + 2),
		    ns_get16(d + 4), text);
		return;
	case ns_t_txt:
		if (len < 1 || d[0] + 1u > len)
			break;
		printf("TXT %.*s\n", d[0], (const char *)d + 1);
		return;
	default:
		break;
	}
	printf("TYPE %d %u\n", ns_rr_type(*rr), len);
}

static int
print_answer(const unsigned char *ans, int n)
{
	ns_msg m;
	ns_rr rr;
	int i;

	if (ns_initparse(ans, n, &m) < 0) {
		printf("error unparsable answer (%d bytes)\n", n);
		return 2;
	}
	printf("rcode %d ancount %d\n", ns_msg_getflag(m, ns_f_rcode),
	    ns_msg_count(m, ns_s_an));
	for (i = 0; i < ns_msg_count(m, ns_s_an); i++) {
		if (ns_parserr(&m, ns_s_an, i, &rr) < 0) {
			printf("error record %d does not parse\n", i);
			return 2;
		}
		print_rr(&m, &rr);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static unsigned char ans[65536];
	unsigned char q[NS_PACKETSZ + 256];
	struct __res_state st;
	const char *mode, *name, *domain = NULL;
	long t0;
	int type, n, qlen, rc;

	if (argc < 4 || (strcmp(argv[1], "querydomain") == 0 && argc != 5) ||
	    (strcmp(argv[1], "querydomain") != 0 && argc != 4)) {
		fprintf(stderr, "usage: resquery MODE NAME [DOMAIN] TYPE\n");
		return 1;
	}
	mode = argv[1];
	name = argv[2];
	if (argc == 5)
		domain = argv[3];
	type = parse_type(argv[argc - 1]);
	if (type < 0) {
		fprintf(stderr, "resquery: bad type %s\n", argv[argc - 1]);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	if (mode[0] == 'n' && res_ninit(&st) != 0) {
		fprintf(stderr, "resquery: res_ninit failed\n");
		return 2;
	}
	h_errno = 0;
	errno = 0;
	t0 = now_ms();
	if (strcmp(mode, "query") == 0)
		n = res_query(name, ns_c_in, type, ans, sizeof(ans));
	else if (strcmp(mode, "search") == 0)
		n = res_search(name, ns_c_in, type, ans, sizeof(ans));
	else if (strcmp(mode, "nquery") == 0)
		n = res_nquery(&st, name, ns_c_in, type, ans, sizeof(ans));
	else if (strcmp(mode, "nsearch") == 0)
		n = res_nsearch(&st, name, ns_c_in, type, ans, sizeof(ans));
	else if (strcmp(mode, "querydomain") == 0)
		n = res_querydomain(name, domain, ns_c_in, type, ans,
		    sizeof(ans));
	else if (strcmp(mode, "send") == 0 || strcmp(mode, "nsend") == 0) {
		qlen = res_mkquery(ns_o_query, name, ns_c_in, type, NULL, 0,
		    NULL, q, sizeof(q));
		if (qlen < 0) {
			printf("error res_mkquery\n");
			return 2;
		}
		n = mode[0] == 'n' ? res_nsend(&st, q, qlen, ans, sizeof(ans)) :
		    res_send(q, qlen, ans, sizeof(ans));
		if (n < 0) {
			printf("error errno %d\nms %ld\n", errno, now_ms() - t0);
			return 2;
		}
	} else {
		fprintf(stderr, "resquery: unknown mode %s\n", mode);
		return 1;
	}
	if (n < 0) {
		printf("error h_errno %d\nms %ld\n", h_errno, now_ms() - t0);
		return 2;
	}
	rc = print_answer(ans, n);
	printf("ms %ld\n", now_ms() - t0);
	if (mode[0] == 'n')
		res_nclose(&st);
	return rc;
}
