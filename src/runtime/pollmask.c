/* SPDX-License-Identifier: MIT */
/* Waiters: one eventfd per waiting thread (thread-local, made on first
 * use, closed by a pthread key destructor), on a list while it waits.
 * The masked poll: the program's set copied, pending sockets replaced by
 * -1, the waiter's eventfd added, looped on the time left. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "runtime/io.h"
#include "runtime/ownfd.h"
#include "runtime/pollmask.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"

#define POLLMASK_STACK	64	/* entries copied on the stack */

struct waiter {
	_Atomic int efd;		/* an own descriptor, or -1 */
	bool listed;
	struct waiter *prev, *next;
};

static atomic_uint pollmask_n;
static pthread_mutex_t waiter_lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *waiter_head;
static pthread_key_t waiter_key;
static pthread_once_t waiter_once = PTHREAD_ONCE_INIT;
static __thread struct waiter *waiter_self;

unsigned
pollmask_active(void)
{
	return atomic_load_explicit(&pollmask_n, memory_order_acquire);
}

void
pollmask_count(int delta)
{
	if (delta > 0)
		atomic_fetch_add_explicit(&pollmask_n, 1, memory_order_release);
	else
		atomic_fetch_sub_explicit(&pollmask_n, 1, memory_order_release);
}

void
pollmask_wake(void)
{
	struct waiter *w;
	uint64_t one = 1;

	pthread_mutex_lock(&waiter_lock);
	for (w = waiter_head; w != NULL; w = w->next)
		(void)real_write(atomic_load(&w->efd), &one, sizeof(one));
	pthread_mutex_unlock(&waiter_lock);
}

static void
waiter_unlist(struct waiter *w)
{
	pthread_mutex_lock(&waiter_lock);
	if (w->listed) {
		if (w->prev != NULL)
			w->prev->next = w->next;
		else
			waiter_head = w->next;
		if (w->next != NULL)
			w->next->prev = w->prev;
		w->listed = false;
	}
	pthread_mutex_unlock(&waiter_lock);
}

/* The thread ends: its eventfd goes. */
static void
waiter_destroy(void *arg)
{
	struct waiter *w = arg;
	int efd;

	waiter_unlist(w);
	efd = atomic_load(&w->efd);
	if (efd >= 0) {
		ownfd_release(efd);
		(void)real_close(efd);
	}
	free(w);
}

static void
waiter_key_init(void)
{
	(void)pthread_key_create(&waiter_key, waiter_destroy);
}

/* The program dup2()ed over a waiter's eventfd. */
static void
waiter_moved(int from, int to, intptr_t arg)
{
	(void)from;
	atomic_store(&((struct waiter *)arg)->efd, to);
}

/* The calling thread's waiter, listed (woken at every completion from
 * now on): its eventfd, or -errno. */
static int
waiter_begin(void)
{
	struct waiter *w = waiter_self;
	int efd;

	if (w == NULL) {
		(void)pthread_once(&waiter_once, waiter_key_init);
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return -ENOMEM;
		atomic_init(&w->efd, -1);
		waiter_self = w;
		(void)pthread_setspecific(waiter_key, w);
	}
	if (atomic_load(&w->efd) < 0) {
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0)
			return -errno;
		efd = ownfd_adopt(efd, true, waiter_moved, (intptr_t)w);
		if (efd < 0)
			return efd;
		atomic_store(&w->efd, efd);
	}
	pthread_mutex_lock(&waiter_lock);
	w->prev = NULL;
	w->next = waiter_head;
	if (waiter_head != NULL)
		waiter_head->prev = w;
	waiter_head = w;
	w->listed = true;
	pthread_mutex_unlock(&waiter_lock);
	return atomic_load(&w->efd);
}

static void
waiter_end(int efd)
{
	uint64_t v;

	waiter_unlist(waiter_self);
	(void)real_read(efd, &v, sizeof(v));
}

static uint64_t
pollmask_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct timespec
pollmask_ts(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
	    .tv_nsec = (long)(ns % 1000000000u) };

	return ts;
}

/* Copy fds into q with the pending sockets as -1; how many are pending. */
static nfds_t
pollmask_copy(const struct pollfd *fds, nfds_t n, struct pollfd *q)
{
	nfds_t i, masked = 0;

	for (i = 0; i < n; i++) {
		q[i] = fds[i];
		q[i].revents = 0;
		if (fds[i].fd >= 0 &&
		    fdstate_kind(fds[i].fd) == FDSTATE_TCP_PENDING) {
			q[i].fd = -1;
			masked++;
		}
	}
	return masked;
}

int
pollmask_poll(struct pollfd *fds, nfds_t n, struct timespec *timeout,
    const sigset_t *sigmask)
{
	struct pollfd stack[POLLMASK_STACK + 1], *q = stack;
	uint64_t end = 0, now;
	struct timespec left;
	nfds_t i;
	int efd, rc;

	if (timeout != NULL)
		end = pollmask_now_ns() + (uint64_t)timeout->tv_sec *
		    1000000000u + (uint64_t)timeout->tv_nsec;
	if (n > POLLMASK_STACK && (q = calloc(n + 1, sizeof(*q))) == NULL)
		return -ENOMEM;
	efd = waiter_begin();
	if (efd < 0) {
		rc = efd;
		goto out;
	}
	for (;;) {
		now = timeout != NULL ? pollmask_now_ns() : 0;
		left = pollmask_ts(timeout == NULL || now >= end ? 0 :
		    end - now);
		if (pollmask_copy(fds, n, q) == 0) {
			/* Nothing of the program's pending any more. */
			rc = real_ppoll(fds, n, timeout != NULL ? &left : NULL,
			    sigmask);
			rc = rc < 0 ? -errno : rc;
			break;
		}
		q[n].fd = efd;
		q[n].events = POLLIN;
		q[n].revents = 0;
		rc = real_ppoll(q, n + 1, timeout != NULL ? &left : NULL,
		    sigmask);
		if (rc < 0) {
			rc = -errno;
			break;
		}
		if (q[n].revents != 0) {
			(void)real_read(efd, &now, sizeof(now));
			rc--;
		}
		if (rc > 0 || (rc == 0 && q[n].revents == 0)) {
			/* (the kernel gives -1 entries no revents) */
			for (i = 0; i < n; i++)
				fds[i].revents = q[i].revents;
			break;
		}
		/* A handshake ended: look again with the time left. */
	}
	waiter_end(efd);
out:
	if (timeout != NULL) {
		now = pollmask_now_ns();
		*timeout = pollmask_ts(now >= end ? 0 : end - now);
	}
	if (q != stack)
		free(q);
	return rc;
}

int
pollmask_wait_fd(int fd, const struct fdstate *st)
{
	uint64_t end = st->u.tcp.deadline + 2000, now;
	struct pollfd pfd;
	struct fdstate cur;
	int efd, rc;

	efd = waiter_begin();
	if (efd < 0)
		return efd;
	for (;;) {
		if (fdstate_kind(fd) != FDSTATE_TCP_PENDING) {
			if (!fdstate_get(fd, &cur) || cur.cookie != st->cookie)
				rc = -ESTALE;
			else if (cur.kind == FDSTATE_TCP_FAILED)
				rc = fdstate_forget(fd) ? -cur.u.tcp.err :
				    -ESTALE;
			else
				rc = 0;
			break;
		}
		now = io_now_ms();
		if (now >= end) {
			rc = -ETIMEDOUT;
			break;
		}
		pfd.fd = efd;
		pfd.events = POLLIN;
		rc = real_poll(&pfd, 1, (int)(end - now));
		if (rc < 0 && errno == EINTR && !proxy_signals_restart()) {
			rc = -EINTR;
			break;
		}
		if (rc > 0)
			(void)real_read(efd, &now, sizeof(now));
	}
	waiter_end(efd);
	return rc;
}

int
pollmask_gate(int fd, bool write, bool dontwait)
{
	struct fdstate st;
	int fl, rc;

	if (!fdstate_get(fd, &st))
		return 0;
	if (st.kind == FDSTATE_TCP_FAILED)
		return fdstate_forget(fd) ? -st.u.tcp.err : 0;
	if (st.kind != FDSTATE_TCP_PENDING)
		return 0;
	if (!write && (dontwait || ((fl = fcntl(fd, F_GETFL)) >= 0 &&
	    (fl & O_NONBLOCK))))
		return -EAGAIN;
	rc = pollmask_wait_fd(fd, &st);
	return rc == -ESTALE ? 0 : rc;
}

void
pollmask_atfork_child(void)
{
	struct waiter *w = waiter_self;
	int efd;

	/* Lists of threads that do not exist here; our eventfd is the
	 * parent's kernel object. */
	waiter_head = NULL;
	(void)pthread_mutex_init(&waiter_lock, NULL);
	atomic_store(&pollmask_n, 0);
	if (w != NULL) {
		w->listed = false;
		efd = atomic_load(&w->efd);
		if (efd >= 0) {
			ownfd_release(efd);
			(void)real_close(efd);
		}
		atomic_store(&w->efd, -1);
	}
}
