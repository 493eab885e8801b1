/* SPDX-License-Identifier: MIT */
/*
 * The resumable proxy handshake: one state per message of each protocol,
 * encoders and decoders from socks5.c, socks4.c and http_connect.c. No I/O:
 * the driver reads what `want` says (exactly, so nothing after the proxy's
 * answer is taken from the program), writes what `out` holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errmap.h"
#include "core/handshake.h"
#include "core/socks4.h"

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

static void
hs_failf(struct handshake *h, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
hs_failf(struct handshake *h, int err, const char *fmt, ...)
{
	va_list ap;

	if (h->state == ST_FAIL)	/* the first reason is the one */
		return;
	va_start(ap, fmt);
	(void)vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	h->err = err;
	h->state = ST_FAIL;
}

static const struct proxy_url *
hs_url(const struct handshake *h)
{
	return h->hops[h->hop].url;
}

static bool
hs_last(const struct handshake *h)
{
	return h->hop + 1 == h->n_hops;
}

/* What this hop is asked for: the next hop, or the program's target. */
static const struct socks5_addr *
hs_goal(const struct handshake *h, uint8_t *cmd)
{
	if (!hs_last(h)) {
		*cmd = SOCKS5_CMD_CONNECT;
		return &h->hops[h->hop + 1].via;
	}
	*cmd = h->cmd;
	return h->probe ? NULL : &h->target;
}

/* Queue out[0..n) and go to `next` once it is written. */
static void
hs_send(struct handshake *h, size_t n, int next)
{
	h->out_len = n;
	h->out_off = 0;
	h->state = ST_SEND | (next << ST_AFTER_SHIFT);
}

/* Expect a message of at least `need` bytes in state st. */
static void
hs_expect(struct handshake *h, int st, size_t need)
{
	h->in_len = 0;
	h->in_need = need;
	h->state = st;
}

void
handshake_start(struct handshake *h, const struct handshake_hop *hops,
    size_t n, uint8_t cmd, const struct socks5_addr *target, bool pipeline)
{
	memset(h, 0, sizeof(*h));
	h->hops = hops;
	h->n_hops = n;
	h->cmd = cmd;
	h->probe = target == NULL;
	if (target != NULL)
		h->target = *target;
	h->pipeline = pipeline;
	h->state = ST_HOP_START;
	if (hops == NULL || n == 0 || n > HANDSHAKE_MAX_HOPS) {
		h->hops = NULL;
		h->n_hops = 0;
		hs_failf(h, EINVAL, "%s", "bad proxy path");
	}
}

/* ---- SOCKS5 ------------------------------------------------------------ */

static void
hs5_start(struct handshake *h)
{
	const struct proxy_url *u = hs_url(h);
	const struct socks5_addr *goal;
	uint8_t cmd;
	ssize_t n, m = 0;

	goal = hs_goal(h, &cmd);
	n = socks5_encode_greeting(h->out, sizeof(h->out), u->has_auth);
	/* Pipelined (opt-in): the request rides with the greeting. */
	h->pipelined = n >= 0 && h->pipeline && !u->has_auth && goal != NULL;
	if (h->pipelined)
		m = socks5_encode_request(h->out + n, sizeof(h->out) - (size_t)n,
		    cmd, goal);
	if (n < 0 || m < 0) {
		hs_failf(h, EINVAL, "%s", "cannot encode the request");
		return;
	}
	hs_send(h, (size_t)(n + m), ST_S5_METHOD);
}

static void
hs5_request(struct handshake *h)
{
	const struct socks5_addr *goal;
	uint8_t cmd;
	ssize_t n;

	goal = hs_goal(h, &cmd);
	if (goal == NULL) {		/* probe: authenticated is enough */
		h->state = ST_DONE;
		return;
	}
	n = socks5_encode_request(h->out, sizeof(h->out), cmd, goal);
	if (n < 0) {
		hs_failf(h, EINVAL, "%s", "cannot encode the request");
		return;
	}
	hs_send(h, (size_t)n, ST_S5_REPLY);
}

static void
hs5_method(struct handshake *h)
{
	const struct proxy_url *u = hs_url(h);
	uint8_t method = SOCKS5_AUTH_NO_ACCEPTABLE;
	ssize_t n;

	if (socks5_decode_method(h->in, h->in_len, &method, NULL) <= 0) {
		hs_failf(h, EPROTO, "%s", "not a SOCKS5 proxy (bad version in "
		    "the method reply)");
		return;
	}
	if (h->pipelined && method == SOCKS5_AUTH_NONE) {
		hs_expect(h, ST_S5_REPLY, 5);
		return;
	}
	/* Any other method was not offered: EPROTO below, as unpipelined. */
	if (h->pipelined && method == SOCKS5_AUTH_NO_ACCEPTABLE) {
		hs_failf(h, EACCES, "proxy refused the pipelined greeting "
		    "(method 0x%02x)", method);
		return;
	}
	if (method == SOCKS5_AUTH_NONE) {
		hs5_request(h);
		return;
	}
	if (method == SOCKS5_AUTH_NO_ACCEPTABLE) {
		hs_failf(h, EACCES, "%s", u->has_auth ?
		    "proxy accepts neither username/password nor no "
		    "authentication" : "proxy requires authentication and "
		    "no username/password is configured");
		return;
	}
	if (method != SOCKS5_AUTH_USERPASS || !u->has_auth) {
		hs_failf(h, EPROTO, "proxy chose a method we did not offer "
		    "(0x%02x)", method);
		return;
	}
	n = socks5_encode_userpass(h->out, sizeof(h->out), u->user, u->pass);
	if (n < 0) {
		hs_failf(h, EINVAL, "%s", "username or password is empty or "
		    "longer than 255 bytes");
		return;
	}
	hs_send(h, (size_t)n, ST_S5_AUTH);
}

static void
hs5_auth(struct handshake *h)
{
	uint8_t status = 0xff;

	if (socks5_decode_userpass_reply(h->in, h->in_len, &status,
	    NULL) <= 0) {
		hs_failf(h, EPROTO, "%s", "malformed authentication reply");
		return;
	}
	if (status != SOCKS5_USERPASS_SUCCESS) {
		hs_failf(h, EACCES, "authentication failed for user '%s'",
		    hs_url(h)->user);
		return;
	}
	hs5_request(h);
}

/* The hop is through: on to the next one, or done. */
static void
hs_hop_done(struct handshake *h)
{
	if (hs_last(h)) {
		h->state = ST_DONE;
		return;
	}
	h->hop++;
	h->state = ST_HOP_START;
}

static void
hs5_reply(struct handshake *h)
{
	struct socks5_reply reply;
	size_t need = 0;
	ssize_t n;

	n = socks5_decode_reply(h->in, h->in_len, &reply, &need);
	if (n == 0 && need > h->in_len && need <= sizeof(h->in)) {
		h->in_need = need;	/* the address is longer: read on */
		return;
	}
	if (n <= 0) {
		hs_failf(h, EPROTO, "%s", "malformed reply from the proxy");
		return;
	}
	if (reply.rep != SOCKS5_REP_SUCCEEDED) {
		hs_failf(h, errmap_socks5_rep(reply.rep), "%s (SOCKS reply "
		    "%u)", errmap_socks5_rep_str(reply.rep), reply.rep);
		return;
	}
	if (hs_last(h) && h->cmd == SOCKS5_CMD_BIND) {
		if (!h->bound) {	/* RFC 1928 sec. 4: two replies */
			h->bound = true;
			h->bnd = reply.bnd;
			h->state = ST_S5_BOUND;
			return;
		}
		h->peer = reply.bnd;
		h->state = ST_DONE;
		return;
	}
	if (hs_last(h))
		h->bnd = reply.bnd;
	hs_hop_done(h);
}

/* ---- SOCKS4 / SOCKS4a --------------------------------------------------- */

static void
hs4_start(struct handshake *h)
{
	const struct proxy_url *u = hs_url(h);
	const struct socks5_addr *goal;
	uint8_t cmd;
	ssize_t n;

	goal = hs_goal(h, &cmd);
	if (goal == NULL) {		/* probe: the TCP connection is all */
		h->state = ST_DONE;
		return;
	}
	if (cmd != SOCKS5_CMD_CONNECT) {
		hs_failf(h, EOPNOTSUPP, "SOCKS4 proxies cannot %s",
		    cmd == SOCKS5_CMD_BIND ? "accept connections for us "
		    "(BIND)" : "carry UDP");
		return;
	}
	if (goal->atyp == SOCKS5_ATYP_DOMAIN && u->kind == PROXY_SOCKS4) {
		hs_failf(h, EHOSTUNREACH, "%s", "a socks4:// proxy cannot "
		    "resolve names: use socks4a:// or dns = local");
		return;
	}
	n = socks4_encode_connect(h->out, sizeof(h->out), goal,
	    u->has_auth ? u->user : NULL);
	if (n == -EAFNOSUPPORT) {
		hs_failf(h, EAFNOSUPPORT, "%s", "SOCKS4 has no IPv6");
		return;
	}
	if (n < 0) {
		hs_failf(h, EINVAL, "%s", "cannot encode the request");
		return;
	}
	hs_send(h, (size_t)n, ST_S4_REPLY);
}

static void
hs4_reply(struct handshake *h)
{
	uint8_t status = 0;
	int err;

	if (socks4_decode_reply(h->in, h->in_len, &status, NULL) <= 0) {
		hs_failf(h, EPROTO, "%s", "not a SOCKS4 proxy (bad reply)");
		return;
	}
	err = socks4_status_errno(status);
	if (err != 0) {
		hs_failf(h, err, "%s (SOCKS4 status %u)",
		    socks4_status_str(status), status);
		return;
	}
	hs_hop_done(h);
}

/* ---- HTTP CONNECT -------------------------------------------------------- */

static void
hsh_start(struct handshake *h)
{
	const struct proxy_url *u = hs_url(h);
	const struct socks5_addr *goal;
	struct socks5_addr self;
	uint8_t cmd;
	ssize_t n;

	goal = hs_goal(h, &cmd);
	if (goal == NULL) {
		/* Probe: a tunnel to the proxy itself; its answer tells
		 * whether the credentials are accepted. */
		if (socks5_addr_from_name(&self, u->host, u->port) < 0) {
			h->state = ST_DONE;
			return;
		}
		goal = &self;
	} else if (cmd != SOCKS5_CMD_CONNECT) {
		hs_failf(h, EOPNOTSUPP, "HTTP proxies cannot %s",
		    cmd == SOCKS5_CMD_BIND ? "accept connections for us "
		    "(BIND)" : "carry UDP");
		return;
	}
	n = http_connect_encode((char *)h->out, sizeof(h->out), goal,
	    u->has_auth ? u->user : NULL, u->has_auth ? u->pass : NULL);
	if (n < 0) {
		hs_failf(h, EINVAL, "%s", "cannot encode the CONNECT request");
		return;
	}
	hs_send(h, (size_t)n, ST_HTTP_HEAD);
}

/* The head is complete in in[0..len): judge the status. */
static void
hsh_status(struct handshake *h, size_t len)
{
	const struct proxy_url *u = hs_url(h);
	char reason[128];
	int status = 0, err;

	if (http_connect_decode(h->in, len, &status, reason, sizeof(reason),
	    NULL) <= 0) {
		hs_failf(h, EPROTO, "%s", "not an HTTP proxy (malformed "
		    "response to CONNECT)");
		return;
	}
	h->http_status = status;
	err = http_connect_status_errno(status);
	/* A probe only asks whether the credentials pass: any answer but
	 * 401/407 says they do (the tunnel itself is not needed). */
	if (h->probe && hs_last(h) && status != 401 && status != 407)
		err = 0;
	if (err == 0) {
		hs_hop_done(h);
		return;
	}
	hs_failf(h, err, "HTTP proxy answered %d %s%s", status, reason,
	    status == 407 || status == 401 ? (u->has_auth ?
	    " (wrong user or password)" : " (no user/password configured)") :
	    "");
}

/*
 * Peeked bytes in[0..len) continue the head kept so far. Everything before
 * the head's end is the head's (consume all of it); the head's end is
 * exactly where to stop, so tunnel bytes stay in the socket.
 */
static size_t
hsh_feed(struct handshake *h, const uint8_t *in, size_t len)
{
	size_t room = sizeof(h->in) - h->in_len, take = len < room ? len : room;
	size_t before = h->in_len;
	ssize_t n;

	memcpy(h->in + h->in_len, in, take);
	h->in_len += take;
	n = http_connect_decode(h->in, h->in_len, NULL, NULL, 0, NULL);
	if (n < 0) {
		hs_failf(h, EPROTO, "%s", n == -EMSGSIZE ? "CONNECT response "
		    "head too long" : "not an HTTP proxy (malformed response "
		    "to CONNECT)");
		return take;
	}
	if (n == 0) {
		if (h->in_len >= sizeof(h->in))
			hs_failf(h, EPROTO, "%s", "CONNECT response head too "
			    "long");
		return take;
	}
	hsh_status(h, (size_t)n);
	return (size_t)n - before;
}

/* ---- the driver's side ---------------------------------------------------- */

static void
hs_hop_start(struct handshake *h)
{
	switch (hs_url(h)->kind) {
	case PROXY_SOCKS5:
	case PROXY_SOCKS5H:
		hs5_start(h);
		return;
	case PROXY_SOCKS4:
	case PROXY_SOCKS4A:
		hs4_start(h);
		return;
	case PROXY_HTTP:
		hsh_start(h);
		return;
	}
	hs_failf(h, EINVAL, "%s", "unknown proxy kind");
}

enum handshake_status
handshake_next(struct handshake *h, struct handshake_io *io)
{
	memset(io, 0, sizeof(*io));
	/* Hops without a message of their own (probes) finish at once. */
	while (h->state == ST_HOP_START)
		hs_hop_start(h);
	switch (h->state & ST_MASK) {
	case ST_SEND:
		io->out = h->out + h->out_off;
		io->len = h->out_len - h->out_off;
		return HANDSHAKE_SEND;
	case ST_S5_METHOD:
	case ST_S5_AUTH:
	case ST_S5_REPLY:
	case ST_S4_REPLY:
		io->want = h->in_need - h->in_len;
		return HANDSHAKE_RECV;
	case ST_HTTP_HEAD:
		io->want = sizeof(h->in) - h->in_len;
		io->peek = true;
		return HANDSHAKE_RECV;
	case ST_S5_BOUND:
		return HANDSHAKE_BOUND;
	case ST_DONE:
		return HANDSHAKE_DONE;
	default:
		return HANDSHAKE_FAIL;
	}
}

void
handshake_sent(struct handshake *h, size_t n)
{
	int next;

	if ((h->state & ST_MASK) != ST_SEND)
		return;
	h->out_off += n < h->out_len - h->out_off ? n :
	    h->out_len - h->out_off;
	if (h->out_off < h->out_len)
		return;
	next = h->state >> ST_AFTER_SHIFT;
	switch (next) {
	case ST_S5_METHOD:
	case ST_S5_AUTH:
		hs_expect(h, next, 2);
		break;
	case ST_S5_REPLY:
		hs_expect(h, next, 5);	/* VER REP RSV ATYP + 1 */
		break;
	case ST_S4_REPLY:
		hs_expect(h, next, SOCKS4_REPLY_LEN);
		break;
	default:
		hs_expect(h, next, 0);
		break;
	}
}

size_t
handshake_feed(struct handshake *h, const uint8_t *in, size_t len)
{
	int st = h->state & ST_MASK;

	if (len == 0)
		return 0;
	if (st == ST_HTTP_HEAD && len <= sizeof(h->in) - h->in_len)
		return hsh_feed(h, in, len);
	if ((st != ST_S5_METHOD && st != ST_S5_AUTH && st != ST_S5_REPLY &&
	    st != ST_S4_REPLY) || len > h->in_need - h->in_len) {
		hs_failf(h, EPROTO, "%s", "internal error: unexpected bytes "
		    "from the proxy");
		return len;
	}
	memcpy(h->in + h->in_len, in, len);
	h->in_len += len;
	if (h->in_len < h->in_need)
		return len;
	switch (st) {
	case ST_S5_METHOD:
		hs5_method(h);
		break;
	case ST_S5_AUTH:
		hs5_auth(h);
		break;
	case ST_S5_REPLY:
		hs5_reply(h);
		break;
	case ST_S4_REPLY:
		hs4_reply(h);
		break;
	}
	return len;
}

void
handshake_resume(struct handshake *h)
{
	if (h->state == ST_S5_BOUND)
		hs_expect(h, ST_S5_REPLY, 5);
}

/* What the current step is, for "proxy timed out during ...". */
static const char *
hs_step_name(const struct handshake *h)
{
	switch (h->state & ST_MASK) {
	case ST_S5_METHOD:
		return "the greeting";
	case ST_S5_AUTH:
		return "authentication";
	case ST_S5_REPLY:
	case ST_S5_BOUND:
		return "the reply";
	case ST_S4_REPLY:
		return "the SOCKS4 request";
	case ST_HTTP_HEAD:
		return "the CONNECT response";
	case ST_SEND:
		switch (h->state >> ST_AFTER_SHIFT) {
		case ST_S5_METHOD:
			return "the greeting";
		case ST_S5_AUTH:
			return "authentication";
		case ST_S4_REPLY:
			return "the SOCKS4 request";
		case ST_HTTP_HEAD:
			return "the CONNECT request";
		default:
			return "the request";
		}
	default:
		return "the handshake";
	}
}

void
handshake_io_error(struct handshake *h, int err, bool connecting)
{
	const char *step = hs_step_name(h);

	if (h->state == ST_FAIL)
		return;
	if (connecting)
		hs_failf(h, err, "proxy unreachable: %s", err == ETIMEDOUT ?
		    "connection timed out" : strerror(err));
	else if (err == ETIMEDOUT && h->state == ST_S5_METHOD)
		hs_failf(h, ETIMEDOUT, "%s", "proxy timed out: no answer to "
		    "the SOCKS5 greeting (not a SOCKS5 proxy, wrong port?)");
	else if (err == ETIMEDOUT)
		hs_failf(h, ETIMEDOUT, "proxy timed out during %s", step);
	else if (err == ECONNRESET)
		hs_failf(h, ECONNRESET, "proxy closed the connection during %s",
		    step);
	else
		hs_failf(h, err, "%s failed: %s", step, strerror(err));
}

void
handshake_fail(struct handshake *h, int err, const char *why)
{
	hs_failf(h, err, "%s", why);
}

const struct handshake_hop *
handshake_hop(const struct handshake *h)
{
	return h->n_hops == 0 ? NULL : &h->hops[h->hop];
}
