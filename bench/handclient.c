/*
 * handclient: the benchmark's "limit" -- a minimal hand-written SOCKS5
 * client (RFC 1928, method "no authentication") run without any wrapper.
 * Same options and output as bench/conn.c, plus the proxy:
 *
 *   handclient [-x PROXYIP:PORT] [-P] [-n N] [-t THREADS] [-N] [-B BYTES]
 *              HOST PORT
 *
 * Per connection: socket, connect to the proxy, write the greeting, read
 * the method reply, write CONNECT (ATYP IPv4 for an IPv4 literal, else
 * ATYP domain name: no local resolution at all), read the reply, then the
 * same 1-byte echo (or -B transfer) as conn, close.
 *  -P  pipelining: greeting and CONNECT in one write, then read both
 *      replies: one round trip less, for servers that accept it (dante-server
 *      does; microsocks drops what follows the greeting).
 * Reads never go past the reply: nothing else is in flight at that point.
 * Standalone on purpose: no project headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_MS	10000

static const char *host;
static const char *port;
static struct sockaddr_in literal;	/* used when host is an IPv4 literal */
static int by_name;
static int nonblock;
static int pipeline;
static struct sockaddr_in proxy;
static long count = 1000;

static void
die(long i, const char *what, int err)
{
	fprintf(stderr, "handclient: connection %ld: %s %s:%s: %s\n", i, what, host,
	    port, err ? strerror(err) : "closed by peer");
	exit(1);
}

static int
wait_fd(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	int r;

	do
		r = poll(&p, 1, IO_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* Full write; in non-blocking mode waits for POLLOUT on EAGAIN. */
static int
put(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && nonblock && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT) < 0)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Full read; 0 on success, -1 with errno (0 = EOF). */
static int
get(int fd, void *p, size_t n)
{
	char *b = p;
	ssize_t r;

	while (n > 0) {
		r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && nonblock && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN) < 0)
				return -1;
			continue;
		}
		if (r == 0)
			errno = 0;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads until at least n bytes are buffered (never more than offered). */
static int
need(int fd, unsigned char *b, size_t *have, size_t cap, size_t n)
{
	ssize_t r;

	while (*have < n) {
		r = read(fd, b + *have, cap - *have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && nonblock && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN) < 0)
				return -1;
			continue;
		}
		if (r == 0)
			errno = 0;
		if (r <= 0)
			return -1;
		*have += (size_t)r;
	}
	return 0;
}

/* Connects to the proxy and does the SOCKS5 CONNECT; returns the fd. */
static int
open_conn(long i)
{
	unsigned char out[3 + 7 + 255], in[2 + 4 + 256 + 2];
	size_t olen = 0, glen, have = 0, rlen;
	size_t hlen = strlen(host);
	uint16_t p = htons((uint16_t)atoi(port));
	int fd, r, err;
	socklen_t len = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die(i, "socket", errno);
	r = connect(fd, (struct sockaddr *)&proxy, sizeof(proxy));
	if (r < 0 && nonblock && errno == EINPROGRESS) {
		if (wait_fd(fd, POLLOUT) < 0)
			die(i, "poll(connect proxy)", errno);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			die(i, "SO_ERROR", errno);
		if (err != 0)
			die(i, "connect proxy for", err);
		r = 0;
	}
	if (r < 0)
		die(i, "connect proxy for", errno);

	out[olen++] = 5;	/* greeting: version, 1 method, no auth */
	out[olen++] = 1;
	out[olen++] = 0;
	glen = olen;
	out[olen++] = 5;	/* request: version, CONNECT, reserved */
	out[olen++] = 1;
	out[olen++] = 0;
	if (!by_name) {
		out[olen++] = 1;
		memcpy(out + olen, &literal.sin_addr, 4);
		olen += 4;
	} else {
		out[olen++] = 3;
		out[olen++] = (unsigned char)hlen;
		memcpy(out + olen, host, hlen);
		olen += hlen;
	}
	memcpy(out + olen, &p, 2);
	olen += 2;

	if (put(fd, out, pipeline ? olen : glen) < 0)
		die(i, "write greeting", errno);
	if (need(fd, in, &have, sizeof(in), 2) < 0)
		die(i, "read method reply", errno);
	if (in[0] != 5 || in[1] != 0)
		die(i, "method reply", EPROTO);
	if (!pipeline && put(fd, out + glen, olen - glen) < 0)
		die(i, "write request", errno);
	if (need(fd, in, &have, sizeof(in), 2 + 5) < 0)
		die(i, "read reply", errno);
	if (in[2] != 5 || in[3] != 0) {
		fprintf(stderr, "handclient: connection %ld: %s:%s: SOCKS5 "
		    "reply %d\n", i, host, port, in[3]);
		exit(1);
	}
	switch (in[5]) {
	case 1: rlen = 4 + 4 + 2; break;
	case 3: rlen = 4 + 1 + in[6] + 2; break;
	case 4: rlen = 4 + 16 + 2; break;
	default: die(i, "reply address type", EPROTO); return -1;
	}
	if (need(fd, in, &have, sizeof(in), 2 + rlen) < 0)
		die(i, "read reply", errno);
	if (have != 2 + rlen)
		die(i, "data after the reply", EPROTO);
	return fd;
}

static double now_us(void);
static double *lat;		/* per-connection wall µs, single thread only */

static void *
latency_worker(void *arg)
{
	double t0 = 0;
	long i;
	int fd;
	char c;

	(void)arg;
	for (i = 0; i < count; i++) {
		if (lat != NULL)
			t0 = now_us();
		fd = open_conn(i);
		c = (char)('a' + i % 26);
		if (put(fd, &c, 1) < 0)
			die(i, "write", errno);
		if (get(fd, &c, 1) < 0)
			die(i, "read echo", errno);
		if (c != (char)('a' + i % 26))
			die(i, "echo mismatch", EPROTO);
		close(fd);
		if (lat != NULL)
			lat[i] = now_us() - t0;
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
throughput(uint64_t bytes)
{
	static char buf[256 * 1024];
	unsigned char le[8];
	uint64_t left = bytes, got = 0;
	size_t n;
	int fd, k;

	memset(buf, 'x', sizeof(buf));
	fd = open_conn(0);
	for (k = 0; k < 8; k++)
		le[k] = (unsigned char)(bytes >> (8 * k));
	if (put(fd, le, 8) < 0)
		die(0, "write length", errno);
	while (left > 0) {
		n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		if (put(fd, buf, n) < 0)
			die(0, "write data", errno);
		left -= n;
	}
	if (get(fd, le, 8) < 0)
		die(0, "read count", errno);
	for (k = 0; k < 8; k++)
		got |= (uint64_t)le[k] << (8 * k);
	if (got != bytes) {
		fprintf(stderr, "handclient: sink got %llu of %llu bytes\n",
		    (unsigned long long)got, (unsigned long long)bytes);
		exit(1);
	}
	close(fd);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double
cpu_us(struct rusage *ru)
{
	return ru->ru_utime.tv_sec * 1e6 + ru->ru_utime.tv_usec +
	    ru->ru_stime.tv_sec * 1e6 + ru->ru_stime.tv_usec;
}

int
main(int argc, char **argv)
{
	struct rusage r0, r1;
	pthread_t tid[256];
	long threads = 1, t;
	uint64_t bytes = 0;
	double w0, w1, conns;
	int opt;

	proxy.sin_family = AF_INET;
	proxy.sin_port = htons(1080);
	proxy.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while ((opt = getopt(argc, argv, "x:Pn:t:NB:")) != -1) {
		switch (opt) {
		case 'x': {
			char ip[64], *colon;

			snprintf(ip, sizeof(ip), "%s", optarg);
			colon = strrchr(ip, ':');
			if (colon == NULL)
				goto usage;
			*colon = '\0';
			proxy.sin_port = htons((uint16_t)atoi(colon + 1));
			if (inet_pton(AF_INET, ip, &proxy.sin_addr) != 1)
				goto usage;
			break;
		}
		case 'P': pipeline = 1; break;
		case 'n': count = atol(optarg); break;
		case 't': threads = atol(optarg); break;
		case 'N': nonblock = 1; break;
		case 'B': bytes = strtoull(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (argc - optind != 2 || threads < 1 || threads > 256 || count < 0 ||
	    strlen(argv[optind]) > 255)
		goto usage;
	host = argv[optind];
	port = argv[optind + 1];
	literal.sin_family = AF_INET;
	literal.sin_port = htons((uint16_t)atoi(port));
	by_name = inet_pton(AF_INET, host, &literal.sin_addr) != 1;
	signal(SIGPIPE, SIG_IGN);

	getrusage(RUSAGE_SELF, &r0);
	w0 = now_us();
	if (bytes > 0) {
		throughput(bytes);
		conns = 1;
	} else if (threads == 1) {
		lat = count > 0 ? calloc((size_t)count, sizeof(*lat)) : NULL;
		latency_worker(NULL);
		conns = (double)count;
	} else {
		for (t = 0; t < threads; t++)
			if (pthread_create(&tid[t], NULL, latency_worker,
			    NULL) != 0) {
				fprintf(stderr, "handclient: pthread_create "
				    "failed\n");
				return 1;
			}
		for (t = 0; t < threads; t++)
			pthread_join(tid[t], NULL);
		conns = (double)count * threads;
	}
	w1 = now_us();
	getrusage(RUSAGE_SELF, &r1);
	if (conns < 1)
		conns = 1;
	printf("wall_us=%.0f wall_us_per=%.2f cpu_us_per=%.2f maxrss_kb=%ld",
	    w1 - w0, (w1 - w0) / conns, (cpu_us(&r1) - cpu_us(&r0)) / conns,
	    r1.ru_maxrss);
	if (lat != NULL) {
		qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
		printf(" wall_p50=%.2f wall_p90=%.2f", lat[count / 2],
		    lat[count * 9 / 10]);
	}
	if (bytes > 0)
		printf(" mbps=%.1f cpu_us=%.0f", bytes / (w1 - w0),
		    cpu_us(&r1) - cpu_us(&r0));
	printf("\n");
	return 0;
usage:
	fprintf(stderr, "usage: handclient [-x PROXYIP:PORT] [-P] [-n N] "
	    "[-t THREADS] [-N] [-B BYTES] HOST PORT\n");
	return 2;
}
