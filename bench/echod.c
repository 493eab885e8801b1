/*
 * echod: target server for the socksify benchmark.
 *
 *   echod -a ADDR -e ECHOPORT -s SINKPORT [-A ALLOWED_SRC] [-1]
 *
 * One thread, epoll, non-blocking sockets.
 *  - ECHOPORT echoes what it reads.  With -1 it closes right after the
 *    first echo (the benchmark's 1-byte exchange), so the server side takes
 *    the active close and TIME_WAIT never pins the proxy's bound ports.
 *  - SINKPORT reads an 8-byte little-endian length L, then discards L
 *    bytes and answers the 8-byte count it received, then closes.  (A
 *    length prefix rather than a half-close: microsocks closes both sides
 *    as soon as one side reaches EOF.)
 *  - With -A, a connection whose peer address is not ALLOWED_SRC (the
 *    address the proxy binds its outgoing sockets to) is reset at once and
 *    logged, one line each: a client that bypasses the proxy fails its exchange instead of
 *    quietly looking fast.
 * Prints "ready" on stdout once both ports listen.  Stops on SIGTERM/SIGINT.
 * Standalone on purpose: no project headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum kind { K_ECHO_LISTEN, K_SINK_LISTEN, K_ECHO, K_SINK };

struct conn {
	int		fd;
	enum kind	kind;
	uint64_t	count;		/* sink: bytes seen, header included */
	uint64_t	want;		/* sink: L, once the header is in */
	unsigned char	hdr[8];
};

static volatile sig_atomic_t stop;
static int one_shot;
static int have_allowed;
static struct in_addr allowed;
static unsigned long rejected;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
listen_on(const char *addr, int port)
{
	struct sockaddr_in sin;
	int fd, on = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "echod: bad address %s\n", addr);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 4096) < 0) {
		fprintf(stderr, "echod: listen %s:%d: %s\n", addr, port,
		    strerror(errno));
		exit(2);
	}
	return fd;
}

static struct conn *
add(int ep, int fd, enum kind kind)
{
	struct epoll_event ev;
	struct conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->kind = kind;
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
		return NULL;
	}
	return c;
}

static void
drop(struct conn *c)
{
	close(c->fd);	/* also removes it from the epoll set */
	free(c);
}

static void
reset(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void
accept_all(int ep, struct conn *l)
{
	struct sockaddr_in peer;
	socklen_t len;
	int fd;

	for (;;) {
		len = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or a transient error: retry later */
		if (have_allowed && (peer.sin_family != AF_INET ||
		    peer.sin_addr.s_addr != allowed.s_addr)) {
			char a[INET_ADDRSTRLEN] = "?";

			inet_ntop(AF_INET, &peer.sin_addr, a, sizeof(a));
			rejected++;
			fprintf(stderr, "echod: DIRECT connection from "
				    "%s (not via the proxy), reset\n", a);
			reset(fd);
			continue;
		}
		add(ep, fd, l->kind == K_ECHO_LISTEN ? K_ECHO : K_SINK);
	}
}

/* Returns 1 when the connection is finished (and dropped). */
static int
sink(struct conn *c, const char *buf, size_t n)
{
	unsigned char le[8];
	size_t i = 0;
	int k;

	while (c->count < 8 && i < n)
		c->hdr[c->count++] = (unsigned char)buf[i++];
	if (c->count < 8)
		return 0;
	if (c->want == 0)
		for (k = 0; k < 8; k++)
			c->want |= (uint64_t)c->hdr[k] << (8 * k);
	c->count += n - i;
	if (c->count - 8 < c->want)
		return 0;
	for (k = 0; k < 8; k++)
		le[k] = (unsigned char)((c->count - 8) >> (8 * k));
	if (write(c->fd, le, 8) != 8)
		fprintf(stderr, "echod: short count write\n");
	drop(c);
	return 1;
}

static void
serve(struct conn *c, char *buf, size_t cap)
{
	ssize_t n, w, off;

	for (;;) {
		n = read(c->fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			drop(c);
			return;
		}
		if (c->kind == K_SINK) {
			if (sink(c, buf, (size_t)n))
				return;
			continue;
		}
		for (off = 0; off < n; off += w) {
			w = write(c->fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0) {
				/* a benchmark echo is tiny; a full socket
				 * buffer means a misbehaving peer */
				drop(c);
				return;
			}
		}
		if (one_shot) {
			drop(c);
			return;
		}
	}
}

int
main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	int eport = 7000, sport = 7001, ep, opt, i, n;
	static char buf[256 * 1024];
	struct epoll_event evs[64];
	struct sigaction sa;
	struct conn *le, *ls;

	while ((opt = getopt(argc, argv, "a:e:s:A:1")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'e': eport = atoi(optarg); break;
		case 's': sport = atoi(optarg); break;
		case 'A':
			if (inet_pton(AF_INET, optarg, &allowed) != 1) {
				fprintf(stderr, "echod: bad -A %s\n", optarg);
				return 2;
			}
			have_allowed = 1;
			break;
		case '1': one_shot = 1; break;
		default:
			fprintf(stderr, "usage: echod -a ADDR -e ECHOPORT "
			    "-s SINKPORT [-A ALLOWED_SRC] [-1]\n");
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		perror("echod: epoll_create1");
		return 2;
	}
	le = add(ep, listen_on(addr, eport), K_ECHO_LISTEN);
	ls = add(ep, listen_on(addr, sport), K_SINK_LISTEN);
	if (le == NULL || ls == NULL)
		return 2;
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		n = epoll_wait(ep, evs, 64, 500);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->kind == K_ECHO_LISTEN ||
			    c->kind == K_SINK_LISTEN)
				accept_all(ep, c);
			else
				serve(c, buf, sizeof(buf));
		}
	}
	fprintf(stderr, "echod: stopping, %lu direct connection(s) reset\n",
	    rejected);
	return 0;
}
