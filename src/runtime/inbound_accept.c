/* SPDX-License-Identifier: MIT */
/* accept() and getsockname() of a listener served by the proxy: the
 * BIND's second reply read by the engine (core/handshake.c) through
 * proxy_op_step(), the connection handed out at the lowest free number,
 * the listener replaced by an idle one. The inbound lock lives here. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/inbound.h"
#include "runtime/log.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

/* Re-entrant in the thread that holds it (a depth per thread over a
 * plain mutex): a stale record met while it is held (fdstate_get/set drop
 * one) frees its handshake through inbound_wait_free(). */
static pthread_mutex_t inbound_mutex = PTHREAD_MUTEX_INITIALIZER;
static __thread unsigned inbound_depth;

void
inbound_lock(void)
{
	if (inbound_depth++ == 0)
		pthread_mutex_lock(&inbound_mutex);
}

void
inbound_unlock(void)
{
	if (--inbound_depth == 0)
		pthread_mutex_unlock(&inbound_mutex);
}

void
inbound_wait_free(struct inbound_wait *w)
{
	uint64_t c;

	inbound_lock();
	/* A reserved control connection, if that number is still it. */
	if (w->own >= 0 && fdstate_cookie(w->own, &c) == 0 &&
	    c == w->own_cookie) {
		ownfd_release(w->own);
		(void)real_close(w->own);
	}
	free(w);
	inbound_unlock();
}

void
inbound_atfork_prepare(void)
{
	inbound_lock();
}

void
inbound_atfork_parent(void)
{
	inbound_unlock();
}

void
inbound_atfork_child(void)
{
	inbound_unlock();
}

/* A listening socket on loopback:0 that nobody connects to, in `family`,
 * non-blocking when nonblock. The descriptor or a negative errno. */
static int
inbound_idle_listener(int family, bool nonblock)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int s, rc;

	s = socket(family, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (s < 0)
		return -errno;
	if (family == AF_INET6) {
		rc = real_bind(s, (struct sockaddr *)&sin6, sizeof(sin6));
		if (rc < 0 && errno == EADDRNOTAVAIL) {
			/* No ::1 here: IPv4's loopback, v4-mapped. */
			memset(&sin6.sin6_addr, 0, sizeof(sin6.sin6_addr));
			sin6.sin6_addr.s6_addr[10] = 0xff;
			sin6.sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sin6.sin6_addr.s6_addr[12], &sin.sin_addr, 4);
			rc = real_bind(s, (struct sockaddr *)&sin6,
			    sizeof(sin6));
		}
	} else {
		rc = real_bind(s, (struct sockaddr *)&sin, sizeof(sin));
	}
	if (rc == 0)
		rc = real_listen(s, 1);
	if (rc < 0) {
		rc = -errno;
		(void)real_close(s);
		return rc;
	}
	return s;
}

/*
 * The BIND on fd is over (ok: the peer is in; else aborted). Under the
 * inbound lock. ok: the connection moves to the lowest free number with
 * accept4's flags and is recorded as proxied. Either way fd becomes an
 * idle listener whose record keeps BND (and frees the handshake). The new
 * descriptor, 0 when aborted, or a negative errno with nothing changed.
 */
static int
inbound_finish(int fd, struct fdstate *st, bool ok,
    const struct sockaddr_storage *peer, socklen_t plen, int flags)
{
	struct fdstate cst;
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
	int idle, nfd = 0, rc;

	if (fl < 0 || fdfl < 0)
		return -errno;
	idle = inbound_idle_listener(st->u.bind.bnd.ss_family,
	    (fl & O_NONBLOCK) != 0);
	if (idle < 0)
		return idle;
	if (ok) {
		nfd = fcntl(fd, (flags & SOCK_CLOEXEC) ? F_DUPFD_CLOEXEC :
		    F_DUPFD, 0);
		/* The description is nfd's alone once fd is replaced. */
		if (nfd < 0 || fcntl(nfd, F_SETFL, (fl & ~O_NONBLOCK) |
		    ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0)) < 0) {
			rc = -errno;
			if (nfd >= 0)
				(void)real_close(nfd);
			(void)real_close(idle);
			return rc;
		}
	}
	if (real_dup3(idle, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		rc = -errno;
		if (ok)
			(void)real_close(nfd);
		(void)real_close(idle);
		return rc;
	}
	(void)real_close(idle);
	if (ok) {
		memset(&cst, 0, sizeof(cst));
		cst.kind = FDSTATE_TCP_PROXIED;
		memcpy(&cst.u.tcp.peer, peer, plen);
		cst.u.tcp.peer_len = plen;
		/* Its local end, as the peer sees it: the proxy's. */
		cst.u.tcp.self = st->u.bind.bnd;
		cst.u.tcp.self_len = st->u.bind.bnd_len;
		(void)fdstate_set(nfd, &cst);
	}
	/* A new socket at fd: the old record (and the handshake it owns)
	 * is released by the store. */
	st->u.bind.state = FDSTATE_BIND_SPENT;
	st->u.bind.wait = NULL;
	(void)fdstate_set(fd, st);
	return nfd;
}

/* One non-blocking step of fd's BIND, under the inbound lock. Returns the
 * new descriptor, a negative errno, 1 (the reply is not complete yet) or
 * 2 (fd has no waiting BIND). */
static int
inbound_step(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct sockaddr_storage peer;
	struct inbound_wait *w;
	struct fdstate st;
	socklen_t plen;
	int rc;

	if (!fdstate_get(fd, &st) || st.kind != FDSTATE_BIND ||
	    st.u.bind.state != FDSTATE_BIND_WAITING)
		return 2;
	w = st.u.bind.wait;
	rc = proxy_op_step(&w->op);
	if (rc > 0)
		return 1;
	if (rc == 0 && socks5_addr_to_sockaddr(&w->op.hs.peer,
	    st.u.bind.bnd.ss_family, &peer, &plen) < 0) {
		log_error("%s: the proxy named a peer this socket cannot "
		    "represent", w->op.what);
		rc = -EAFNOSUPPORT;
	}
	if (rc < 0) {
		/* Logged by the driver (or above); the listener is done. */
		rc = inbound_finish(fd, &st, false, NULL, 0, flags);
		return rc < 0 ? rc : -ECONNABORTED;
	}
	rc = inbound_finish(fd, &st, true, &peer, plen, flags);
	if (rc >= 0 && addr != NULL && len != NULL) {
		memcpy(addr, &peer, *len < plen ? *len : plen);
		*len = plen;
	}
	return rc;
}

int
inbound_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int rc, fl;
	char c;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	for (;;) {
		inbound_lock();
		rc = inbound_step(fd, addr, len, flags);
		inbound_unlock();
		if (rc == 2) {
			rc = real_accept4(fd, addr, len, flags);
			return rc < 0 ? -errno : rc;
		}
		if (rc != 1)
			return rc;
		fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			return -errno;
		if (fl & O_NONBLOCK)
			return -EAGAIN;
		/* Blocking: wait for the reply (or the end) as long as the
		 * program waits; a signal interrupts as it would accept(). */
		if (real_recv(fd, &c, 1, MSG_PEEK) < 0 && errno == EINTR)
			return -EINTR;
	}
}

