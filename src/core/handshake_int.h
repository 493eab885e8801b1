/* SPDX-License-Identifier: MIT */
/*
 * Inside core/handshake: the states and the helpers the protocol files
 * share (handshake.c: the driver's side and the path; handshake_socks.c:
 * SOCKS5 and SOCKS4/4a; handshake_http.c: HTTP CONNECT). Not for callers.
 */
#ifndef SOCKSIFY_CORE_HANDSHAKE_INT_H
#define SOCKSIFY_CORE_HANDSHAKE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/handshake.h"

enum {
	ST_HOP_START = 0,	/* encode the first message of this hop */
	ST_SEND,		/* out[] pending; then ST_AFTER_SEND */
	ST_S5_METHOD,		/* 2 bytes */
	ST_S5_AUTH,		/* 2 bytes */
	ST_S5_REPLY,		/* 5 bytes, then the rest */
	ST_S5_BOUND,		/* BIND: reported, waiting for resume */
	ST_S4_REPLY,		/* 8 bytes */
	ST_HTTP_HEAD,		/* peeked, up to the blank line */
	ST_DONE,
	ST_FAIL,
};

/* What follows the pending write: the state it leads to. */
#define ST_AFTER_SHIFT	8
#define ST_MASK		0xff

/* Fail h with err and the reason (the first reason stays). */
void hs_failf(struct handshake *h, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The hop being spoken to, and whether it is the last. */
const struct proxy_url *hs_url(const struct handshake *h);
bool hs_last(const struct handshake *h);
/* What this hop is asked for (*cmd): the next hop, or the target (NULL
 * for a probe). */
const struct socks5_addr *hs_goal(const struct handshake *h, uint8_t *cmd);
/* Queue out[0..n), then go to state next. */
void hs_send(struct handshake *h, size_t n, int next);
/* Expect a message of at least need bytes in state st. */
void hs_expect(struct handshake *h, int st, size_t need);
/* This hop is through: the next one, or done. */
void hs_hop_done(struct handshake *h);

/* Per protocol: the first message of a hop, and each reply. */
void hs5_start(struct handshake *h);
void hs5_method(struct handshake *h);
void hs5_auth(struct handshake *h);
void hs5_reply(struct handshake *h);
void hs4_start(struct handshake *h);
void hs4_reply(struct handshake *h);
void hsh_start(struct handshake *h);
size_t hsh_feed(struct handshake *h, const uint8_t *in, size_t len);

#endif /* SOCKSIFY_CORE_HANDSHAKE_INT_H */
