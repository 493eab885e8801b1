/* SPDX-License-Identifier: MIT */
/* epoll over the listener, the signalfd and the operations' sockets;
 * deadlines by a scan of the (short) list of operations. */
#include <errno.h>
#include <stddef.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/log.h"
#include "supervisor/loop.h"

#define LOOP_EVENTS	64

uint64_t
loop_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
loop_watch(struct loop *l, struct loop_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };
	int op;

	if (events == 0) {
		if (src->registered &&
		    epoll_ctl(l->ep, EPOLL_CTL_DEL, src->fd, NULL) != 0)
			return -errno;
		src->registered = false;
		src->events = 0;
		return 0;
	}
	if (src->registered && src->events == events)
		return 0;
	op = src->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->ep, op, src->fd, &ev) != 0)
		return -errno;
	src->registered = true;
	src->events = events;
	return 0;
}

static void
loop_op_free(struct op *op)
{
	struct loop *l = op->loop;

	if (op->src.fd >= 0) {
		(void)loop_watch(l, &op->src, 0);
		(void)close(op->src.fd);
	}
	if (op->release != NULL)
		op->release(op);
	if (op->prev != NULL)
		op->prev->next = op->next;
	else
		l->ops = op->next;
	if (op->next != NULL)
		op->next->prev = op->prev;
	l->n_ops--;
	free(op);
}

void
loop_op_finish(struct op *op)
{
	int rc = target_reply(op->loop->listener, op->id, &op->reply);

	if (rc < 0)
		log_debug("backstop: pid %ld stopped waiting for its call "
		    "(%s)", (long)op->pid, strerror(-rc));
	if (op->answered != NULL)
		op->answered(op, rc);
	loop_op_free(op);
}

static void
loop_op_ready(struct loop_source *src, uint32_t events)
{
	struct op *op = (struct op *)((char *)src - offsetof(struct op, src));

	/* An error or hangup is "ready" too: the op's next I/O says what. */
	if (events & (EPOLLERR | EPOLLHUP))
		events |= src->events;
	events &= EPOLLIN | EPOLLOUT;
	if (events != 0 && op->ready(op, events) == OP_DONE)
		loop_op_finish(op);
}

struct op *
loop_op_new(struct loop *l, const struct seccomp_notif *req, int fd,
    unsigned timeout_ms)
{
	struct op *op;

	if (l->n_ops >= LOOP_MAX_OPS) {
		errno = EAGAIN;
		return NULL;
	}
	op = calloc(1, sizeof(*op));
	if (op == NULL)
		return NULL;
	op->loop = l;
	op->src.fd = fd;
	op->src.ready = loop_op_ready;
	op->id = req->id;
	op->pid = (pid_t)req->pid;
	op->nr = req->data.nr;
	op->deadline = loop_now_ms() + timeout_ms;
	op->next = l->ops;
	if (l->ops != NULL)
		l->ops->prev = op;
	l->ops = op;
	l->n_ops++;
	return op;
}

struct op *
loop_op_find(struct loop *l, uint64_t sock_cookie)
{
	struct op *op;

	if (sock_cookie == 0)
		return NULL;
	for (op = l->ops; op != NULL; op = op->next)
		if (op->sock_cookie == sock_cookie)
			return op;
	return NULL;
}

/* One notification: receive it, hand it to its handler. */
static void
loop_notification(struct loop *l)
{
	struct target_reply r = { .cont = true };
	loop_handler h;

	memset(l->req, 0, sizeof(*l->req));
	if (ioctl(l->listener, SECCOMP_IOCTL_NOTIF_RECV, l->req) != 0) {
		/* ENOENT: the caller was interrupted or killed before we
		 * got to it; the kernel already took the call back. */
		if (errno != ENOENT && errno != EINTR)
			log_debug("backstop: receiving a notification: %s",
			    strerror(errno));
		return;
	}
	h = l->handler(l->req->data.nr);
	if (h != NULL && h(l, l->req, &r) == LOOP_PENDING)
		return;
	if (target_reply(l->listener, l->req->id, &r) < 0)
		log_debug("backstop: pid %ld stopped waiting for its call",
		    (long)l->req->pid);
}

static void
loop_listener_ready(struct loop_source *src, uint32_t events)
{
	struct loop *l = (struct loop *)((char *)src -
	    offsetof(struct loop, lsrc));

	if (events & EPOLLIN)
		loop_notification(l);
	if ((events & EPOLLHUP) && !l->hup) {
		/* Every task of the tree is gone (Linux >= 5.8). */
		(void)loop_watch(l, &l->lsrc, 0);
		l->hup = true;
		if (l->on_hup != NULL)
			l->on_hup(l);
	}
}

int
loop_init(struct loop *l, int listener, const struct runtime *rt,
    bool killable)
{
	struct seccomp_notif_sizes sizes;
	size_t size = sizeof(struct seccomp_notif);

	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0)
		return -errno;
	l->listener = listener;
	l->rt = rt;
	l->killable = killable;
	l->hup = l->stop = false;
	l->ops = NULL;
	l->n_ops = 0;
	/* The kernel's struct may be larger than our header's. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
	    sizes.seccomp_notif > size)
		size = sizes.seccomp_notif;
	l->req = calloc(1, size);
	if (l->req == NULL)
		return -ENOMEM;
	l->lsrc.fd = listener;
	l->lsrc.registered = false;
	l->lsrc.ready = loop_listener_ready;
	return loop_watch(l, &l->lsrc, EPOLLIN);
}

/* Ops whose deadline passed get ready(op, 0); the next deadline is
 * returned as an epoll timeout (-1: none). */
static int
loop_deadlines(struct loop *l)
{
	uint64_t now = loop_now_ms(), next = UINT64_MAX;
	struct op *op, *nx;

	for (op = l->ops; op != NULL; op = nx) {
		nx = op->next;
		if (op->deadline == 0)
			continue;
		if (op->deadline <= now) {
			op->deadline = 0;
			if (op->ready(op, 0) == OP_DONE) {
				loop_op_finish(op);
				continue;
			}
		}
		if (op->deadline != 0 && op->deadline < next)
			next = op->deadline;
	}
	if (next == UINT64_MAX)
		return -1;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

int
loop_run(struct loop *l)
{
	struct epoll_event ev[LOOP_EVENTS];
	struct loop_source *src;
	int i, n, timeout;

	while (!l->stop) {
		timeout = loop_deadlines(l);
		if (l->stop)
			break;
		n = epoll_wait(l->ep, ev, LOOP_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !l->stop; i++) {
			src = ev[i].data.ptr;
			src->ready(src, ev[i].events);
		}
	}
	return 0;
}
