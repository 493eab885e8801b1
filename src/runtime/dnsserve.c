/* SPDX-License-Identifier: MIT */
/* Answers on our own sockets: at once when the answer needs no I/O, else
 * in a detached thread that owns a copy of the socket. */
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/dns.h"
#include "runtime/dnsanswer.h"
#include "runtime/dnsserve.h"
#include "runtime/log.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

#define DNSSERVE_UDP_MAX	4096

struct dnsserve_job {
	const struct runtime *rt;
	unsigned flags;			/* DNSANSWER_TCP */
	int fd;				/* the socket the response goes out on */
	bool owns_fd;			/* a copy of our own (the thread's) */
	struct sockaddr_storage dest;	/* UDP: where it goes */
	socklen_t dest_len;
	size_t qlen;
	uint8_t q[];
};

static void
dnsserve_emit(const struct dnsserve_job *j, const uint8_t *resp, size_t n)
{
	uint8_t len[2];
	struct iovec iov[2] = { { len, 2 }, { (void *)resp, n } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	if (j->flags & DNSANSWER_TCP) {
		if (dns_tcp_put_length(len, sizeof(len), n) == 2)
			(void)real_sendmsg(j->fd, &m, MSG_NOSIGNAL);
		return;
	}
	(void)real_sendto(j->fd, resp, n, MSG_DONTWAIT,
	    (const struct sockaddr *)&j->dest, j->dest_len);
}

static void
dnsserve_free(struct dnsserve_job *j)
{
	if (j->owns_fd && j->fd >= 0) {
		ownfd_release(j->fd);
		(void)real_close(j->fd);
	}
	free(j);
}

static void *
dnsserve_thread(void *arg)
{
	struct dnsserve_job *j = arg;
	uint8_t *resp = malloc(DNS_MSG_MAX);
	ssize_t n;

	if (resp != NULL) {
		n = dnsanswer_answer(j->rt, j->q, j->qlen, resp, DNS_MSG_MAX,
		    j->flags);
		if (n > 0)
			dnsserve_emit(j, resp, (size_t)n);
	}
	free(resp);
	dnsserve_free(j);
	return NULL;
}

static void
dnsserve_fd_moved(int from, int to, intptr_t arg)
{
	struct dnsserve_job *j = (struct dnsserve_job *)arg;

	if (j->fd == from)
		j->fd = to;
}

/* Answer j now if that needs no I/O; else in a thread of its own with a
 * copy of the socket (an own descriptor, out of the program's way).
 * Takes j. */
static void
dnsserve_answer(struct dnsserve_job *j)
{
	/* A datagram's answer fits DNSSERVE_UDP_MAX (no client announces
	 * more than 4096 bytes of EDNS payload in practice; a larger answer
	 * is truncated with TC, and the client asks again over TCP). */
	uint8_t small[DNSSERVE_UDP_MAX], *resp = small;
	size_t cap = sizeof(small);
	sigset_t all, old;
	pthread_attr_t a;
	pthread_t t;
	ssize_t n;
	int rc, dup;

	if (j->flags & DNSANSWER_TCP) {
		resp = malloc(DNS_MSG_MAX);
		cap = DNS_MSG_MAX;
	}
	n = resp == NULL ? -ENOMEM : dnsanswer_answer(j->rt, j->q, j->qlen,
	    resp, cap, j->flags | DNSANSWER_NOWAIT);
	if (n > 0)
		dnsserve_emit(j, resp, (size_t)n);
	if (resp != small)
		free(resp);
	if (n != -EWOULDBLOCK) {
		dnsserve_free(j);
		return;
	}
	dup = fcntl(j->fd, F_DUPFD_CLOEXEC, 0);
	j->fd = dup < 0 ? -1 : ownfd_adopt(dup, true, dnsserve_fd_moved,
	    (intptr_t)j);
	if (j->fd < 0) {
		if (dup >= 0)
			(void)real_close(dup);
		dnsserve_free(j);
		return;
	}
	j->owns_fd = true;
	(void)sigfillset(&all);
	(void)pthread_attr_init(&a);
	(void)pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &a, dnsserve_thread, j);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	(void)pthread_attr_destroy(&a);
	if (rc != 0) {
		log_error("DNS: cannot start a thread for the answer: %s",
		    strerror(rc));
		dnsserve_free(j);
	}
}

static struct dnsserve_job *
dnsserve_job(const struct runtime *rt, unsigned flags, int fd,
    const uint8_t *q, size_t qlen)
{
	struct dnsserve_job *j = calloc(1, sizeof(*j) + qlen);

	if (j != NULL) {
		j->rt = rt;
		j->flags = flags;
		j->fd = fd;
		j->qlen = qlen;
		memcpy(j->q, q, qlen);
	}
	return j;
}

void
dnsserve_datagram(const struct runtime *rt, int fd, const uint8_t *q,
    size_t n, const struct sockaddr *dest, socklen_t destlen)
{
	struct dnsserve_job *j;

	if (destlen > sizeof(j->dest))
		return;
	j = dnsserve_job(rt, 0, fd, q, n);
	if (j == NULL)
		return;
	memcpy(&j->dest, dest, destlen);
	j->dest_len = destlen;
	dnsserve_answer(j);
}

void
dnsserve_udp(const struct runtime *rt, int fd)
{
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		flen = sizeof(from);
		n = real_recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &flen);
		if (n <= 0)
			break;
		dnsserve_datagram(rt, fd, buf, (size_t)n,
		    (struct sockaddr *)&from, flen);
	}
}

int
dnsserve_stream(const struct runtime *rt, int fd)
{
	struct dnsserve_job *j;
	uint8_t *buf;
	ssize_t n, frame;
	size_t need = 0;
	int rc = 0;

	buf = malloc(2 + DNS_MSG_MAX);
	if (buf == NULL)
		return 0;
	for (;;) {
		n = real_recv(fd, buf, 2 + DNS_MSG_MAX, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			rc = -1;	/* closed */
			break;
		}
		if (n < 0)
			break;
		frame = dns_tcp_frame(buf, (size_t)n, &need);
		if (frame < 0) {
			(void)shutdown(fd, SHUT_RDWR);	/* not DNS: EOF */
			rc = -1;
			break;
		}
		if (frame == 0 ||
		    real_recv(fd, buf, (size_t)frame, MSG_DONTWAIT) != frame)
			break;
		j = dnsserve_job(rt, DNSANSWER_TCP, fd, buf + 2,
		    (size_t)frame - 2);
		if (j == NULL)
			break;
		dnsserve_answer(j);
	}
	free(buf);
	return rc;
}

int
dnsserve_loopback(int family, int type, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	int fd, zero = 0, rc;

	fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		*len = sizeof(*s6);
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
		    sizeof(zero));
	} else {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*s4);
	}
	if (real_bind(fd, (struct sockaddr *)ss, *len) != 0 ||
	    (type == SOCK_STREAM && real_listen(fd, 128) != 0) ||
	    real_getsockname(fd, (struct sockaddr *)ss, len) != 0) {
		rc = -errno;
		(void)real_close(fd);
		return rc;
	}
	return fd;
}
