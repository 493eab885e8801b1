/* SPDX-License-Identifier: MIT */
/* The runtime tests' fake SOCKS5 peer (see rt.h): no authentication,
 * CONNECT with an echo behind it, UDP ASSOCIATE with a relay that echoes
 * each datagram as if its destination answered, BIND with a listener of
 * its own. Written from RFC 1928,
 * sharing no code with the library it tests. One thread per connection. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

static bool
peer_read(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool
peer_write(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* "HOST:PORT" from an ATYP + address + port; the length consumed, or 0. */
static size_t
peer_addr_text(const unsigned char *a, size_t len, char *out, size_t cap)
{
	char host[256];
	size_t alen;

	if (len < 1)
		return 0;
	switch (a[0]) {
	case 1:
		alen = 4;
		if (len < 1 + alen + 2)
			return 0;
		inet_ntop(AF_INET, a + 1, host, sizeof(host));
		break;
	case 4:
		alen = 16;
		if (len < 1 + alen + 2)
			return 0;
		inet_ntop(AF_INET6, a + 1, host, sizeof(host));
		break;
	case 3:
		if (len < 2)
			return 0;
		alen = 1 + a[1];
		if (len < 1 + alen + 2)
			return 0;
		memcpy(host, a + 2, a[1]);
		host[a[1]] = '\0';
		break;
	default:
		return 0;
	}
	snprintf(out, cap, "%s:%u", host, (a[1 + alen] << 8) | a[2 + alen]);
	return 1 + alen + 2;
}

struct peer_conn {
	struct rt_peer *p;
	int fd;
};

struct peer_relay {
	struct rt_peer *p;
	int ufd;
	atomic_bool stop;
};

/* The UDP relay: every datagram (RSV RSV FRAG ATYP DST PORT DATA) is
 * recorded and sent back with the same header, as if DST answered. */
static void *
peer_relay_main(void *arg)
{
	struct peer_relay *r = arg;
	struct sockaddr_storage from;
	unsigned char buf[65536];
	char target[300];
	socklen_t flen;
	ssize_t n;
	size_t h;

	while (!atomic_load(&r->stop)) {
		struct pollfd pfd = { .fd = r->ufd, .events = POLLIN };

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		flen = sizeof(from);
		n = recvfrom(r->ufd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &flen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		h = n >= 3 && buf[2] == 0 ?
		    peer_addr_text(buf + 3, (size_t)n - 3, target,
		    sizeof(target)) : 0;
		pthread_mutex_lock(&r->p->mu);
		if (h == 0) {
			r->p->bad++;
		} else {
			r->p->datagrams++;
			r->p->udp_len = (size_t)n - 3 - h;
			if (r->p->udp_len > sizeof(r->p->udp))
				r->p->udp_len = sizeof(r->p->udp);
			memcpy(r->p->udp, buf + 3 + h, r->p->udp_len);
			snprintf(r->p->udp_target, sizeof(r->p->udp_target),
			    "%s", target);
		}
		pthread_mutex_unlock(&r->p->mu);
		if (h != 0)
			(void)sendto(r->ufd, buf, (size_t)n, 0,
			    (struct sockaddr *)&from, flen);
	}
	return NULL;
}

static void
peer_associate(struct rt_peer *p, int fd)
{
	struct sockaddr_in sin = rt_sin("127.0.0.1", 0);
	unsigned char rep[10] = { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 };
	struct peer_relay r = { .p = p };
	socklen_t len = sizeof(sin);
	pthread_t t;
	char c;

	r.ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r.ufd < 0 || bind(r.ufd, (struct sockaddr *)&sin,
	    sizeof(sin)) != 0 || getsockname(r.ufd, (struct sockaddr *)&sin,
	    &len) != 0 || pthread_create(&t, NULL, peer_relay_main, &r) != 0)
		return;
	memcpy(rep + 8, &sin.sin_port, 2);
	pthread_mutex_lock(&p->mu);
	p->associates++;
	pthread_mutex_unlock(&p->mu);
	/* The association lives as long as the control connection. */
	if (peer_write(fd, rep, sizeof(rep)))
		while (read(fd, &c, 1) > 0)
			;
	atomic_store(&r.stop, true);
	(void)pthread_join(t, NULL);
	(void)close(r.ufd);
	pthread_mutex_lock(&p->mu);
	p->ended++;
	pthread_mutex_unlock(&p->mu);
}

/* Both ways between a and b until either side ends. */
static void
peer_relay_tcp(int a, int b)
{
	struct pollfd pfd[2] = { { .fd = a, .events = POLLIN },
	    { .fd = b, .events = POLLIN } };
	unsigned char buf[4096];
	ssize_t n;
	int i;

	for (;;) {
		if (poll(pfd, 2, 10000) <= 0)
			return;
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n <= 0 || !peer_write(pfd[1 - i].fd, buf, (size_t)n))
				return;
		}
	}
}

/* RFC 1928 sec. 4: the first reply names our listener, the second the
 * host that connected to it; then the connection is relayed. */
static void
peer_bind(struct rt_peer *p, int fd)
{
	unsigned char rep[10] = { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 };
	struct sockaddr_in sin = rt_sin("127.0.0.1", 0);
	socklen_t len = sizeof(sin);
	enum rt_bind_mode mode;
	struct pollfd pfd;
	int l, c;

	pthread_mutex_lock(&p->mu);
	p->binds++;
	mode = p->bind_mode;
	pthread_mutex_unlock(&p->mu);
	if (mode == RT_BIND_REFUSE) {
		rep[1] = 7;
		(void)peer_write(fd, rep, sizeof(rep));
		return;
	}
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) != 0) {
		if (l >= 0)
			(void)close(l);
		return;
	}
	memcpy(rep + 8, &sin.sin_port, 2);
	if (mode == RT_BIND_UNSPEC)
		memset(rep + 4, 0, 4);
	pthread_mutex_lock(&p->mu);
	p->bind_port = ntohs(sin.sin_port);
	pthread_mutex_unlock(&p->mu);
	if (!peer_write(fd, rep, sizeof(rep)) || mode == RT_BIND_CLOSE) {
		(void)close(l);
		return;
	}
	pfd.fd = l;
	pfd.events = POLLIN;
	len = sizeof(sin);
	c = poll(&pfd, 1, 10000) == 1 ?
	    accept(l, (struct sockaddr *)&sin, &len) : -1;
	(void)close(l);
	if (c < 0)
		return;
	memcpy(rep + 4, &sin.sin_addr, 4);
	memcpy(rep + 8, &sin.sin_port, 2);
	if (peer_write(fd, rep, sizeof(rep))) {
		pthread_mutex_lock(&p->mu);
		p->bind_peers++;
		pthread_mutex_unlock(&p->mu);
		peer_relay_tcp(fd, c);
	}
	(void)close(c);
}

/* Something beyond what the protocol has sent so far is already there:
 * the program wrote before the tunnel was up. */
static void
peer_check_early(struct rt_peer *p, int fd)
{
	char c;

	if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1) {
		pthread_mutex_lock(&p->mu);
		p->early++;
		pthread_mutex_unlock(&p->mu);
	}
}

/* Wait (10 s at most) while the test holds replies; false: be silent. */
static bool
peer_wait_gate(struct rt_peer *p, unsigned *rep)
{
	struct timespec until;
	bool silent;

	(void)clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&p->mu);
	p->gated++;
	while (p->hold && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
		;
	silent = p->silent;
	*rep = p->rep;
	pthread_mutex_unlock(&p->mu);
	return !silent;
}

void
rt_peer_hold(struct rt_peer *p, bool hold)
{
	pthread_mutex_lock(&p->mu);
	p->hold = hold;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *
peer_conn_main(void *arg)
{
	struct peer_conn *c = arg;
	struct rt_peer *p = c->p;
	unsigned char buf[4096], req[262 + 4];
	unsigned char ok[10] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	char target[300];
	size_t need, n;
	ssize_t got;
	unsigned rep;
	int fd = c->fd;

	free(c);
	/* Greeting: VER NMETHODS METHODS; we take "no authentication". */
	if (!peer_read(fd, buf, 2) || buf[0] != 5 ||
	    !peer_read(fd, buf + 2, buf[1]))
		goto bad;
	if (!peer_wait_gate(p, &rep)) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		goto out;
	}
	peer_check_early(p, fd);
	if (!peer_write(fd, "\5\0", 2))
		goto bad;
	/* Request: VER CMD RSV ATYP ADDR PORT. */
	if (!peer_read(fd, req, 5) || req[0] != 5)
		goto bad;
	need = req[3] == 1 ? 4 + 2 - 1 : req[3] == 4 ? 16 + 2 - 1 :
	    req[3] == 3 ? (size_t)req[4] + 2 : 0;
	if (need == 0 || !peer_read(fd, req + 5, need))
		goto bad;
	n = peer_addr_text(req + 3, 2 + need, target, sizeof(target));
	if (n == 0)
		goto bad;
	pthread_mutex_lock(&p->mu);
	snprintf(p->last_target, sizeof(p->last_target), "%s", target);
	pthread_mutex_unlock(&p->mu);
	if (req[1] == 3) {
		peer_associate(p, fd);
		goto out;
	}
	if (req[1] == 2) {
		pthread_mutex_lock(&p->mu);
		snprintf(p->bind_target, sizeof(p->bind_target), "%s", target);
		pthread_mutex_unlock(&p->mu);
		peer_bind(p, fd);
		goto out;
	}
	peer_check_early(p, fd);
	ok[1] = (unsigned char)rep;
	pthread_mutex_lock(&p->mu);
	if (p->connect_bnd) {
		(void)inet_pton(AF_INET, RT_CONNECT_BND, ok + 4);
		ok[8] = RT_CONNECT_BND_PORT >> 8;
		ok[9] = RT_CONNECT_BND_PORT & 0xff;
	}
	pthread_mutex_unlock(&p->mu);
	if (req[1] != 1 || !peer_write(fd, ok, sizeof(ok)))
		goto bad;
	if (rep != 0)
		goto out;
	pthread_mutex_lock(&p->mu);
	p->connects++;
	pthread_mutex_unlock(&p->mu);
	/* The tunnel: record every byte, echo it back. */
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		pthread_mutex_lock(&p->mu);
		n = (size_t)got;
		if (n > sizeof(p->data) - p->data_len)
			n = sizeof(p->data) - p->data_len;
		memcpy(p->data + p->data_len, buf, n);
		p->data_len += n;
		pthread_mutex_unlock(&p->mu);
		if (!peer_write(fd, buf, (size_t)got))
			break;
	}
	goto out;
bad:
	pthread_mutex_lock(&p->mu);
	p->bad++;
	pthread_mutex_unlock(&p->mu);
out:
	(void)close(fd);
	return NULL;
}

static void *
peer_main(void *arg)
{
	struct rt_peer *p = arg;
	struct peer_conn *c;
	pthread_t t;
	int fd;

	for (;;) {
		fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			break;
		c = malloc(sizeof(*c));
		if (c == NULL) {
			(void)close(fd);
			continue;
		}
		c->p = p;
		c->fd = fd;
		if (pthread_create(&t, NULL, peer_conn_main, c) != 0) {
			free(c);
			(void)close(fd);
			continue;
		}
		(void)pthread_detach(t);
	}
	return NULL;
}

void
rt_peer_start(struct rt_peer *p)
{
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(pthread_mutex_init(&p->mu, NULL), 0);
	ck_assert_int_eq(pthread_cond_init(&p->cv, NULL), 0);
	p->lfd = rt_listen_loopback(&p->port);
	ck_assert_int_eq(pthread_create(&p->thread, NULL, peer_main, p), 0);
	ck_assert_int_eq(pthread_detach(p->thread), 0);
}

void
rt_peer_set(struct rt_peer *p, enum rt_bind_mode mode, bool connect_bnd)
{
	pthread_mutex_lock(&p->mu);
	p->bind_mode = mode;
	p->connect_bnd = connect_bnd;
	pthread_mutex_unlock(&p->mu);
}

void
rt_peer_snapshot(struct rt_peer *p, struct rt_peer *out)
{
	pthread_mutex_lock(&p->mu);
	memcpy(out, p, sizeof(*out));
	pthread_mutex_unlock(&p->mu);
}

/* Wait (up to 5 s) until *count, a counter of p, reaches n. */
static bool
peer_wait_count(struct rt_peer *p, const unsigned *count, unsigned n)
{
	unsigned v;
	int i;

	for (i = 0; i < 500; i++) {
		pthread_mutex_lock(&p->mu);
		v = *count;
		pthread_mutex_unlock(&p->mu);
		if (v >= n)
			return true;
		(void)usleep(10000);
	}
	return false;
}

bool
rt_peer_wait_ended(struct rt_peer *p, unsigned n)
{
	return peer_wait_count(p, &p->ended, n);
}

bool
rt_peer_wait_gated(struct rt_peer *p, unsigned n)
{
	return peer_wait_count(p, &p->gated, n);
}
