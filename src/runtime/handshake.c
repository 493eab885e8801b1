/* SPDX-License-Identifier: MIT */
/* Per-protocol exchanges with one proxy: encode with core/, move bytes
 * with runtime/io, never read past the proxy's answer (what follows it is
 * the program's data). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/errmap.h"
#include "core/http_connect.h"
#include "core/socks4.h"
#include "runtime/handshake.h"
#include "runtime/io.h"
#include "runtime/log.h"
#include "runtime/real.h"

int
hs_fail(struct handshake *hs, int err, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_error("%s via %s: %s", hs->what, hs->hop->text, why);
	return -err;
}

int
hs_write(struct handshake *hs, const void *buf, size_t len)
{
	int rc = io_write_all(hs->fd, buf, len, hs->deadline);

	if (rc == 0)
		hs->connecting = false;
	return rc;
}

static int
hs_io_fail(struct handshake *hs, int rc, const char *step)
{
	if (hs->connecting)
		return hs_fail(hs, -rc, "proxy unreachable: %s",
		    rc == -ETIMEDOUT ? "connection timed out" : strerror(-rc));
	if (rc == -ETIMEDOUT)
		return hs_fail(hs, ETIMEDOUT, "proxy timed out during %s",
		    step);
	if (rc == -ECONNRESET)
		return hs_fail(hs, ECONNRESET, "proxy closed the connection "
		    "during %s", step);
	return hs_fail(hs, -rc, "%s failed: %s", step, strerror(-rc));
}

/* ---- SOCKS5 ------------------------------------------------------------ */

static int
hs5_auth(struct handshake *hs, uint8_t method)
{
	const struct proxy_url *u = hs->hop->url;
	uint8_t buf[SOCKS5_MAX_USERPASS];
	uint8_t status = 0xff;
	ssize_t n;
	int rc;

	if (method == SOCKS5_AUTH_NONE)
		return 0;
	if (method == SOCKS5_AUTH_NO_ACCEPTABLE)
		return hs_fail(hs, EACCES, "%s", u->has_auth ?
		    "proxy accepts neither username/password nor no "
		    "authentication" : "proxy requires authentication and "
		    "no username/password is configured");
	if (method != SOCKS5_AUTH_USERPASS || !u->has_auth)
		return hs_fail(hs, EPROTO, "proxy chose a method we did not "
		    "offer (0x%02x)", method);
	n = socks5_encode_userpass(buf, sizeof(buf), u->user, u->pass);
	if (n < 0)
		return hs_fail(hs, EINVAL, "%s", "username or password is "
		    "empty or longer than 255 bytes");
	rc = hs_write(hs, buf, (size_t)n);
	if (rc == 0)
		rc = io_read_exact(hs->fd, buf, 2, hs->deadline);
	if (rc < 0)
		return hs_io_fail(hs, rc, "authentication");
	if (socks5_decode_userpass_reply(buf, 2, &status, NULL) <= 0)
		return hs_fail(hs, EPROTO, "%s", "malformed authentication "
		    "reply");
	if (status != 0)
		return hs_fail(hs, EACCES, "authentication failed for user "
		    "'%s'", u->user);
	return 0;
}

static int
hs5_reply(struct handshake *hs, struct socks5_addr *bnd)
{
	uint8_t buf[SOCKS5_MAX_REPLY];
	struct socks5_reply reply;
	size_t have = 0, need = 5;
	ssize_t n;
	int rc;

	for (;;) {
		rc = io_read_exact(hs->fd, buf + have, need - have,
		    hs->deadline);
		if (rc < 0)
			return hs_io_fail(hs, rc, "the reply");
		have = need;
		n = socks5_decode_reply(buf, have, &reply, &need);
		if (n > 0)
			break;
		if (n < 0 || need <= have || need > sizeof(buf))
			return hs_fail(hs, EPROTO, "%s", "malformed reply "
			    "from the proxy");
	}
	if (reply.rep != SOCKS5_REP_SUCCEEDED)
		return hs_fail(hs, errmap_socks5_rep(reply.rep),
		    "%s (SOCKS reply %u)", errmap_socks5_rep_str(reply.rep),
		    reply.rep);
	if (bnd != NULL)
		*bnd = reply.bnd;
	return 0;
}

static int
hs_socks5(struct handshake *hs, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd)
{
	const struct proxy_url *u = hs->hop->url;
	uint8_t buf[SOCKS5_MAX_GREETING + SOCKS5_MAX_REQUEST];
	uint8_t method = SOCKS5_AUTH_NO_ACCEPTABLE;
	bool pipe = hs->pipeline && !u->has_auth && target != NULL;
	ssize_t n, m = 0;
	int rc;

	n = socks5_encode_greeting(buf, sizeof(buf), u->has_auth);
	if (n >= 0 && pipe)
		m = socks5_encode_request(buf + n, sizeof(buf) - (size_t)n,
		    cmd, target);
	if (n < 0 || m < 0)
		return hs_fail(hs, EINVAL, "%s", "cannot encode the request");
	/* Pipelined: greeting and request in one write (opt-in). */
	rc = hs_write(hs, buf, (size_t)(n + m));
	if (rc == 0)
		rc = io_read_exact(hs->fd, buf, 2, hs->deadline);
	if (rc == -ETIMEDOUT && !hs->connecting)
		return hs_fail(hs, ETIMEDOUT, "%s", "proxy timed out: no "
		    "answer to the SOCKS5 greeting (not a SOCKS5 proxy, wrong "
		    "port?)");
	if (rc < 0)
		return hs_io_fail(hs, rc, "the greeting");
	if (socks5_decode_method(buf, 2, &method, NULL) <= 0)
		return hs_fail(hs, EPROTO, "%s", "not a SOCKS5 proxy (bad "
		    "version in the method reply)");
	if (pipe) {
		if (method != SOCKS5_AUTH_NONE)
			return hs_fail(hs, EACCES, "proxy refused the "
			    "pipelined greeting (method 0x%02x)", method);
		return hs5_reply(hs, bnd);
	}
	rc = hs5_auth(hs, method);
	if (rc < 0 || target == NULL)
		return rc;
	n = socks5_encode_request(buf, sizeof(buf), cmd, target);
	if (n < 0)
		return hs_fail(hs, EINVAL, "%s", "cannot encode the request");
	rc = hs_write(hs, buf, (size_t)n);
	if (rc < 0)
		return hs_io_fail(hs, rc, "the request");
	return hs5_reply(hs, bnd);
}

/* ---- SOCKS4 / SOCKS4a ------------------------------------------------ */

static int
hs_socks4(struct handshake *hs, const struct socks5_addr *target)
{
	const struct proxy_url *u = hs->hop->url;
	uint8_t buf[SOCKS4_MAX_REQUEST];
	uint8_t status = 0;
	ssize_t n;
	int rc;

	if (target->atyp == SOCKS5_ATYP_DOMAIN && u->kind == PROXY_SOCKS4)
		return hs_fail(hs, EHOSTUNREACH, "%s", "a socks4:// proxy "
		    "cannot resolve names: use socks4a:// or dns = local");
	n = socks4_encode_connect(buf, sizeof(buf), target,
	    u->has_auth ? u->user : NULL);
	if (n == -EAFNOSUPPORT)
		return hs_fail(hs, EAFNOSUPPORT, "%s", "SOCKS4 has no IPv6");
	if (n < 0)
		return hs_fail(hs, EINVAL, "%s", "cannot encode the request");
	rc = hs_write(hs, buf, (size_t)n);
	if (rc == 0)
		rc = io_read_exact(hs->fd, buf, 8, hs->deadline);
	if (rc < 0)
		return hs_io_fail(hs, rc, "the SOCKS4 request");
	if (socks4_decode_reply(buf, 8, &status, NULL) <= 0)
		return hs_fail(hs, EPROTO, "%s", "not a SOCKS4 proxy (bad "
		    "reply)");
	if (socks4_status_errno(status) != 0)
		return hs_fail(hs, socks4_status_errno(status),
		    "%s (SOCKS4 status %u)", socks4_status_str(status), status);
	return 0;
}

/* ---- HTTP CONNECT ------------------------------------------------------ */

/* Peek at what arrived, decode, then consume exactly the response head. */
static int
hs_http(struct handshake *hs, const struct socks5_addr *target)
{
	const struct proxy_url *u = hs->hop->url;
	char req[HTTP_CONNECT_MAX_REQUEST], reason[128];
	uint8_t head[HTTP_CONNECT_MAX_HEAD];
	size_t need = 0;
	ssize_t n, got;
	int rc, status = 0;

	n = http_connect_encode(req, sizeof(req), target,
	    u->has_auth ? u->user : NULL, u->has_auth ? u->pass : NULL);
	if (n < 0)
		return hs_fail(hs, EINVAL, "%s", "cannot encode the CONNECT "
		    "request");
	rc = hs_write(hs, req, (size_t)n);
	if (rc < 0)
		return hs_io_fail(hs, rc, "the CONNECT request");
	for (got = 0;;) {
		if (got > 0) {
			/* Part of the head is here: give the rest a moment
			 * (polling would report the bytes we only peeked). */
			struct timespec ms = { .tv_nsec = 1000000 };

			if (io_now_ms() >= hs->deadline)
				return hs_io_fail(hs, -ETIMEDOUT,
				    "the CONNECT response");
			(void)nanosleep(&ms, NULL);
		} else {
			rc = io_wait(hs->fd, POLLIN, hs->deadline);
			if (rc < 0)
				return hs_io_fail(hs, rc,
				    "the CONNECT response");
		}
		got = real_recv(hs->fd, head, sizeof(head), MSG_PEEK);
		if (got == 0)
			return hs_io_fail(hs, -ECONNRESET,
			    "the CONNECT response");
		if (got < 0 && errno != EAGAIN && errno != EINTR)
			return hs_io_fail(hs, -errno, "the CONNECT response");
		if (got < 0) {
			got = 0;
			continue;
		}
		n = http_connect_decode(head, (size_t)got, &status, reason,
		    sizeof(reason), &need);
		if (n > 0)
			break;
		if (n < 0)
			return hs_fail(hs, EPROTO, "%s", "not an HTTP proxy "
			    "(malformed response to CONNECT)");
		if ((size_t)got >= sizeof(head))
			return hs_fail(hs, EPROTO, "%s", "CONNECT response "
			    "head too long");
	}
	rc = io_read_exact(hs->fd, head, (size_t)n, hs->deadline);
	if (rc < 0)
		return hs_io_fail(hs, rc, "the CONNECT response");
	hs->http_status = status;
	if (http_connect_status_errno(status) != 0)
		return hs_fail(hs, http_connect_status_errno(status),
		    "HTTP proxy answered %d %s%s", status, reason,
		    status == 407 || status == 401 ? (u->has_auth ?
		    " (wrong user or password)" :
		    " (no user/password configured)") : "");
	return 0;
}

/* `--check` without a target on a SOCKS4 or HTTP proxy: wait for the TCP
 * connection; for HTTP, ask for a tunnel to the proxy itself so that its
 * answer tells whether the credentials are accepted (any status but
 * 401/407 means they are; the tunnel itself is not needed). */
static int
hs_probe(struct handshake *hs)
{
	const struct proxy_url *u = hs->hop->url;
	struct socks5_addr self;
	socklen_t elen = sizeof(int);
	int rc, err = 0;

	if (hs->connecting) {
		rc = io_wait(hs->fd, POLLOUT, hs->deadline);
		if (rc == 0 && getsockopt(hs->fd, SOL_SOCKET, SO_ERROR, &err,
		    &elen) == 0 && err != 0)
			rc = -err;
		if (rc < 0)
			return hs_io_fail(hs, rc, "connect");
		hs->connecting = false;
	}
	if (u->kind != PROXY_HTTP ||
	    socks5_addr_from_name(&self, u->host, u->port) < 0)
		return 0;
	hs->http_status = 0;
	rc = hs_http(hs, &self);
	if (hs->http_status == 401 || hs->http_status == 407)
		return rc;
	return hs->http_status != 0 ? 0 : rc;	/* 0: no answer at all */
}

int
hs_exchange(struct handshake *hs, uint8_t cmd,
    const struct socks5_addr *target, struct socks5_addr *bnd)
{
	switch (hs->hop->url->kind) {
	case PROXY_SOCKS5:
	case PROXY_SOCKS5H:
		return hs_socks5(hs, cmd, target, bnd);
	case PROXY_SOCKS4:
	case PROXY_SOCKS4A:
	case PROXY_HTTP:
		break;
	}
	if (target == NULL)
		return hs_probe(hs);
	if (cmd != SOCKS5_CMD_CONNECT)
		return hs_fail(hs, EOPNOTSUPP, "%s proxies cannot carry UDP",
		    hs->hop->url->kind == PROXY_HTTP ? "HTTP" : "SOCKS4");
	if (hs->hop->url->kind == PROXY_HTTP)
		return hs_http(hs, target);
	return hs_socks4(hs, target);
}
