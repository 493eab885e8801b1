/* SPDX-License-Identifier: MIT */
/* Decides, for one connect(), whether it goes direct or through the proxy,
 * and what to ask the proxy for. */
#ifndef SOCKSIFY_RUNTIME_ROUTE_H
#define SOCKSIFY_RUNTIME_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/socks5.h"
#include "runtime/init.h"
#include "runtime/proxy_connect.h"

enum route {
	ROUTE_DIRECT,	/* not ours: call the real connect() */
	ROUTE_PROXY,	/* through the proxy, to *target */
	ROUTE_FAIL,	/* refuse: *err says why (already logged) */
};

/* What route_connect() found besides the route. */
struct route_info {
	int socktype;			/* in: known type or 0; out: the type */
	struct socks5_addr target;	/* what to ask the proxy for */
	bool placeholder;		/* target is a name from the map */
	uint32_t slot;			/* its slot, to pin while connected */
	int err;			/* negative errno for ROUTE_FAIL */
	struct path path;		/* the proxies, for ROUTE_PROXY */
};

/*
 * Classify a destination of fd (connect(), sendto(), sendmsg()): set
 * ri->socktype to the socket's type if known, else 0 (one getsockopt).
 * Direct: non-IP families, loopback and unspecified addresses, the proxy
 * itself, `local` networks, sockets other than stream/datagram, datagrams
 * under `udp = direct`. Refused: datagrams under `udp = block`, a
 * placeholder we have no name for, a placeholder on a raw socket. A
 * placeholder becomes a domain-name target. Everything else is proxied
 * (including when the config is broken: the handshake then fails closed).
 */
enum route route_connect(const struct runtime *rt, int fd,
    const struct sockaddr *sa, socklen_t len, struct route_info *ri);

#endif
