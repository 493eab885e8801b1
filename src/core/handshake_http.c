/* SPDX-License-Identifier: MIT */
/* The handshake's HTTP CONNECT (RFC 9110 9.3.6): the request, and the
 * response head read up to exactly its end (peeked). */
#include <errno.h>
#include <string.h>

#include "core/handshake_int.h"
#include "core/http_connect.h"

void
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
size_t
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
