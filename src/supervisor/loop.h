/* SPDX-License-Identifier: MIT */
/* The supervisor's event loop: one epoll set over the listener, the
 * signalfd and every pending operation's socket. Nothing in it blocks:
 * a slow proxy delays only the call waiting for it. */
#ifndef SOCKSIFY_SUPERVISOR_LOOP_H
#define SOCKSIFY_SUPERVISOR_LOOP_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/init.h"
#include "supervisor/target.h"

struct loop;

/* Something the loop polls: the listener, the signalfd, an operation. */
struct loop_source {
	int fd;
	uint32_t events;		/* EPOLLIN / EPOLLOUT wanted */
	bool registered;
	void (*ready)(struct loop_source *src, uint32_t events);
};

enum op_status { OP_MORE, OP_DONE };

/*
 * One trapped call that cannot be answered at once (a handshake with the
 * proxy). Created by a handler with loop_op_new(); the loop calls ready()
 * when the socket is ready or the deadline has passed (events == 0: then
 * ready() must return OP_DONE or set a new deadline), and sends reply once
 * ready() returns OP_DONE. Single-threaded, like the whole supervisor.
 */
struct op {
	struct op *next, *prev;		/* the loop's list */
	struct loop *loop;
	struct loop_source src;		/* src.fd: our copy of the socket */
	uint64_t id;			/* the notification being answered */
	pid_t pid;			/* the trapped task */
	int nr;				/* its system call */
	uint64_t sock_cookie;		/* SO_COOKIE of src.fd, 0 if unknown */
	uint64_t deadline;		/* CLOCK_MONOTONIC ms, 0 = none */
	enum op_status (*ready)(struct op *op, uint32_t events);
	/* After the reply was sent: rc 0, or -ENOENT when the target had
	 * stopped waiting (killed, or interrupted). Optional. */
	void (*answered)(struct op *op, int rc);
	void (*release)(struct op *op);	/* frees state; optional */
	void *state;
	struct target_reply reply;
};

/* Answer a notification now, or leave it to an operation. */
enum loop_verdict { LOOP_REPLY, LOOP_PENDING };

/*
 * A trapped system call's handler: decide from req (arguments read with
 * target_read(), checked with target_valid()) and fill *r, or create an
 * operation with loop_op_new() that will answer later.
 */
typedef enum loop_verdict (*loop_handler)(struct loop *l,
    const struct seccomp_notif *req, struct target_reply *r);

struct loop {
	int ep;
	int listener;
	const struct runtime *rt;	/* settings, proxies, the name map */
	bool killable;			/* WAIT_KILLABLE_RECV in effect */
	bool hup;			/* no task uses the filter any more */
	bool stop;			/* leave loop_run() */
	struct loop_source lsrc;	/* the listener */
	struct op *ops;
	size_t n_ops;
	struct seccomp_notif *req;	/* sized by SECCOMP_GET_NOTIF_SIZES */
	/* Called once when hup becomes true. */
	void (*on_hup)(struct loop *l);
	/* The handler for a system call number, or NULL (answer CONTINUE). */
	loop_handler (*handler)(int nr);
};

/* Ops in flight at most; one more is refused with EAGAIN. */
#define LOOP_MAX_OPS	4096

/* Set up l around listener. 0 or a negative errno. */
int loop_init(struct loop *l, int listener, const struct runtime *rt,
    bool killable);

/* Add, change or remove (events 0) what the loop polls src for. */
int loop_watch(struct loop *l, struct loop_source *src, uint32_t events);

/* Run until l->stop. Returns 0 or a negative errno (epoll failed). */
int loop_run(struct loop *l);

/*
 * An operation for req, with fd (ours, owned by the op from now on)
 * and a deadline timeout_ms from now. NULL with errno on failure (fd is
 * then still the caller's). The caller sets ready/release/state and
 * calls loop_watch(l, &op->src, events).
 */
struct op *loop_op_new(struct loop *l, const struct seccomp_notif *req,
    int fd, unsigned timeout_ms);

/* Send op->reply now and free op (the op's ready() is not called). */
void loop_op_finish(struct op *op);

/* The pending operation on the socket with that SO_COOKIE, or NULL. */
struct op *loop_op_find(struct loop *l, uint64_t sock_cookie);

/* CLOCK_MONOTONIC in ms. */
uint64_t loop_now_ms(void);

#endif
