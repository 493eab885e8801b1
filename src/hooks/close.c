/* SPDX-License-Identifier: MIT */
/* close(), dup2(), dup3(): drop socksify's record of a descriptor before
 * it goes away or is replaced. */
#include <errno.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/log.h"
#include "runtime/namestore.h"
#include "runtime/real.h"
#include "runtime/udp.h"

/* Forget fd's record: drop its name-map pin, end its UDP association. */
static void
close_forget(int fd)
{
	struct fdstate old;

	if (!fdstate_take(fd, &old))
		return;
	if (old.pinned)
		namestore_unpin(old.name_index);
	udp_release(&old);
}

/* Descriptors socksify owns (the name map, UDP control connections) stay
 * open when the program closes them: a daemon closing every fd must not
 * break its own later connections. */
static bool
close_is_ours(int fd)
{
	return fd >= 0 && (fd == namestore_fd() || fd == log_fd() ||
	    fdstate_kind(fd) == FDSTATE_UDP_CTL);
}

/* libc's close_range() when it has one, else the system call. */
static int
real_close_range_any(unsigned int first, unsigned int last, int flags)
{
	if (real_close_range != NULL)
		return real_close_range(first, last, flags);
	return (int)syscall(SYS_close_range, first, last, flags);
}

SX_EXPORT int
close(int fd)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (close_is_ours(fd))
		return 0;
	close_forget(fd);
	return real_close(fd);
}

SX_EXPORT int
dup2(int oldfd, int newfd)
{
	int rc;

	if (real_init() < 0 || real_dup2 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	rc = real_dup2(oldfd, newfd);
	if (rc >= 0 && oldfd != newfd)
		close_forget(newfd);
	return rc;
}

SX_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	int rc;

	if (real_init() < 0 || real_dup3 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	rc = real_dup3(oldfd, newfd, flags);
	if (rc >= 0)
		close_forget(newfd);
	return rc;
}

/* close_range() around the descriptors socksify owns, forgetting the
 * records of the others. */
static int
close_range_sx(unsigned int first, unsigned int last, int flags)
{
	unsigned int fd, top, from = first;
	int high = fdstate_highest();

	if (namestore_fd() > high)
		high = namestore_fd();
	top = high < 0 ? 0 : (unsigned int)high;
	for (fd = first; high >= 0 && fd <= last && fd <= top; fd++) {
		if (close_is_ours((int)fd)) {
			if (fd > from && real_close_range_any(from, fd - 1,
			    flags) < 0)
				return -1;
			from = fd + 1;
		} else if (!(flags & CLOSE_RANGE_CLOEXEC)) {
			close_forget((int)fd);
		}
		if (fd == UINT_MAX)
			return 0;
	}
	if (from > last)
		return 0;
	return real_close_range_any(from, last, flags);
}

SX_EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (first > last) {
		errno = EINVAL;
		return -1;
	}
	return close_range_sx(first, last, flags);
}

SX_EXPORT void
closefrom(int lowfd)
{
	if (real_init() < 0 || lowfd < 0)
		return;
	if (close_range_sx((unsigned int)lowfd, UINT_MAX, 0) < 0) {
		/* No close_range in this kernel: close one by one. */
		long max = sysconf(_SC_OPEN_MAX);

		for (long fd = lowfd; fd < max; fd++)
			if (!close_is_ours((int)fd)) {
				close_forget((int)fd);
				(void)real_close((int)fd);
			}
	}
}
