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
#include "supervisor/answerer.h"
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
	case POLICY_DNS:
		/* Go's resolver, static glibc, RTLD_DEEPBIND code: pointed at
		 * the answerer, which answers from the tree's name map. */
		rc = answerer_connect(l, fd, d.socktype,
		    (struct sockaddr *)&ss, len);
		(void)close(fd);
		r->cont = false;
		r->error = rc < 0 ? -rc : 0;
		r->val = 0;
		return LOOP_REPLY;
	case POLICY_PROXY:
		break;
	}
	if (d.socktype != SOCK_STREAM) {
		/*
		 * UDP that would need the proxy's relay: the backstop does
		 * not relay it. Connecting sends nothing, and programs do
		 * it to probe routes (Go sorts addresses that way), so the
		 * socket is connected to our sink: nothing it writes
		 * leaves (dropped, said once).
		 */
		rc = answerer_sink(l, fd, (struct sockaddr *)&ss, len,
		    (pid_t)req->pid);
		(void)close(fd);
		r->cont = false;
		r->error = rc < 0 ? -rc : 0;
		r->val = 0;
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
