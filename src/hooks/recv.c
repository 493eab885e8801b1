/* SPDX-License-Identifier: MIT */
/* recvfrom(), recvmsg(), recv(), read(), recvmmsg(), readv(): on a socket
 * with a UDP association, strip the relay's header and report the real
 * peer; on one the DNS answerer serves, answer what waits first and show
 * answers as coming from the server asked.
 * Every other descriptor goes straight to libc after one lock-free check;
 * one whose record turns out stale goes to libc too. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "runtime/dnsport.h"
#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/pollmask.h"
#include "runtime/real.h"
#include "runtime/udp.h"

/* A socket whose connect is asynchronous: -1 and errno while pending
 * (EAGAIN: the proxy's reply is not the program's to read) or once after
 * a failure; else 0 and the read goes on. */
static int
recv_gate(int fd, int flags)
{
	int rc = pollmask_gate(fd, false, flags & MSG_DONTWAIT);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

#define RECV_GATE(fd, flags) do { \
	if (pollmask_gated(fdstate_kind(fd)) && recv_gate(fd, flags) < 0) \
		return -1; \
} while (0)

/* Might fd have a record this file acts on? Lock-free, no syscall. */
static bool
recv_tracked(int fd)
{
	enum fdstate_kind k = fdstate_kind(fd);

	return k == FDSTATE_UDP || k == FDSTATE_DNS;
}

/* A socket the answerer serves: what waits is answered, then the real
 * receive, then the source shown as the server's. */
static ssize_t
recv_dns(int fd, const struct fdstate *st, struct msghdr *msg, int flags)
{
	ssize_t n;

	dnsport_pump(runtime_get(), fd, st);
	n = real_recvmsg(fd, msg, flags);
	if (n > 0 && msg->msg_iovlen > 0)
		dnsport_fix_source(st, msg, msg->msg_iov[0].iov_base,
		    msg->msg_iov[0].iov_len < (size_t)n ?
		    msg->msg_iov[0].iov_len : (size_t)n);
	return n;
}

/* The result (>= 0, or -1 and errno), or *pass when libc should do it. */
static ssize_t
recv_udp(int fd, struct msghdr *msg, int flags, bool *pass)
{
	struct fdstate st;
	ssize_t rc;

	*pass = false;
	if (!fdstate_get(fd, &st) || (st.kind != FDSTATE_UDP &&
	    st.kind != FDSTATE_DNS)) {
		*pass = true;
		return 0;
	}
	if (st.kind == FDSTATE_DNS)
		return recv_dns(fd, &st, msg, flags);
	rc = udp_recv(fd, &st, msg, flags);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

ssize_t
sx_recvmsg(int fd, struct msghdr *msg, int flags)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	RECV_GATE(fd, flags);
	if (msg == NULL || !recv_tracked(fd))
		return real_recvmsg(fd, msg, flags);
	rc = recv_udp(fd, msg, flags, &pass);
	return pass ? real_recvmsg(fd, msg, flags) : rc;
}

SX_EXPORT ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	return sx_recvmsg(fd, msg, flags);
}

/* One buffer as a msghdr; *fromlen updated on success. */
static ssize_t
recv_buf(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen, bool *pass)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t rc;

	if (from != NULL && fromlen != NULL) {
		msg.msg_name = from;
		msg.msg_namelen = *fromlen;
	}
	rc = recv_udp(fd, &msg, flags, pass);
	if (!*pass && rc >= 0 && msg.msg_name != NULL)
		*fromlen = msg.msg_namelen;
	return rc;
}

ssize_t
sx_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	RECV_GATE(fd, flags);
	if (!recv_tracked(fd))
		return real_recvfrom(fd, buf, len, flags, from, fromlen);
	rc = recv_buf(fd, buf, len, flags, from, fromlen, &pass);
	return pass ? real_recvfrom(fd, buf, len, flags, from, fromlen) : rc;
}

SX_EXPORT ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	return sx_recvfrom(fd, buf, len, flags, from, fromlen);
}

SX_EXPORT ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	RECV_GATE(fd, flags);
	if (!recv_tracked(fd))
		return real_recv(fd, buf, len, flags);
	rc = recv_buf(fd, buf, len, flags, NULL, NULL, &pass);
	return pass ? real_recv(fd, buf, len, flags) : rc;
}

SX_EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	RECV_GATE(fd, 0);
	if (!recv_tracked(fd))
		return real_read(fd, buf, len);
	rc = recv_buf(fd, buf, len, 0, NULL, NULL, &pass);
	return pass ? real_read(fd, buf, len) : rc;
}

int
sx_recvmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags,
    struct timespec *timeout)
{
	bool pass;
	ssize_t rc;

	if (real_init() < 0 || real_recvmmsg == NULL) {
		errno = ENOSYS;
		return -1;
	}
	RECV_GATE(fd, flags);
	if (!recv_tracked(fd) || n == 0)
		return real_recvmmsg(fd, vec, n, flags, timeout);
	if (fdstate_kind(fd) == FDSTATE_DNS) {
		struct fdstate st;
		int got, i;

		if (!fdstate_get(fd, &st) || st.kind != FDSTATE_DNS)
			return real_recvmmsg(fd, vec, n, flags, timeout);
		dnsport_pump(runtime_get(), fd, &st);
		got = real_recvmmsg(fd, vec, n, flags, timeout);
		for (i = 0; i < got; i++)
			if (vec[i].msg_hdr.msg_iovlen > 0)
				dnsport_fix_source(&st, &vec[i].msg_hdr,
				    vec[i].msg_hdr.msg_iov[0].iov_base,
				    vec[i].msg_len);
		return got;
	}
	/* One datagram per call: each needs its header stripped. */
	rc = recv_udp(fd, &vec[0].msg_hdr, flags & ~MSG_WAITFORONE, &pass);
	if (pass)
		return real_recvmmsg(fd, vec, n, flags, timeout);
	if (rc < 0)
		return -1;
	vec[0].msg_len = (unsigned int)rc;
	return 1;
}

SX_EXPORT int
recvmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags,
    struct timespec *timeout)
{
	return sx_recvmmsg(fd, vec, n, flags, timeout);
}

SX_EXPORT ssize_t
readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov,
	    .msg_iovlen = iovcnt < 0 ? 0 : (size_t)iovcnt };
	bool pass;
	ssize_t rc;

	if (real_init() < 0 || real_readv == NULL) {
		errno = ENOSYS;
		return -1;
	}
	RECV_GATE(fd, 0);
	if (!recv_tracked(fd) || iovcnt <= 0)
		return real_readv(fd, iov, iovcnt);
	rc = recv_udp(fd, &msg, 0, &pass);
	return pass ? real_readv(fd, iov, iovcnt) : rc;
}
