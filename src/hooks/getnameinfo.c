/* SPDX-License-Identifier: MIT */
/* getnameinfo(), gethostbyaddr() and gethostbyaddr_r(): names for
 * placeholders and hosts-file addresses; with remote DNS, never a PTR
 * query: an unknown address stays numeric (or is "not found"). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/hostent.h"
#include "runtime/init.h"
#include "runtime/names.h"
#include "runtime/real.h"

#define GHBA_REAL 1	/* ghba_lookup(): ask libc */

SX_EXPORT int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	const struct runtime *rt = runtime_get();
	const void *addr;
	char name[256];
	int saved = errno, rc;

	if (rt == NULL || real_getnameinfo == NULL) {
		errno = ENOSYS;
		return EAI_SYSTEM;
	}
	if (sa == NULL || host == NULL || hostlen == 0 ||
	    (flags & NI_NUMERICHOST) || rt->bootstrap ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return real_getnameinfo(sa, salen, host, hostlen, serv,
		    servlen, flags);	/* no host name wanted: no query */
	if (salen < (sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6)))
		return EAI_FAMILY;
	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr;
	else
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr;

	rc = names_reverse(rt, sa->sa_family, addr, name, sizeof(name));
	errno = saved;
	if (rc == -ENOENT && rt->cfg.dns == DNS_LOCAL)
		return real_getnameinfo(sa, salen, host, hostlen, serv,
		    servlen, flags);
	if (rc == -ENOENT && (flags & NI_NAMEREQD))
		return EAI_NONAME;
	/* The numeric form (with %scope, as libc prints it) and the
	 * service: libc does both without a query. */
	flags = (flags | NI_NUMERICHOST) & ~NI_NAMEREQD;
	if (rc == -ENOENT)
		return real_getnameinfo(sa, salen, host, hostlen, serv,
		    servlen, flags);
	if (rc < 0)
		return rc == -EAGAIN ? EAI_AGAIN : EAI_FAIL;
	if (strlen(name) >= hostlen)
		return EAI_OVERFLOW;
	if (serv != NULL && servlen > 0) {
		rc = real_getnameinfo(sa, salen, NULL, 0, serv, servlen, flags);
		if (rc != 0)
			return rc;
	}
	memcpy(host, name, strlen(name) + 1);
	errno = saved;	/* libc's service lookup may clear it */
	return 0;
}

/*
 * The hostent for addr (len bytes of family af) in he/buf[0..cap).
 * Returns 0, GHBA_REAL, or a negative errno with *herr set.
 */
static int
ghba_lookup(const void *addr, socklen_t len, int af, struct hostent *he,
    char *buf, size_t cap, int *herr)
{
	const struct runtime *rt = runtime_get();
	struct names_result r;
	int saved = errno, rc;

	*herr = NETDB_INTERNAL;
	if (rt == NULL)
		return -ENOSYS;
	if (rt->bootstrap)
		return GHBA_REAL;
	if (af != AF_INET && af != AF_INET6)
		return -EAFNOSUPPORT;
	if (addr == NULL || len != (af == AF_INET ? 4u : 16u))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	rc = names_reverse(rt, af, addr, r.canon, sizeof(r.canon));
	errno = saved;
	if (rc == -ENOENT && rt->cfg.dns == DNS_LOCAL)
		return GHBA_REAL;
	if (rc < 0) {
		*herr = rc == -ENOENT ? HOST_NOT_FOUND : hostent_herrno(rc);
		return rc;
	}
	r.n = 1;
	r.family[0] = af;
	memcpy(r.addr[0], addr, len);
	rc = hostent_fill(he, buf, cap, &r, af);
	return rc;	/* only -ERANGE can fail: herr NETDB_INTERNAL */
}

SX_EXPORT struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int af)
{
	struct hostent *he;
	char *buf;
	int herr, rc;

	he = hostent_tls(&buf);
	rc = ghba_lookup(addr, len, af, he, buf, HOSTENT_BUF_SIZE, &herr);
	if (rc == GHBA_REAL && real_gethostbyaddr != NULL)
		return real_gethostbyaddr(addr, len, af);
	if (rc == GHBA_REAL)
		return hostent_fail(-ENOSYS, NETDB_INTERNAL);
	return rc < 0 ? hostent_fail(rc, herr) : he;
}

SX_EXPORT int
gethostbyaddr_r(const void *addr, socklen_t len, int af, struct hostent *he,
    char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
	int herr, rc;

	rc = ghba_lookup(addr, len, af, he, buf, buflen, &herr);
	if (rc == GHBA_REAL && real_gethostbyaddr_r != NULL)
		return real_gethostbyaddr_r(addr, len, af, he, buf, buflen,
		    result, h_errnop);
	if (rc == GHBA_REAL)
		return hostent_r_fail(-ENOSYS, NETDB_INTERNAL, result,
		    h_errnop);
	if (rc < 0)
		return hostent_r_fail(rc, herr, result, h_errnop);
	*result = he;
	*h_errnop = NETDB_SUCCESS;
	return 0;
}
