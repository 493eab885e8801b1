/* SPDX-License-Identifier: MIT */
/* The handler table and the argument access every handler needs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/log.h"
#include "supervisor/handle.h"

#ifndef SO_COOKIE
#define SO_COOKIE	57
#endif

static const struct {
	int nr;
	loop_handler fn;
} handle_table[] = {
	{ SYS_connect, handle_connect },
	{ SYS_sendto, handle_sendto },
	{ SYS_sendmsg, handle_sendmsg },
	{ SYS_sendmmsg, handle_sendmmsg },
	{ SYS_getpeername, handle_getpeername },
};

loop_handler
handle_for(int nr)
{
	size_t i;

	for (i = 0; i < sizeof(handle_table) / sizeof(handle_table[0]); i++)
		if (handle_table[i].nr == nr)
			return handle_table[i].fn;
	return NULL;
}

/* The kernel names the trapped thread; a log line names its process
 * (Tgid, what ps and the program's own getpid() show) and the thread's
 * name, from /proc/TID/status. The thread id when that cannot be read. */
const char *
handle_who(pid_t pid)
{
	static char buf[64];
	char path[48], st[512], comm[17] = "?", *p;
	long tgid = (long)pid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, st, sizeof(st) - 1);
		(void)close(fd);
		if (n > 0) {
			st[n] = '\0';
			if (strncmp(st, "Name:\t", 6) == 0) {
				snprintf(comm, sizeof(comm), "%.*s",
				    (int)strcspn(st + 6, "\n"), st + 6);
			}
			p = strstr(st, "\nTgid:\t");
			if (p != NULL)
				tgid = strtol(p + 7, NULL, 10);
		}
	}
	snprintf(buf, sizeof(buf), "%s[%ld]", comm, tgid);
	return buf;
}

const char *
handle_fmt(const struct sockaddr *sa)
{
	static char buf[INET6_ADDRSTRLEN + 8];
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "[%s]:%u", a, ntohs(s->sin6_port));
	}
	return buf;
}

void
handle_refuse_unreadable(const struct seccomp_notif *req, int err,
    struct target_reply *r)
{
	log_error("backstop: cannot inspect a call of %s (%s): refused",
	    handle_who((pid_t)req->pid), strerror(err));
	r->cont = false;
	r->error = EACCES;
}

int
handle_sockaddr(const struct seccomp_notif *req, uint64_t addr, uint64_t len,
    struct sockaddr_storage *ss, struct target_reply *r)
{
	int rc;

	if (addr == 0 || len < sizeof(sa_family_t) || len > sizeof(*ss))
		return 0;	/* the kernel says EFAULT/EINVAL itself */
	memset(ss, 0, sizeof(*ss));
	rc = target_read((pid_t)req->pid, addr, ss, (size_t)len);
	if (rc == -EFAULT || rc == -ESRCH)
		return 0;	/* bad pointer, or the caller is gone */
	if (rc < 0) {
		handle_refuse_unreadable(req, -rc, r);
		return rc;
	}
	return ss->ss_family == AF_INET || ss->ss_family == AF_INET6;
}

int
handle_take_fd(struct loop *l, const struct seccomp_notif *req, int fd,
    struct target_reply *r)
{
	int pidfd, ours;

	pidfd = target_pidfd((pid_t)req->pid);
	if (pidfd < 0) {
		if (pidfd == -ESRCH)
			return -ENOENT;
		handle_refuse_unreadable(req, -pidfd, r);
		return pidfd;
	}
	/* The pidfd is the trapped task's only while the call waits. */
	if (target_valid(l->listener, req->id) < 0) {
		(void)close(pidfd);
		return -ENOENT;
	}
	ours = target_getfd(pidfd, fd);
	(void)close(pidfd);
	if (ours == -EBADF || ours == -ESRCH)
		return ours == -EBADF ? -EBADF : -ENOENT;
	if (ours < 0) {
		handle_refuse_unreadable(req, -ours, r);
		return ours;
	}
	return ours;
}

uint64_t
handle_sock_cookie(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) != 0)
		return 0;
	return c;
}

int
handle_sock_domain(int fd)
{
	int d = -1;
	socklen_t len = sizeof(d);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len) != 0)
		return -1;
	return d;
}
