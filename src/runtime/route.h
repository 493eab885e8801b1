/* SPDX-License-Identifier: MIT */
/* Decides, for one connect(), whether it goes direct or through the proxy,
 * and what to ask the proxy for. */
#ifndef SOCKSIFY_RUNTIME_ROUTE_H
#define SOCKSIFY_RUNTIME_ROUTE_H

#include <sys/socket.h>

#include "core/socks5.h"
#include "runtime/init.h"

enum route {
	ROUTE_DIRECT,	/* not ours: call the real connect() */
	ROUTE_PROXY,	/* through the proxy, to *target */
};

/*
 * Classify connect(fd, sa, len). Direct: non-IP families, non-stream
 * sockets, loopback and unspecified addresses, the proxy itself, `local`
 * networks. Everything else is proxied (including when the config is
 * broken: proxy_connect() then fails closed).
 */
enum route route_connect(const struct runtime *rt, int fd,
    const struct sockaddr *sa, socklen_t len, struct socks5_addr *target);

#endif
