/* SPDX-License-Identifier: MIT */
/*
 * The routing decision for one destination, in one place: direct, through
 * the proxy (which path, what to ask for), or refused (errno and the
 * reason). Pure: the callers (the connect/sendto hooks, the supervisor)
 * gather the facts; when the decision needs a fact they have not gathered
 * yet (the socket type, the name behind a placeholder) it says so, and
 * they call again with it.
 */
#ifndef SOCKSIFY_CORE_ROUTE_H
#define SOCKSIFY_CORE_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/config.h"
#include "core/socks5.h"

enum route_action {
	ROUTE_DIRECT,		/* not ours: the real call, untouched */
	ROUTE_PROXY,		/* through the proxy: path and target set */
	ROUTE_BLOCK,		/* refuse: err and why set */
	ROUTE_DNS,		/* a DNS question: the in-process answerer's
				 * (port 53, loopback included) */
	ROUTE_NEED_SOCKTYPE,	/* call again with dest.socktype */
	ROUTE_NEED_NAME,	/* a placeholder address: call again with
				 * dest.placeholder set */
};

enum route_placeholder {
	ROUTE_PH_UNKNOWN = 0,	/* not looked up yet */
	ROUTE_PH_NAME,		/* dest.name is the name behind it */
	ROUTE_PH_NONE,		/* the map has no name for it (stale, or from
				 * another socksify tree) */
	ROUTE_PH_NOT,		/* in the range but not a usable slot: an
				 * ordinary address */
};

/* What the caller knows about the destination. */
struct route_dest {
	const struct sockaddr *sa;	/* as the program passed it */
	socklen_t len;
	int socktype;			/* SOCK_STREAM, SOCK_DGRAM, other; 0:
					 * not known yet */
	enum route_placeholder placeholder;
	const char *name;		/* ROUTE_PH_NAME */
};

/* What the decision reads besides the configuration. */
struct route_env {
	const struct config *cfg;
	/* Non-NULL: the configuration is broken (why, for the line);
	 * nothing but loopback goes anywhere. */
	const char *broken;
	/* The hosts socksify itself connects to as a first hop (the proxy,
	 * the first chain hop, fallbacks, upstreams): never proxied. */
	const struct rules_net *proxy_hosts;
	size_t n_proxy_hosts;
};

struct route_decision {
	enum route_action action;
	int err;			/* ROUTE_BLOCK: positive errno */
	/* ROUTE_PROXY: -1 for the default path (chain, proxy, fallbacks),
	 * else the index of the upstream a rule named (alone). */
	int upstream;
	bool by_name;			/* target is the placeholder's name */
	struct socks5_addr target;	/* ROUTE_PROXY: what to ask for */
	int rule;			/* the rule that decided, or -1 */
	char why[SOCKS5_ADDR_STRLEN + 160];	/* ROUTE_BLOCK: the line */
};

/*
 * Decide for d under env. In order: non-IP families (and short addresses)
 * go direct; in `dns = remote`, stream and datagram traffic to port 53 is
 * the DNS answerer's (before "loopback is direct", so a resolv.conf
 * naming 127.0.0.53 is covered; TCP to a placeholder is the exception:
 * it goes to that host by name), unless `dns_direct` names that server
 * (refused when the configuration is broken; in `dns = local` it goes
 * direct: the local resolver's); loopback and unspecified addresses go direct; a broken
 * configuration refuses (EACCES); the proxy's own hosts and `local`
 * networks go direct; datagrams under `udp = block` (and placeholders
 * under `udp = direct`) are refused (EACCES), other datagrams under
 * `udp = direct` go direct; sockets other than stream and datagram go
 * direct, unless the address is a placeholder (EHOSTUNREACH); a
 * placeholder with no name is refused (EHOSTUNREACH); then the first
 * matching rule (a placeholder is matched by its name): direct (refused
 * for a placeholder: the proxy would have to resolve it), block (EACCES),
 * via NAME, proxy; everything else goes through the default path. A
 * placeholder is asked for by name (ATYP domain). Pure and thread-safe.
 */
void route_decide(const struct route_env *env, const struct route_dest *d,
    struct route_decision *out);

/*
 * Is sa an address in the placeholder ranges of cfg (remote DNS only)?
 * The caller then looks the name up. Pure.
 */
bool route_is_placeholder(const struct config *cfg, const struct sockaddr *sa);

#endif /* SOCKSIFY_CORE_ROUTE_H */
