/* SPDX-License-Identifier: MIT */
/*
 * TEMPORARY: a minimal resumable SOCKS5 CONNECT exchange (RFC 1928, with
 * RFC 1929 username/password) over a path of SOCKS5 hops, so that the
 * supervisor's connect path can be tested end to end. It is to be
 * replaced by the shared resumable handshake engine in src/core (SOCKS4,
 * HTTP CONNECT, pipelining, fallbacks); its interface is shaped like it:
 * bytes out, how many bytes in, feed, never a byte past the reply.
 */
#ifndef SOCKSIFY_SUPERVISOR_TUNNEL_H
#define SOCKSIFY_SUPERVISOR_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/socks5.h"
#include "runtime/proxy_connect.h"

enum tunnel_status { TUNNEL_MORE, TUNNEL_DONE, TUNNEL_FAIL };

struct tunnel {
	struct path path;
	size_t hop;			/* the hop being spoken to */
	struct socks5_addr target;
	int state;
	uint8_t out[SOCKS5_MAX_USERPASS];
	size_t outlen, outoff;
	uint8_t in[SOCKS5_MAX_REPLY];
	size_t inlen, need;
	int err;			/* positive errno after TUNNEL_FAIL */
	char why[256];			/* and the reason, for the log */
};

/* Begin: TUNNEL_MORE, or TUNNEL_FAIL (a hop that is not SOCKS5). */
enum tunnel_status tunnel_start(struct tunnel *t, const struct path *p,
    const struct socks5_addr *target);

/* Bytes waiting to be sent (*buf), 0 when none. */
size_t tunnel_output(const struct tunnel *t, const uint8_t **buf);

/* n of them were sent. */
void tunnel_sent(struct tunnel *t, size_t n);

/* How many bytes to read now: exactly what the message being received
 * still lacks (0 while output is pending). */
size_t tunnel_want(const struct tunnel *t);

/* n bytes received (n <= tunnel_want()). */
enum tunnel_status tunnel_feed(struct tunnel *t, const uint8_t *in, size_t n);

/* The hop currently spoken to (for log lines). */
const struct hop *tunnel_hop(const struct tunnel *t);

#endif
