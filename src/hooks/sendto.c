/* SPDX-License-Identifier: MIT */
/* sendto(), sendmsg(), sendmmsg(), send(), write(): datagrams to proxied
 * destinations go through the socket's UDP association; sendto() with
 * MSG_FASTOPEN on a TCP socket is connect-through-the-proxy plus send.
 * Every descriptor without a record goes straight to libc after one
 * lock-free check; one whose record turns out stale goes to libc too. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "runtime/dnsport.h"
#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/pollmask.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/route.h"
#include "runtime/udp.h"

/* A socket whose connect is asynchronous: a write waits until the
 * tunnel is up (bounded by the handshake's deadline), or gives the
 * failure once (-1 and errno); then 0 and the write goes on. */
static int
send_gate(int fd)
{
	int rc = pollmask_gate(fd, true, false);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

#define SEND_GATE(fd) do { \
	if (pollmask_gated(fdstate_kind(fd)) && send_gate(fd) < 0) \
		return -1; \
} while (0)

/* Might fd have a record this file acts on? Lock-free, no syscall. */
static bool
send_tracked(int fd)
{
	enum fdstate_kind k = fdstate_kind(fd);

	return k == FDSTATE_UDP || k == FDSTATE_DNS;
}

/* A send without an address on a socket the answerer serves: a datagram
 * is answered; TCP data goes to our end, then what is complete there is
 * answered. */
static ssize_t
send_dns(const struct runtime *rt, int fd, const struct fdstate *st,
    const struct msghdr *msg, int flags)
{
	ssize_t n;

	if (st->u.dns.type == SOCK_DGRAM)
		return dnsport_send(rt, fd, NULL, 0, msg);
	n = real_sendmsg(fd, msg, flags);
	if (n < 0)
		return -errno;
	dnsport_pump(rt, fd, st);
	return n;
}

/* Returns the result (>= 0 or -errno), or sets *pass when libc should
 * handle the call unchanged. */
static ssize_t
send_route(int fd, const struct msghdr *msg, int flags, bool *pass)
{
	const struct runtime *rt = runtime_get();
	const struct sockaddr *to = msg->msg_name;
	struct route_info ri;
	struct fdstate st;
	int rc;

	*pass = false;
	if (rt == NULL)
		return -ENOSYS;
	if (to == NULL || msg->msg_namelen == 0) {
		/* A connected UDP socket with an association, or a socket
		 * the answerer serves. */
		if (send_tracked(fd) && fdstate_get(fd, &st)) {
			if (st.kind == FDSTATE_UDP && st.u.udp.connected)
				return udp_send(fd, &st, &st.u.udp.target, msg,
				    flags);
			if (st.kind == FDSTATE_DNS && st.u.dns.connected)
				return send_dns(rt, fd, &st, msg, flags);
		}
		*pass = true;
		return 0;
	}
	ri.socktype = fdstate_kind(fd) == FDSTATE_UDP ? SOCK_DGRAM : 0;
	switch (route_connect(rt, fd, to, msg->msg_namelen, &ri)) {
	case ROUTE_DIRECT:
	default:
		*pass = true;
		return 0;
	case ROUTE_BLOCK:
		return ri.err;
	case ROUTE_DNS:
		if (ri.socktype == SOCK_DGRAM &&
		    fdstate_kind(fd) != FDSTATE_UDP)
			return dnsport_send(rt, fd, to, msg->msg_namelen, msg);
		if (ri.socktype == SOCK_DGRAM) {
			/* A socket that already has an association for other
			 * traffic keeps it: its DNS goes through the proxy's
			 * relay rather than losing the association. */
			if (socks5_addr_from_sockaddr(&ri.target, to,
			    msg->msg_namelen) < 0)
				return -EAFNOSUPPORT;
			proxy_default_path(rt, &ri.path);
			break;
		}
		if (!(flags & MSG_FASTOPEN)) {
			*pass = true;	/* the kernel answers EISCONN/ENOTCONN */
			return 0;
		}
		rc = sx_connect(fd, to, msg->msg_namelen);
		if (rc < 0)
			return -errno;
		if (!fdstate_get(fd, &st) || st.kind != FDSTATE_DNS)
			return -ECONNRESET;
		return send_dns(rt, fd, &st, msg, flags & ~MSG_FASTOPEN);
	case ROUTE_PROXY:
		break;
	}
	if (ri.socktype == SOCK_STREAM) {
		if (!(flags & MSG_FASTOPEN)) {
			*pass = true;	/* the kernel answers EISCONN/ENOTCONN */
			return 0;
		}
		/* TCP Fast Open: connect through the proxy, then send. */
		rc = sx_connect(fd, to, msg->msg_namelen);
		if (rc < 0)
			return -errno;
		struct msghdr m = *msg;

		m.msg_name = NULL;
		m.msg_namelen = 0;
		rc = (int)real_sendmsg(fd, &m, flags & ~MSG_FASTOPEN);
		return rc < 0 ? -errno : rc;
	}
	rc = udp_ensure(rt, &ri.path, fd, to->sa_family, &st);
	if (rc < 0)
		return rc;
	return udp_send(fd, &st, &ri.target, msg, flags);
}

static ssize_t
send_result(ssize_t rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

ssize_t
sx_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (msg == NULL)
		return real_sendmsg(fd, msg, flags);
	if (msg->msg_name == NULL)
		SEND_GATE(fd);
	rc = send_route(fd, msg, flags, &pass);
	return pass ? real_sendmsg(fd, msg, flags) : send_result(rc);
}

SX_EXPORT ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return sx_sendmsg(fd, msg, flags);
}

/* One buffer as a msghdr (to may be NULL). */
static ssize_t
send_buf(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen, bool *pass)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = tolen,
	    .msg_iov = &iov, .msg_iovlen = 1 };

	return send_route(fd, &msg, flags, pass);
}

ssize_t
sx_sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (to == NULL)
		SEND_GATE(fd);
	if (to == NULL && !send_tracked(fd))
		return real_sendto(fd, buf, len, flags, to, tolen);
	rc = send_buf(fd, buf, len, flags, to, tolen, &pass);
	return pass ? real_sendto(fd, buf, len, flags, to, tolen) :
	    send_result(rc);
}

SX_EXPORT ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	return sx_sendto(fd, buf, len, flags, to, tolen);
}

SX_EXPORT ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	SEND_GATE(fd);
	if (!send_tracked(fd))
		return real_send(fd, buf, len, flags);
	rc = send_buf(fd, buf, len, flags, NULL, 0, &pass);
	return pass ? real_send(fd, buf, len, flags) : send_result(rc);
}

SX_EXPORT ssize_t
write(int fd, const void *buf, size_t len)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	SEND_GATE(fd);
	if (!send_tracked(fd))
		return real_write(fd, buf, len);
	rc = send_buf(fd, buf, len, 0, NULL, 0, &pass);
	return pass ? real_write(fd, buf, len) : send_result(rc);
}

int
sx_sendmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	unsigned int i;
	ssize_t rc;

	if (real_init() < 0 || real_sendmmsg == NULL) {
		errno = ENOSYS;
		return -1;
	}
	/* One at a time through sendmsg(): each may need the proxy. */
	for (i = 0; i < n; i++) {
		rc = sx_sendmsg(fd, &vec[i].msg_hdr, flags);
		if (rc < 0)
			return i > 0 ? (int)i : -1;
		vec[i].msg_len = (unsigned int)rc;
	}
	return (int)n;
}

SX_EXPORT int
sendmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	return sx_sendmmsg(fd, vec, n, flags);
}

SX_EXPORT ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov,
	    .msg_iovlen = iovcnt < 0 ? 0 : (size_t)iovcnt };
	bool pass;
	ssize_t rc;

	if (real_init() < 0 || real_writev == NULL) {
		errno = ENOSYS;
		return -1;
	}
	SEND_GATE(fd);
	if (!send_tracked(fd) || iovcnt <= 0)
		return real_writev(fd, iov, iovcnt);
	rc = send_route(fd, &msg, 0, &pass);
	return pass ? real_writev(fd, iov, iovcnt) : send_result(rc);
}
