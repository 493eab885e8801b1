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

/* One proxied operation over one socket: its inputs and its progress.
 * Self-contained (the path is copied), so it may outlive its caller's
 * frame (the asynchronous engine keeps it). */
struct proxy_op {
	const struct runtime *rt;
	int fd;				/* the socket being connected */
	int family;			/* its address family */
	uint8_t cmd;			/* SOCKS5_CMD_* for the last hop */
	bool has_target;		/* false: probe the proxy */
	struct socks5_addr target;
	struct path first;		/* the path asked for */
	struct path one;		/* a fallback being tried */
	const struct path *path;	/* first or one */
	size_t next_fallback;
	bool connecting;		/* TCP to the first hop not proven */
	int flags;			/* the socket's F_GETFL at start */
	uint64_t start, deadline;	/* CLOCK_MONOTONIC ms */
	struct handshake_hop hops[HANDSHAKE_MAX_HOPS];
	struct handshake hs;		/* bnd, peer, err, why */
	char what[SOCKS5_ADDR_STRLEN + 32];	/* "connect HOST:PORT" */
};

/*
 * Begin op: CONNECT (or BIND, UDP ASSOCIATE) to target (NULL: probe)
 * through path on fd, an AF_INET/AF_INET6 stream socket of `family`,
 * blocking or not (flags: its F_GETFL when the caller has them, else -1
 * and they are read here). Starts the TCP connect to the first hop and
 * the deadline (now + timeout). Never waits.
 */
void proxy_op_start(struct proxy_op *op, const struct runtime *rt,
    const struct path *path, int fd, int family, uint8_t cmd,
    const struct socks5_addr *target, int flags);

/*
 * Advance op as far as the socket allows without waiting. Returns POLLIN
 * or POLLOUT (wait for that on op->fd, then call again), 0 when the
 * tunnel is up (or, for BIND, the first reply is in: op->hs then says
 * HANDSHAKE_BOUND), or a negative errno once it failed for good (logged
 * in one line; the socket is disconnected so the program may retry).
 * When the first hop of the default path cannot be reached, each
 * fallback is tried in turn within the same deadline.
 */
int proxy_op_step(struct proxy_op *op);

/* The deadline passed: fail the step in progress (logged); returns what
 * proxy_op_step() returns (a fallback may still be tried). */
int proxy_op_expire(struct proxy_op *op);

/*
 * proxy_op_step() in a loop, waiting with poll() up to op->deadline.
 * With may_intr, a signal whose handler was installed without SA_RESTART
 * (any such handler: see proxy_signals_restart) ends the wait with
 * -EINTR and op still under way, to be carried on elsewhere; otherwise
 * an interrupted wait goes on.
 */
int proxy_run(struct proxy_op *op, bool may_intr);

/*
 * After an interrupted wait: true when every installed signal handler
 * has SA_RESTART (the kernel would restart the call whichever signal it
 * was), false when any handler lacks it. The synchronous fault signals
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS) do not count: they
 * cannot be what interrupted a wait. One sigaction() per signal; called
 * only on EINTR.
 */
bool proxy_signals_restart(void);

/* CONNECT to target through path on fd (an AF_INET/AF_INET6 stream
 * socket of family `family`), blocking until done: proxy_op_start() and
 * proxy_run() in one call. 0 or a negative errno (core/errmap.h). */
int proxy_connect(const struct runtime *rt, const struct path *path, int fd,
    int family, const struct socks5_addr *target);

/* proxy_connect(), also copying on success the path that carried the
 * connection (path itself, or the fallback that replaced it) to *used and
 * the reply's BND.ADDR:BND.PORT (where the proxy connects from) to *bnd. */
int proxy_connect_via(const struct runtime *rt, const struct path *path,
    int fd, int family, const struct socks5_addr *target, struct path *used,
    struct socks5_addr *bnd);

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
