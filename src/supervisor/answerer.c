/* SPDX-License-Identifier: MIT */
/* The answerer's sockets in the supervisor's loop, and pointing trapped
 * DNS calls at them. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/dnsserve.h"
#include "runtime/log.h"
#include "supervisor/answerer.h"
#include "supervisor/handle.h"
#include "supervisor/peers.h"

/* Index 0: IPv4 (127.0.0.1), 1: IPv6 (::1). */
struct answerer_sock {
	struct loop_source src;
	struct sockaddr_storage addr;
	socklen_t len;
};

struct answerer_conn {
	struct loop_source src;		/* first: the loop hands us &src */
};

/* A socket connected to the sink: its local port (as the sink sees the
 * datagrams come from it), what the program asked for, who it is; said
 * once per socket when its first datagram is dropped. A ring: the oldest
 * goes (its datagrams are then dropped with a line naming no one). */
struct answerer_sunk {
	in_port_t port;			/* 0: free */
	bool said;
	char dest[64];
	char who[64];
};

#define ANSWERER_SUNK_MAX	64

static struct loop *answerer_loop;
static struct answerer_sock answerer_udp[2], answerer_tcp[2], answerer_snk[2];
static struct answerer_sunk answerer_sunk[ANSWERER_SUNK_MAX];
static unsigned answerer_sunk_next;
static bool answerer_sink_noted;

static void
answerer_conn_ready(struct loop_source *src, uint32_t events)
{
	struct answerer_conn *c = (struct answerer_conn *)src;

	(void)events;
	if (dnsserve_stream(answerer_loop->rt, src->fd) < 0) {
		(void)loop_watch(answerer_loop, src, 0);
		(void)close(src->fd);
		free(c);
	}
}

static void
answerer_udp_ready(struct loop_source *src, uint32_t events)
{
	(void)events;
	dnsserve_udp(answerer_loop->rt, src->fd);
}

static void
answerer_tcp_ready(struct loop_source *src, uint32_t events)
{
	struct answerer_conn *c;
	int fd, i;

	(void)events;
	for (i = 0; i < 64; i++) {
		fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			(void)close(fd);
			continue;
		}
		c->src.fd = fd;
		c->src.ready = answerer_conn_ready;
		if (loop_watch(answerer_loop, &c->src, EPOLLIN) < 0) {
			(void)close(fd);
			free(c);
		}
	}
}

static in_port_t
answerer_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port;
	if (ss->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)ss)->sin6_port;
	return 0;
}

/* One dropped datagram from port: said once per socket. */
static void
answerer_dropped(in_port_t port)
{
	unsigned i, k;

	for (i = 0; i < ANSWERER_SUNK_MAX; i++) {
		/* Newest first: a port reused by a later socket is its. */
		k = (answerer_sunk_next + ANSWERER_SUNK_MAX - 1 - i) %
		    ANSWERER_SUNK_MAX;
		if (port == 0 || answerer_sunk[k].port != port)
			continue;
		if (!answerer_sunk[k].said) {
			answerer_sunk[k].said = true;
			log_error("UDP to %s dropped for %s: the backstop does "
			    "not relay UDP (udp = proxy); nothing this socket "
			    "sends leaves", answerer_sunk[k].dest,
			    answerer_sunk[k].who);
		}
		return;
	}
	if (!answerer_sink_noted) {
		answerer_sink_noted = true;
		log_error("backstop: UDP datagrams were dropped: the backstop "
		    "does not relay UDP (udp = proxy)");
	}
}

/* What a program sent to a destination the backstop does not relay. */
static void
answerer_sink_ready(struct loop_source *src, uint32_t events)
{
	struct sockaddr_storage from;
	socklen_t len;
	uint8_t buf[2048];
	int i;

	(void)events;
	for (i = 0; i < 64; i++) {
		len = sizeof(from);
		if (recvfrom(src->fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &len) < 0)
			break;
		answerer_dropped(answerer_port(&from));
	}
}

static int
answerer_open(struct answerer_sock *s, int family, int type,
    void (*ready)(struct loop_source *, uint32_t))
{
	int fd = dnsserve_loopback(family, type, &s->addr, &s->len);

	if (fd < 0)
		return fd;
	s->src.fd = fd;
	s->src.ready = ready;
	return loop_watch(answerer_loop, &s->src, EPOLLIN);
}

int
answerer_init(struct loop *l)
{
	int i;

	answerer_loop = l;
	for (i = 0; i < 2; i++)
		answerer_udp[i].src.fd = answerer_tcp[i].src.fd =
		    answerer_snk[i].src.fd = -1;
	return 0;
}

/* The sockets are opened on first use: a tree that never asks DNS of its
 * own (or sends UDP the backstop does not relay) gets no listener of
 * ours, which would only confuse tools that list a tree's sockets. */
static int
answerer_ensure(void)
{
	static const int fam[2] = { AF_INET, AF_INET6 };
	static int done, status;
	int i, rc;

	if (done)
		return status;
	done = 1;
	for (i = 0; i < 2; i++) {
		rc = answerer_open(&answerer_udp[i], fam[i], SOCK_DGRAM,
		    answerer_udp_ready);
		if (rc == 0)
			rc = answerer_open(&answerer_tcp[i], fam[i],
			    SOCK_STREAM, answerer_tcp_ready);
		if (rc == 0)
			rc = answerer_open(&answerer_snk[i], fam[i],
			    SOCK_DGRAM, answerer_sink_ready);
		/* A machine without IPv6 loopback: IPv6 sockets then reach
		 * the IPv4 ones through v4-mapped addresses. */
		if (rc < 0 && i == 1)
			return 0;
		if (rc < 0) {
			log_error("backstop: cannot open the DNS answerer's "
			    "sockets: %s", strerror(-rc));
			status = rc;
			return rc;
		}
	}
	return 0;
}

/* Our socket of fd's family (an IPv6 one, or v4-mapped IPv4). */
static int
answerer_addr(const struct answerer_sock *pair, int family,
    struct sockaddr_storage *ss, socklen_t *len)
{
	const struct sockaddr_in *s4 =
	    (const struct sockaddr_in *)&pair[0].addr;
	struct sockaddr_in6 *m = (struct sockaddr_in6 *)ss;

	if (family == AF_INET || (family == AF_INET6 &&
	    pair[1].src.fd >= 0)) {
		*ss = pair[family == AF_INET ? 0 : 1].addr;
		*len = pair[family == AF_INET ? 0 : 1].len;
		return 0;
	}
	if (family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(m, 0, sizeof(*m));
	m->sin6_family = AF_INET6;
	m->sin6_port = s4->sin_port;
	m->sin6_addr.s6_addr[10] = 0xff;
	m->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m->sin6_addr.s6_addr[12], &s4->sin_addr, 4);
	*len = sizeof(*m);
	return 0;
}

/* connect() fd to ss, waiting (briefly: loopback) for a TCP connection. */
static int
answerer_connect_to(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t elen = sizeof(int);
	int err = 0;

	if (connect(fd, (const struct sockaddr *)ss, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	if (poll(&pfd, 1, 1000) <= 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
		return -errno;
	/* Called again, the socket counts as connected (EISCONN later). */
	(void)connect(fd, (const struct sockaddr *)ss, len);
	return -err;
}

static int
answerer_point(int fd, const struct answerer_sock *pair,
    const struct sockaddr *dest, socklen_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int rc;

	rc = answerer_ensure();
	if (rc == 0)
		rc = answerer_addr(pair, handle_sock_domain(fd), &ss, &sl);
	if (rc == 0)
		rc = answerer_connect_to(fd, &ss, sl);
	if (rc == 0 && handle_sock_cookie(fd) != 0)
		(void)peers_add(handle_sock_cookie(fd), dest, len,
		    (struct sockaddr *)&ss, sl);
	return rc;
}

int
answerer_connect(struct loop *l, int fd, int socktype,
    const struct sockaddr *dest, socklen_t len)
{
	(void)l;
	return answerer_point(fd, socktype == SOCK_STREAM ? answerer_tcp :
	    answerer_udp, dest, len);
}

int
answerer_sink(struct loop *l, int fd, const struct sockaddr *dest,
    socklen_t len, pid_t pid)
{
	struct answerer_sunk *k;
	struct sockaddr_storage me;
	socklen_t melen = sizeof(me);
	int rc;

	(void)l;
	rc = answerer_point(fd, answerer_snk, dest, len);
	if (rc < 0 || getsockname(fd, (struct sockaddr *)&me, &melen) != 0)
		return rc;
	k = &answerer_sunk[answerer_sunk_next];
	answerer_sunk_next = (answerer_sunk_next + 1) % ANSWERER_SUNK_MAX;
	k->port = answerer_port(&me);
	k->said = false;
	(void)snprintf(k->dest, sizeof(k->dest), "%s", handle_fmt(dest));
	(void)snprintf(k->who, sizeof(k->who), "%s", handle_who(pid));
	return 0;
}

int
answerer_datagram(struct loop *l, int fd, const uint8_t *q, size_t n)
{
	static const uint8_t zero[16];
	struct sockaddr_storage me, any;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&me;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&me;
	socklen_t len = sizeof(me);
	int i, rc;

	rc = answerer_ensure();
	if (rc < 0)
		return rc;
	if (getsockname(fd, (struct sockaddr *)&me, &len) != 0)
		return -errno;
	if ((me.ss_family == AF_INET && s4->sin_port == 0) ||
	    (me.ss_family == AF_INET6 && s6->sin6_port == 0)) {
		/* Bound as the send would have bound it. */
		memset(&any, 0, sizeof(any));
		any.ss_family = me.ss_family;
		len = me.ss_family == AF_INET ? sizeof(*s4) : sizeof(*s6);
		if (bind(fd, (struct sockaddr *)&any, len) != 0)
			return -errno;
		len = sizeof(me);
		if (getsockname(fd, (struct sockaddr *)&me, &len) != 0)
			return -errno;
	}
	if (me.ss_family == AF_INET && s4->sin_addr.s_addr == 0)
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (me.ss_family == AF_INET6 &&
	    memcmp(&s6->sin6_addr, zero, 16) == 0)
		s6->sin6_addr = in6addr_loopback;
	i = me.ss_family == AF_INET6 && answerer_udp[1].src.fd >= 0 ? 1 : 0;
	dnsserve_datagram(l->rt, answerer_udp[i].src.fd, q, n,
	    (struct sockaddr *)&me, len);
	return 0;
}
