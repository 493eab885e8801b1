/* SPDX-License-Identifier: MIT */
/* Today's policy for the supervisor: the library's routing decision, and
 * one TEMPORARY rule for DNS until the DNS answerer is wired in. */
#include <netinet/in.h>

#include "runtime/route.h"
#include "supervisor/policy.h"

static unsigned
policy_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

enum policy_action
policy_decide(const struct runtime *rt, int fd, const struct sockaddr *sa,
    socklen_t len, struct policy_decision *d)
{
	struct route_info ri;

	/*
	 * TEMPORARY (the DNS answerer replaces it): where the configuration
	 * has names resolved by the local resolver (dns = local,
	 * local_domain, NO_PROXY), the library lets glibc's resolver query
	 * the nameserver from inside getaddrinfo(), where no hook sees it;
	 * those queries reach us: let them through as the library does.
	 */
	if (policy_port(sa) == 53 && rt->status == 0 &&
	    (rt->cfg.dns == DNS_LOCAL || rt->cfg.n_local_domains > 0))
		return POLICY_DIRECT;
	ri.socktype = d->socktype;
	switch (route_connect(rt, fd, sa, len, &ri)) {
	case ROUTE_DIRECT:
	default:
		d->socktype = ri.socktype;
		return POLICY_DIRECT;
	case ROUTE_BLOCK:
		d->socktype = ri.socktype;
		d->err = -ri.err;
		return POLICY_REFUSE;
	case ROUTE_PROXY:
		break;
	}
	d->socktype = ri.socktype;
	d->target = ri.target;
	d->path = ri.path;
	return POLICY_PROXY;
}
