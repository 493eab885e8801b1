/* SPDX-License-Identifier: MIT */
/* Inside the asynchronous engine: the table and the thread (async.c)
 * shared with the program's side (async_conn.c). Not for other modules. */
#ifndef SOCKSIFY_RUNTIME_ASYNC_IMPL_H
#define SOCKSIFY_RUNTIME_ASYNC_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/fdstate.h"
#include "runtime/proxy_connect.h"

struct async_op {
	struct proxy_op op;		/* op.fd: our duplicate of the socket */
	int fd;				/* the program's number for it */
	uint64_t cookie;		/* the socket's SO_COOKIE */
	struct fdstate st;		/* the PENDING record we made */
	int armed;			/* the events our epoll waits for */
	int result;			/* once out of the table */
	struct async_op *prev, *next;	/* the table, by deadline */
	struct async_op *next_ck;	/* hash chain */
};

extern pthread_mutex_t async_lock;	/* the table and what follows */
extern pid_t async_pid;			/* the thread's process, 0: none */
extern int async_epfd, async_evfd;	/* the thread's, own descriptors */
extern uint64_t async_sleep_until;	/* the thread's planned wake-up */

/* With async_lock held: into the table (deadline order, cookie hash);
 * out of it (and out of the thread's epoll); by cookie; armed for
 * `events` once (op: EPOLL_CTL_ADD or MOD; 0 or -errno). */
void async_link(struct async_op *a);
void async_unlink(struct async_op *a);
struct async_op *async_find(uint64_t cookie);
int async_arm(struct async_op *a, int events, int op);

/* With async_lock held: the thread and its descriptors, once per
 * process. 0 or -errno. */
int async_start_thread(void);

/*
 * Without the lock, for an op out of the table: the record becomes
 * proxied (rc 0) or failed with -rc to report once (report), or goes
 * (!report: the caller gives the error); the epoll registrations come
 * back, waiters wake, our duplicate is closed; the op is freed, or with
 * bury handed to the thread to free after its batch of events (it may
 * be in one).
 */
void async_finish(struct async_op *a, int rc, bool report, bool bury);

#endif
