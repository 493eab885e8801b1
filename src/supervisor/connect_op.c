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
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/log.h"
#include "runtime/proxy_connect.h"
#include "supervisor/connect_op.h"
#include "supervisor/handle.h"
#include "supervisor/peers.h"

#define CONNECT_PAYLOAD_MAX	65536

struct connect_state {
	struct proxy_op pop;		/* the shared driver: engine, fallbacks */
	struct sockaddr_storage dest;	/* what the program asked for */
	socklen_t destlen;
	bool ok;
	struct connect_payload payload;
};

/* The mapped errno, the reason already logged by the driver, the socket
 * disconnected by it: the program may retry on it. */
static enum op_status
connect_fail(struct op *op, int err)
{
	op->reply.cont = false;
	op->reply.error = err;
	return OP_DONE;
}

static enum op_status
connect_done(struct op *op)
{
	struct connect_state *c = op->state;
	const struct path *path = c->pop.path;
	struct sockaddr_storage via;
	uint8_t buf[CONNECT_PAYLOAD_MAX];
	size_t len = c->payload.len;
	socklen_t vialen;
	ssize_t n = 0;
	int rc;

	/* Our connect() was non-blocking: the socket still counts as
	 * "connecting" until connect() is called again, and a later
	 * connect() of the program would succeed and start a second
	 * handshake inside the tunnel. Now it gets EISCONN, as it should. */
	if (proxy_hop_addr(path->hop[0], c->pop.family, &via, &vialen) == 0)
		(void)connect(op->src.fd, (struct sockaddr *)&via, vialen);
	else
		vialen = 0;
	if (op->sock_cookie != 0)
		(void)peers_add(op->sock_cookie, (struct sockaddr *)&c->dest,
		    c->destlen, (struct sockaddr *)&via, vialen);
	c->ok = true;
	log_debug("%s: backstop for %s", c->pop.what, handle_who(op->pid));
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

/* What the driver says: wait for more, or the end. */
static enum op_status
connect_after(struct op *op, int rc)
{
	struct connect_state *c = op->state;

	if (rc < 0)
		return connect_fail(op, -rc);
	if (rc == 0)
		return connect_done(op);
	op->deadline = c->pop.deadline;
	(void)loop_watch(op->loop, &op->src, rc == POLLOUT ? EPOLLOUT :
	    EPOLLIN);
	return OP_MORE;
}

static enum op_status
connect_ready(struct op *op, uint32_t events)
{
	struct connect_state *c = op->state;

	if (events == 0)	/* the deadline */
		return connect_after(op, proxy_op_expire(&c->pop));
	return connect_after(op, proxy_op_step(&c->pop));
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
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct connect_state *c;
	struct op *op;
	int err;

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
	if (payload != NULL)
		c->payload = *payload;
	memcpy(&c->dest, dest, len);
	c->destlen = len;
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0) {
		/* Connected already: the program's own state, the kernel
		 * would say so. */
		(void)connect_fail(op, EISCONN);
		loop_op_finish(op);
		return LOOP_PENDING;
	}
	proxy_op_start(&c->pop, l->rt, &d->path, fd, handle_sock_domain(fd),
	    SOCKS5_CMD_CONNECT, &d->target, -1);
	if (connect_after(op, proxy_op_step(&c->pop)) == OP_DONE)
		loop_op_finish(op);	/* answers now */
	return LOOP_PENDING;
}
