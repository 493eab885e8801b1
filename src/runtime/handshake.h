/* SPDX-License-Identifier: MIT */
/* One hop's exchange on an already connected socket: SOCKS5 (RFC 1928/
 * 1929), SOCKS4/4a, or HTTP CONNECT. Used by proxy_connect.c. */
#ifndef SOCKSIFY_RUNTIME_HANDSHAKE_H
#define SOCKSIFY_RUNTIME_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/socks5.h"
#include "runtime/init.h"

struct handshake {
	const struct runtime *rt;
	const struct hop *hop;		/* the proxy being spoken to */
	int fd;
	uint64_t deadline;		/* CLOCK_MONOTONIC ms, whole exchange */
	bool pipeline;			/* SOCKS5: greeting + request at once */
	bool connecting;		/* TCP connect to the first hop still
					 * in progress: its failure surfaces
					 * on the first write */
	int http_status;		/* last HTTP CONNECT status, or 0 */
	char what[SOCKS5_ADDR_STRLEN + 32];	/* "connect HOST:PORT" */
};

/* Write all of buf; the first successful write also proves the TCP
 * connection to the first hop. 0 or -errno (not logged). */
int hs_write(struct handshake *hs, const void *buf, size_t len);

/* Log "WHAT via HOP: <why>" once and return -err. */
int hs_fail(struct handshake *hs, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Ask hs->hop for target with cmd over hs->fd. SOCKS4/4a and HTTP know
 * CONNECT only (-EOPNOTSUPP otherwise); SOCKS4 without "a" cannot send a
 * name (-EHOSTUNREACH). A NULL target (SOCKS5) stops after
 * authentication. BND.ADDR goes to *bnd when non-NULL (SOCKS5). Returns 0
 * or a negative errno, logged.
 */
int hs_exchange(struct handshake *hs, uint8_t cmd,
    const struct socks5_addr *target, struct socks5_addr *bnd);

#endif
