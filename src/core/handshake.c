/* SPDX-License-Identifier: MIT */
/*
 * The resumable proxy handshake: the driver's side (what to do next, bytes
 * sent, bytes fed), the path of hops, the failure texts. The protocols'
 * messages are handshake_socks.c and handshake_http.c. No I/O: the driver
 * reads what `want` says (exactly, so nothing after the proxy's answer is
 * taken from the program), writes what `out` holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/handshake_int.h"
#include "core/socks4.h"

void
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

const struct proxy_url *
hs_url(const struct handshake *h)
{
	return h->hops[h->hop].url;
}

bool
hs_last(const struct handshake *h)
{
	return h->hop + 1 == h->n_hops;
}

/* What this hop is asked for: the next hop, or the program's target. */
const struct socks5_addr *
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
void
hs_send(struct handshake *h, size_t n, int next)
{
	h->out_len = n;
	h->out_off = 0;
	h->state = ST_SEND | (next << ST_AFTER_SHIFT);
}

/* Expect a message of at least `need` bytes in state st. */
void
hs_expect(struct handshake *h, int st, size_t need)
{
	h->in_len = 0;
	h->in_need = need;
	h->state = st;
}

/* The hop is through: on to the next one, or done. */
void
hs_hop_done(struct handshake *h)
{
	if (hs_last(h)) {
		h->state = ST_DONE;
		return;
	}
	h->hop++;
	h->state = ST_HOP_START;
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
