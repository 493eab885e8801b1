/* SPDX-License-Identifier: MIT */
/* Process-wide state, built once on the first hooked call (never at load
 * time): real symbols, the effective config, the proxy's address. */
#ifndef SOCKSIFY_RUNTIME_INIT_H
#define SOCKSIFY_RUNTIME_INIT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "core/config.h"

/* One proxy with its address resolved at init. */
struct hop {
	const struct proxy_url *url;	/* in struct runtime's cfg */
	struct sockaddr_storage addr;
	socklen_t len;
	char text[300];			/* "host:port" for log lines */
};

struct runtime {
	bool bootstrap;			/* re-entered during init: all direct */
	int status;			/* 0, or -errno: every proxied call fails */
	char error[512];		/* why status < 0, for the log */
	struct config cfg;
	struct hop proxy;		/* the default proxy (last hop) */
	struct hop chain[CONFIG_MAX_HOPS];	/* hops before it, in order */
	size_t n_chain;
	struct hop fallback[CONFIG_MAX_HOPS];	/* replacements, in order */
	size_t n_fallback;
	struct hop upstream[CONFIG_MAX_HOPS];	/* named, for rules */
	size_t n_upstream;
	/* Hosts socksify connects to as a first hop (chain[0] or the
	 * proxy, fallbacks, upstreams): the routing decision never proxies
	 * them. Later chain hops are not here: they are reached through
	 * the chain, and so must be the program's own traffic to them. */
	struct rules_net proxy_hosts[2 * CONFIG_MAX_HOPS + 1];
	size_t n_proxy_hosts;
};

/*
 * The process state, initialised on first use (pthread_once; thread-safe).
 * Returns NULL only when libc's own symbols cannot be found: hooks then
 * fail with ENOSYS. A call made by the initialising thread itself (an NSS
 * module connecting while the proxy's name is resolved) gets a bootstrap
 * state that routes everything direct. A broken configuration is logged
 * once, and the state says so in status/error.
 */
const struct runtime *runtime_get(void);

#endif
