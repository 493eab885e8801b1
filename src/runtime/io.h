/* SPDX-License-Identifier: MIT */
/* Bounded socket I/O for the handshake: every call takes an absolute
 * CLOCK_MONOTONIC deadline and works on non-blocking sockets. */
#ifndef SOCKSIFY_RUNTIME_IO_H
#define SOCKSIFY_RUNTIME_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t io_now_ms(void);

/* Wait until fd is ready for events (POLLIN/POLLOUT) or the deadline.
 * EINTR is retried with the remaining time. 0, -ETIMEDOUT or -errno. */
int io_wait(int fd, short events, uint64_t deadline_ms);

/* The same, one wait: a signal handler's interruption is -EINTR. */
int io_wait_intr(int fd, short events, uint64_t deadline_ms);

/* Write all len bytes (partial writes and EAGAIN handled). 0 or -errno
 * (-ETIMEDOUT at the deadline, -EPIPE/-ECONNRESET when the peer is gone). */
int io_write_all(int fd, const void *buf, size_t len, uint64_t deadline_ms);

/* Read exactly len bytes, never more. 0, -ETIMEDOUT, -ECONNRESET when the
 * peer closes early, or -errno. */
int io_read_exact(int fd, void *buf, size_t len, uint64_t deadline_ms);

/* Wait for data, then peek at up to cap bytes without consuming them.
 * The count (> 0), -ETIMEDOUT, -ECONNRESET when the peer closed, or
 * -errno. */
ssize_t io_peek(int fd, void *buf, size_t cap, uint64_t deadline_ms);

/* Wait until a non-blocking connect() on fd has finished: 0, or its
 * error (SO_ERROR) as -errno, or -ETIMEDOUT. */
int io_wait_connected(int fd, uint64_t deadline_ms);

#endif
