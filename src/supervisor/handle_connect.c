/* SPDX-License-Identifier: MIT */
/* connect(): direct destinations are let through (CONTINUE), refused ones
 * fail like in the library, the rest go through the proxy on the
 * program's own socket (connect_op.c). A connect() restarted after a
 * signal is recognised by the socket's SO_COOKIE: never a second
 * handshake on one socket. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "runtime/log.h"
#include "supervisor/connect_op.h"
#include "supervisor/handle.h"
#include "supervisor/peers.h"
#include "supervisor/policy.h"

enum restart { NOT_RESTARTED, ADOPTED, ANSWERED };

/* A restarted call for a socket whose handshake is still running, or
 * already done for a call that was interrupted. */
static enum restart
handle_restarted(struct loop *l, const struct seccomp_notif *req,
    uint64_t cookie, const struct sockaddr_storage *ss, socklen_t len,
    struct target_reply *r)
{
	struct peers_entry *e;
	struct op *op;

	op = loop_op_find(l, cookie);
	if (op != NULL) {
		if (target_valid(l->listener, op->id) == 0) {
			/* Two threads connecting one socket at once. */
			r->cont = false;
			r->error = EALREADY;
			return ANSWERED;
		}
		/* The first call was interrupted: answer this one. */
		op->id = req->id;
		op->pid = (pid_t)req->pid;
		return ADOPTED;
	}
	e = peers_find(cookie);
	if (e != NULL && e->unclaimed && e->destlen == len &&
	    memcmp(&e->dest, ss, len) == 0) {
		e->unclaimed = false;
		r->cont = false;
		r->error = 0;
		r->val = 0;
		return ANSWERED;
	}
	return NOT_RESTARTED;
}

enum loop_verdict
handle_connect(struct loop *l, const struct seccomp_notif *req,
    struct target_reply *r)
{
	struct policy_decision d = { .socktype = 0 };
	struct sockaddr_storage ss;
	socklen_t len = (socklen_t)req->data.args[2];
	uint64_t cookie;
	int fd, rc;

	rc = handle_sockaddr(req, req->data.args[1], req->data.args[2], &ss,
	    r);
	if (rc <= 0)
		return LOOP_REPLY;
	fd = handle_take_fd(l, req, (int)req->data.args[0], r);
	if (fd < 0)
		return LOOP_REPLY;	/* CONTINUE, or refused */
	if (handle_sock_domain(fd) != ss.ss_family) {
		/* The kernel refuses a foreign family itself; we must not
		 * make such a call succeed through the proxy. */
		(void)close(fd);
		return LOOP_REPLY;
	}
	switch (policy_decide(l->rt, fd, (struct sockaddr *)&ss, len, &d)) {
	case POLICY_DIRECT:
		(void)close(fd);
		return LOOP_REPLY;
	case POLICY_REFUSE:
		(void)close(fd);
		r->cont = false;
		r->error = d.err;
		return LOOP_REPLY;
	case POLICY_PROXY:
		break;
	}
	if (d.socktype != SOCK_STREAM) {
		/* Policy later: UDP ASSOCIATE out of process, or refuse. */
		log_error("UDP to %s refused: the backstop does not relay UDP "
		    "yet (%s)", handle_fmt((struct sockaddr *)&ss),
		    handle_who((pid_t)req->pid));
		(void)close(fd);
		r->cont = false;
		r->error = EACCES;
		return LOOP_REPLY;
	}
	cookie = handle_sock_cookie(fd);
	switch (handle_restarted(l, req, cookie, &ss, len, r)) {
	case ADOPTED:
		(void)close(fd);
		return LOOP_PENDING;
	case ANSWERED:
		(void)close(fd);
		return LOOP_REPLY;
	case NOT_RESTARTED:
		break;
	}
	return connect_op_start(l, req, fd, (struct sockaddr *)&ss, len, &d,
	    NULL, r);
}
