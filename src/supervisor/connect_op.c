/* SPDX-License-Identifier: MIT */
/* The connect path through the proxy, without blocking the loop: the
 * program's socket is non-blocking only for the instant of our connect()
 * (its file status flags are shared with the program), every send and
 * receive after that uses MSG_DONTWAIT. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/log.h"
#include "supervisor/connect_op.h"
#include "supervisor/handle.h"
#include "supervisor/peers.h"
#include "supervisor/tunnel.h"

#define CONNECT_PAYLOAD_MAX	65536

struct connect_state {
	struct tunnel t;
	struct sockaddr_storage dest;	/* what the program asked for */
	socklen_t destlen;
	struct sockaddr_storage via;	/* the first hop, in the socket's
					   family */
	socklen_t vialen;
	bool touched;			/* we called connect() on it */
	bool connecting;		/* TCP connect to the first hop */
	bool ok;
	uint64_t started;
	struct connect_payload payload;
	char what[SOCKS5_ADDR_STRLEN + 16];	/* "connect HOST:PORT" */
};

/* The first hop's address in the socket's family (an IPv4 proxy from an
 * AF_INET6 socket is reached through a v4-mapped address). */
static int
connect_hop_addr(const struct hop *h, int family, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct socks5_addr a;

	if (h->addr.ss_family == family) {
		memcpy(ss, &h->addr, h->len);
		*len = h->len;
		return 0;
	}
	if (socks5_addr_from_sockaddr(&a, (const struct sockaddr *)&h->addr,
	    h->len) < 0)
		return -EAFNOSUPPORT;
	return socks5_addr_to_sockaddr(&a, family, ss, len);
}

static enum op_status connect_fail(struct op *op, int err, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Log "connect HOST:PORT via HOP: <why>" once, disconnect, answer err. */
static enum op_status
connect_fail(struct op *op, int err, const char *fmt, ...)
{
	struct connect_state *c = op->state;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_error("%s via %s: %s", c->what, tunnel_hop(&c->t)->text, why);
	/* Disconnect what we connected: the program may retry on it. */
	if (c->touched)
		(void)connect(op->src.fd, &unspec, sizeof(unspec));
	op->reply.cont = false;
	op->reply.error = err;
	return OP_DONE;
}

static enum op_status
connect_done(struct op *op)
{
	struct connect_state *c = op->state;
	uint8_t buf[CONNECT_PAYLOAD_MAX];
	size_t len = c->payload.len;
	ssize_t n = 0;
	int rc;

	/* Our connect() was non-blocking: the socket still counts as
	 * "connecting" until connect() is called again, and a later
	 * connect() of the program would succeed and start a second
	 * handshake inside the tunnel. Now it gets EISCONN, as it should. */
	(void)connect(op->src.fd, (struct sockaddr *)&c->via, c->vialen);
	if (op->sock_cookie != 0)
		(void)peers_add(op->sock_cookie, (struct sockaddr *)&c->dest,
		    c->destlen, (struct sockaddr *)&c->via, c->vialen);
	c->ok = true;
	if (log_get_level() >= LOG_LEVEL_INFO)
		log_info("%s via %s: ok (%llu ms, backstop for %s)", c->what,
		    tunnel_hop(&c->t)->text,
		    (unsigned long long)(loop_now_ms() - c->started),
		    handle_who(op->pid));
	if (len > 0) {
		/* TCP Fast Open: connect, then the data, as the library.
		 * The data is read from the task still waiting in the call
		 * (checked), never from a process that took its pid. */
		if (len > sizeof(buf))
			len = sizeof(buf);
		rc = target_read(op->pid, c->payload.addr, buf, len);
		if (rc == 0 && target_valid(op->loop->listener, op->id) < 0)
			rc = -ESRCH;
		if (rc < 0) {
			op->reply.error = -rc;
			return OP_DONE;
		}
		n = send(op->src.fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN) {
			op->reply.error = errno;
			return OP_DONE;
		}
		if (n < 0)
			n = 0;
	}
	op->reply.cont = false;
	op->reply.error = 0;
	op->reply.val = n;
	return OP_DONE;
}

/* Move bytes between the socket and the exchange until it would block. */
static enum op_status
connect_ready(struct op *op, uint32_t events)
{
	struct connect_state *c = op->state;
	uint8_t buf[SOCKS5_MAX_REPLY];
	const uint8_t *out;
	socklen_t elen = sizeof(int);
	size_t want;
	ssize_t n;
	int err = 0;

	if (events == 0)
		return connect_fail(op, ETIMEDOUT, "%s", c->connecting ?
		    "proxy unreachable: connection timed out" :
		    "proxy timed out during the handshake");
	if (c->connecting) {
		if (getsockopt(op->src.fd, SOL_SOCKET, SO_ERROR, &err,
		    &elen) != 0)
			err = errno;
		if (err == 0 && !(events & EPOLLOUT))
			return OP_MORE;
		if (err != 0)
			return connect_fail(op, err, "proxy unreachable: %s",
			    strerror(err));
		c->connecting = false;
	}
	for (;;) {
		n = (ssize_t)tunnel_output(&c->t, &out);
		if (n > 0) {
			n = send(op->src.fd, out, (size_t)n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno == EAGAIN)
				break;
			if (n < 0)
				return connect_fail(op, errno, "sending to the "
				    "proxy failed: %s", strerror(errno));
			tunnel_sent(&c->t, (size_t)n);
			continue;
		}
		want = tunnel_want(&c->t);
		if (want == 0)
			return connect_fail(op, EPROTO, "%s", "handshake "
			    "stalled");
		n = recv(op->src.fd, buf, want, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return connect_fail(op, errno == ECONNRESET ?
			    ECONNRESET : errno, "%s", errno == ECONNRESET ?
			    "proxy closed the connection during the handshake" :
			    strerror(errno));
		if (n == 0)
			return connect_fail(op, ECONNRESET, "%s", "proxy "
			    "closed the connection during the handshake");
		switch (tunnel_feed(&c->t, buf, (size_t)n)) {
		case TUNNEL_MORE:
			continue;
		case TUNNEL_DONE:
			return connect_done(op);
		case TUNNEL_FAIL:
			return connect_fail(op, c->t.err, "%s", c->t.why);
		}
	}
	(void)loop_watch(op->loop, &op->src,
	    tunnel_output(&c->t, &out) > 0 ? EPOLLOUT : EPOLLIN);
	return OP_MORE;
}

/* The reply could not be delivered: the call was interrupted (the kernel
 * restarts it, or returns EINTR) or the caller died. A connection that
 * is up is kept for the restarted call (handle_connect() answers it 0). */
static void
connect_answered(struct op *op, int rc)
{
	struct connect_state *c = op->state;
	struct peers_entry *e;

	if (rc == -ENOENT && c->ok && c->payload.len == 0) {
		e = peers_find(op->sock_cookie);
		if (e != NULL)
			e->unclaimed = true;
	}
}

static void
connect_release(struct op *op)
{
	free(op->state);
}

enum loop_verdict
connect_op_start(struct loop *l, const struct seccomp_notif *req, int fd,
    const struct sockaddr *dest, socklen_t len,
    const struct policy_decision *d, const struct connect_payload *payload,
    struct target_reply *r)
{
	struct connect_state *c;
	char where[SOCKS5_ADDR_STRLEN];
	socklen_t flen = sizeof(int);
	int family = AF_UNSPEC, flags, rc, err;
	struct op *op;

	c = calloc(1, sizeof(*c));
	op = c == NULL ? NULL : loop_op_new(l, req, fd,
	    l->rt->cfg.timeout_ms);
	if (op == NULL) {
		err = errno == EAGAIN ? EAGAIN : ENOMEM;
		log_error("backstop: connect refused: %s", strerror(err));
		free(c);
		(void)close(fd);
		r->cont = false;
		r->error = err;
		return LOOP_REPLY;
	}
	op->state = c;
	op->ready = connect_ready;
	op->answered = connect_answered;
	op->release = connect_release;
	op->sock_cookie = handle_sock_cookie(fd);
	op->reply.error = 0;
	c->started = loop_now_ms();
	if (payload != NULL)
		c->payload = *payload;
	memcpy(&c->dest, dest, len);
	c->destlen = len;
	snprintf(c->what, sizeof(c->what), "connect %s",
	    socks5_addr_format(&d->target, where, sizeof(where)));
	if (l->rt->status < 0) {
		/* A configuration the library could not load either: fail
		 * closed, as it does. */
		log_error("%s: refused, socksify is not configured (%s)",
		    c->what, l->rt->error);
		op->reply.cont = false;
		op->reply.error = -l->rt->status;
		goto answer;
	}
	if (tunnel_start(&c->t, &d->path, &d->target) == TUNNEL_FAIL) {
		(void)connect_fail(op, c->t.err, "%s", c->t.why);
		goto answer;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &flen) != 0 ||
	    connect_hop_addr(d->path.hop[0], family, &c->via,
	    &c->vialen) < 0) {
		(void)connect_fail(op, EAFNOSUPPORT, "%s", "the proxy has an "
		    "IPv6 address and the program's socket is IPv4");
		goto answer;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && !(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	rc = connect(fd, (struct sockaddr *)&c->via, c->vialen);
	err = errno;
	c->touched = rc == 0 || err == EINPROGRESS;
	if (flags >= 0 && !(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags);
	if (rc != 0 && err != EINPROGRESS) {
		if (err == EISCONN || err == EALREADY) {
			/* The program's own state: the kernel would say so. */
			op->reply.cont = false;
			op->reply.error = err;
			goto answer;
		}
		(void)connect_fail(op, err, "proxy unreachable: %s",
		    strerror(err));
		goto answer;
	}
	c->connecting = rc != 0;
	if (loop_watch(l, &op->src, EPOLLOUT) < 0) {
		(void)connect_fail(op, ENOMEM, "%s", "cannot watch the socket");
		goto answer;
	}
	return LOOP_PENDING;
answer:
	loop_op_finish(op);	/* answers now */
	return LOOP_PENDING;
}
