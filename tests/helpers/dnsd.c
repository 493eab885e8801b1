/* SPDX-License-Identifier: MIT */
/*
 * Test helper (not installed): serves socksify's DNS answerer on a UDP
 * and a TCP port, so that real resolvers (dig, glibc, c-ares, Go) can be
 * pointed at it.  The configuration is socksify's (SOCKSIFY_CONF...); the
 * name map is the one inherited through SOCKSIFY_NAMEMAP, so a program
 * started in the same socksify tree sees the same placeholders.
 *
 *   dnsd -l ADDR [-p PORT] [-P PORTFILE] [-n COUNT] [-v]
 *
 * -p 0 (the default) lets the kernel choose; UDP and TCP share the port,
 * written to PORTFILE (and "ready PORT" to stdout) once both listen. -n:
 * exit after COUNT queries. -v: each query logged on stderr as "udp|tcp
 * LEN -> LEN". TCP connections may carry several queries (RFC 7766).
 * Exit 0, 1 on a bad usage or socket error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/dns.h"
#include "runtime/dnsanswer.h"
#include "runtime/init.h"

#define MAX_CONN 16

struct conn {
	int fd;
	size_t len;
	uint8_t buf[2 + DNS_MSG_MAX];
};

static struct conn conns[MAX_CONN];
static uint8_t out[2 + DNS_MSG_MAX];
static long served, limit = -1;
static int verbose;

static int
bind_both(const char *addr, unsigned port, int *u, int *t)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "dnsd: bad address '%s'\n", addr);
		return -1;
	}
	*u = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*u < 0 || bind(*u, (struct sockaddr *)&ss, len) != 0 ||
	    getsockname(*u, (struct sockaddr *)&ss, &len) != 0)
		goto fail;
	*t = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*t < 0 ||
	    setsockopt(*t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(*t, (struct sockaddr *)&ss, len) != 0 || listen(*t, 16) != 0)
		goto fail;
	return ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
fail:
	fprintf(stderr, "dnsd: %s port %u: %s\n", addr, port, strerror(errno));
	return -1;
}

static void
serve_udp(const struct runtime *rt, int fd)
{
	uint8_t q[DNS_MSG_MAX];
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	ssize_t n, r;

	n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&peer, &plen);
	if (n < 0)
		return;
	r = dnsanswer_answer(rt, q, (size_t)n, out, DNS_MSG_MAX, 0);
	if (verbose)
		fprintf(stderr, "udp %zd -> %zd\n", n, r);
	if (r > 0 && sendto(fd, out, (size_t)r, 0, (struct sockaddr *)&peer,
	    plen) < 0)
		fprintf(stderr, "dnsd: sendto: %s\n", strerror(errno));
	served++;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read what is there; answer every whole message; 0, or -1 to close. */
static int
serve_tcp(const struct runtime *rt, struct conn *c)
{
	ssize_t n, frame, r;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	while ((frame = dns_tcp_frame(c->buf, c->len, NULL)) > 0) {
		r = dnsanswer_answer(rt, c->buf + 2, (size_t)frame - 2,
		    out + 2, DNS_MSG_MAX, DNSANSWER_TCP);
		if (verbose)
			fprintf(stderr, "tcp %zd -> %zd\n", frame - 2, r);
		served++;
		if (r <= 0)
			return -1;	/* nothing to say: RFC 7766 §6.2.4 */
		(void)dns_tcp_put_length(out, 2, (size_t)r);
		if (write_all(c->fd, out, (size_t)r + 2) < 0)
			return -1;
		memmove(c->buf, c->buf + frame, c->len - (size_t)frame);
		c->len -= (size_t)frame;
	}
	return frame < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *addr = NULL, *portfile = NULL;
	struct pollfd pfd[2 + MAX_CONN];
	const struct runtime *rt;
	unsigned port = 0;
	int opt, u, t, p, i, n, fd;
	FILE *f;

	while ((opt = getopt(argc, argv, "l:p:P:n:v")) != -1) {
		switch (opt) {
		case 'l': addr = optarg; break;
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'P': portfile = optarg; break;
		case 'n': limit = atol(optarg); break;
		case 'v': verbose = 1; break;
		default: addr = NULL; optind = argc + 1; break;
		}
	}
	if (addr == NULL || optind != argc) {
		fprintf(stderr, "usage: dnsd -l ADDR [-p PORT] [-P PORTFILE] "
		    "[-n COUNT] [-v]\n");
		return 1;
	}
	rt = runtime_get();
	if (rt == NULL)
		return 1;
	if (!dnsanswer_active(rt))
		fprintf(stderr, "dnsd: the answerer is off (dns = local): "
		    "every query is refused\n");
	if ((p = bind_both(addr, port, &u, &t)) < 0)
		return 1;
	if (portfile != NULL) {
		f = fopen(portfile, "w");
		if (f == NULL || fprintf(f, "%d\n", p) < 0 || fclose(f) != 0) {
			fprintf(stderr, "dnsd: %s: %s\n", portfile,
			    strerror(errno));
			return 1;
		}
	}
	printf("ready %d\n", p);
	(void)fflush(stdout);
	for (i = 0; i < MAX_CONN; i++)
		conns[i].fd = -1;
	while (limit < 0 || served < limit) {
		pfd[0] = (struct pollfd){ .fd = u, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = t, .events = POLLIN };
		for (i = 0; i < MAX_CONN; i++)
			pfd[2 + i] = (struct pollfd){ .fd = conns[i].fd,
			    .events = POLLIN };
		n = poll(pfd, 2 + MAX_CONN, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		if (pfd[0].revents & POLLIN)
			serve_udp(rt, u);
		if (pfd[1].revents & POLLIN) {
			fd = accept4(t, NULL, NULL, SOCK_CLOEXEC);
			for (i = 0; fd >= 0 && i < MAX_CONN; i++)
				if (conns[i].fd < 0)
					break;
			if (fd >= 0 && i == MAX_CONN)
				(void)close(fd);
			else if (fd >= 0) {
				conns[i].fd = fd;
				conns[i].len = 0;
			}
		}
		for (i = 0; i < MAX_CONN; i++) {
			if (conns[i].fd < 0 || !(pfd[2 + i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (serve_tcp(rt, &conns[i]) < 0) {
				(void)close(conns[i].fd);
				conns[i].fd = -1;
			}
		}
	}
	return 0;
}
