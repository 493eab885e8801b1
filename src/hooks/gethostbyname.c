/* SPDX-License-Identifier: MIT */
/* gethostbyname(), gethostbyname2() and their _r forms: the same policy
 * as getaddrinfo() (runtime/names), answered as a struct hostent. */
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

#include "core/rules.h"
#include "runtime/export.h"
#include "runtime/hostent.h"
#include "runtime/init.h"
#include "runtime/names.h"
#include "runtime/real.h"

#define GHBN_REAL 1	/* ghbn_lookup(): ask libc */

/*
 * The answer for name in family af, laid out in he/buf[0..cap).  Returns
 * 0, GHBN_REAL, or a negative errno with *herr set.
 *
 * IPv6 asks of a name the proxy resolves get NO_DATA, not a placeholder:
 * the legacy API is IPv4-centric, and callers such as `getent hosts`
 * ask AF_INET6 first and fall back to AF_INET on failure; the IPv4
 * placeholder is the one they should print.  Hosts-file and localhost
 * names still get their IPv6 addresses.
 */
static int
ghbn_lookup(const struct runtime *rt, const char *name, int af,
    struct hostent *he, char *buf, size_t cap, int *herr)
{
	struct names_result r;
	enum names_how how;
	int saved = errno, err = -EIO, rc;

	*herr = NETDB_INTERNAL;
	if (rt == NULL)
		return -ENOSYS;
	if (af != AF_INET && af != AF_INET6)
		return -EAFNOSUPPORT;
	how = names_resolve(rt, name, af, &r, &err);
	errno = saved;	/* the map's lock or the log may have set it */
	if (how == NAMES_REAL)
		return GHBN_REAL;
	if (how == NAMES_ERROR) {
		*herr = hostent_herrno(err);
		return err < 0 ? err : -EIO;
	}
	if (af == AF_INET6 && r.n == 1 &&
	    rules_net_match(&rt->cfg.placeholder_v6, AF_INET6, r.addr[0])) {
		*herr = NO_DATA;
		return -ENOENT;
	}
	rc = hostent_fill(he, buf, cap, &r, af);
	if (rc < 0)
		*herr = rc == -ERANGE ? NETDB_INTERNAL : NO_DATA;
	return rc;
}

SX_EXPORT struct hostent *
gethostbyname2(const char *name, int af)
{
	struct hostent *he;
	char *buf;
	int herr, rc;

	he = hostent_tls(&buf);
	rc = ghbn_lookup(runtime_get(), name, af, he, buf, HOSTENT_BUF_SIZE,
	    &herr);
	if (rc == GHBN_REAL && real_gethostbyname2 != NULL)
		return real_gethostbyname2(name, af);
	if (rc == GHBN_REAL)
		return hostent_fail(-ENOSYS, NETDB_INTERNAL);
	return rc < 0 ? hostent_fail(rc, herr) : he;
}

SX_EXPORT struct hostent *
gethostbyname(const char *name)
{
	struct hostent *he;
	char *buf;
	int herr, rc;

	he = hostent_tls(&buf);
	rc = ghbn_lookup(runtime_get(), name, AF_INET, he, buf,
	    HOSTENT_BUF_SIZE, &herr);
	if (rc == GHBN_REAL && real_gethostbyname != NULL)
		return real_gethostbyname(name);
	if (rc == GHBN_REAL)
		return hostent_fail(-ENOSYS, NETDB_INTERNAL);
	return rc < 0 ? hostent_fail(rc, herr) : he;
}

SX_EXPORT int
gethostbyname2_r(const char *name, int af, struct hostent *he, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	int herr, rc;

	rc = ghbn_lookup(runtime_get(), name, af, he, buf, buflen, &herr);
	if (rc == GHBN_REAL && real_gethostbyname2_r != NULL)
		return real_gethostbyname2_r(name, af, he, buf, buflen, result,
		    h_errnop);
	if (rc == GHBN_REAL)
		return hostent_r_fail(-ENOSYS, NETDB_INTERNAL, result,
		    h_errnop);
	if (rc < 0)
		return hostent_r_fail(rc, herr, result, h_errnop);
	*result = he;
	*h_errnop = NETDB_SUCCESS;
	return 0;
}

SX_EXPORT int
gethostbyname_r(const char *name, struct hostent *he, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	int herr, rc;

	rc = ghbn_lookup(runtime_get(), name, AF_INET, he, buf, buflen, &herr);
	if (rc == GHBN_REAL && real_gethostbyname_r != NULL)
		return real_gethostbyname_r(name, he, buf, buflen, result,
		    h_errnop);
	if (rc == GHBN_REAL)
		return hostent_r_fail(-ENOSYS, NETDB_INTERNAL, result,
		    h_errnop);
	if (rc < 0)
		return hostent_r_fail(rc, herr, result, h_errnop);
	*result = he;
	*h_errnop = NETDB_SUCCESS;
	return 0;
}
