/* SPDX-License-Identifier: MIT */
/*
 * The listen() trigger, as one pure decision: does a socket the program
 * is about to listen on stand for an address on the proxy (SOCKS5 BIND,
 * RFC 1928 sec. 4), or does it listen here as it asked? The runtime
 * gathers the facts (the socket's bound address, whether the program
 * chose its port, the local addresses of the process's live proxied
 * connections); this decides. No syscalls.
 */
#ifndef SOCKSIFY_CORE_LISTEN_H
#define SOCKSIFY_CORE_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/route.h"

/* What the caller knows about the socket and the process. */
struct listen_facts {
	const struct sockaddr *bound;	/* its address before listen() */
	socklen_t len;
	int socktype;			/* SO_TYPE */
	bool ephemeral;			/* the program bound port 0, or did
					 * not bind at all */
	bool early;			/* asked at getsockname() before
					 * listen(), not at listen() */
	/* The local addresses of the process's live proxied TCP
	 * connections, the most recent first. */
	const struct sockaddr_storage *conn_local;
	size_t n_conn;
};

enum listen_action {
	LISTEN_HERE,		/* the real listen() (getsockname()),
				 * untouched */
	LISTEN_VIA_PROXY,	/* BIND through the path of conn_local[conn] */
};

struct listen_decision {
	enum listen_action action;
	size_t conn;		/* LISTEN_VIA_PROXY: the connection whose path
				 * and destination the BIND takes */
	const char *why;	/* a short reason, for the debug line */
};

/*
 * Decide for f under env. In order: `listen = local` listens here;
 * anything but an AF_INET/AF_INET6 stream socket listens here; a port the
 * program chose listens here; with no live proxied connection, here; a
 * wildcard address (0.0.0.0, ::, ::ffff:0.0.0.0) goes through the proxy
 * with the most recent connection (conn 0), but only at listen() (early:
 * here for now, as a program that binds port 0 only to learn a free port
 * gets it); an address the routing
 * decision (route_decide() for a stream socket) does not send through
 * the proxy listens here (loopback, `local`/`direct` networks, the
 * proxy's own hosts, rules `direct` and `block`, a broken config); an
 * address that is the local address of a live proxied connection goes
 * through the proxy with the most recent such connection; any other
 * address listens here. Ports are not compared, and an IPv4-mapped IPv6
 * address equals its IPv4 address. Pure and thread-safe.
 */
void listen_decide(const struct route_env *env, const struct listen_facts *f,
    struct listen_decision *out);

#endif /* SOCKSIFY_CORE_LISTEN_H */
