/* SPDX-License-Identifier: MIT */
/* The routing decision: every question about one destination asked in
 * one straight line, cheapest first. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/route.h"
#include "core/rules.h"

/* The address (v4-mapped IPv6 seen as IPv4), for nets and messages. */
static void
route_addr(const struct sockaddr *sa, int *family, const uint8_t **addr)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET) {
		*family = AF_INET;
		*addr = (const uint8_t *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
	} else if (memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0) {
		*family = AF_INET;
		*addr = s6->sin6_addr.s6_addr + 12;
	} else {
		*family = AF_INET6;
		*addr = s6->sin6_addr.s6_addr;
	}
}

static uint16_t
route_port(const struct sockaddr *sa)
{
	return ntohs(sa->sa_family == AF_INET ?
	    ((const struct sockaddr_in *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)sa)->sin6_port);
}

static bool
route_is_unspecified(const struct sockaddr *sa)
{
	static const uint8_t zero[16];
	const uint8_t *a;
	int family;

	route_addr(sa, &family, &a);
	return memcmp(a, zero, family == AF_INET ? 4 : 16) == 0;
}

bool
route_is_placeholder(const struct config *cfg, const struct sockaddr *sa)
{
	const uint8_t *a;
	int family;

	if (cfg->dns != DNS_REMOTE || sa == NULL ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	route_addr(sa, &family, &a);
	return family == AF_INET ?
	    rules_net_match(&cfg->placeholder_v4, AF_INET, a) :
	    rules_net_match(&cfg->placeholder_v6, AF_INET6, a);
}

/* "1.2.3.4" / "2001:db8::1" for a line. */
static const char *
route_text(const struct sockaddr *sa, char *buf, size_t cap)
{
	const uint8_t *a;
	int family;

	route_addr(sa, &family, &a);
	if (inet_ntop(family, a, buf, (socklen_t)cap) == NULL)
		snprintf(buf, cap, "(address)");
	return buf;
}

static void
route_block(struct route_decision *out, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
route_block(struct route_decision *out, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	out->action = ROUTE_BLOCK;
	out->err = err;
}

/* The first matching rule, applied. true when it decided. */
static bool
route_rules(const struct route_env *env, const struct route_dest *d,
    bool ph, const char *what, struct route_decision *out)
{
	const struct config *c = env->cfg;
	const struct rule *r;
	int i;

	i = rules_first_match(c->rules, c->n_rules, ph ? d->name : NULL,
	    ph ? NULL : d->sa, route_port(d->sa));
	if (i < 0)
		return false;
	r = &c->rules[i];
	out->rule = i;
	switch (r->action) {
	case RULE_DIRECT:
		if (!ph) {
			out->action = ROUTE_DIRECT;
			return true;
		}
		route_block(out, EHOSTUNREACH, "%s: rule on line %u says "
		    "direct, but the name was left for the proxy to resolve "
		    "(add it to local_domain)", what, r->line);
		return true;
	case RULE_BLOCK:
		route_block(out, EACCES, "%s: blocked by the rule on line %u",
		    what, r->line);
		return true;
	case RULE_VIA:
		out->upstream = r->upstream;
		return false;
	case RULE_PROXY:
		return false;
	}
	return false;
}

void
route_decide(const struct route_env *env, const struct route_dest *d,
    struct route_decision *out)
{
	const struct config *c = env->cfg;
	const struct sockaddr *sa = d->sa;
	char text[INET6_ADDRSTRLEN + 16];
	bool ph;

	memset(out, 0, sizeof(*out));
	out->upstream = -1;
	out->rule = -1;
	out->action = ROUTE_DIRECT;
	if (sa == NULL || (sa->sa_family == AF_INET &&
	    d->len < sizeof(struct sockaddr_in)) ||
	    (sa->sa_family == AF_INET6 &&
	    d->len < sizeof(struct sockaddr_in6)) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return;
	if (route_port(sa) == 53) {
		if (d->socktype == 0) {
			out->action = ROUTE_NEED_SOCKTYPE;
			return;
		}
		/* dns = local: DNS is the local resolver's, directly. */
		if (env->broken == NULL && c->dns == DNS_LOCAL &&
		    (d->socktype == SOCK_STREAM || d->socktype == SOCK_DGRAM))
			return;
		/* TCP to a name's placeholder reaches that host through the
		 * proxy, by name, like any other port: a real DNS server
		 * over TCP (or a port scanner) gets the real answer. */
		if (d->socktype == SOCK_STREAM && env->broken == NULL &&
		    route_is_placeholder(c, sa))
			goto not_dns;
		if (d->socktype == SOCK_STREAM || d->socktype == SOCK_DGRAM) {
			if (env->broken != NULL) {
				route_block(out, EACCES, "DNS to %s: refused, "
				    "socksify is not configured (%s)",
				    route_text(sa, text, sizeof(text)),
				    env->broken);
				return;
			}
			if (!rules_nets_match_sockaddr(c->dns_direct,
			    c->n_dns_direct, sa)) {
				out->action = ROUTE_DNS;
				return;
			}
		}
	}
not_dns:
	if (rules_is_loopback(sa) || route_is_unspecified(sa))
		return;
	route_text(sa, text, sizeof(text));
	if (env->broken != NULL) {
		route_block(out, EACCES, "%s %s: refused, socksify is not "
		    "configured (%s)", d->socktype == SOCK_DGRAM ? "UDP to" :
		    "connect", text, env->broken);
		return;
	}
	ph = route_is_placeholder(c, sa);
	if (ph && d->placeholder == ROUTE_PH_UNKNOWN) {
		out->action = ROUTE_NEED_NAME;
		return;
	}
	if (d->placeholder == ROUTE_PH_NOT)
		ph = false;
	if (!ph && (rules_nets_match_sockaddr(env->proxy_hosts,
	    env->n_proxy_hosts, sa) ||
	    rules_nets_match_sockaddr(c->local, c->n_local, sa)))
		return;
	if (d->socktype == 0) {
		out->action = ROUTE_NEED_SOCKTYPE;
		return;
	}
	if (d->socktype == SOCK_DGRAM && c->udp != UDP_PROXY) {
		if (c->udp == UDP_DIRECT && !ph)
			return;
		route_block(out, EACCES, "UDP to %s refused: udp = %s in the "
		    "configuration%s", text, c->udp == UDP_BLOCK ? "block" :
		    "direct", c->udp == UDP_BLOCK ? "" : ", and this is a "
		    "placeholder address");
		return;
	}
	if (d->socktype != SOCK_STREAM && d->socktype != SOCK_DGRAM) {
		/* Raw and other sockets cannot reach a placeholder. */
		if (ph)
			route_block(out, EHOSTUNREACH, "%s is a placeholder "
			    "address and this socket cannot go through the "
			    "proxy", text);
		return;
	}
	if (ph && d->placeholder != ROUTE_PH_NAME) {
		route_block(out, EHOSTUNREACH, "%s is a placeholder address "
		    "socksify has no name for", text);
		return;
	}
	out->action = ROUTE_PROXY;
	if (route_rules(env, d, ph, ph ? d->name : text, out))
		return;
	if (ph) {
		out->by_name = true;
		if (socks5_addr_from_name(&out->target, d->name,
		    route_port(sa)) < 0)
			route_block(out, EHOSTUNREACH, "%s: name too long for "
			    "the proxy", text);
		return;
	}
	if (socks5_addr_from_sockaddr(&out->target, sa, d->len) < 0)
		out->action = ROUTE_DIRECT;
}
