/* SPDX-License-Identifier: MIT */
/* Routing decision for connect(): cheap address checks first, one
 * getsockopt(SO_TYPE) only for addresses that would be proxied. */
#include <netinet/in.h>
#include <string.h>

#include "core/rules.h"
#include "runtime/route.h"

static bool
route_is_unspecified(const struct sockaddr *sa)
{
	static const uint8_t zero[16];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		return sin->sin_addr.s_addr == INADDR_ANY;
	return memcmp(&sin6->sin6_addr, zero, 16) == 0;
}

/* Same host as the proxy (any port): never proxy the proxy. */
static bool
route_is_proxy(const struct runtime *rt, const struct sockaddr *sa)
{
	const struct sockaddr_in *p4 = (const struct sockaddr_in *)&rt->proxy;
	const struct sockaddr_in6 *p6 =
	    (const struct sockaddr_in6 *)&rt->proxy;
	struct rules_net n;

	if (rt->proxy.ss_family == AF_INET) {
		n.family = AF_INET;
		n.prefix = 32;
		memcpy(n.addr, &p4->sin_addr, 4);
	} else if (rt->proxy.ss_family == AF_INET6) {
		n.family = AF_INET6;
		n.prefix = 128;
		memcpy(n.addr, &p6->sin6_addr, 16);
	} else {
		return false;
	}
	return rules_nets_match_sockaddr(&n, 1, sa);
}

enum route
route_connect(const struct runtime *rt, int fd, const struct sockaddr *sa,
    socklen_t len, struct socks5_addr *target)
{
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (sa == NULL || rt->bootstrap)
		return ROUTE_DIRECT;
	if (sa->sa_family == AF_INET) {
		if (len < sizeof(struct sockaddr_in))
			return ROUTE_DIRECT;
	} else if (sa->sa_family == AF_INET6) {
		if (len < sizeof(struct sockaddr_in6))
			return ROUTE_DIRECT;
	} else {
		return ROUTE_DIRECT;
	}
	if (rules_is_loopback(sa) || route_is_unspecified(sa))
		return ROUTE_DIRECT;
	if (rt->status == 0) {
		if (route_is_proxy(rt, sa) ||
		    rules_nets_match_sockaddr(rt->cfg.local,
		    rt->cfg.n_local, sa))
			return ROUTE_DIRECT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
	    type != SOCK_STREAM)
		return ROUTE_DIRECT;
	if (socks5_addr_from_sockaddr(target, sa, len) < 0)
		return ROUTE_DIRECT;
	return ROUTE_PROXY;
}
