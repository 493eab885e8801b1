/* SPDX-License-Identifier: MIT */
/* The handshake's SOCKS5 (RFC 1928 methods and requests incl. BIND's two
 * replies, RFC 1929 username/password) and SOCKS4/4a messages. */
#include <errno.h>
#include <string.h>

#include "core/errmap.h"
#include "core/handshake_int.h"
#include "core/socks4.h"

void
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

void
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

void
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

void
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

void
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

void
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
