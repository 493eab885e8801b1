/* SPDX-License-Identifier: MIT */
/*
 * Waiting while asynchronous connects are pending: poll()-style waits
 * with the pending sockets masked out (a socket is writable only once
 * its tunnel is up), and a blocking wait for one socket's handshake.
 * Each waiting thread has its own wake eventfd (an own descriptor, made
 * on first use, freed when the thread ends), listed while it waits; the
 * helper thread signals them all at every completion. No lock is held
 * while waiting.
 */
#ifndef SOCKSIFY_RUNTIME_POLLMASK_H
#define SOCKSIFY_RUNTIME_POLLMASK_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "runtime/fdstate.h"

/* Handshakes pending in this process (lock-free): 0 means every wait can
 * go straight to libc. */
unsigned pollmask_active(void);

/* The asynchronous engine's count of pending handshakes (+1 / -1). */
void pollmask_count(int delta);

/* A handshake ended: wake every waiting thread. */
void pollmask_wake(void);

/*
 * poll(fds, n) with the pending sockets left out (their revents 0) until
 * something else is ready, the timeout (NULL: none) passes, or a signal
 * (with sigmask, as ppoll does) interrupts. A handshake that ends brings
 * its socket back into the wait. When timeout is given, *timeout is set
 * to the time left. Returns the count of ready entries, 0, or -errno.
 */
int pollmask_poll(struct pollfd *fds, nfds_t n, struct timespec *timeout,
    const sigset_t *sigmask);

/*
 * Block until the handshake of fd (record *st, kind FDSTATE_TCP_PENDING)
 * has ended, bounded by its deadline: 0 when the tunnel is up, or the
 * failure's negative errno (then reported: the record is gone), -EINTR
 * for a signal whose handler lacks SA_RESTART, -ESTALE when fd is no
 * longer that socket.
 */
int pollmask_wait_fd(int fd, const struct fdstate *st);

/*
 * A read (write false) or a write on fd, whose record may be pending or
 * failed (call it when fdstate_kind says so). 0: go on with the real
 * call. Otherwise the negative errno to give: -EAGAIN for a read that
 * must not wait (dontwait, or O_NONBLOCK), the failure once; a write, or
 * a blocking read, first waits for the handshake (pollmask_wait_fd).
 */
int pollmask_gate(int fd, bool write, bool dontwait);

/* The gate is needed for a descriptor of this kind. */
static inline bool
pollmask_gated(enum fdstate_kind k)
{
	return k == FDSTATE_TCP_PENDING || k == FDSTATE_TCP_FAILED;
}

/* fork() child: the waiters of other threads are gone; the calling
 * thread's eventfd is shared with the parent, so it is made anew. */
void pollmask_atfork_child(void);

#endif
