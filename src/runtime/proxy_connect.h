/* SPDX-License-Identifier: MIT */
/* Connects the program's own socket through a path of proxies (one, or a
 * chain) and asks the last one for the target, bounded by the configured
 * timeout; falls back to the `fallback` proxies when the first is down.
 * The protocol is core/handshake.c; this file only moves its bytes. */
#ifndef SOCKSIFY_RUNTIME_PROXY_CONNECT_H
#define SOCKSIFY_RUNTIME_PROXY_CONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/handshake.h"
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

/* The engine's view of path: hops[0..path->n), each with how the hop
 * before it is asked to reach it. */
void proxy_path_hops(const struct path *path, struct handshake_hop *hops);

/* The hop's address in the socket's family (an IPv4 proxy is reached from
 * an AF_INET6 socket through a v4-mapped address). 0 or -EAFNOSUPPORT. */
int proxy_hop_addr(const struct hop *h, int family,
    struct sockaddr_storage *ss, socklen_t *len);

/* One proxied operation: the inputs, then what the driver found. */
struct proxy_op {
	int fd;				/* the socket to connect */
	int family;			/* its address family */
	uint8_t cmd;			/* SOCKS5_CMD_* for the last hop */
	const struct socks5_addr *target;	/* NULL: probe the proxy */
	/* filled in by proxy_run() */
	bool pipeline;
	uint64_t deadline;		/* CLOCK_MONOTONIC ms */
	const struct path *path;	/* the path that was tried last */
	bool reached;			/* its first hop accepted TCP */
	struct handshake hs;		/* bnd, peer, why, err */
	char what[SOCKS5_ADDR_STRLEN + 32];	/* "connect HOST:PORT" */
};

/*
 * Run op over path. Works on blocking and non-blocking sockets alike: the
 * socket is switched to O_NONBLOCK for the handshake (so the whole
 * exchange obeys one deadline) and its flags are restored before
 * returning. When the first hop of the default path cannot be reached,
 * each fallback proxy is tried in turn. Every failure is logged in one
 * line naming the target and the proxy. BIND stops after the first reply
 * (op->hs is then HANDSHAKE_BOUND). Returns 0 or a negative errno (see
 * core/errmap.h for the table).
 */
int proxy_run(const struct runtime *rt, const struct path *path,
    struct proxy_op *op);

/* CONNECT to target through path on fd (an AF_INET/AF_INET6 stream
 * socket of family `family`): proxy_run() in one call. */
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
