/* SPDX-License-Identifier: MIT */
/* close(), dup2(), dup3(): drop socksify's record of a descriptor before
 * it goes away or is replaced. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/real.h"

SX_EXPORT int
close(int fd)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	(void)fdstate_take(fd, NULL);
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
		(void)fdstate_take(newfd, NULL);
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
		(void)fdstate_take(newfd, NULL);
	return rc;
}
