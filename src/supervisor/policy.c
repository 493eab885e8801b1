/* SPDX-License-Identifier: MIT */
/* Today's policy for the supervisor: the library's routing decision. */
#include "runtime/route.h"
#include "supervisor/policy.h"

enum policy_action
policy_decide(const struct runtime *rt, int fd, const struct sockaddr *sa,
    socklen_t len, struct policy_decision *d)
{
	struct route_info ri;

	ri.socktype = d->socktype;
	switch (route_connect(rt, fd, sa, len, &ri)) {
	case ROUTE_DIRECT:
		d->socktype = ri.socktype;
		return POLICY_DIRECT;
	case ROUTE_FAIL:
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
