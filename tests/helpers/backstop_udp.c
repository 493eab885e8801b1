/* SPDX-License-Identifier: MIT */
/*
 * backstop_udp: the static program of tests/integration/backstop-udp.sh,
 * built with gcc -static -no-pie ... -luring, so LD_PRELOAD cannot reach
 * it. Standalone: no project headers. Each mode prints one line per step,
 * "ok STEP ..." or "ERR <errno name> STEP", and exits 0 when every step
 * was "ok".
 *
 *   sendto HOST PORT     one datagram with sendto(addr)
 *   sendmsg HOST PORT    one datagram with sendmsg(msg_name = addr)
 *   sendmmsg HOST PORT   two datagrams with addresses in one sendmmsg()
 *   connected HOST PORT  connect(), then getpeername(), write(), send(),
 *                        sendto() without an address, sendmsg() without
 *                        one, and a recv() bounded by 300 ms
 *   uring HOST PORT      liburing: io_uring_queue_init(), then an
 *                        IORING_OP_CONNECT to HOST:PORT (TCP) and its
 *                        completion
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failed;

static const char *
errname(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{ ENOSYS, "ENOSYS" }, { EPERM, "EPERM" }, { EACCES, "EACCES" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EHOSTUNREACH, "EHOSTUNREACH" }, { ENETUNREACH, "ENETUNREACH" },
		{ EAGAIN, "EAGAIN" }, { ENOTCONN, "ENOTCONN" },
		{ EINVAL, "EINVAL" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" },
	};
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* step WHAT RC: report one step; rc < 0 means errno says why. */
static void
step(const char *what, long rc)
{
	if (rc < 0) {
		printf("ERR %s %s\n", errname(errno), what);
		failed = 1;
	} else {
		printf("ok %s %ld\n", what, rc);
	}
}

static socklen_t
addr_of(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*s6);
	}
	fprintf(stderr, "backstop_udp: bad address %s\n", host);
	exit(2);
}

static int
udp_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		step("socket", -1);
		exit(1);
	}
	return fd;
}

static void
mode_send(const char *how, struct sockaddr_storage *ss, socklen_t len)
{
	char d1[] = "socksify-1", d2[] = "socksify-2";
	struct iovec iov[2] = { { d1, sizeof(d1) - 1 }, { d2, sizeof(d2) - 1 } };
	struct mmsghdr mm[2];
	int fd = udp_socket(ss->ss_family);

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_name = mm[1].msg_hdr.msg_name = ss;
	mm[0].msg_hdr.msg_namelen = mm[1].msg_hdr.msg_namelen = len;
	mm[0].msg_hdr.msg_iov = &iov[0];
	mm[1].msg_hdr.msg_iov = &iov[1];
	mm[0].msg_hdr.msg_iovlen = mm[1].msg_hdr.msg_iovlen = 1;
	if (strcmp(how, "sendto") == 0)
		step("sendto", sendto(fd, d1, sizeof(d1) - 1, 0,
		    (struct sockaddr *)ss, len));
	else if (strcmp(how, "sendmsg") == 0)
		step("sendmsg", sendmsg(fd, &mm[0].msg_hdr, 0));
	else
		step("sendmmsg", sendmmsg(fd, mm, 2, 0));
	close(fd);
}

static void
mode_connected(struct sockaddr_storage *ss, socklen_t len)
{
	char d[] = "socksify-c", buf[64];
	struct iovec iov = { d, sizeof(d) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct pollfd p;
	int fd = udp_socket(ss->ss_family), rc;

	step("connect", connect(fd, (struct sockaddr *)ss, len));
	rc = getpeername(fd, (struct sockaddr *)&peer, &plen);
	if (rc == 0 && (plen != len || memcmp(&peer, ss, len) != 0)) {
		printf("ERR mismatch getpeername (not the destination)\n");
		failed = 1;
	} else {
		step("getpeername", rc);
	}
	step("write", write(fd, d, sizeof(d) - 1));
	step("send", send(fd, d, sizeof(d) - 1, 0));
	step("sendto-null", sendto(fd, d, sizeof(d) - 1, 0, NULL, 0));
	step("sendmsg-noname", sendmsg(fd, &m, 0));
	/* Nothing answers: the recv times out (not an error of ours). */
	p.fd = fd;
	p.events = POLLIN;
	rc = poll(&p, 1, 300);
	if (rc == 0)
		printf("ok recv nothing\n");
	else
		step("recv", recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	close(fd);
}

static void
mode_uring(struct sockaddr_storage *ss, socklen_t len)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd, rc;

	rc = io_uring_queue_init(4, &ring, 0);
	if (rc < 0) {
		errno = -rc;
		step("io_uring_setup", -1);
		return;
	}
	printf("ok io_uring_setup 0\n");
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		step("socket", -1);
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)ss, len);
	rc = io_uring_submit(&ring);
	if (rc < 0) {
		errno = -rc;
		step("io_uring_submit", -1);
		return;
	}
	rc = io_uring_wait_cqe(&ring, &cqe);
	if (rc < 0) {
		errno = -rc;
		step("io_uring_wait_cqe", -1);
		return;
	}
	errno = -cqe->res;
	step("uring-connect", cqe->res < 0 ? -1 : cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(fd);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 4) {
		fprintf(stderr, "usage: see the comment in backstop_udp.c\n");
		return 2;
	}
	len = addr_of(argv[2], argv[3], &ss);
	if (strcmp(argv[1], "sendto") == 0 ||
	    strcmp(argv[1], "sendmsg") == 0 ||
	    strcmp(argv[1], "sendmmsg") == 0)
		mode_send(argv[1], &ss, len);
	else if (strcmp(argv[1], "connected") == 0)
		mode_connected(&ss, len);
	else if (strcmp(argv[1], "uring") == 0)
		mode_uring(&ss, len);
	else
		return 2;
	return failed;
}
