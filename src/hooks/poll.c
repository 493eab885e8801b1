/* SPDX-License-Identifier: MIT */
/* poll(), ppoll(), select(), pselect() and the fortified __poll_chk /
 * __ppoll_chk: while a handshake is pending anywhere in the process, a
 * socket whose tunnel is not up yet is never reported ready
 * (runtime/pollmask.c); otherwise straight to libc after one atomic
 * load. select() goes the poll way only when one of its descriptors is
 * pending. */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/time.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/pollmask.h"
#include "runtime/real.h"

#define BITS (8 * sizeof(unsigned long))

/* glibc declares these only under _FORTIFY_SOURCE. */
int
__poll_chk(struct pollfd *, nfds_t, int, size_t);
int
__ppoll_chk(struct pollfd *, nfds_t, const struct timespec *,
    const sigset_t *, size_t);

static int
poll_result(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static int
poll_masked(struct pollfd *fds, nfds_t n, int timeout)
{
	struct timespec ts = { .tv_sec = timeout / 1000,
	    .tv_nsec = (long)(timeout % 1000) * 1000000L };

	return poll_result(pollmask_poll(fds, n, timeout < 0 ? NULL : &ts,
	    NULL));
}

SX_EXPORT int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (pollmask_active() == 0)
		return real_poll(fds, n, timeout);
	return poll_masked(fds, n, timeout);
}

static int
ppoll_masked(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
    const sigset_t *sigmask)
{
	struct timespec ts;

	if (timeout != NULL) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
		    timeout->tv_nsec >= 1000000000L) {
			errno = EINVAL;
			return -1;
		}
		ts = *timeout;
	}
	return poll_result(pollmask_poll(fds, n, timeout != NULL ? &ts : NULL,
	    sigmask));
}

SX_EXPORT int
ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
    const sigset_t *sigmask)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (pollmask_active() == 0)
		return real_ppoll(fds, n, timeout, sigmask);
	return ppoll_masked(fds, n, timeout, sigmask);
}

/* The fortified entry points: a wrong length goes to libc's check. */
SX_EXPORT int
__poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (real_init() < 0 || real_poll_chk == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (pollmask_active() == 0 || fdslen / sizeof(*fds) < n)
		return real_poll_chk(fds, n, timeout, fdslen);
	return poll_masked(fds, n, timeout);
}

SX_EXPORT int
__ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
    const sigset_t *sigmask, size_t fdslen)
{
	if (real_init() < 0 || real_ppoll_chk == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (pollmask_active() == 0 || fdslen / sizeof(*fds) < n)
		return real_ppoll_chk(fds, n, timeout, sigmask, fdslen);
	return ppoll_masked(fds, n, timeout, sigmask);
}

/* Bits of an fd_set of any size (nfds may be above FD_SETSIZE). */
static bool
bit_get(const fd_set *s, int fd)
{
	const unsigned long *w = (const unsigned long *)(const void *)s;

	return s != NULL && (w[fd / BITS] >> (fd % BITS)) & 1u;
}

static void
bit_set(fd_set *s, int fd)
{
	((unsigned long *)(void *)s)[fd / BITS] |= 1ul << (fd % BITS);
}

static void
bits_clear(fd_set *s, int nfds)
{
	int fd;

	for (fd = 0; s != NULL && fd < nfds; fd++)
		((unsigned long *)(void *)s)[fd / BITS] &= ~(1ul << (fd % BITS));
}

static bool
select_pending(int nfds, fd_set *r, fd_set *w, fd_set *e)
{
	int fd;

	for (fd = 0; fd < nfds; fd++)
		if ((bit_get(r, fd) || bit_get(w, fd) || bit_get(e, fd)) &&
		    fdstate_kind(fd) == FDSTATE_TCP_PENDING)
			return true;
	return false;
}

/* select() as poll(), with the kernel's mapping of poll bits to sets. */
static int
select_as_poll(int nfds, fd_set *r, fd_set *w, fd_set *e,
    struct timespec *ts, const sigset_t *sigmask)
{
	struct pollfd *q;
	nfds_t m = 0, i;
	int fd, rc, count = 0;

	q = calloc((size_t)nfds, sizeof(*q));
	if (q == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (fd = 0; fd < nfds; fd++) {
		q[m].events = (short)((bit_get(r, fd) ? POLLIN : 0) |
		    (bit_get(w, fd) ? POLLOUT : 0) |
		    (bit_get(e, fd) ? POLLPRI : 0));
		if (q[m].events != 0)
			q[m++].fd = fd;
	}
	rc = pollmask_poll(q, m, ts, sigmask);
	for (i = 0; rc > 0 && i < m; i++)
		if (q[i].revents & POLLNVAL)
			rc = -EBADF;
	if (rc >= 0) {
		bits_clear(r, nfds);
		bits_clear(w, nfds);
		bits_clear(e, nfds);
	}
	for (i = 0; rc > 0 && i < m; i++) {
		if ((q[i].events & POLLIN) &&
		    (q[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			bit_set(r, q[i].fd);
			count++;
		}
		if ((q[i].events & POLLOUT) &&
		    (q[i].revents & (POLLOUT | POLLERR))) {
			bit_set(w, q[i].fd);
			count++;
		}
		if ((q[i].events & POLLPRI) && (q[i].revents & POLLPRI)) {
			bit_set(e, q[i].fd);
			count++;
		}
	}
	free(q);
	return rc < 0 ? poll_result(rc) : count;
}

SX_EXPORT int
select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct timespec ts;
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (pollmask_active() == 0 || nfds <= 0 ||
	    !select_pending(nfds, r, w, e))
		return real_select(nfds, r, w, e, tv);
	if (tv != NULL) {
		if (tv->tv_sec < 0 || tv->tv_usec < 0) {
			errno = EINVAL;
			return -1;
		}
		ts.tv_sec = tv->tv_sec + tv->tv_usec / 1000000;
		ts.tv_nsec = (long)(tv->tv_usec % 1000000) * 1000L;
	}
	rc = select_as_poll(nfds, r, w, e, tv != NULL ? &ts : NULL, NULL);
	if (tv != NULL) {	/* Linux says how much time was left */
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return rc;
}

SX_EXPORT int
pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
    const struct timespec *timeout, const sigset_t *sigmask)
{
	struct timespec ts;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (pollmask_active() == 0 || nfds <= 0 ||
	    !select_pending(nfds, r, w, e))
		return real_pselect(nfds, r, w, e, timeout, sigmask);
	if (timeout != NULL)
		ts = *timeout;
	return select_as_poll(nfds, r, w, e, timeout != NULL ? &ts : NULL,
	    sigmask);
}
