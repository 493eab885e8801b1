/* SPDX-License-Identifier: MIT */
/* epoll_ctl(): the real call, remembered (runtime/epreg.c) so that a
 * socket whose proxy handshake is pending can be held out of the
 * program's epoll sets and put back when its tunnel is up; on a held
 * socket the call is answered as the kernel would and kept for then.
 * epoll_wait needs no hook: the kernel itself wakes the waiters when a
 * registration comes back. */
#include <errno.h>
#include <sys/epoll.h>

#include "hooks/hooks.h"
#include "runtime/epreg.h"
#include "runtime/export.h"
#include "runtime/real.h"

int
sx_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	rc = epreg_ctl(epfd, op, fd, ev);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

SX_EXPORT int
epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	return sx_epoll_ctl(epfd, op, fd, ev);
}
