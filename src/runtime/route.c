/* SPDX-License-Identifier: MIT */
/* Routing decision for connect(): cheap address checks first, one
 * getsockopt(SO_TYPE) only for addresses that would be proxied. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/namemap.h"
#include "core/rules.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/route.h"

/* Address text for a log line (static buffer: logging only). */
static const char *
route_fmt(const struct sockaddr *sa)
{
	static __thread char buf[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)sa)->sin_addr, buf,
		    sizeof(buf));
	return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
	    buf, sizeof(buf));
}

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

static bool
route_is_hop(const struct hop *h, const struct sockaddr *sa)
{
	const struct sockaddr_in *p4 = (const struct sockaddr_in *)&h->addr;
	const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)&h->addr;
	struct rules_net n;

	if (h->addr.ss_family == AF_INET) {
		n.family = AF_INET;
		n.prefix = 32;
		memcpy(n.addr, &p4->sin_addr, 4);
	} else if (h->addr.ss_family == AF_INET6) {
		n.family = AF_INET6;
		n.prefix = 128;
		memcpy(n.addr, &p6->sin6_addr, 16);
	} else {
		return false;
	}
	return rules_nets_match_sockaddr(&n, 1, sa);
}

/* The host of a proxy socksify connects to itself (any port): never
 * proxy the proxy. Only first hops qualify: the later hops of a chain are
 * reached through the chain, and so must the program's own traffic to
 * them be. */
static bool
route_is_proxy(const struct runtime *rt, const struct sockaddr *sa)
{
	size_t i;

	if (route_is_hop(rt->n_chain > 0 ? &rt->chain[0] : &rt->proxy, sa))
		return true;
	for (i = 0; i < rt->n_fallback; i++)
		if (route_is_hop(&rt->fallback[i], sa))
			return true;
	for (i = 0; i < rt->n_upstream; i++)
		if (route_is_hop(&rt->upstream[i], sa))
			return true;
	return false;
}

static enum route
route_fail(struct route_info *ri, int err)
{
	ri->err = -err;
	return ROUTE_FAIL;
}

/* Apply a matching rule: direct, block, or pick the path. */
static enum route
route_rule(const struct runtime *rt, const struct rule *r, bool placeholder,
    const char *what, struct route_info *ri)
{
	switch (r->action) {
	case RULE_DIRECT:
		if (!placeholder)
			return ROUTE_DIRECT;
		log_error("%s: rule on line %u says direct, but the name was "
		    "left for the proxy to resolve (add it to local_domain)",
		    what, r->line);
		return route_fail(ri, EHOSTUNREACH);
	case RULE_BLOCK:
		log_error("%s: blocked by the rule on line %u", what, r->line);
		return route_fail(ri, EACCES);
	case RULE_VIA:
		proxy_single_path(&rt->upstream[r->upstream], &ri->path);
		return ROUTE_PROXY;
	case RULE_PROXY:
		break;
	}
	return ROUTE_PROXY;
}

enum route
route_connect(const struct runtime *rt, int fd, const struct sockaddr *sa,
    socklen_t len, struct route_info *ri)
{
	char name[NAMEMAP_NAME_MAX + 1];
	socklen_t tlen = sizeof(ri->socktype);
	uint16_t port;
	int i, rc = 0;

	ri->err = 0;
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
	ri->placeholder = false;
	if (rt->status == 0) {
		rc = names_placeholder_name(rt, sa, name, sizeof(name),
		    &ri->slot);
		if (rc == 0 && (route_is_proxy(rt, sa) ||
		    rules_nets_match_sockaddr(rt->cfg.local, rt->cfg.n_local,
		    sa)))
			return ROUTE_DIRECT;
	}
	if (ri->socktype == 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE,
	    &ri->socktype, &tlen) != 0)
		return ROUTE_DIRECT;	/* not a socket: let the kernel say */
	if (ri->socktype == SOCK_DGRAM && rt->status == 0 &&
	    rt->cfg.udp != UDP_PROXY) {
		if (rt->cfg.udp == UDP_DIRECT && rc == 0)
			return ROUTE_DIRECT;
		log_error("UDP to %s refused: udp = %s in the configuration",
		    route_fmt(sa), rt->cfg.udp == UDP_BLOCK ? "block" :
		    "direct, and this is a placeholder address");
		return route_fail(ri, EACCES);
	}
	if (ri->socktype != SOCK_STREAM && ri->socktype != SOCK_DGRAM) {
		if (rc == 0)
			return ROUTE_DIRECT;
		/* Raw and other sockets cannot reach a placeholder. */
		return route_fail(ri, EHOSTUNREACH);
	}
	if (rc < 0) {
		log_error("%s is a placeholder address socksify has no name "
		    "for", route_fmt(sa));
		return route_fail(ri, EHOSTUNREACH);
	}
	port = ntohs(sa->sa_family == AF_INET ?
	    ((const struct sockaddr_in *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)sa)->sin6_port);
	proxy_default_path(rt, &ri->path);
	if (rt->status == 0 && rt->cfg.n_rules > 0) {
		/* A placeholder is matched by its name, not its address. */
		i = rules_first_match(rt->cfg.rules, rt->cfg.n_rules,
		    rc > 0 ? name : NULL, rc > 0 ? NULL : sa, port);
		if (i >= 0 && route_rule(rt, &rt->cfg.rules[i], rc > 0,
		    rc > 0 ? name : route_fmt(sa), ri) != ROUTE_PROXY)
			return ri->err != 0 ? ROUTE_FAIL : ROUTE_DIRECT;
	}
	if (rc > 0) {
		if (socks5_addr_from_name(&ri->target, name, port) < 0)
			return route_fail(ri, EHOSTUNREACH);
		ri->placeholder = true;
		return ROUTE_PROXY;
	}
	if (socks5_addr_from_sockaddr(&ri->target, sa, len) < 0)
		return ROUTE_DIRECT;
	return ROUTE_PROXY;
}
