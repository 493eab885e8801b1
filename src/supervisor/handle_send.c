/* SPDX-License-Identifier: MIT */
/* sendto()/sendmsg()/sendmmsg() with a destination address. The filter
 * traps sendto only with an address; sendmsg and sendmmsg always (their
 * address is in memory): without one they are let through at once.
 * Datagrams to direct destinations are let through; datagrams that would
 * need the proxy are refused with EACCES and one line (the backstop does
 * not relay UDP; a connect()ed UDP socket is pointed at the sink instead,
 * answerer.c); TCP Fast Open goes through the proxy like connect(). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime/log.h"
#include "supervisor/answerer.h"
#include "supervisor/connect_op.h"
#include "supervisor/handle.h"
#include "supervisor/policy.h"

#define HANDLE_MMSG_MAX	1024	/* UIO_MAXIOV: the kernel's own limit */

/* A datagram to port 53: its payload read from the task still waiting
 * in the call, answered to the socket's own address; the call "sent" it
 * (its length). */
static enum loop_verdict
handle_dns_datagram(struct loop *l, const struct seccomp_notif *req, int fd,
    const struct connect_payload *payload, struct target_reply *r)
{
	uint8_t q[4096];
	size_t n;
	int rc;

	if (payload == NULL) {
		r->cont = false;
		r->error = EINVAL;
		return LOOP_REPLY;
	}
	n = payload->len < sizeof(q) ? (size_t)payload->len : sizeof(q);
	rc = target_read((pid_t)req->pid, payload->addr, q, n);
	if (rc == 0 && target_valid(l->listener, req->id) < 0)
		rc = -ESRCH;
	if (rc == 0)
		rc = answerer_datagram(l, fd, q, n);
	r->cont = false;
	r->error = rc < 0 ? -rc : 0;
	r->val = rc < 0 ? 0 : (int64_t)payload->len;
	return LOOP_REPLY;
}

/* One destination of a send on socket fd (ours), decided (a, *d): the
 * decision is made once per destination, so a refusal is said once. */
static enum loop_verdict
handle_decided(struct loop *l, const struct seccomp_notif *req, int fd,
    const struct sockaddr_storage *ss, socklen_t len, int flags,
    const struct connect_payload *payload, enum policy_action a,
    struct policy_decision *dp, struct target_reply *r)
{
	struct policy_decision d = *dp;

	switch (a) {
	case POLICY_DIRECT:
		return LOOP_REPLY;
	case POLICY_REFUSE:
		r->cont = false;
		r->error = d.err;
		return LOOP_REPLY;
	case POLICY_DNS:
		if (d.socktype == SOCK_DGRAM)
			return handle_dns_datagram(l, req, fd, payload, r);
		if (!(flags & MSG_FASTOPEN))
			return LOOP_REPLY;	/* TCP ignores the address */
		r->cont = false;
		r->error = EOPNOTSUPP;	/* DNS with Fast Open: none seen */
		return LOOP_REPLY;
	case POLICY_PROXY:
		break;
	}
	if (d.socktype == SOCK_STREAM) {
		if (!(flags & MSG_FASTOPEN) || payload == NULL ||
		    handle_sock_domain(fd) != ss->ss_family)
			return LOOP_REPLY;	/* TCP ignores the address, or
						   the kernel refuses it */
		fd = dup(fd);	/* the op owns its own copy */
		if (fd < 0) {
			r->cont = false;
			r->error = errno;
			return LOOP_REPLY;
		}
		return connect_op_start(l, req, fd,
		    (const struct sockaddr *)ss, len, &d, payload, r);
	}
	/* Fail closed: sent with an address, the datagram is refused. (A
	 * connected socket was pointed at the sink instead: connecting
	 * sends nothing, and programs do it to probe routes.) */
	log_error("UDP to %s refused for %s: the backstop does not relay "
	    "UDP (udp = proxy)", handle_fmt((const struct sockaddr *)ss),
	    handle_who((pid_t)req->pid));
	r->cont = false;
	r->error = EACCES;
	return LOOP_REPLY;
}

/* One destination of a send on socket fd (ours). */
static enum loop_verdict
handle_dest(struct loop *l, const struct seccomp_notif *req, int fd,
    const struct sockaddr_storage *ss, socklen_t len, int flags,
    const struct connect_payload *payload, struct target_reply *r)
{
	struct policy_decision d = { .socktype = 0 };
	enum policy_action a;

	a = policy_decide(l->rt, fd, (const struct sockaddr *)ss, len, &d);
	return handle_decided(l, req, fd, ss, len, flags, payload, a, &d, r);
}

/* A send to (addr, addrlen) on the target's descriptor sockfd. */
static enum loop_verdict
handle_send_to(struct loop *l, const struct seccomp_notif *req, int sockfd,
    uint64_t addr, uint64_t addrlen, int flags,
    const struct connect_payload *payload, struct target_reply *r)
{
	struct sockaddr_storage ss;
	enum loop_verdict v;
	int fd;

	if (handle_sockaddr(req, addr, addrlen, &ss, r) <= 0)
		return LOOP_REPLY;
	fd = handle_take_fd(l, req, sockfd, r);
	if (fd < 0)
		return LOOP_REPLY;
	v = handle_dest(l, req, fd, &ss, (socklen_t)addrlen, flags, payload,
	    r);
	(void)close(fd);
	return v;
}

enum loop_verdict
handle_sendto(struct loop *l, const struct seccomp_notif *req,
    struct target_reply *r)
{
	struct connect_payload p = { req->data.args[1], req->data.args[2] };

	return handle_send_to(l, req, (int)req->data.args[0],
	    req->data.args[4], req->data.args[5], (int)req->data.args[3], &p,
	    r);
}

/* The payload of a one-iovec message, for TCP Fast Open; else NULL
 * (more iovecs: only the first is sent with the connect). */
static const struct connect_payload *
handle_msg_payload(const struct seccomp_notif *req, const struct msghdr *m,
    struct connect_payload *p)
{
	struct iovec iov;

	if (m->msg_iovlen < 1 || target_read((pid_t)req->pid,
	    (uintptr_t)m->msg_iov, &iov, sizeof(iov)) < 0)
		return NULL;
	p->addr = (uintptr_t)iov.iov_base;
	p->len = iov.iov_len;
	return p;
}

enum loop_verdict
handle_sendmsg(struct loop *l, const struct seccomp_notif *req,
    struct target_reply *r)
{
	struct connect_payload p;
	struct msghdr m;
	int rc;

	rc = target_read((pid_t)req->pid, req->data.args[1], &m, sizeof(m));
	if (rc < 0 && rc != -EFAULT && rc != -ESRCH) {
		handle_refuse_unreadable(req, -rc, r);
		return LOOP_REPLY;
	}
	if (rc < 0 || m.msg_name == NULL || m.msg_namelen == 0)
		return LOOP_REPLY;	/* no address: nothing to judge */
	return handle_send_to(l, req, (int)req->data.args[0],
	    (uintptr_t)m.msg_name, m.msg_namelen, (int)req->data.args[2],
	    handle_msg_payload(req, &m, &p), r);
}

/* Every message with an address must be allowed, or the whole call is
 * refused (the kernel would send the first ones; we cannot send part of
 * a batch and let the rest through). */
enum loop_verdict
handle_sendmmsg(struct loop *l, const struct seccomp_notif *req,
    struct target_reply *r)
{
	static struct mmsghdr v[HANDLE_MMSG_MAX];
	struct policy_decision d;
	struct connect_payload p;
	struct sockaddr_storage ss;
	enum policy_action a;
	unsigned int n = (unsigned int)req->data.args[2], i, dns = 0, other = 0;
	int fd = -1, rc;

	if (n > HANDLE_MMSG_MAX)
		n = HANDLE_MMSG_MAX;
	rc = target_read((pid_t)req->pid, req->data.args[1], v,
	    n * sizeof(v[0]));
	if (rc < 0 && rc != -EFAULT && rc != -ESRCH) {
		handle_refuse_unreadable(req, -rc, r);
		return LOOP_REPLY;
	}
	if (rc < 0)
		return LOOP_REPLY;
	for (i = 0; i < n && r->cont && r->error == 0; i++) {
		if (v[i].msg_hdr.msg_name == NULL ||
		    v[i].msg_hdr.msg_namelen == 0) {
			other++;
			continue;
		}
		rc = handle_sockaddr(req, (uintptr_t)v[i].msg_hdr.msg_name,
		    v[i].msg_hdr.msg_namelen, &ss, r);
		if (rc <= 0) {
			other++;
			continue;
		}
		if (fd < 0)
			fd = handle_take_fd(l, req, (int)req->data.args[0], r);
		if (fd < 0)
			break;
		d.socktype = 0;
		a = policy_decide(l->rt, fd, (const struct sockaddr *)&ss,
		    v[i].msg_hdr.msg_namelen, &d);
		if (a == POLICY_DNS && d.socktype == SOCK_DGRAM) {
			/* Answered here; the batch is then all ours. */
			if (handle_msg_payload(req, &v[i].msg_hdr, &p) == NULL ||
			    handle_dns_datagram(l, req, fd, &p, r) !=
			    LOOP_REPLY || r->error != 0)
				break;
			r->cont = true;
			dns++;
			continue;
		}
		other++;
		/* No Fast Open through a batch: one connect per socket. */
		(void)handle_decided(l, req, fd, &ss, v[i].msg_hdr.msg_namelen,
		    (int)req->data.args[3] & ~MSG_FASTOPEN, NULL, a, &d, r);
	}
	if (dns > 0 && r->error == 0) {
		r->cont = false;
		if (other > 0) {
			/* Part ours, part the kernel's: cannot be split. */
			log_error("backstop: a sendmmsg() batch of %s mixes DNS "
			    "and other destinations: refused",
			    handle_who((pid_t)req->pid));
			r->error = EACCES;
		} else {
			r->val = n;
		}
	}
	if (fd >= 0)
		(void)close(fd);
	return LOOP_REPLY;
}
