/* SPDX-License-Identifier: MIT */
/* TEMPORARY (see tunnel.h): the codec is core/socks5.c; this only
 * sequences its messages. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/errmap.h"
#include "supervisor/tunnel.h"

enum {
	T_METHOD,	/* greeting sent or pending; reading the method */
	T_AUTH,		/* username/password sent; reading the status */
	T_REPLY,	/* request sent; reading the reply */
	T_DONE,
	T_FAIL,
};

static enum tunnel_status
tunnel_fail(struct tunnel *t, int err, const char *why)
{
	t->state = T_FAIL;
	t->err = err;
	snprintf(t->why, sizeof(t->why), "%s", why);
	return TUNNEL_FAIL;
}

/* Queue out[0..n) and expect the next message (decoder's first need). */
static enum tunnel_status
tunnel_queue(struct tunnel *t, ssize_t n, int next)
{
	if (n < 0)
		return tunnel_fail(t, EINVAL, "cannot encode the request");
	t->outlen = (size_t)n;
	t->outoff = 0;
	t->inlen = 0;
	t->need = 2;	/* every reply is at least VER + one byte */
	t->state = next;
	return TUNNEL_MORE;
}

static enum tunnel_status
tunnel_greet(struct tunnel *t)
{
	const struct proxy_url *u = t->path.hop[t->hop]->url;

	if (u->kind != PROXY_SOCKS5 && u->kind != PROXY_SOCKS5H)
		return tunnel_fail(t, EACCES, "the backstop speaks only "
		    "SOCKS5 to proxies for now");
	return tunnel_queue(t, socks5_encode_greeting(t->out, sizeof(t->out),
	    u->has_auth), T_METHOD);
}

static enum tunnel_status
tunnel_request(struct tunnel *t)
{
	const struct hop *next;
	struct socks5_addr a;

	if (t->hop + 1 == t->path.n)
		return tunnel_queue(t, socks5_encode_request(t->out,
		    sizeof(t->out), SOCKS5_CMD_CONNECT, &t->target), T_REPLY);
	next = t->path.hop[t->hop + 1];
	if (socks5_addr_from_sockaddr(&a, (const struct sockaddr *)&next->addr,
	    next->len) < 0 &&
	    socks5_addr_from_name(&a, next->url->host, next->url->port) < 0)
		return tunnel_fail(t, EINVAL, "bad chain hop");
	return tunnel_queue(t, socks5_encode_request(t->out, sizeof(t->out),
	    SOCKS5_CMD_CONNECT, &a), T_REPLY);
}

enum tunnel_status
tunnel_start(struct tunnel *t, const struct path *p,
    const struct socks5_addr *target)
{
	memset(t, 0, sizeof(*t));
	t->path = *p;
	t->target = *target;
	return tunnel_greet(t);
}

size_t
tunnel_output(const struct tunnel *t, const uint8_t **buf)
{
	*buf = t->out + t->outoff;
	return t->outlen - t->outoff;
}

void
tunnel_sent(struct tunnel *t, size_t n)
{
	t->outoff += n;
}

size_t
tunnel_want(const struct tunnel *t)
{
	if (t->outoff < t->outlen || t->state >= T_DONE)
		return 0;
	return t->need - t->inlen;
}

static enum tunnel_status
tunnel_method(struct tunnel *t)
{
	const struct proxy_url *u = t->path.hop[t->hop]->url;
	uint8_t m;
	ssize_t n;

	n = socks5_decode_method(t->in, t->inlen, &m, &t->need);
	if (n == 0)
		return TUNNEL_MORE;
	if (n < 0)
		return tunnel_fail(t, EPROTO, "malformed method selection");
	if (m == SOCKS5_AUTH_NONE)
		return tunnel_request(t);
	if (m == SOCKS5_AUTH_USERPASS && u->has_auth)
		return tunnel_queue(t, socks5_encode_userpass(t->out,
		    sizeof(t->out), u->user, u->pass), T_AUTH);
	if (m == SOCKS5_AUTH_NO_ACCEPTABLE)
		return tunnel_fail(t, EACCES, u->has_auth ?
		    "proxy accepts neither username/password nor no "
		    "authentication" : "proxy requires authentication and "
		    "no username/password is configured");
	return tunnel_fail(t, EPROTO, "proxy chose a method we did not offer");
}

static enum tunnel_status
tunnel_auth(struct tunnel *t)
{
	uint8_t status;
	ssize_t n;

	n = socks5_decode_userpass_reply(t->in, t->inlen, &status, &t->need);
	if (n == 0)
		return TUNNEL_MORE;
	if (n < 0)
		return tunnel_fail(t, EPROTO, "malformed authentication reply");
	if (status != SOCKS5_USERPASS_SUCCESS)
		return tunnel_fail(t, EACCES, "username/password rejected");
	return tunnel_request(t);
}

static enum tunnel_status
tunnel_reply(struct tunnel *t)
{
	struct socks5_reply r;
	char why[128];
	ssize_t n;

	n = socks5_decode_reply(t->in, t->inlen, &r, &t->need);
	if (n == 0)
		return TUNNEL_MORE;
	if (n < 0)
		return tunnel_fail(t, EPROTO, "malformed reply");
	if (r.rep != SOCKS5_REP_SUCCEEDED) {
		snprintf(why, sizeof(why), "%s (SOCKS REP %u)",
		    errmap_socks5_rep_str(r.rep), r.rep);
		return tunnel_fail(t, errmap_socks5_rep(r.rep), why);
	}
	if (++t->hop < t->path.n)
		return tunnel_greet(t);
	t->state = T_DONE;
	return TUNNEL_DONE;
}

enum tunnel_status
tunnel_feed(struct tunnel *t, const uint8_t *in, size_t n)
{
	if (n > tunnel_want(t))
		return tunnel_fail(t, EPROTO, "more input than asked for");
	memcpy(t->in + t->inlen, in, n);
	t->inlen += n;
	switch (t->state) {
	case T_METHOD:
		return tunnel_method(t);
	case T_AUTH:
		return tunnel_auth(t);
	case T_REPLY:
		return tunnel_reply(t);
	default:
		return t->state == T_DONE ? TUNNEL_DONE : TUNNEL_FAIL;
	}
}

const struct hop *
tunnel_hop(const struct tunnel *t)
{
	return t->path.hop[t->hop < t->path.n ? t->hop : t->path.n - 1];
}
