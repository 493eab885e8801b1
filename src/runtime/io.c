/* SPDX-License-Identifier: MIT */
/* Deadline-bounded reads and writes: try the syscall first, poll only on
 * EAGAIN, so a ready peer costs one syscall per message. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "runtime/io.h"
#include "runtime/real.h"

uint64_t
io_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
io_wait_intr(int fd, short events, uint64_t deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t now;
	int rc;

	now = io_now_ms();
	if (now >= deadline_ms)
		return -ETIMEDOUT;
	rc = real_poll(&pfd, 1, (int)(deadline_ms - now));
	if (rc > 0)
		return 0;
	if (rc == 0)
		return -ETIMEDOUT;
	return -errno;
}

int
io_wait(int fd, short events, uint64_t deadline_ms)
{
	int rc;

	while ((rc = io_wait_intr(fd, events, deadline_ms)) == -EINTR)
		;
	return rc;
}

int
io_write_all(int fd, const void *buf, size_t len, uint64_t deadline_ms)
{
	const char *p = buf;
	ssize_t n;
	int rc;

	while (len > 0) {
		n = real_send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = io_wait(fd, POLLOUT, deadline_ms);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One receive of up to len bytes: waits on EAGAIN, retries EINTR. The
 * count (> 0), -ECONNRESET when the peer closed, -ETIMEDOUT, -errno. */
static ssize_t
io_recv_some(int fd, void *buf, size_t len, int flags, uint64_t deadline_ms)
{
	ssize_t n;
	int rc;

	for (;;) {
		n = real_recv(fd, buf, len, flags);
		if (n > 0)
			return n;
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = io_wait(fd, POLLIN, deadline_ms);
		if (rc < 0)
			return rc;
	}
}

int
io_read_exact(int fd, void *buf, size_t len, uint64_t deadline_ms)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = io_recv_some(fd, p, len, 0, deadline_ms);
		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
io_peek(int fd, void *buf, size_t cap, uint64_t deadline_ms)
{
	return io_recv_some(fd, buf, cap, MSG_PEEK, deadline_ms);
}

int
io_wait_connected(int fd, uint64_t deadline_ms)
{
	socklen_t len = sizeof(int);
	int rc, err = 0;

	rc = io_wait(fd, POLLOUT, deadline_ms);
	if (rc < 0)
		return rc;
	if (real_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -errno;
	return -err;
}
