/* SPDX-License-Identifier: MIT */
/* The BIND of a listener: the handshake up to its first reply on a
 * control connection of ours (an own descriptor while the program has not
 * listened yet), then the control connection takes the program's
 * descriptor at listen(). getsockname() and connect() of such sockets. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/handshake.h"
#include "runtime/inbound.h"
#include "runtime/log.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

/* The program dup2()ed over the reserved control connection of socket
 * arg: it moved to `to` (-1: lost; listen() then fails). */
static void
inbound_ctl_moved(int from, int to, intptr_t arg)
{
	struct fdstate st;
	struct inbound_wait *w;

	inbound_lock();
	if (fdstate_get((int)arg, &st) && st.kind == FDSTATE_BIND &&
	    st.u.bind.state == FDSTATE_BIND_RESERVED &&
	    (w = st.u.bind.wait) != NULL && w->own == from) {
		w->own = to;
		w->op.fd = to;
	}
	inbound_unlock();
}

/* BND.ADDR:BND.PORT in the program socket's family; an unspecified
 * BND.ADDR means the proxy's own address (that of the last hop). */
static int
inbound_bnd(const struct proxy_op *op, int family, struct fdstate_bind *b)
{
	static const uint8_t zero[16];
	const struct hop *last = op->path->hop[op->path->n - 1];
	struct socks5_addr a = op->hs.bnd;
	char text[SOCKS5_ADDR_STRLEN];

	if (a.atyp == SOCKS5_ATYP_DOMAIN) {
		log_error("%s via %s: the proxy gave a name as the address it "
		    "listens on (%s)", op->what, last->text,
		    socks5_addr_format(&a, text, sizeof(text)));
		return -EPROTO;
	}
	if (memcmp(a.addr, zero, a.len) == 0 &&
	    socks5_addr_from_sockaddr(&a, (const struct sockaddr *)&last->addr,
	    last->len) == 0)
		a.port = op->hs.bnd.port;
	if (socks5_addr_to_sockaddr(&a, family, &b->bnd, &b->bnd_len) < 0) {
		log_error("%s via %s: the proxy listens on %s, an IPv6 "
		    "address, for an IPv4 socket", op->what, last->text,
		    socks5_addr_format(&a, text, sizeof(text)));
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* A control connection to the first hop of e's path: an own descriptor. */
static int
inbound_ctl_socket(const struct inbound_recent *e, int fd,
    struct inbound_wait *w)
{
	int cfd, rc;

	cfd = socket(e->path.hop[0]->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0);
	if (cfd < 0)
		return -errno;
	w->own = ownfd_adopt(cfd, true, inbound_ctl_moved, fd);
	if (w->own < 0) {
		(void)real_close(cfd);
		return w->own;
	}
	rc = fdstate_cookie(w->own, &w->own_cookie);
	if (rc < 0) {
		ownfd_release(w->own);
		(void)real_close(w->own);
		w->own = -1;
	}
	return rc;
}

/* BIND for fd (of `family`) through e's path to e's destination, up to
 * the first reply: fd's record is RESERVED, or FAILED (getsockname()
 * fails too). Racing threads: the first BIND recorded stays, the others
 * are dropped. 0 or a negative errno (logged). */
static int
inbound_reserve(const struct runtime *rt, int fd, int family,
    const struct inbound_recent *e)
{
	char text[SOCKS5_ADDR_STRLEN];
	struct inbound_wait *w;
	struct handshake_io io;
	struct fdstate st, now;
	struct socks5_addr a;
	int rc;

	memset(&st, 0, sizeof(st));
	st.kind = FDSTATE_BIND;
	w = calloc(1, sizeof(*w));
	rc = w == NULL ? -ENOMEM : inbound_ctl_socket(e, fd, w);
	if (rc < 0) {
		log_error("listen: cannot open a connection to the proxy for "
		    "BIND: %s", strerror(-rc));
		free(w);
		goto failed;
	}
	proxy_op_start(&w->op, rt, &e->path, w->own,
	    e->path.hop[0]->addr.ss_family, SOCKS5_CMD_BIND, &e->target, -1);
	rc = proxy_run(&w->op, false);	/* a failure is logged there */
	if (rc == 0 && handshake_next(&w->op.hs, &io) != HANDSHAKE_BOUND) {
		log_error("%s: no bound address from the proxy", w->op.what);
		rc = -EPROTO;
	}
	if (rc == 0)
		rc = inbound_bnd(&w->op, family, &st.u.bind);
	st.u.bind.state = FDSTATE_BIND_RESERVED;
	st.u.bind.wait = w;
	if (rc == 0) {
		inbound_lock();
		if (fdstate_get(fd, &now) && now.kind == FDSTATE_BIND &&
		    now.u.bind.state != FDSTATE_BIND_CANDIDATE &&
		    now.u.bind.state != FDSTATE_BIND_FAILED)
			rc = 1;		/* another thread's BIND came first */
		else
			rc = fdstate_set(fd, &st);
		inbound_unlock();
	}
	if (rc != 0) {
		ownfd_release(w->own);
		(void)real_close(w->own);
		free(w);
		if (rc > 0)
			return 0;
		goto failed;
	}
	if (socks5_addr_from_sockaddr(&a, (struct sockaddr *)&st.u.bind.bnd,
	    st.u.bind.bnd_len) < 0)
		a = w->op.hs.bnd;
	log_info("listen: the proxy listens on %s for us (%s via %s)",
	    socks5_addr_format(&a, text, sizeof(text)), w->op.what,
	    w->op.path->hop[w->op.path->n - 1]->text);
	return 0;
failed:
	memset(&st.u.bind, 0, sizeof(st.u.bind));
	st.u.bind.state = FDSTATE_BIND_FAILED;
	st.u.bind.err = -rc;
	(void)fdstate_set(fd, &st);
	return rc;
}

/* listen() on fd, RESERVED: the control connection takes fd's number,
 * with fd's O_NONBLOCK and close-on-exec; the record is WAITING. Under
 * the inbound lock. */
static int
inbound_take(int fd, struct fdstate *st)
{
	struct inbound_wait *w = st->u.bind.wait;
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD), cfl, own;

	if (w->own < 0) {
		log_error("%s: the control connection was closed", w->op.what);
		return -ECONNABORTED;
	}
	cfl = fcntl(w->own, F_GETFL);
	if (fl < 0 || fdfl < 0 || cfl < 0 ||
	    fcntl(w->own, F_SETFL, (cfl & ~O_NONBLOCK) | (fl & O_NONBLOCK)) < 0)
		return -errno;
	/* The old record must not take w along when it goes. */
	st->u.bind.wait = NULL;
	if (fdstate_update(fd, st) < 0)
		return -ESTALE;
	if (real_dup3(w->own, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		st->u.bind.wait = w;
		(void)fdstate_update(fd, st);
		return -errno;
	}
	own = w->own;
	w->own = -1;
	w->op.fd = fd;
	ownfd_release(own);
	(void)real_close(own);
	handshake_resume(&w->op.hs);
	st->u.bind.state = FDSTATE_BIND_WAITING;
	st->u.bind.wait = w;
	if (fdstate_set(fd, st) < 0) {
		/* No record: fd would be a stray connection to the proxy. */
		log_error("%s: cannot record the listener", w->op.what);
		(void)shutdown(fd, SHUT_RDWR);
		free(w);
		return -ENOMEM;
	}
	return 0;
}

int
inbound_listen(const struct runtime *rt, int fd, int backlog)
{
	struct inbound_recent e;
	struct fdstate st;
	int family, rc;
	bool rec;

	rec = fdstate_kind(fd) == FDSTATE_BIND && fdstate_get(fd, &st) &&
	    st.kind == FDSTATE_BIND;
	if (rec && (st.u.bind.state == FDSTATE_BIND_WAITING ||
	    st.u.bind.state == FDSTATE_BIND_SPENT))
		return 0;	/* listening already, through the proxy */
	if (!rec || st.u.bind.state != FDSTATE_BIND_RESERVED) {
		if (!inbound_decide(rt, fd, rec, false, &e, &family)) {
			if (rec)
				(void)fdstate_forget(fd);
			return real_listen(fd, backlog) < 0 ? -errno : 0;
		}
		rc = inbound_reserve(rt, fd, family, &e);
		if (rc < 0)
			return rc;
	}
	inbound_lock();
	if (!fdstate_get(fd, &st) || st.kind != FDSTATE_BIND ||
	    st.u.bind.state == FDSTATE_BIND_CANDIDATE)
		rc = -EBADF;	/* closed meanwhile */
	else if (st.u.bind.state == FDSTATE_BIND_RESERVED)
		rc = inbound_take(fd, &st);
	else if (st.u.bind.state == FDSTATE_BIND_FAILED)
		rc = -st.u.bind.err;
	else
		rc = 0;		/* another thread listened */
	inbound_unlock();
	return rc;
}

/* A failed BIND has no address to give: a program that ignores the error
 * finds the unspecified address of the socket's family, not its own. */
static void
inbound_unspecified(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);

	if (real_getsockname(fd, (struct sockaddr *)&ss, &slen) < 0)
		return;
	if (ss.ss_family == AF_INET)
		slen = sizeof(struct sockaddr_in);
	else if (ss.ss_family == AF_INET6)
		slen = sizeof(struct sockaddr_in6);
	else
		return;
	memset((char *)&ss + sizeof(ss.ss_family), 0,
	    sizeof(ss) - sizeof(ss.ss_family));
	memcpy(addr, &ss, *len < slen ? *len : slen);
	*len = slen;
}

int
inbound_sockname(const struct runtime *rt, int fd, const struct fdstate *st,
    struct sockaddr *addr, socklen_t *len)
{
	const struct sockaddr_storage *ss;
	struct inbound_recent e;
	struct fdstate now;
	socklen_t slen;
	int family, rc;

	if (st->kind == FDSTATE_TCP_PROXIED) {
		if (st->u.tcp.self_len == 0)
			return 1;
		ss = &st->u.tcp.self;
		slen = st->u.tcp.self_len;
	} else if (st->kind != FDSTATE_BIND) {
		return 1;
	} else if (st->u.bind.state == FDSTATE_BIND_FAILED) {
		inbound_unspecified(fd, addr, len);
		return -st->u.bind.err;
	} else if (st->u.bind.state == FDSTATE_BIND_CANDIDATE) {
		/* The program reads its port before it listens (FTP
		 * clients do): the BIND is made now, when it will be. */
		if (!inbound_decide(rt, fd, true, true, &e, &family))
			return 1;
		rc = inbound_reserve(rt, fd, family, &e);
		if (rc < 0)
			return rc;
		if (!fdstate_get(fd, &now) || now.kind != FDSTATE_BIND)
			return -EBADF;
		return inbound_sockname(rt, fd, &now, addr, len);
	} else {
		ss = &st->u.bind.bnd;
		slen = st->u.bind.bnd_len;
	}
	memcpy(addr, ss, *len < slen ? *len : slen);
	*len = slen;
	return 0;
}

int
inbound_connecting(int fd, const struct fdstate *st)
{
	if (st->u.bind.state == FDSTATE_BIND_WAITING ||
	    st->u.bind.state == FDSTATE_BIND_SPENT)
		return -EISCONN;
	/* Never listened on: an ordinary socket (a reserved BIND ends with
	 * the record). */
	(void)fdstate_forget(fd);
	return 0;
}
