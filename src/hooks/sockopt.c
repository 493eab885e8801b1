/* SPDX-License-Identifier: MIT */
/* getsockopt(SO_ERROR) of a socket whose connect is asynchronous: 0 while
 * the handshake runs, then the mapped errno of a failure once (its reason
 * is on stderr already), after which the socket is untracked. Every other
 * call goes straight to libc after one lock-free check. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/real.h"

static int
sockopt_error(int fd, void *val, socklen_t *len, int err)
{
	socklen_t n;
	int kernel;

	if (val == NULL || len == NULL) {
		errno = EFAULT;
		return -1;
	}
	/* After a failure, the kernel's own pending error (from the
	 * disconnect) is read and dropped: ours is the one that counts.
	 * While pending it is the helper thread's to see. */
	n = sizeof(kernel);
	if (err != 0)
		(void)real_getsockopt(fd, SOL_SOCKET, SO_ERROR, &kernel, &n);
	n = *len < sizeof(err) ? *len : sizeof(err);
	memcpy(val, &err, n);
	*len = n;
	return 0;
}

SX_EXPORT int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct fdstate st;
	enum fdstate_kind k;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (level != SOL_SOCKET || name != SO_ERROR ||
	    ((k = fdstate_kind(fd)) != FDSTATE_TCP_PENDING &&
	    k != FDSTATE_TCP_FAILED) || !fdstate_get(fd, &st))
		return real_getsockopt(fd, level, name, val, len);
	if (st.kind == FDSTATE_TCP_PENDING)
		return sockopt_error(fd, val, len, 0);
	if (st.kind != FDSTATE_TCP_FAILED || !fdstate_forget(fd))
		return real_getsockopt(fd, level, name, val, len);
	return sockopt_error(fd, val, len, st.u.tcp.err);
}
