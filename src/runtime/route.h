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

enum route {
	ROUTE_DIRECT,	/* not ours: call the real connect() */
	ROUTE_PROXY,	/* through the proxy, to *target */
	ROUTE_FAIL,	/* refuse: *err says why (already logged) */
};

/* What route_connect() found besides the route. */
struct route_info {
	struct socks5_addr target;	/* what to ask the proxy for */
	bool placeholder;		/* target is a name from the map */
	uint32_t slot;			/* its slot, to pin while connected */
	int err;			/* negative errno for ROUTE_FAIL */
};

/*
 * Classify connect(fd, sa, len) for a socket of type `type` (SOCK_STREAM
 * or SOCK_DGRAM; 0 = look it up). Direct: non-IP families, other socket
 * types, loopback and unspecified addresses, the proxy itself, `local`
 * networks. A placeholder address becomes a domain-name target. Everything
 * else is proxied (including when the config is broken: proxy_connect()
 * then fails closed).
 */
enum route route_connect(const struct runtime *rt, int fd,
    const struct sockaddr *sa, socklen_t len, struct route_info *ri);

#endif
