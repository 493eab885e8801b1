/* SPDX-License-Identifier: MIT */
/* For one destination of an in-process socket: gathers the facts the
 * routing decision (core/route.h) asks for, and turns the decision into
 * a path of proxies. */
#ifndef SOCKSIFY_RUNTIME_ROUTE_H
#define SOCKSIFY_RUNTIME_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/route.h"
#include "core/socks5.h"
#include "runtime/init.h"
#include "runtime/proxy_connect.h"

/* What route_connect() found besides the route. */
struct route_info {
	int socktype;			/* in: known type or 0; out: the type */
	struct socks5_addr target;	/* what to ask the proxy for */
	bool placeholder;		/* target is a name from the map */
	uint32_t slot;			/* its slot, to pin while connected */
	int err;			/* negative errno for ROUTE_BLOCK */
	struct path path;		/* the proxies, for ROUTE_PROXY */
};

/* The decision's inputs that come from the process state. */
void route_env(const struct runtime *rt, struct route_env *env);

/*
 * Route a destination of fd (connect(), sendto(), sendmsg()) with
 * route_decide(): one getsockopt(SO_TYPE) only when the decision needs
 * the type (ri->socktype, if already known, spares it), the name map only
 * for placeholder addresses. Returns ROUTE_DIRECT (call the real
 * function), ROUTE_PROXY (ri->target through ri->path), ROUTE_DNS (a
 * DNS question for the in-process answerer, ri->socktype set) or
 * ROUTE_BLOCK (ri->err; the refusal is logged here, once).
 */
enum route_action route_connect(const struct runtime *rt, int fd,
    const struct sockaddr *sa, socklen_t len, struct route_info *ri);

#endif
