/* SPDX-License-Identifier: MIT */
/* recvfrom(), recvmsg(), recv(), read(): on a socket with a UDP
 * association, strip the relay's header and report the real peer. Every
 * other descriptor goes straight to libc after one lock-free check. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/real.h"
#include "runtime/udp.h"

static ssize_t
sx_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct fdstate st;
	ssize_t rc;

	if (!fdstate_get(fd, &st) || st.kind != FDSTATE_UDP)
		return real_recvmsg(fd, msg, flags);
	rc = udp_recv(fd, &st, msg, flags);
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

SX_EXPORT ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (msg == NULL || fdstate_kind(fd) != FDSTATE_UDP)
		return real_recvmsg(fd, msg, flags);
	return sx_recvmsg(fd, msg, flags);
}

SX_EXPORT ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = from,
	    .msg_namelen = from != NULL && fromlen != NULL ? *fromlen : 0,
	    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_UDP)
		return real_recvfrom(fd, buf, len, flags, from, fromlen);
	if (from == NULL || fromlen == NULL)
		msg.msg_name = NULL;
	rc = sx_recvmsg(fd, &msg, flags);
	if (rc >= 0 && msg.msg_name != NULL)
		*fromlen = msg.msg_namelen;
	return rc;
}

SX_EXPORT ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_UDP)
		return real_recv(fd, buf, len, flags);
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

SX_EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_UDP)
		return real_read(fd, buf, len);
	return recvfrom(fd, buf, len, 0, NULL, NULL);
}

SX_EXPORT int
recvmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags,
    struct timespec *timeout)
{
	ssize_t rc;

	if (real_init() < 0 || real_recvmmsg == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_UDP || n == 0)
		return real_recvmmsg(fd, vec, n, flags, timeout);
	/* One datagram per call: each needs its header stripped. */
	rc = sx_recvmsg(fd, &vec[0].msg_hdr, flags & ~MSG_WAITFORONE);
	if (rc < 0)
		return -1;
	vec[0].msg_len = (unsigned int)rc;
	return 1;
}
