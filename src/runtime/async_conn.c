/* SPDX-License-Identifier: MIT */
/* The program's side of the asynchronous engine: connect() hands a
 * handshake over (our duplicate of the socket, the PENDING record, the
 * epoll registrations held, one step, into the table); a blocking
 * connect interrupted by a signal does the same; a record that goes
 * cancels its handshake; a dup2() over our duplicate moves it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "runtime/async.h"
#include "runtime/async_impl.h"
#include "runtime/epreg.h"
#include "runtime/fdstate.h"
#include "runtime/io.h"
#include "runtime/namestore.h"
#include "runtime/ownfd.h"
#include "runtime/pollmask.h"
#include "runtime/real.h"

/* A handshake whose socket's record went (closed, replaced, stale). */
static void
async_cancel(uint64_t cookie)
{
	struct async_op *a;

	pthread_mutex_lock(&async_lock);
	a = async_pid == getpid() ? async_find(cookie) : NULL;
	if (a != NULL)
		async_unlink(a);
	pthread_mutex_unlock(&async_lock);
	if (a != NULL)
		async_finish(a, -ECANCELED, false, true);
}

/* The program dup2()ed over our duplicate: it moved from `from` to `to`
 * (the caller closes `from` next). */
static void
async_moved(int from, int to, intptr_t arg)
{
	struct async_op *a;
	struct epoll_event ev;

	pthread_mutex_lock(&async_lock);
	a = async_find((uint64_t)arg);
	if (a != NULL && a->op.fd == from) {
		ev.events = (uint32_t)a->armed | EPOLLONESHOT;
		ev.data.ptr = a;
		(void)real_epoll_ctl(async_epfd, EPOLL_CTL_DEL, from, NULL);
		a->op.fd = to;
		if (to >= 0)
			(void)real_epoll_ctl(async_epfd, EPOLL_CTL_ADD, to, &ev);
	}
	pthread_mutex_unlock(&async_lock);
}

/*
 * Common part of async_connect and async_adopt: a started op, stepped
 * once with result rc, goes into the table (the program's connect() then
 * says `later`: -EINPROGRESS or -EINTR), or ends now (0, or its negative
 * errno, reported by connect() itself: the record goes).
 */
static int
async_enter(struct async_op *a, int rc, int later)
{
	pthread_mutex_lock(&async_lock);
	if (rc > 0 && async_arm(a, rc, EPOLL_CTL_ADD) == 0) {
		async_link(a);
		/* The thread sleeps until its nearest deadline, or for
		 * ever with nothing to do: then it must hear of this one. */
		if (async_sleep_until > a->op.deadline)
			(void)real_write(async_evfd, &(uint64_t){ 1 },
			    sizeof(uint64_t));
		pthread_mutex_unlock(&async_lock);
		return later;
	}
	pthread_mutex_unlock(&async_lock);
	if (rc > 0)
		rc = -EIO;
	async_finish(a, rc, false, false);	/* never in the table */
	return rc;
}

/* A new op for fd: our duplicate (high, close-on-exec, an own
 * descriptor), the PENDING record (with the destination and the pin),
 * and the epoll registrations held. NULL and *err when it cannot be. */
static struct async_op *
async_new(const struct runtime *rt, const struct route_info *ri, int fd,
    const struct sockaddr *addr, socklen_t len, int *err)
{
	struct async_op *a = calloc(1, sizeof(*a));
	struct fdstate *st;
	int raw, dup;

	*err = a == NULL ? -ENOMEM : 0;
	if (a == NULL)
		return NULL;
	pthread_mutex_lock(&async_lock);
	*err = async_start_thread();
	pthread_mutex_unlock(&async_lock);
	if (*err < 0)
		goto fail;
	st = &a->st;
	st->kind = FDSTATE_TCP_PENDING;
	st->u.tcp.peer_len = len < sizeof(st->u.tcp.peer) ? len :
	    sizeof(st->u.tcp.peer);
	memcpy(&st->u.tcp.peer, addr, st->u.tcp.peer_len);
	st->u.tcp.deadline = io_now_ms() + rt->cfg.timeout_ms;
	if (ri->placeholder) {
		namestore_pin(ri->slot);
		st->u.tcp.pinned = true;
		st->u.tcp.name_index = ri->slot;
	}
	pollmask_count(1);
	/* The record first (it takes the socket's cookie), then our copy. */
	if ((*err = fdstate_set(fd, st)) < 0) {
		if (st->u.tcp.pinned)
			namestore_unpin(ri->slot);
		pollmask_count(-1);
		goto fail;
	}
	a->cookie = st->cookie;
	raw = fcntl(fd, F_DUPFD_CLOEXEC, ownfd_floor());
	*err = raw < 0 ? -errno : 0;
	dup = raw < 0 ? raw : ownfd_adopt(raw, true, async_moved,
	    (intptr_t)a->cookie);
	if (raw >= 0 && dup < 0) {
		*err = dup;
		(void)real_close(raw);
	}
	if (*err < 0) {
		(void)fdstate_forget_record(fd, st);	/* and its pin */
		pollmask_count(-1);
		goto fail;
	}
	a->fd = fd;
	a->op.fd = dup;
	epreg_hold(a->cookie);
	return a;
fail:
	free(a);
	return NULL;
}

int
async_connect(const struct runtime *rt, const struct route_info *ri,
    int fd, const struct sockaddr *addr, socklen_t len, int flags)
{
	struct async_op *a;
	int err;

	a = async_new(rt, ri, fd, addr, len, &err);
	if (a == NULL)
		return err;
	proxy_op_start(&a->op, rt, &ri->path, a->op.fd, addr->sa_family,
	    SOCKS5_CMD_CONNECT, &ri->target, flags);
	/* The first step only tries a send: the proxy cannot have answered
	 * yet. */
	return async_enter(a, proxy_op_step(&a->op), -EINPROGRESS);
}

int
async_adopt(struct proxy_op *op, const struct route_info *ri, int fd,
    const struct sockaddr *addr, socklen_t len)
{
	struct async_op *a;
	int err;

	a = async_new(op->rt, ri, fd, addr, len, &err);
	if (a == NULL)
		return 1;
	err = a->op.fd;
	a->op = *op;
	a->op.fd = err;
	/* The copy's inner pointers point into itself. */
	a->op.path = op->path == &op->first ? &a->op.first : &a->op.one;
	a->op.hs.hops = a->op.hops;
	return async_enter(a, proxy_op_step(&a->op), -EINTR);
}

void
async_init(void)
{
	fdstate_on_pending_drop(async_cancel);
}
