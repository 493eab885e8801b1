/* SPDX-License-Identifier: MIT */
/* The child side runs between fork() and exec(): it uses no stdio, no
 * locks, nothing a forked child of a single-threaded parent cannot. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/filter.h"
#include "supervisor/spawn.h"
#include "supervisor/target.h"

#define SPAWN_HELLO_WAIT_MS	10000

/* What the child reports once its filter is in place (or why not). */
struct spawn_hello {
	int32_t err;		/* positive errno of seccomp(), or 0 */
	int32_t probe_fd;	/* a descriptor of the child, for pidfd_getfd */
	uint64_t probe_addr;	/* where probe_value is in its memory */
	uint64_t probe_value;
	uint8_t killable, nnp;
};

static void
spawn_say(const char *a, const char *b, const char *c)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "socksify: %s%s%s\n", a, b, c);
	if (n > 0)
		(void)write(STDERR_FILENO, line, (size_t)n < sizeof(line) ?
		    (size_t)n : sizeof(line) - 1);
}

/* sendmsg carrying the cookie: the filter lets it pass untrapped. */
static int
spawn_send(int sock, const struct spawn_hello *h, int fd, uint64_t cookie)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)h, sizeof(*h) };
	struct msghdr m;
	struct cmsghdr *c;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return syscall(SYS_sendmsg, sock, &m, 0, cookie) ==
	    (long)sizeof(*h) ? 0 : -1;
}

static void __attribute__((noreturn))
spawn_child(int sock, const struct spawn_args *a)
{
	volatile uint64_t probe = a->cookie ^ 0x5a5a5a5a5a5a5a5aULL;
	struct spawn_hello h;
	struct filter_installed how;
	char go = 0;
	int fd, e;

	if (a->chld_ignored)
		(void)signal(SIGCHLD, SIG_IGN);
	(void)sigprocmask(SIG_SETMASK, a->mask, NULL);
	if (a->preload != NULL && setenv("LD_PRELOAD", a->preload, 1) != 0)
		_exit(1);
	memset(&h, 0, sizeof(h));
	fd = filter_install(a->prog, a->want_killable, &how);
	if (fd < 0) {
		h.err = -fd;
		(void)spawn_send(sock, &h, -1, a->cookie);
		_exit(1);
	}
	h.probe_fd = sock;
	h.probe_addr = (uintptr_t)&probe;
	h.probe_value = probe;
	h.killable = how.killable;
	h.nnp = how.nnp;
	if (spawn_send(sock, &h, fd, a->cookie) != 0)
		_exit(1);
	(void)close(fd);
	while (read(sock, &go, 1) < 0 && errno == EINTR)
		;
	if (go != 'g' || a->argv == NULL)
		_exit(go == 'q' ? 0 : 1);
	(void)close(sock);
	execvp(a->argv[0], a->argv);
	e = errno;
	if (e == ENOENT)
		spawn_say(a->argv[0], ": command not found", "");
	else
		spawn_say(a->argv[0], ": ", strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

static int
spawn_recv(int sock, struct spawn_hello *h, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { h, sizeof(*h) };
	struct pollfd p = { sock, POLLIN, 0 };
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	if (poll(&p, 1, SPAWN_HELLO_WAIT_MS) != 1)
		return -ETIMEDOUT;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(*h))
		return n < 0 ? -errno : -EPIPE;
	c = CMSG_FIRSTHDR(&m);
	if (c != NULL && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

static const char *
spawn_seccomp_hint(int err)
{
	switch (err) {
	case EINVAL:
		return " (seccomp user notification needs Linux 5.9 or later)";
	case ENOSYS:
		return " (this kernel has no seccomp filters)";
	case EBUSY:
		return " (another seccomp supervisor already watches this "
		    "process)";
	case EACCES:
	case EPERM:
		return " (refused here, e.g. by a container's seccomp "
		    "profile)";
	default:
		return "";
	}
}

/* We must be able to read the child's memory and take its descriptors,
 * or we could not serve a single trapped call. */
static int
spawn_probe(struct spawn *s, const struct spawn_hello *h, char *why,
    size_t whycap)
{
	uint64_t v = 0;
	struct stat st;
	int pidfd, fd, rc;

	pidfd = target_pidfd(s->pid);
	if (pidfd < 0) {
		snprintf(why, whycap, "pidfd_open: %s (Linux 5.6 or later "
		    "needed)", strerror(-pidfd));
		return pidfd;
	}
	rc = target_read(s->pid, h->probe_addr, &v, sizeof(v));
	if (rc == 0 && v != h->probe_value)
		rc = -EIO;
	if (rc < 0) {
		snprintf(why, whycap, "cannot read the program's memory "
		    "(process_vm_readv: %s; Yama's ptrace_scope may forbid it)",
		    strerror(-rc));
		goto out;
	}
	fd = target_getfd(pidfd, h->probe_fd);
	if (fd < 0) {
		rc = fd;
		snprintf(why, whycap, "cannot take the program's sockets "
		    "(pidfd_getfd: %s; Linux 5.6 or later needed, and ptrace "
		    "rights)", strerror(-fd));
		goto out;
	}
	rc = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? 0 : -EIO;
	if (rc < 0)
		snprintf(why, whycap, "pidfd_getfd gave the wrong descriptor");
	(void)close(fd);
out:
	(void)close(pidfd);
	return rc;
}

static void
spawn_kill(struct spawn *s)
{
	(void)kill(s->pid, SIGKILL);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (s->listener >= 0)
		(void)close(s->listener);
	(void)close(s->sock);
	s->listener = s->sock = -1;
	s->pid = -1;
}

int
spawn_start(struct spawn *s, const struct spawn_args *a, char *why,
    size_t whycap)
{
	struct spawn_hello h;
	int sv[2], rc;

	s->pid = -1;
	s->listener = s->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(why, whycap, "socketpair: %s", strerror(errno));
		return -errno;
	}
	s->pid = fork();
	if (s->pid < 0) {
		rc = -errno;
		snprintf(why, whycap, "fork: %s", strerror(errno));
		(void)close(sv[0]);
		(void)close(sv[1]);
		return rc;
	}
	if (s->pid == 0) {
		(void)close(sv[0]);
		spawn_child(sv[1], a);
	}
	(void)close(sv[1]);
	s->sock = sv[0];
	rc = spawn_recv(s->sock, &h, &s->listener);
	if (rc < 0) {
		snprintf(why, whycap, "the child did not report its filter: "
		    "%s", strerror(-rc));
		goto fail;
	}
	if (h.err != 0) {
		rc = -h.err;
		snprintf(why, whycap, "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)"
		    ": %s%s", strerror(h.err), spawn_seccomp_hint(h.err));
		goto fail;
	}
	if (s->listener < 0) {
		rc = -EPROTO;
		snprintf(why, whycap, "no listener descriptor from the child");
		goto fail;
	}
	s->killable = h.killable != 0;
	s->nnp = h.nnp != 0;
	rc = spawn_probe(s, &h, why, whycap);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	spawn_kill(s);
	return rc;
}

int
spawn_go(struct spawn *s, bool go)
{
	char c = go ? 'g' : 'q';
	ssize_t n;

	n = write(s->sock, &c, 1);
	(void)close(s->sock);
	s->sock = -1;
	return n == 1 ? 0 : -EPIPE;
}
