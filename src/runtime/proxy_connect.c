/* SPDX-License-Identifier: MIT */
/* The SOCKS5 client state machine over a socket: encode with core/socks5,
 * move bytes with runtime/io, turn failures into errno + one log line. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errmap.h"
#include "runtime/io.h"
#include "runtime/log.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"

struct handshake {
	const struct runtime *rt;
	int fd;
	uint64_t deadline;
	char target[SOCKS5_ADDR_STRLEN + 16];
};

static int hs_fail(struct handshake *hs, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Log "connect TARGET via PROXY: <why>" and return -err. */
static int
hs_fail(struct handshake *hs, int err, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_error("%s via %s: %s", hs->target, hs->rt->proxy_text,
	    why);
	return -err;
}

static int
hs_io_fail(struct handshake *hs, int rc, const char *step)
{
	if (rc == -ETIMEDOUT)
		return hs_fail(hs, ETIMEDOUT, "proxy timed out during %s",
		    step);
	if (rc == -ECONNRESET)
		return hs_fail(hs, ECONNRESET, "proxy closed the connection "
		    "during %s", step);
	return hs_fail(hs, -rc, "%s failed: %s", step, strerror(-rc));
}

/* Build the proxy address in the socket's family (IPv4 proxy reached from
 * an AF_INET6 socket through a v4-mapped address). */
static int
hs_proxy_addr(const struct runtime *rt, int family,
    struct sockaddr_storage *ss, socklen_t *len)
{
	const struct sockaddr_in *p4 = (const struct sockaddr_in *)&rt->proxy;
	struct sockaddr_in6 *m6 = (struct sockaddr_in6 *)ss;

	if (rt->proxy.ss_family == family) {
		memcpy(ss, &rt->proxy, rt->proxy_len);
		*len = rt->proxy_len;
		return 0;
	}
	if (family == AF_INET6 && rt->proxy.ss_family == AF_INET) {
		memset(m6, 0, sizeof(*m6));
		m6->sin6_family = AF_INET6;
		m6->sin6_port = p4->sin_port;
		m6->sin6_addr.s6_addr[10] = 0xff;
		m6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&m6->sin6_addr.s6_addr[12], &p4->sin_addr, 4);
		*len = sizeof(*m6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static int
hs_connect_proxy(struct handshake *hs, int family)
{
	struct sockaddr_storage ss;
	socklen_t len, elen;
	int rc, err = 0;

	rc = hs_proxy_addr(hs->rt, family, &ss, &len);
	if (rc < 0)
		return hs_fail(hs, EAFNOSUPPORT, "%s", "the proxy has an IPv6 "
		    "address and the program's socket is IPv4");
	rc = real_connect(hs->fd, (struct sockaddr *)&ss, len);
	if (rc == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR)
		return hs_fail(hs, errno, "proxy unreachable: %s",
		    strerror(errno));
	rc = io_wait(hs->fd, POLLOUT, hs->deadline);
	if (rc < 0)
		return hs_fail(hs, -rc, "proxy unreachable: %s",
		    rc == -ETIMEDOUT ? "connection timed out" :
		    strerror(-rc));
	elen = sizeof(err);
	if (getsockopt(hs->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
		err = errno;
	if (err != 0)
		return hs_fail(hs, err, "proxy unreachable: %s",
		    strerror(err));
	return 0;
}

static int
hs_auth(struct handshake *hs, uint8_t method)
{
	const struct proxy_url *u = &hs->rt->cfg.proxy;
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
	rc = io_write_all(hs->fd, buf, (size_t)n, hs->deadline);
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
hs_request(struct handshake *hs, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd)
{
	uint8_t buf[SOCKS5_MAX_REPLY];
	struct socks5_reply reply;
	size_t have = 0, need = 5;
	ssize_t n;
	int rc;

	n = socks5_encode_request(buf, sizeof(buf), cmd, target);
	if (n < 0)
		return hs_fail(hs, EINVAL, "%s", "cannot encode the request");
	rc = io_write_all(hs->fd, buf, (size_t)n, hs->deadline);
	if (rc < 0)
		return hs_io_fail(hs, rc, "the request");
	/* Read no further than the reply: bytes after it are the program's. */
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
	if (reply.rep != SOCKS5_REP_SUCCEEDED) {
		return hs_fail(hs, errmap_socks5_rep(reply.rep),
		    "%s (SOCKS reply %u)", errmap_socks5_rep_str(reply.rep),
		    reply.rep);
	}
	if (bnd != NULL)
		*bnd = reply.bnd;
	return 0;
}

static int
hs_run(struct handshake *hs, int family, uint8_t cmd,
    const struct socks5_addr *target, struct socks5_addr *bnd)
{
	const struct proxy_url *u = &hs->rt->cfg.proxy;
	uint8_t buf[SOCKS5_MAX_GREETING];
	uint8_t method = SOCKS5_AUTH_NO_ACCEPTABLE;
	ssize_t n;
	int rc;

	rc = hs_connect_proxy(hs, family);
	if (rc < 0)
		return rc;
	n = socks5_encode_greeting(buf, sizeof(buf), u->has_auth);
	if (n < 0)
		return hs_fail(hs, EINVAL, "%s", "cannot encode the greeting");
	rc = io_write_all(hs->fd, buf, (size_t)n, hs->deadline);
	if (rc == 0)
		rc = io_read_exact(hs->fd, buf, 2, hs->deadline);
	if (rc < 0)
		return hs_io_fail(hs, rc, "the greeting");
	if (socks5_decode_method(buf, 2, &method, NULL) <= 0)
		return hs_fail(hs, EPROTO, "%s", "not a SOCKS5 proxy (bad "
		    "version in the method reply)");
	rc = hs_auth(hs, method);
	if (rc < 0 || target == NULL)
		return rc;
	return hs_request(hs, cmd, target, bnd);
}

int
proxy_handshake(const struct runtime *rt, int fd, int family, uint8_t cmd,
    const struct socks5_addr *target, struct socks5_addr *bnd)
{
	struct handshake hs = { .rt = rt, .fd = fd };
	char where[SOCKS5_ADDR_STRLEN];
	uint64_t start;
	int flags, rc;

	if (cmd == SOCKS5_CMD_UDP_ASSOCIATE)
		snprintf(hs.target, sizeof(hs.target), "UDP association");
	else if (target == NULL)
		snprintf(hs.target, sizeof(hs.target), "handshake");
	else
		snprintf(hs.target, sizeof(hs.target), "connect %s",
		    socks5_addr_format(target, where, sizeof(where)));
	if (rt->status < 0) {
		log_error("%s: refused, socksify is not configured (%s)",
		    hs.target, rt->error);
		return rt->status;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if (!(flags & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	start = io_now_ms();
	hs.deadline = start + rt->cfg.timeout_ms;
	rc = hs_run(&hs, family, cmd, target, bnd);
	if (rc < 0) {
		/* Drop any half-made proxy connection (AF_UNSPEC disconnects a
		 * TCP socket on Linux) so the program may retry on this fd. */
		struct sockaddr unspec = { .sa_family = AF_UNSPEC };

		(void)real_connect(fd, &unspec, sizeof(unspec));
	}
	if (!(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags);
	if (rc == 0)
		log_info("%s via %s: ok (%llu ms)", hs.target,
		    rt->proxy_text,
		    (unsigned long long)(io_now_ms() - start));
	return rc;
}

int
proxy_connect(const struct runtime *rt, int fd, int family,
    const struct socks5_addr *target)
{
	return proxy_handshake(rt, fd, family, SOCKS5_CMD_CONNECT, target,
	    NULL);
}
