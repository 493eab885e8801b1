/* SPDX-License-Identifier: MIT */
/* Connects the program's own socket through a path of proxies (one, or a
 * chain) and asks the last one for the target, bounded by the configured
 * timeout; falls back to the `fallback` proxies when the first is down. */
#ifndef SOCKSIFY_RUNTIME_PROXY_CONNECT_H
#define SOCKSIFY_RUNTIME_PROXY_CONNECT_H

#include <stdbool.h>

#include "core/socks5.h"
#include "runtime/init.h"

/* The proxies a connection goes through, first hop first. */
struct path {
	const struct hop *hop[CONFIG_MAX_HOPS + 1];
	size_t n;
	bool may_fall_back;	/* the default path: fallbacks apply */
};

/* chain... then proxy; fallbacks allowed. */
void proxy_default_path(const struct runtime *rt, struct path *p);

/* One named upstream (a rule's `via NAME`). */
void proxy_single_path(const struct hop *h, struct path *p);

/*
 * Connect fd (an AF_INET/AF_INET6 stream socket of family `family`)
 * through path and ask the last hop for target. Works on blocking and
 * non-blocking sockets alike: the socket is switched to O_NONBLOCK for the
 * handshake (so the whole exchange obeys one deadline) and its flags are
 * restored before returning, so a non-blocking caller sees connect()
 * succeed at once instead of EINPROGRESS. When the first hop of the
 * default path cannot be reached, each fallback proxy is tried in turn.
 * Every failure is logged in one line naming the target and the proxy.
 * Returns 0 or a negative errno (see core/errmap.h for the table).
 */
int proxy_connect(const struct runtime *rt, const struct path *path, int fd,
    int family, const struct socks5_addr *target);

/*
 * The same for any command: CONNECT, or UDP ASSOCIATE on a control
 * connection (target = the address the program will send from, or
 * 0.0.0.0:0). The reply's BND.ADDR/BND.PORT is copied to *bnd if non-NULL.
 * A NULL target stops after method selection and authentication of the
 * last hop (used by `socksify --check` to test the proxy).
 */
int proxy_handshake(const struct runtime *rt, const struct path *path, int fd,
    int family, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd);

#endif
