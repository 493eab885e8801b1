/* SPDX-License-Identifier: MIT */
/* The pending-connect table (a list in deadline order, a hash by socket
 * cookie) and the helper thread that drives it: epoll_wait() bounded by
 * the nearest deadline, one proxy_op_step() per ready handshake (steps
 * never block), proxy_op_expire() at the deadline. Ops end outside the
 * lock: record, epoll registrations, waiters, our duplicate closed. The
 * program's side (connect, cancel) is async_conn.c. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "runtime/async.h"
#include "runtime/async_impl.h"
#include "runtime/epreg.h"
#include "runtime/inbound.h"
#include "runtime/fdstate.h"
#include "runtime/io.h"
#include "runtime/namestore.h"
#include "runtime/ownfd.h"
#include "runtime/pollmask.h"
#include "runtime/real.h"

#define ASYNC_BUCKETS	1024
#define ASYNC_EVENTS	64


pthread_mutex_t async_lock = PTHREAD_MUTEX_INITIALIZER;
static struct async_op *async_head, *async_tail;
static struct async_op *async_by_ck[ASYNC_BUCKETS];
static struct async_op *async_grave;	/* cancelled, freed by the thread */
pid_t async_pid;
int async_epfd = -1, async_evfd = -1;
uint64_t async_sleep_until;

static size_t
async_hash(uint64_t cookie)
{
	return (size_t)((cookie * 0x9e3779b97f4a7c15ull) >> 54) %
	    ASYNC_BUCKETS;
}

/* Table operations: called with async_lock held. */
void
async_link(struct async_op *a)
{
	struct async_op *p = async_tail;
	size_t h = async_hash(a->cookie);

	/* Deadlines are start + timeout: a new op goes last, but one taken
	 * over after EINTR started earlier. */
	while (p != NULL && p->op.deadline > a->op.deadline)
		p = p->prev;
	a->prev = p;
	a->next = p != NULL ? p->next : async_head;
	if (a->next != NULL)
		a->next->prev = a;
	else
		async_tail = a;
	if (p != NULL)
		p->next = a;
	else
		async_head = a;
	a->next_ck = async_by_ck[h];
	async_by_ck[h] = a;
}

void
async_unlink(struct async_op *a)
{
	struct async_op **pp;

	if (a->prev != NULL)
		a->prev->next = a->next;
	else
		async_head = a->next;
	if (a->next != NULL)
		a->next->prev = a->prev;
	else
		async_tail = a->prev;
	for (pp = &async_by_ck[async_hash(a->cookie)]; *pp != NULL;
	    pp = &(*pp)->next_ck)
		if (*pp == a) {
			*pp = a->next_ck;
			break;
		}
	a->prev = a->next = a->next_ck = NULL;
	(void)real_epoll_ctl(async_epfd, EPOLL_CTL_DEL, a->op.fd, NULL);
}

struct async_op *
async_find(uint64_t cookie)
{
	struct async_op *a;

	for (a = async_by_ck[async_hash(cookie)]; a != NULL; a = a->next_ck)
		if (a->cookie == cookie)
			return a;
	return NULL;
}

int
async_arm(struct async_op *a, int events, int op)
{
	struct epoll_event ev = { .events = (uint32_t)events | EPOLLONESHOT,
	    .data.ptr = a };

	a->armed = events;
	return real_epoll_ctl(async_epfd, op, a->op.fd, &ev) == 0 ? 0 : -errno;
}

/*
 * The end of an op, taken out of the table (no lock held): the program's
 * record becomes proxied, or failed with the errno to report once (or,
 * with report false, goes: the caller returns the error itself); then
 * the epoll registrations come back, waiters wake, our duplicate goes.
 * An op that was in the table when another thread took it out may still
 * be in a batch of events the helper thread holds: with bury, it is freed
 * by the helper thread after that batch.
 */
void
async_finish(struct async_op *a, int rc, bool report, bool bury)
{
	struct fdstate st = a->st;
	bool pinned = st.u.tcp.pinned;

	/* Our record, if it is still there (checked by cookie without a
	 * system call: a record whose socket went unseen is dropped at its
	 * next use, which checks). */
	if (rc < 0 && !report) {
		(void)fdstate_forget_record(a->fd, &a->st);
	} else {
		/* A failed socket lets its placeholder go now. */
		st.kind = rc == 0 ? FDSTATE_TCP_PROXIED : FDSTATE_TCP_FAILED;
		st.u.tcp.err = -rc;
		if (rc < 0)
			st.u.tcp.pinned = false;
		/* Up: the address it reports as its own (the proxy's side),
		 * as a blocking connect's record has it. */
		if (rc == 0 && !inbound_self(a->op.rt, &a->op.hs.bnd,
		    a->op.family, &st.u.tcp.self, &st.u.tcp.self_len))
			st.u.tcp.self_len = 0;
		if (fdstate_rekind(a->fd, &st, FDSTATE_TCP_PENDING) == 0) {
			if (rc < 0 && pinned)
				namestore_unpin(st.u.tcp.name_index);
			/* A later listen() may BIND where this one goes. */
			if (rc == 0)
				inbound_note(a->fd, a->cookie, &a->op.target,
				    a->op.path, &st.u.tcp.self,
				    st.u.tcp.self_len);
		}
	}
	epreg_release(a->cookie);
	ownfd_release(a->op.fd);
	(void)real_close(a->op.fd);
	pollmask_count(-1);
	pollmask_wake();
	if (!bury) {
		free(a);
		return;
	}
	pthread_mutex_lock(&async_lock);
	a->next = async_grave;
	async_grave = a;
	pthread_mutex_unlock(&async_lock);
}

/* Our epoll instance or eventfd moved (the program's dup2()). */
static void
async_own_moved(int from, int to, intptr_t arg)
{
	(void)from;
	pthread_mutex_lock(&async_lock);
	if (arg == 0)
		async_epfd = to;
	else
		async_evfd = to;
	pthread_mutex_unlock(&async_lock);
}

/* One op's step result, under the lock: re-armed, or out of the table
 * and onto *done with its result. */
static void
async_after_step(struct async_op *a, int rc, struct async_op **done)
{
	if (rc > 0 && async_arm(a, rc, EPOLL_CTL_MOD) == 0)
		return;
	async_unlink(a);
	a->next = *done;
	a->result = rc > 0 ? -EIO : rc;
	*done = a;
}

/* Expire what is due, and say how long the thread may sleep. */
static int
async_expire(uint64_t now, struct async_op **done)
{
	struct async_op *a;
	int rc;

	while ((a = async_head) != NULL && a->op.deadline <= now) {
		do
			rc = proxy_op_expire(&a->op);
		while (rc > 0 && a->op.deadline <= io_now_ms());
		async_after_step(a, rc, done);
	}
	async_sleep_until = a != NULL ? a->op.deadline : UINT64_MAX;
	if (a == NULL)
		return -1;
	return a->op.deadline - now > 3600000 ? 3600000 :
	    (int)(a->op.deadline - now);
}

static void
async_finish_all(struct async_op *done)
{
	struct async_op *next;

	for (; done != NULL; done = next) {
		next = done->next;
		async_finish(done, done->result, true, false);
	}
}

static void *
async_main(void *arg)
{
	struct epoll_event ev[ASYNC_EVENTS];
	struct async_op *done, *a, *grave;
	uint64_t drain;
	int i, n, timeout, epfd;

	(void)arg;
	for (;;) {
		done = NULL;
		pthread_mutex_lock(&async_lock);
		/* Cancelled before the last batch: no event can name them. */
		grave = async_grave;
		async_grave = NULL;
		timeout = async_expire(io_now_ms(), &done);
		epfd = async_epfd;
		pthread_mutex_unlock(&async_lock);
		for (; grave != NULL; grave = a) {
			a = grave->next;
			free(grave);
		}
		async_finish_all(done);
		if (done != NULL)
			continue;	/* the clock moved on meanwhile */
		n = epoll_wait(epfd, ev, ASYNC_EVENTS, timeout);
		pthread_mutex_lock(&async_lock);
		async_sleep_until = 0;
		for (i = 0; i < n; i++) {
			a = ev[i].data.ptr;
			if (a == NULL) {
				(void)real_read(async_evfd, &drain,
				    sizeof(drain));
				continue;
			}
			/* Cancelled since epoll_wait returned? */
			if (async_find(a->cookie) != a)
				continue;
			async_after_step(a, proxy_op_step(&a->op), &done);
		}
		pthread_mutex_unlock(&async_lock);
		async_finish_all(done);
	}
	return NULL;
}

/* The thread, its epoll instance and eventfd, made once per process.
 * Called with async_lock held. 0 or -errno. */
int
async_start_thread(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (async_pid == getpid())
		return 0;
	async_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (async_epfd < 0)
		return -errno;
	async_epfd = ownfd_adopt(async_epfd, true, async_own_moved, 0);
	async_evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (async_epfd < 0 || async_evfd < 0)
		return -EMFILE;
	async_evfd = ownfd_adopt(async_evfd, true, async_own_moved, 1);
	if (async_evfd < 0 || real_epoll_ctl(async_epfd, EPOLL_CTL_ADD,
	    async_evfd, &ev) != 0)
		return -EMFILE;
	/* Every signal blocked in our thread: the program's handlers run
	 * in the program's threads only. */
	(void)sigfillset(&all);
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, async_main, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	(void)pthread_attr_destroy(&attr);
	if (rc != 0)
		return -rc;
	async_pid = getpid();
	return 0;
}

void
async_atfork_prepare(void)
{
	pthread_mutex_lock(&async_lock);
}

void
async_atfork_parent(void)
{
	pthread_mutex_unlock(&async_lock);
}

void
async_atfork_child(void)
{
	struct async_op *a, *next;

	/* No thread here: our copies of its descriptors go, and so do the
	 * ops (the handshakes are the parent's). */
	for (a = async_head; a != NULL; a = next) {
		next = a->next;
		ownfd_release(a->op.fd);
		(void)real_close(a->op.fd);
		free(a);
	}
	for (a = async_grave; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	async_head = async_tail = async_grave = NULL;
	memset(async_by_ck, 0, sizeof(async_by_ck));
	if (async_pid != 0) {
		ownfd_release(async_epfd);
		ownfd_release(async_evfd);
		(void)real_close(async_epfd);
		(void)real_close(async_evfd);
	}
	async_epfd = async_evfd = -1;
	async_pid = 0;
	async_sleep_until = 0;
	pthread_mutex_unlock(&async_lock);
}
