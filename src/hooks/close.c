/* SPDX-License-Identifier: MIT */
/* close(), dup2(), dup3(): drop socksify's record of a descriptor before
 * it goes away or is replaced. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/names.h"
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
		names_unpin(old.name_index);
	udp_release(&old);
}

/* Descriptors socksify owns (the name map, UDP control connections) stay
 * open when the program closes them: a daemon closing every fd must not
 * break its own later connections. */
static bool
close_is_ours(int fd)
{
	return fd >= 0 && (fd == names_fd() ||
	    fdstate_kind(fd) == FDSTATE_UDP_CTL);
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
