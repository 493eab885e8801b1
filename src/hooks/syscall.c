/* SPDX-License-Identifier: MIT */
/* syscall(): libraries that bypass libc's wrappers (libuv before 1.45 sends
 * with syscall(SYS_sendmmsg)) are sent to our own hooks for the socket and
 * descriptor calls we interpose, io_uring_setup is refused unless allowed;
 * every other number goes to libc unchanged. */
#include <errno.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "runtime/export.h"
#include "runtime/init.h"
#include "runtime/log.h"
#include "runtime/real.h"

/* io_uring_setup: refused (ENOSYS) unless `io_uring = allow`. A ring's
 * operations (libuv's IORING_OP_EPOLL_CTL among them) are seen by no
 * hook; without one, libuv and liburing users fall back to epoll_ctl()
 * and the socket calls. */
static long
syscall_io_uring(long a[6])
{
	const struct runtime *rt = runtime_get();

	if (rt != NULL && !rt->bootstrap && rt->cfg.io_uring) {
		return real_syscall(SYS_io_uring_setup, a[0], a[1], a[2],
		    a[3], a[4], a[5]);
	}
	log_debug("io_uring_setup refused (io_uring = refuse)");
	errno = ENOSYS;
	return -1;
}

SX_EXPORT long
syscall(long number, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (real_init() < 0 || real_syscall == NULL) {
		errno = ENOSYS;
		return -1;
	}
	switch (number) {
	case SYS_connect:
		return sx_connect((int)a[0], (const struct sockaddr *)a[1],
		    (socklen_t)a[2]);
	case SYS_sendto:
		return sx_sendto((int)a[0], (const void *)a[1], (size_t)a[2],
		    (int)a[3], (const struct sockaddr *)a[4], (socklen_t)a[5]);
	case SYS_sendmsg:
		return sx_sendmsg((int)a[0], (const struct msghdr *)a[1],
		    (int)a[2]);
	case SYS_sendmmsg:
		return sx_sendmmsg((int)a[0], (struct mmsghdr *)a[1],
		    (unsigned int)a[2], (int)a[3]);
	case SYS_recvfrom:
		return sx_recvfrom((int)a[0], (void *)a[1], (size_t)a[2],
		    (int)a[3], (struct sockaddr *)a[4], (socklen_t *)a[5]);
	case SYS_recvmsg:
		return sx_recvmsg((int)a[0], (struct msghdr *)a[1], (int)a[2]);
	case SYS_recvmmsg:
		return sx_recvmmsg((int)a[0], (struct mmsghdr *)a[1],
		    (unsigned int)a[2], (int)a[3], (struct timespec *)a[4]);
	case SYS_close:
		return sx_close((int)a[0]);
	case SYS_close_range:
		return sx_close_range((unsigned int)a[0], (unsigned int)a[1],
		    (int)a[2]);
#ifdef SYS_dup2
	case SYS_dup2:
		return sx_dup2((int)a[0], (int)a[1]);
#endif
	case SYS_dup3:
		return sx_dup3((int)a[0], (int)a[1], (int)a[2]);
	case SYS_bind:
		return sx_bind((int)a[0], (const struct sockaddr *)a[1],
		    (socklen_t)a[2]);
	case SYS_listen:
		return sx_listen((int)a[0], (int)a[1]);
	case SYS_accept:
		return sx_accept4((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2], 0);
	case SYS_accept4:
		return sx_accept4((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2], (int)a[3]);
	case SYS_getsockname:
		return sx_getsockname((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2]);
	case SYS_epoll_ctl:
		return sx_epoll_ctl((int)a[0], (int)a[1], (int)a[2],
		    (struct epoll_event *)a[3]);
	case SYS_io_uring_setup:
		return syscall_io_uring(a);
	default:
		return real_syscall(number, a[0], a[1], a[2], a[3], a[4],
		    a[5]);
	}
}
