/* SPDX-License-Identifier: MIT */
/* close(), dup2(), dup3(), close_range(), closefrom(), fclose(): drop
 * socksify's record of a descriptor before it goes away or is replaced,
 * and keep the library's own descriptors out of the program's way (a
 * close() of one is EBADF, as for a descriptor the program never had; a
 * dup2() onto one moves ours first). */
#include <errno.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "runtime/export.h"
#include "runtime/epreg.h"
#include "runtime/fdstate.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

/* libc's close_range() when it has one, else the system call. */
static int
real_close_range_any(unsigned int first, unsigned int last, int flags)
{
	if (real_close_range != NULL)
		return real_close_range(first, last, flags);
	return (int)real_syscall(SYS_close_range, first, last, flags);
}

int
sx_close(int fd)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (ownfd_owns(fd)) {
		errno = EBADF;
		return -1;
	}
	(void)fdstate_forget(fd);
	epreg_forget(fd);
	return real_close(fd);
}

SX_EXPORT int
close(int fd)
{
	return sx_close(fd);
}

int
sx_dup2(int oldfd, int newfd)
{
	int rc;

	if (real_init() < 0 || real_dup2 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (oldfd == newfd)
		return real_dup2(oldfd, newfd);
	(void)ownfd_evacuate(newfd);
	rc = real_dup2(oldfd, newfd);
	if (rc >= 0) {
		(void)fdstate_forget(newfd);
		epreg_forget(newfd);
	}
	return rc;
}

SX_EXPORT int
dup2(int oldfd, int newfd)
{
	return sx_dup2(oldfd, newfd);
}

int
sx_dup3(int oldfd, int newfd, int flags)
{
	int rc;

	if (real_init() < 0 || real_dup3 == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (oldfd != newfd)
		(void)ownfd_evacuate(newfd);
	rc = real_dup3(oldfd, newfd, flags);
	if (rc >= 0 && oldfd != newfd) {
		(void)fdstate_forget(newfd);
		epreg_forget(newfd);
	}
	return rc;
}

SX_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	return sx_dup3(oldfd, newfd, flags);
}

/* close_range() around the descriptors socksify owns, forgetting the
 * records of the others. Walks only up to the highest descriptor that can
 * matter. */
static int
close_range_walk(unsigned int first, unsigned int last, int flags)
{
	unsigned int fd, top, from = first;
	int high = fdstate_highest();

	if (ownfd_highest() > high)
		high = ownfd_highest();
	if (epreg_highest() > high)
		high = epreg_highest();
	top = high < 0 ? 0 : (unsigned int)high;
	for (fd = first; high >= 0 && fd <= last && fd <= top; fd++) {
		if (ownfd_owns((int)fd)) {
			if (fd > from && real_close_range_any(from, fd - 1,
			    flags) < 0)
				return -1;
			from = fd + 1;
		} else if (!(flags & CLOSE_RANGE_CLOEXEC)) {
			(void)fdstate_forget((int)fd);
			epreg_forget((int)fd);
		}
		if (fd == UINT_MAX)
			return 0;
	}
	if (from > last)
		return 0;
	return real_close_range_any(from, last, flags);
}

int
sx_close_range(unsigned int first, unsigned int last, int flags)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (first > last) {
		errno = EINVAL;
		return -1;
	}
	return close_range_walk(first, last, flags);
}

SX_EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	return sx_close_range(first, last, flags);
}

SX_EXPORT void
closefrom(int lowfd)
{
	int saved = errno;

	if (real_init() < 0 || lowfd < 0)
		return;
	if (close_range_walk((unsigned int)lowfd, UINT_MAX, 0) < 0 &&
	    errno == ENOSYS) {
		/* No close_range in this kernel: close one by one. */
		long max = sysconf(_SC_OPEN_MAX);

		for (long fd = lowfd; fd < max && fd <= INT_MAX; fd++)
			if (!ownfd_owns((int)fd)) {
				(void)fdstate_forget((int)fd);
				epreg_forget((int)fd);
				(void)real_close((int)fd);
			}
	}
	errno = saved;
}

/* fclose() closes its descriptor inside libc, where no hook sees it. */
SX_EXPORT int
fclose(FILE *f)
{
	int fd;

	if (real_init() < 0) {
		errno = ENOSYS;
		return EOF;
	}
	fd = f != NULL ? fileno(f) : -1;
	if (fd >= 0) {
		(void)fdstate_forget(fd);
		epreg_forget(fd);
	}
	return real_fclose(f);
}
