/* SPDX-License-Identifier: MIT */
/*
 * Asynchronous connect: the pending-connect table and the one helper
 * thread per process that drives it. connect() on a non-blocking socket
 * (or a blocking one interrupted by a signal) hands the handshake over;
 * the thread steps it (proxy_op_step, never waiting) on its own duplicate
 * of the socket, at its epoll instance's pace, until the tunnel is up or
 * the deadline. The program's socket meanwhile has an FDSTATE_TCP_PENDING
 * record and its epoll registrations held (runtime/epreg.h); at the end
 * the record becomes TCP_PROXIED or TCP_FAILED, the registrations are put
 * back and poll/select waiters woken (runtime/pollmask.h).
 * Lock order: async, then fdstate, epreg, ownfd, the name map's.
 */
#ifndef SOCKSIFY_RUNTIME_ASYNC_H
#define SOCKSIFY_RUNTIME_ASYNC_H

#include <sys/socket.h>

#include "runtime/init.h"
#include "runtime/proxy_connect.h"
#include "runtime/route.h"

/*
 * connect() of the non-blocking socket fd (file status flags `flags`) to
 * addr, routed through the proxy (ri). Starts the handshake and returns
 * -EINPROGRESS with the rest in the helper thread; 0 if it was done at
 * once; a negative errno when it failed at once (logged; nothing left
 * behind).
 */
int async_connect(const struct runtime *rt, const struct route_info *ri,
    int fd, const struct sockaddr *addr, socklen_t len, int flags);

/*
 * A blocking connect() on fd was interrupted (proxy_run gave -EINTR):
 * take op over, to continue exactly as after EINPROGRESS. Returns what
 * connect() says: -EINTR (the handshake goes on), 0 or a negative errno
 * (it ended just now); or 1 when it cannot be taken (no thread): the
 * caller then goes on waiting itself.
 */
int async_adopt(struct proxy_op *op, const struct route_info *ri, int fd,
    const struct sockaddr *addr, socklen_t len);

/* At init: cancel a handshake when its socket's record goes. */
void async_init(void);

/* pthread_atfork handlers (init.c). In the child there is no thread: the
 * inherited duplicates, epoll instance and eventfd are closed and the
 * table emptied; a later asynchronous connect starts a new thread. */
void async_atfork_prepare(void);
void async_atfork_parent(void);
void async_atfork_child(void);

#endif
