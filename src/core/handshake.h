/* SPDX-License-Identifier: MIT */
/*
 * The proxy handshake as a resumable state machine: bytes from the proxy
 * in, bytes to send out, "need N more", done (with the bound address) or
 * failed (errno and the one-line reason). SOCKS5 (RFC 1928 methods,
 * RFC 1929 username/password, CONNECT, BIND, UDP ASSOCIATE), SOCKS4/4a
 * and HTTP CONNECT, and chains as a sequence of those. Pure: no syscalls,
 * no allocation. Every driver (the blocking connect, the asynchronous
 * engine, the supervisor, BIND) moves bytes for the same object; none of
 * them knows a protocol byte.
 */
#ifndef SOCKSIFY_CORE_HANDSHAKE_H
#define SOCKSIFY_CORE_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http_connect.h"
#include "core/proxy_url.h"
#include "core/socks5.h"

/* Longest path: a chain, the proxy (config.h CONFIG_MAX_HOPS + 1). */
#define HANDSHAKE_MAX_HOPS	9
/* Largest single message we send: an HTTP CONNECT request. */
#define HANDSHAKE_MAX_OUT	HTTP_CONNECT_MAX_REQUEST
#define HANDSHAKE_WHY_MAX	256

/* One proxy of a path. */
struct handshake_hop {
	const struct proxy_url *url;	/* kind, credentials, host, port */
	/* For every hop but the first: how the previous hop is asked to
	 * reach this one (its address, or its name). */
	struct socks5_addr via;
};

enum handshake_status {
	HANDSHAKE_SEND,		/* write io.out[0..io.len) (partial is fine:
				 * report it with handshake_sent()) */
	HANDSHAKE_RECV,		/* read at most io.want bytes and feed them;
				 * with io.peek, peek them, feed them, then
				 * consume exactly what handshake_feed()
				 * returned */
	HANDSHAKE_BOUND,	/* BIND: the first reply is in (bnd); call
				 * handshake_resume() to wait for the peer */
	HANDSHAKE_DONE,		/* tunnel up; bnd (and peer for BIND) set */
	HANDSHAKE_FAIL,		/* err and why are set */
};

/* What the driver must do next (valid until the next call). */
struct handshake_io {
	const uint8_t *out;
	size_t len;		/* HANDSHAKE_SEND */
	size_t want;		/* HANDSHAKE_RECV: never more than what is
				 * left of the proxy's message (exact mode) */
	bool peek;		/* HANDSHAKE_RECV: the message length is not
				 * known in advance (HTTP response head) */
};

struct handshake {
	/* set by handshake_start() */
	const struct handshake_hop *hops;
	size_t n_hops;
	uint8_t cmd;			/* SOCKS5_CMD_* for the last hop */
	struct socks5_addr target;
	bool probe;			/* no target: test the proxy only */
	bool pipeline;			/* SOCKS5 greeting + request at once */
	/* progress */
	size_t hop;			/* the hop being spoken to */
	int state;
	bool pipelined;			/* this hop's request went with the
					 * greeting */
	bool bound;			/* BIND: first reply seen */
	uint8_t out[HANDSHAKE_MAX_OUT];
	size_t out_len, out_off;
	uint8_t in[HTTP_CONNECT_MAX_HEAD];
	size_t in_len, in_need;
	/* results */
	struct socks5_addr bnd;		/* BND.ADDR:BND.PORT of the last reply
					 * (BIND: of the first) */
	struct socks5_addr peer;	/* BIND: the connecting peer */
	int http_status;		/* last HTTP status seen, or 0 */
	int err;			/* positive errno for HANDSHAKE_FAIL */
	char why[HANDSHAKE_WHY_MAX];	/* the reason, without "via HOP" */
};

/*
 * Begin a handshake through hops[0..n) (1 <= n <= HANDSHAKE_MAX_HOPS; the
 * array must outlive the handshake) asking the last hop for cmd to target.
 * A NULL target is a probe: SOCKS5 stops after method selection and
 * authentication, SOCKS4 needs nothing beyond the TCP connection, HTTP
 * asks for a tunnel to the proxy itself and counts any answer other than
 * 401/407 as accepted credentials. pipeline sends the SOCKS5 greeting and
 * request in one write when no authentication is configured. Never fails:
 * bad arguments surface as HANDSHAKE_FAIL from handshake_next().
 */
void handshake_start(struct handshake *h, const struct handshake_hop *hops,
    size_t n, uint8_t cmd, const struct socks5_addr *target, bool pipeline);

/* What to do now; fills *io. Idempotent until handshake_sent(),
 * handshake_feed() or handshake_resume(). */
enum handshake_status handshake_next(struct handshake *h,
    struct handshake_io *io);

/* n bytes of io.out were written (n <= io.len). */
void handshake_sent(struct handshake *h, size_t n);

/*
 * Bytes from the proxy: in[0..len), len <= io.want. Returns how many the
 * handshake consumed. In exact mode that is always len; in peek mode it
 * is the number of bytes the driver must now remove from the socket
 * (all of them while the message is incomplete, or up to its end), never
 * 0 when len > 0. A length the handshake did not ask for fails it.
 */
size_t handshake_feed(struct handshake *h, const uint8_t *in, size_t len);

/* After HANDSHAKE_BOUND: go on to wait for BIND's second reply. */
void handshake_resume(struct handshake *h);

/*
 * The transport failed (err positive: ETIMEDOUT at the deadline,
 * ECONNRESET for a close by the proxy, or the socket's errno): turn it
 * into HANDSHAKE_FAIL with the reason for the current step. connecting:
 * the TCP connection to the first hop was never established, so the
 * proxy is unreachable rather than misbehaving.
 */
void handshake_io_error(struct handshake *h, int err, bool connecting);

/* The driver gave up for a reason of its own (why: the line's text). */
void handshake_fail(struct handshake *h, int err, const char *why);

/* The hop being spoken to (the one a failure concerns). */
const struct handshake_hop *handshake_hop(const struct handshake *h);

#endif /* SOCKSIFY_CORE_HANDSHAKE_H */
