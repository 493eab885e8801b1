/* SPDX-License-Identifier: MIT */
/* Target access with the kernel's own checks: process_vm_readv/writev
 * and pidfd_getfd need ptrace-attach rights on the target (we are its
 * ancestor: Yama scope 1 allows that), the notification id guards
 * against a pid reused between the trap and our reading. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervisor/target.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL
#endif

static int
target_rw(pid_t tid, uint64_t addr, void *buf, size_t len, bool write)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (len == 0)
		return 0;
	if (addr == 0)
		return -EFAULT;
	n = write ? process_vm_writev(tid, &local, 1, &remote, 1, 0) :
	    process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

int
target_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	return target_rw(tid, addr, buf, len, false);
}

int
target_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	return target_rw(tid, addr, (void *)(uintptr_t)buf, len, true);
}

int
target_valid(int listener, uint64_t id)
{
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
		return 0;
	return -ENOENT;
}

/* Tgid of task tid, from /proc/TID/status. */
static pid_t
target_tgid(pid_t tid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	long v;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	if (p == NULL || sscanf(p + 6, "%ld", &v) != 1 || v <= 0)
		return -ESRCH;
	return (pid_t)v;
}

int
target_pidfd(pid_t tid)
{
	static bool no_thread_pidfd;
	long fd;
	pid_t tgid;

	if (!no_thread_pidfd) {
		fd = syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
		if (fd >= 0)
			return (int)fd;
		if (errno != EINVAL)
			return -errno;
		no_thread_pidfd = true;	/* before Linux 6.9 */
	}
	tgid = target_tgid(tid);
	if (tgid < 0)
		return tgid;
	fd = syscall(SYS_pidfd_open, tgid, 0);
	return fd >= 0 ? (int)fd : -errno;
}

int
target_getfd(int pidfd, int fd)
{
	long n = syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	return n >= 0 ? (int)n : -errno;
}

int
target_reply(int listener, uint64_t id, const struct target_reply *r)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	if (r->cont) {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (r->error != 0) {
		resp.error = -r->error;
	} else {
		resp.val = r->val;
	}
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
		return 0;
	return -errno;
}
