/* SPDX-License-Identifier: MIT */
/* The seam between the supervisor's mechanics and socksify's policy:
 * where a trapped call's destination goes. */
#ifndef SOCKSIFY_SUPERVISOR_POLICY_H
#define SOCKSIFY_SUPERVISOR_POLICY_H

#include <sys/socket.h>

#include "core/socks5.h"
#include "runtime/init.h"
#include "runtime/proxy_connect.h"

enum policy_action {
	POLICY_DIRECT,	/* let the kernel do it (CONTINUE) */
	POLICY_PROXY,	/* through d->path to d->target */
	POLICY_REFUSE,	/* fail with d->err; the reason is logged */
	POLICY_DNS,	/* a DNS question: the answerer's (answerer.c) */
};

struct policy_decision {
	int socktype;			/* in: known or 0; out: the type */
	int err;			/* positive errno for POLICY_REFUSE */
	struct socks5_addr target;	/* for POLICY_PROXY */
	struct path path;
};

/*
 * Decide for destination sa (len bytes) of socket fd, our copy of the
 * program's socket. Today this is the library's own decision,
 * runtime/route.c's route_connect(): loopback, unspecified, the proxies'
 * own addresses and `local` networks direct; rules; placeholders become
 * names; datagrams follow `udp`; port-53 traffic is the DNS answerer's
 * (before "loopback is direct"). It logs refusals itself.
 */
enum policy_action policy_decide(const struct runtime *rt, int fd,
    const struct sockaddr *sa, socklen_t len, struct policy_decision *d);

#endif
