/* SPDX-License-Identifier: MIT */
/* Port-53 traffic answered in process: our private loopback sockets, the
 * delivery of responses, the source rewrite, DNS over TCP. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/dns.h"
#include "runtime/dnsanswer.h"
#include "runtime/dnsport.h"
#include "runtime/dnsserve.h"
#include "runtime/log.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

/* One private socket per family and kind: index 0 IPv4, 1 IPv6. */
struct dnsport_sock {
	int fd;
	struct sockaddr_storage addr;
	socklen_t len;
};

static pthread_mutex_t dnsport_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dnsport_sock dnsport_udp[2] = { { .fd = -1 }, { .fd = -1 } };
static struct dnsport_sock dnsport_tcp[2] = { { .fd = -1 }, { .fd = -1 } };

/* Accepted TCP connections that belong to another thread's connect(). */
#define DNSPORT_STASH 16
static int dnsport_stash[DNSPORT_STASH];
static size_t dnsport_nstash;

static void
dnsport_sock_moved(int from, int to, intptr_t arg)
{
	struct dnsport_sock *s = (struct dnsport_sock *)arg;

	pthread_mutex_lock(&dnsport_lock);
	if (s->fd == from)
		s->fd = to;
	pthread_mutex_unlock(&dnsport_lock);
}

/* Our socket of `type` for `family` (created on first use: bound to the
 * loopback address, an own descriptor). Called with dnsport_lock held. */
static const struct dnsport_sock *
dnsport_sock(int family, int type)
{
	struct dnsport_sock *s = family == AF_INET6 ?
	    (type == SOCK_DGRAM ? &dnsport_udp[1] : &dnsport_tcp[1]) :
	    (type == SOCK_DGRAM ? &dnsport_udp[0] : &dnsport_tcp[0]);
	int fd, own;

	if (s->fd >= 0)
		return s;
	fd = dnsserve_loopback(family, type, &s->addr, &s->len);
	if (fd < 0)
		return NULL;
	own = ownfd_adopt(fd, true, dnsport_sock_moved, (intptr_t)s);
	if (own < 0) {
		(void)real_close(fd);
		return NULL;
	}
	s->fd = own;
	return s;
}

static int
dnsport_family(int fd)
{
	int family = AF_UNSPEC;
	socklen_t len = sizeof(family);

	if (real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) != 0)
		return AF_UNSPEC;
	return family;
}

static uint16_t
dnsport_port(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)ss)->sin6_port :
	    ((const struct sockaddr_in *)ss)->sin_port;
}

/* Where a datagram for fd must go to reach it: its bound address (it is
 * bound first, to the wildcard, as a send would have), the loopback
 * address for a wildcard. */
static int
dnsport_dest(int fd, struct sockaddr_storage *me, socklen_t *len)
{
	static const uint8_t zero[16];
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)me;
	struct sockaddr_in *s4 = (struct sockaddr_in *)me;
	struct sockaddr_storage any;

	*len = sizeof(*me);
	if (real_getsockname(fd, (struct sockaddr *)me, len) != 0)
		return -errno;
	if (dnsport_port(me) == 0) {
		memset(&any, 0, sizeof(any));
		any.ss_family = me->ss_family;
		if (real_bind(fd, (struct sockaddr *)&any, *len) != 0 ||
		    real_getsockname(fd, (struct sockaddr *)me, len) != 0)
			return -errno;
	}
	if (me->ss_family == AF_INET6 &&
	    memcmp(&s6->sin6_addr, zero, 16) == 0)
		s6->sin6_addr = in6addr_loopback;
	else if (me->ss_family == AF_INET && s4->sin_addr.s_addr == 0)
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}

/* ---- UDP ---------------------------------------------------------------- */

static void
dnsport_record_new(struct fdstate *st, int type)
{
	memset(st, 0, sizeof(*st));
	st->kind = FDSTATE_DNS;
	st->u.dns.type = type;
	st->u.dns.peer_fd = -1;
}

ssize_t
dnsport_send(const struct runtime *rt, int fd, const struct sockaddr *to,
    socklen_t tolen, const struct msghdr *msg)
{
	struct sockaddr_storage dest;
	const struct dnsport_sock *s;
	socklen_t dest_len;
	struct fdstate st;
	size_t qlen = 0, i, off = 0;
	uint8_t *q;
	bool have;
	int rc, sfd;

	for (i = 0; i < msg->msg_iovlen; i++)
		qlen += msg->msg_iov[i].iov_len;
	if (qlen > DNS_MSG_MAX)
		return -EMSGSIZE;
	have = fdstate_get(fd, &st) && st.kind == FDSTATE_DNS;
	if (!have)
		dnsport_record_new(&st, SOCK_DGRAM);
	if (to == NULL && !st.u.dns.connected)
		return -EDESTADDRREQ;
	q = malloc(qlen > 0 ? qlen : 1);
	if (q == NULL)
		return -ENOMEM;
	for (i = 0; i < msg->msg_iovlen; i++) {
		memcpy(q + off, msg->msg_iov[i].iov_base,
		    msg->msg_iov[i].iov_len);
		off += msg->msg_iov[i].iov_len;
	}
	if (to != NULL && qlen >= 2 && tolen <= sizeof(st.u.dns.sent[0].to)) {
		/* Remember where this ID went: its answer comes from there. */
		i = st.u.dns.next_sent++ % FDSTATE_DNS_SENT;
		st.u.dns.sent[i].id = (uint16_t)(q[0] << 8 | q[1]);
		memcpy(&st.u.dns.sent[i].to, to, tolen);
		st.u.dns.sent[i].len = tolen;
	}
	rc = have ? fdstate_update(fd, &st) : fdstate_set(fd, &st);
	if (rc == 0)
		rc = dnsport_dest(fd, &dest, &dest_len);
	if (rc == 0) {
		pthread_mutex_lock(&dnsport_lock);
		s = dnsport_sock(dest.ss_family, SOCK_DGRAM);
		sfd = s != NULL ? s->fd : -1;
		pthread_mutex_unlock(&dnsport_lock);
		if (sfd < 0)
			rc = -ENOBUFS;
		else
			dnsserve_datagram(rt, sfd, q, qlen,
			    (struct sockaddr *)&dest, dest_len);
	}
	free(q);
	return rc < 0 ? rc : (ssize_t)qlen;
}

void
dnsport_fix_source(const struct fdstate *st, struct msghdr *msg,
    const void *buf, size_t n)
{
	const struct fdstate_dns *d = &st->u.dns;
	const struct dnsport_sock *s = NULL;
	const uint8_t *p = buf;
	const void *src = NULL;
	socklen_t len = 0;
	uint16_t id;
	size_t i, k;

	if (msg->msg_name == NULL || d->type != SOCK_DGRAM)
		return;
	pthread_mutex_lock(&dnsport_lock);
	for (i = 0; i < 2; i++) {
		if (dnsport_udp[i].fd >= 0 &&
		    msg->msg_namelen == dnsport_udp[i].len &&
		    memcmp(msg->msg_name, &dnsport_udp[i].addr,
		    dnsport_udp[i].len) == 0)
			s = &dnsport_udp[i];
	}
	pthread_mutex_unlock(&dnsport_lock);
	if (s == NULL)
		return;		/* not one of our answers */
	if (d->connected) {
		src = &d->server;
		len = d->server_len;
	} else if (n >= 2) {
		id = (uint16_t)(p[0] << 8 | p[1]);
		for (k = 0; k < FDSTATE_DNS_SENT; k++) {
			i = (d->next_sent + FDSTATE_DNS_SENT - 1 - k) %
			    FDSTATE_DNS_SENT;
			if (d->sent[i].len == 0)
				continue;
			if (src == NULL || d->sent[i].id == id) {
				src = &d->sent[i].to;
				len = d->sent[i].len;
			}
			if (d->sent[i].id == id)
				break;
		}
	}
	if (src == NULL)
		return;
	/* The caller's buffer size is what it was given (msg_namelen is
	 * the length received, at most that). */
	memcpy(msg->msg_name, src, len);
	msg->msg_namelen = len;
}

/* ---- TCP ----------------------------------------------------------------- */

static void
dnsport_peer_moved(int from, int to, intptr_t arg)
{
	struct fdstate st;
	int fd = (int)arg;

	if (!fdstate_get(fd, &st) || st.kind != FDSTATE_DNS ||
	    st.u.dns.peer_fd != from)
		return;
	st.u.dns.peer_fd = to;
	(void)fdstate_update(fd, &st);
}

/* Our end of fd's connection to the listener: the accepted connection
 * whose peer is fd's own address (another thread's may come first: it
 * is kept for it). Called with dnsport_lock held. */
static int
dnsport_accept(const struct dnsport_sock *l, int fd)
{
	struct sockaddr_storage me, them;
	socklen_t mlen = sizeof(me), tlen;
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	size_t i;
	int c, tries;

	if (real_getsockname(fd, (struct sockaddr *)&me, &mlen) != 0)
		return -errno;
	for (tries = 0; tries < 64; tries++) {
		for (i = 0; i < dnsport_nstash; i++) {
			tlen = sizeof(them);
			if (real_getpeername(dnsport_stash[i],
			    (struct sockaddr *)&them, &tlen) == 0 &&
			    tlen == mlen && memcmp(&them, &me, mlen) == 0) {
				c = dnsport_stash[i];
				dnsport_stash[i] = dnsport_stash[--dnsport_nstash];
				return c;
			}
		}
		/* Loopback: the connection is (nearly) there already. */
		if (real_poll(&pfd, 1, 1000) <= 0)
			return -ETIMEDOUT;
		c = real_accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (dnsport_nstash < DNSPORT_STASH)
			dnsport_stash[dnsport_nstash++] = c;
		else
			(void)real_close(c);
	}
	return -ETIMEDOUT;
}

int
dnsport_connect(const struct runtime *rt, int fd, int socktype,
    const struct sockaddr *sa, socklen_t len)
{
	const struct dnsport_sock *s;
	struct sockaddr_storage to;
	socklen_t tolen = 0;
	struct fdstate st;
	int family = dnsport_family(fd), rc, err = 0, peer;

	(void)rt;
	if ((family != AF_INET && family != AF_INET6) ||
	    len > sizeof(st.u.dns.server))
		return -EAFNOSUPPORT;
	pthread_mutex_lock(&dnsport_lock);
	s = dnsport_sock(family, socktype);
	if (s != NULL) {
		to = s->addr;
		tolen = s->len;
	}
	pthread_mutex_unlock(&dnsport_lock);
	if (s == NULL) {
		log_error("DNS: cannot open the answerer's loopback socket");
		return -ENOBUFS;
	}
	rc = real_connect(fd, (struct sockaddr *)&to, tolen);
	if (rc < 0 && errno != EINPROGRESS)
		return -errno;
	if (rc < 0)
		err = EINPROGRESS;
	dnsport_record_new(&st, socktype);
	st.u.dns.connected = true;
	memcpy(&st.u.dns.server, sa, len);
	st.u.dns.server_len = len;
	if (socktype == SOCK_STREAM) {
		pthread_mutex_lock(&dnsport_lock);
		peer = dnsport_accept(s, fd);
		pthread_mutex_unlock(&dnsport_lock);
		if (peer >= 0)
			peer = ownfd_adopt(peer, true, dnsport_peer_moved, fd);
		if (peer < 0) {
			log_error("DNS over TCP: the answerer did not take the "
			    "connection: %s", strerror(-peer));
			return peer;
		}
		st.u.dns.peer_fd = peer;
		(void)fdstate_cookie(peer, &st.u.dns.peer_cookie);
	}
	rc = fdstate_set(fd, &st);
	if (rc < 0)
		return rc;
	return err != 0 ? -err : 0;
}

/* Datagrams sent to our private sockets by paths no hook sees (a
 * connected DNS socket is connected to one): answered back to the
 * sender. */
static void
dnsport_pump_udp(const struct runtime *rt)
{
	int i, fd;

	for (i = 0; i < 2; i++) {
		pthread_mutex_lock(&dnsport_lock);
		fd = dnsport_udp[i].fd;
		pthread_mutex_unlock(&dnsport_lock);
		if (fd >= 0)
			dnsserve_udp(rt, fd);
	}
}

void
dnsport_pump(const struct runtime *rt, int fd, const struct fdstate *st)
{
	(void)fd;
	if (st->kind != FDSTATE_DNS)
		return;
	if (st->u.dns.type == SOCK_STREAM && st->u.dns.peer_fd >= 0)
		(void)dnsserve_stream(rt, st->u.dns.peer_fd);
	else if (st->u.dns.connected)
		dnsport_pump_udp(rt);
}
