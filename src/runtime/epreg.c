/* SPDX-License-Identifier: MIT */
/* Registrations (epfd, fd) -> (events, data, cookie), on three chains: by
 * descriptor and by epoll instance (heads in arrays indexed by number, for
 * close()) and by socket cookie (a hash, for hold and release); the held
 * sockets in a second hash. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/epreg.h"
#include "runtime/fdstate.h"
#include "runtime/fdtable.h"
#include "runtime/real.h"

#define EPREG_BUCKETS	4096
/* Readiness bits: left out of the kernel's check of a held ADD. */
#define EPREG_READY	(EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDNORM | \
			 EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG)

struct epreg {
	int epfd, fd;
	uint64_t cookie;
	struct epoll_event ev;		/* what the program asked for */
	bool held;			/* not in the kernel's set now */
	struct epreg *next_fd, *next_ep, *next_ck;
};

struct epreg_hold {
	uint64_t cookie;
	struct epreg_hold *next;
};

/* Heads per descriptor, in chunks that never move, so that close() can
 * see without the lock that a number never took part. */
struct epreg_heads {
	struct epreg *_Atomic fd;	/* registrations of this descriptor */
	struct epreg *_Atomic ep;	/* registrations in this epoll fd */
};

static pthread_mutex_t epreg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fdtable epreg_table;
static struct epreg *epreg_by_ck[EPREG_BUCKETS];
static struct epreg_hold *epreg_holds[EPREG_BUCKETS];
static atomic_uint epreg_nheld;
static atomic_int epreg_max = -1;

static size_t
epreg_hash(uint64_t cookie)
{
	return (size_t)((cookie * 0x9e3779b97f4a7c15ull) >> 52) %
	    EPREG_BUCKETS;
}

/* The heads of descriptor n; created (under the lock) when asked to. */
static struct epreg_heads *
epreg_heads(int n, bool create)
{
	return fdtable_entry(&epreg_table, sizeof(struct epreg_heads), n,
	    create);
}

/* Everything below until epreg_ctl is called with the lock held. */
static struct epreg_hold **
epreg_hold_slot(uint64_t cookie)
{
	struct epreg_hold **pp;

	for (pp = &epreg_holds[epreg_hash(cookie)]; *pp != NULL;
	    pp = &(*pp)->next)
		if ((*pp)->cookie == cookie)
			break;
	return pp;
}

static bool
epreg_is_held(uint64_t cookie)
{
	return *epreg_hold_slot(cookie) != NULL;
}

static struct epreg *
epreg_find(int epfd, int fd)
{
	struct epreg_heads *h = epreg_heads(fd, false);
	struct epreg *r;

	if (h == NULL)
		return NULL;
	for (r = atomic_load_explicit(&h->fd, memory_order_relaxed); r != NULL;
	    r = r->next_fd)
		if (r->epfd == epfd)
			return r;
	return NULL;
}

/* Unlink r from a chain whose head is *head (atomic) and links at `off`. */
static void
epreg_unlink(struct epreg *_Atomic *head, struct epreg *r, size_t off)
{
	struct epreg *p = atomic_load_explicit(head, memory_order_relaxed);
	struct epreg **link;

	if (p == r) {
		atomic_store_explicit(head, *(struct epreg **)((char *)r + off),
		    memory_order_relaxed);
		return;
	}
	while (p != NULL) {
		link = (struct epreg **)((char *)p + off);
		if (*link == r) {
			*link = *(struct epreg **)((char *)r + off);
			return;
		}
		p = *link;
	}
}

static void
epreg_remove(struct epreg *r)
{
	struct epreg **pp;

	epreg_unlink(&epreg_heads(r->fd, false)->fd, r,
	    offsetof(struct epreg, next_fd));
	epreg_unlink(&epreg_heads(r->epfd, false)->ep, r,
	    offsetof(struct epreg, next_ep));
	for (pp = &epreg_by_ck[epreg_hash(r->cookie)]; *pp != NULL;
	    pp = &(*pp)->next_ck)
		if (*pp == r) {
			*pp = r->next_ck;
			break;
		}
	free(r);
}

static struct epreg *
epreg_add(int epfd, int fd, uint64_t cookie, const struct epoll_event *ev,
    bool held)
{
	struct epreg_heads *hf = epreg_heads(fd, true);
	struct epreg_heads *he = epreg_heads(epfd, true);
	size_t h = epreg_hash(cookie);
	struct epreg *r;

	if (hf == NULL || he == NULL)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->epfd = epfd;
	r->fd = fd;
	r->cookie = cookie;
	r->ev = *ev;
	r->held = held;
	r->next_fd = atomic_load_explicit(&hf->fd, memory_order_relaxed);
	atomic_store_explicit(&hf->fd, r, memory_order_relaxed);
	r->next_ep = atomic_load_explicit(&he->ep, memory_order_relaxed);
	atomic_store_explicit(&he->ep, r, memory_order_relaxed);
	r->next_ck = epreg_by_ck[h];
	epreg_by_ck[h] = r;
	if ((fd > epfd ? fd : epfd) > atomic_load_explicit(&epreg_max,
	    memory_order_relaxed))
		atomic_store_explicit(&epreg_max, fd > epfd ? fd : epfd,
		    memory_order_relaxed);
	return r;
}

/* The program's call on a held socket, answered as the kernel would. */
static int
epreg_held_ctl(int epfd, int op, int fd, uint64_t cookie,
    struct epoll_event *ev)
{
	struct epreg *r = epreg_find(epfd, fd);
	struct epoll_event probe;

	if (op != EPOLL_CTL_DEL && ev == NULL)
		return -EFAULT;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (r != NULL)
			return -EEXIST;
		/* Let the kernel judge the call (bad epfd, loops, flags),
		 * asking for no readiness, then take it out again. */
		probe = *ev;
		probe.events &= ~(uint32_t)EPREG_READY;
		if (real_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &probe) != 0)
			return -errno;
		(void)real_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		return epreg_add(epfd, fd, cookie, ev, true) == NULL ?
		    -ENOMEM : 0;
	case EPOLL_CTL_MOD:
		if (r == NULL)
			return -ENOENT;
		if ((r->ev.events | ev->events) & EPOLLEXCLUSIVE)
			return -EINVAL;
		r->ev = *ev;
		return 0;
	case EPOLL_CTL_DEL:
		if (r == NULL)
			return -ENOENT;
		epreg_remove(r);
		return 0;
	default:
		return -EINVAL;
	}
}

/* A real epoll_ctl succeeded: remember or forget it. An ADD of a socket
 * held meanwhile (another thread's connect()) is taken out at once. */
static void
epreg_note(int epfd, int op, int fd, const struct epoll_event *ev,
    uint64_t cookie)
{
	struct epreg *r = epreg_find(epfd, fd);

	if (op == EPOLL_CTL_ADD) {
		if (r != NULL)	/* a stale one (fd reused unseen) */
			epreg_remove(r);
		r = epreg_add(epfd, fd, cookie, ev, false);
		if (r != NULL && epreg_is_held(cookie) &&
		    real_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0)
			r->held = true;
	} else if (op == EPOLL_CTL_MOD && r != NULL) {
		r->ev = *ev;
	} else if (op == EPOLL_CTL_DEL && r != NULL) {
		epreg_remove(r);
	}
}

int
epreg_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	bool any = atomic_load_explicit(&epreg_nheld,
	    memory_order_acquire) > 0, sock = false;
	struct epreg_heads *h;
	uint64_t cookie = 0;
	int rc;

	/* Only sockets are kept; only an ADD, or a call while something is
	 * held, needs to know which socket fd is. */
	if (any || op == EPOLL_CTL_ADD)
		sock = fdstate_cookie(fd, &cookie) == 0;
	if (any && sock) {
		pthread_mutex_lock(&epreg_lock);
		if (epreg_is_held(cookie)) {
			rc = epreg_held_ctl(epfd, op, fd, cookie, ev);
			pthread_mutex_unlock(&epreg_lock);
			return rc;
		}
		pthread_mutex_unlock(&epreg_lock);
	}
	if (real_epoll_ctl(epfd, op, fd, ev) != 0)
		return -errno;
	if (op == EPOLL_CTL_ADD ? !sock || ev == NULL :
	    (h = epreg_heads(fd, false)) == NULL ||
	    atomic_load_explicit(&h->fd, memory_order_relaxed) == NULL ||
	    (op == EPOLL_CTL_MOD && ev == NULL))
		return 0;
	pthread_mutex_lock(&epreg_lock);
	epreg_note(epfd, op, fd, ev, cookie);
	pthread_mutex_unlock(&epreg_lock);
	return 0;
}

void
epreg_hold(uint64_t cookie)
{
	struct epreg_hold **hp, *hold;
	struct epreg *r, *next;

	pthread_mutex_lock(&epreg_lock);
	hp = epreg_hold_slot(cookie);
	if (*hp == NULL && (hold = calloc(1, sizeof(*hold))) != NULL) {
		hold->cookie = cookie;
		*hp = hold;
		atomic_fetch_add_explicit(&epreg_nheld, 1,
		    memory_order_release);
	}
	for (r = epreg_by_ck[epreg_hash(cookie)]; r != NULL; r = next) {
		next = r->next_ck;
		if (r->cookie != cookie || r->held)
			continue;
		if (real_epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->fd, NULL) == 0)
			r->held = true;
		else
			epreg_remove(r);	/* stale: not in that set */
	}
	pthread_mutex_unlock(&epreg_lock);
}

void
epreg_release(uint64_t cookie)
{
	struct epreg_hold **hp, *hold;
	struct epreg *r, *next;
	struct epoll_event ev;
	uint64_t now;

	pthread_mutex_lock(&epreg_lock);
	hp = epreg_hold_slot(cookie);
	if ((hold = *hp) != NULL) {
		*hp = hold->next;
		free(hold);
		atomic_fetch_sub_explicit(&epreg_nheld, 1,
		    memory_order_release);
	}
	for (r = epreg_by_ck[epreg_hash(cookie)]; r != NULL; r = next) {
		next = r->next_ck;
		if (r->cookie != cookie || !r->held)
			continue;
		ev = r->ev;
		/* Still that socket at that number? Then back in its set;
		 * the kernel looks at readiness anew and wakes waiters. */
		if (fdstate_cookie(r->fd, &now) == 0 && now == cookie &&
		    real_epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->fd, &ev) == 0)
			r->held = false;
		else
			epreg_remove(r);	/* the set or fd is gone */
	}
	pthread_mutex_unlock(&epreg_lock);
}

void
epreg_forget(int fd)
{
	struct epreg_heads *h = epreg_heads(fd, false);
	struct epreg *r;

	if (h == NULL ||
	    (atomic_load_explicit(&h->fd, memory_order_relaxed) == NULL &&
	    atomic_load_explicit(&h->ep, memory_order_relaxed) == NULL))
		return;		/* the common case: never registered */
	pthread_mutex_lock(&epreg_lock);
	while ((r = atomic_load_explicit(&h->fd, memory_order_relaxed)) != NULL)
		epreg_remove(r);
	while ((r = atomic_load_explicit(&h->ep, memory_order_relaxed)) != NULL)
		epreg_remove(r);
	pthread_mutex_unlock(&epreg_lock);
}

int
epreg_highest(void)
{
	return atomic_load_explicit(&epreg_max, memory_order_relaxed);
}

void
epreg_atfork_prepare(void)
{
	pthread_mutex_lock(&epreg_lock);
}

void
epreg_atfork_parent(void)
{
	pthread_mutex_unlock(&epreg_lock);
}

void
epreg_atfork_child(void)
{
	struct epreg_hold *hold;
	struct epreg *r, *next;
	size_t i;

	/* The holds are the parent's handshakes: in the child the held
	 * registrations are simply not there (the parent puts them back in
	 * the shared sets when its tunnel is up). */
	for (i = 0; i < EPREG_BUCKETS; i++) {
		while ((hold = epreg_holds[i]) != NULL) {
			epreg_holds[i] = hold->next;
			free(hold);
		}
		for (r = epreg_by_ck[i]; r != NULL; r = next) {
			next = r->next_ck;
			if (r->held)
				epreg_remove(r);
		}
	}
	atomic_store_explicit(&epreg_nheld, 0, memory_order_relaxed);
	pthread_mutex_unlock(&epreg_lock);
}
