/* SPDX-License-Identifier: MIT */
/* res_query(), res_search(), res_querydomain(), res_send(), their res_n*
 * forms and glibc's __res_* names for both: in dns = remote the question
 * goes to the DNS answerer (runtime/dnsanswer.c) and the caller gets a
 * real DNS message, parsed unchanged; libc's resolver never sends a
 * packet. In dns = local, libc's own functions. */
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/dns.h"
#include "hooks/hooks.h"
#include "runtime/dnsanswer.h"
#include "runtime/export.h"
#include "runtime/init.h"
#include "runtime/real.h"

/* <resolv.h> renames these to the __res_* symbols; the hooks need both
 * spellings, so the macros go. */
#undef res_query
#undef res_search
#undef res_querydomain
#undef res_send
#undef res_nquery
#undef res_nsearch
#undef res_nquerydomain
#undef res_nsend

/* h_errno for the answer, as glibc's res_query sets it: -1 unless the
 * answer is NOERROR with records. */
static int
resolv_judge(const unsigned char *ans, int n, int *herr)
{
	unsigned rcode, ancount;

	if (n < DNS_HEADER_LEN) {
		*herr = NO_RECOVERY;
		return -1;
	}
	rcode = ans[3] & 0xf;
	ancount = (unsigned)ans[6] << 8 | ans[7];
	if (rcode == DNS_RCODE_NOERROR && ancount > 0) {
		*herr = NETDB_SUCCESS;
		return n;
	}
	*herr = rcode == DNS_RCODE_NXDOMAIN ? HOST_NOT_FOUND :
	    rcode == DNS_RCODE_SERVFAIL ? TRY_AGAIN :
	    rcode == DNS_RCODE_NOERROR ? NO_DATA : NO_RECOVERY;
	return -1;
}

/* Ask the answerer for name (class, type): the length of the answer in
 * answer[0..anslen), or -1 with *herr. */
static int
resolv_ask(const struct runtime *rt, const char *name, int class, int type,
    unsigned char *answer, int anslen, int *herr)
{
	uint8_t q[DNS_HEADER_LEN + DNS_NAME_MAX + 4 + DNS_OPT_LEN];
	struct dns_question qs;
	uint16_t id = 0;
	ssize_t qlen, n;

	memset(&qs, 0, sizeof(qs));
	if (name == NULL || answer == NULL || anslen < DNS_HEADER_LEN ||
	    dns_name_from_text(&qs.name, name) < 0) {
		*herr = NO_RECOVERY;
		return -1;
	}
	qs.type = (uint16_t)type;
	qs.class = (uint16_t)class;
	(void)getrandom(&id, sizeof(id), GRND_NONBLOCK);
	qlen = dns_build_query(q, sizeof(q), id, &qs, false, false, false);
	if (qlen < 0) {
		*herr = NO_RECOVERY;
		return -1;
	}
	/* As over TCP: the limit is the caller's buffer, not 512 bytes. */
	n = dnsanswer_answer(rt, q, (size_t)qlen, answer, (size_t)anslen,
	    DNSANSWER_TCP);
	if (n <= 0) {
		*herr = n == 0 ? NO_RECOVERY : TRY_AGAIN;
		return -1;
	}
	return resolv_judge(answer, (int)n, herr);
}

static int
resolv_query(res_state st, const char *name, int class, int type,
    unsigned char *answer, int anslen)
{
	const struct runtime *rt = runtime_get();
	int herr = NETDB_SUCCESS, rc;

	if (!dnsanswer_active(rt)) {
		if (real_resolver_init() < 0) {
			h_errno = NO_RECOVERY;
			return -1;
		}
		return st != NULL ? real_res_nquery(st, name, class, type,
		    answer, anslen) : real_res_query(name, class, type, answer,
		    anslen);
	}
	rc = resolv_ask(rt, name, class, type, answer, anslen, &herr);
	h_errno = herr;
	if (st != NULL)
		st->res_h_errno = herr;
	return rc;
}

/* "name.domain" (no search list: the proxy side resolves what it is
 * given; a bare name is asked as it is). */
static int
resolv_querydomain(res_state st, const char *name, const char *domain,
    int class, int type, unsigned char *answer, int anslen)
{
	char full[DNS_TEXT_MAX + 2];
	int n;

	if (domain == NULL || *domain == '\0')
		return resolv_query(st, name, class, type, answer, anslen);
	n = snprintf(full, sizeof(full), "%s.%s", name != NULL ? name : "",
	    domain);
	if (n < 0 || (size_t)n >= sizeof(full)) {
		h_errno = NO_RECOVERY;
		return -1;
	}
	return resolv_query(st, full, class, type, answer, anslen);
}

static int
resolv_send(res_state st, const unsigned char *msg, int msglen,
    unsigned char *answer, int anslen)
{
	const struct runtime *rt = runtime_get();
	ssize_t n;

	if (!dnsanswer_active(rt)) {
		if (real_resolver_init() < 0) {
			errno = ENOSYS;
			return -1;
		}
		return st != NULL ? real_res_nsend(st, msg, msglen, answer,
		    anslen) : real_res_send(msg, msglen, answer, anslen);
	}
	if (msg == NULL || msglen <= 0 || answer == NULL || anslen <= 0) {
		errno = EINVAL;
		return -1;
	}
	n = dnsanswer_answer(rt, msg, (size_t)msglen, answer, (size_t)anslen,
	    DNSANSWER_TCP);
	if (n <= 0) {
		errno = n == 0 ? EINVAL : (int)-n;
		return -1;
	}
	return (int)n;
}

/* ---- the entry points ------------------------------------------------- */

SX_EXPORT int
res_nquery(res_state st, const char *name, int class, int type,
    unsigned char *answer, int anslen)
{
	return resolv_query(st, name, class, type, answer, anslen);
}

SX_EXPORT int
res_query(const char *name, int class, int type, unsigned char *answer,
    int anslen)
{
	return resolv_query(NULL, name, class, type, answer, anslen);
}

SX_EXPORT int
res_nsearch(res_state st, const char *name, int class, int type,
    unsigned char *answer, int anslen)
{
	return resolv_query(st, name, class, type, answer, anslen);
}

SX_EXPORT int
res_search(const char *name, int class, int type, unsigned char *answer,
    int anslen)
{
	return resolv_query(NULL, name, class, type, answer, anslen);
}

SX_EXPORT int
res_nquerydomain(res_state st, const char *name, const char *domain,
    int class, int type, unsigned char *answer, int anslen)
{
	return resolv_querydomain(st, name, domain, class, type, answer,
	    anslen);
}

SX_EXPORT int
res_querydomain(const char *name, const char *domain, int class, int type,
    unsigned char *answer, int anslen)
{
	return resolv_querydomain(NULL, name, domain, class, type, answer,
	    anslen);
}

SX_EXPORT int
res_nsend(res_state st, const unsigned char *msg, int msglen,
    unsigned char *answer, int anslen)
{
	return resolv_send(st, msg, msglen, answer, anslen);
}

SX_EXPORT int
res_send(const unsigned char *msg, int msglen, unsigned char *answer,
    int anslen)
{
	return resolv_send(NULL, msg, msglen, answer, anslen);
}

/* Programs built against glibc before 2.34 call these names (declared in
 * hooks/hooks.h: glibc 2.36's <resolv.h> no longer does). */
SX_EXPORT int
__res_nquery(res_state st, const char *name, int class, int type,
    unsigned char *answer, int anslen)
{
	return resolv_query(st, name, class, type, answer, anslen);
}

SX_EXPORT int
__res_query(const char *name, int class, int type, unsigned char *answer,
    int anslen)
{
	return resolv_query(NULL, name, class, type, answer, anslen);
}

SX_EXPORT int
__res_nsearch(res_state st, const char *name, int class, int type,
    unsigned char *answer, int anslen)
{
	return resolv_query(st, name, class, type, answer, anslen);
}

SX_EXPORT int
__res_search(const char *name, int class, int type, unsigned char *answer,
    int anslen)
{
	return resolv_query(NULL, name, class, type, answer, anslen);
}

SX_EXPORT int
__res_nquerydomain(res_state st, const char *name, const char *domain,
    int class, int type, unsigned char *answer, int anslen)
{
	return resolv_querydomain(st, name, domain, class, type, answer,
	    anslen);
}

SX_EXPORT int
__res_querydomain(const char *name, const char *domain, int class, int type,
    unsigned char *answer, int anslen)
{
	return resolv_querydomain(NULL, name, domain, class, type, answer,
	    anslen);
}

SX_EXPORT int
__res_nsend(res_state st, const unsigned char *msg, int msglen,
    unsigned char *answer, int anslen)
{
	return resolv_send(st, msg, msglen, answer, anslen);
}

SX_EXPORT int
__res_send(const unsigned char *msg, int msglen, unsigned char *answer,
    int anslen)
{
	return resolv_send(NULL, msg, msglen, answer, anslen);
}
