/* SPDX-License-Identifier: MIT */
/* The supervisor's policy: the library's routing decision (core/route.c
 * through runtime/route.c), the same configuration and name map. */
#include "runtime/route.h"
#include "supervisor/policy.h"

enum policy_action
policy_decide(const struct runtime *rt, int fd, const struct sockaddr *sa,
    socklen_t len, struct policy_decision *d)
{
	struct route_info ri;
	enum route_action a;

	ri.socktype = d->socktype;
	a = route_connect(rt, fd, sa, len, &ri);
	d->socktype = ri.socktype;
	switch (a) {
	case ROUTE_BLOCK:
		d->err = -ri.err;
		return POLICY_REFUSE;
	case ROUTE_DNS:
		return POLICY_DNS;
	case ROUTE_PROXY:
		d->target = ri.target;
		d->path = ri.path;
		return POLICY_PROXY;
	default:
		return POLICY_DIRECT;
	}
}
