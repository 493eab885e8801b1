/*
 * conn: the benchmark's ordinary client.  It knows nothing of SOCKS; the
 * tool under test (an LD_PRELOAD shim) has to carry it through the proxy.
 *
 *   conn [-n N] [-t THREADS] [-N] [-B BYTES] HOST PORT
 *
 *  latency mode (default): each thread does N times
 *      [getaddrinfo(HOST) if HOST is not an IPv4 literal] socket, connect,
 *      write 1 byte, read the 1-byte echo, close.
 *  -N  non-blocking: O_NONBLOCK before connect, then poll() for
 *      writability / readability, SO_ERROR after the connect.
 *  -B  throughput mode: one connection, send an 8-byte length then BYTES
 *      bytes, read back the 8-byte count the sink received.
 *
 * Prints one line of key=value on stdout:
 *   wall_us (total), wall_us_per and cpu_us_per (per connection, client
 *   CPU = getrusage(RUSAGE_SELF) user+sys, all threads), maxrss_kb,
 *   wall_p50 and wall_p90 (percentiles of the per-connection wall time,
 *   single-thread latency mode only),
 *   and in -B mode mbps (10^6 bytes per second).
 * On the first failure: a one-line reason on stderr, exit status 1.
 * Standalone on purpose: no project headers.  bench/handclient.c takes the
 * same options and does the SOCKS5 handshake itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
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
static long count = 1000;

static void
die(long i, const char *what, int err)
{
	fprintf(stderr, "conn: connection %ld: %s %s:%s: %s\n", i, what, host,
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

/* socket + connect (+ getaddrinfo by name); returns the fd or dies. */
static int
open_conn(long i)
{
	struct addrinfo hints, *res = NULL;
	const struct sockaddr *sa = (const struct sockaddr *)&literal;
	socklen_t salen = sizeof(literal);
	int fd, family = AF_INET, err, r;
	socklen_t len = sizeof(err);

	if (by_name) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		r = getaddrinfo(host, port, &hints, &res);
		if (r != 0) {
			fprintf(stderr, "conn: connection %ld: getaddrinfo "
			    "%s: %s\n", i, host, gai_strerror(r));
			exit(1);
		}
		sa = res->ai_addr;
		salen = res->ai_addrlen;
		family = res->ai_family;
	}
	fd = socket(family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die(i, "socket", errno);
	r = connect(fd, sa, salen);
	if (r < 0 && nonblock && errno == EINPROGRESS) {
		if (wait_fd(fd, POLLOUT) < 0)
			die(i, "poll(connect)", errno);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			die(i, "SO_ERROR", errno);
		if (err != 0)
			die(i, "connect", err);
		r = 0;
	}
	if (r < 0)
		die(i, "connect", errno);
	if (res != NULL)
		freeaddrinfo(res);
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
		fprintf(stderr, "conn: sink got %llu of %llu bytes\n",
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

	while ((opt = getopt(argc, argv, "n:t:NB:")) != -1) {
		switch (opt) {
		case 'n': count = atol(optarg); break;
		case 't': threads = atol(optarg); break;
		case 'N': nonblock = 1; break;
		case 'B': bytes = strtoull(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (argc - optind != 2 || threads < 1 || threads > 256 || count < 0)
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
				fprintf(stderr, "conn: pthread_create "
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
	fprintf(stderr, "usage: conn [-n N] [-t THREADS] [-N] [-B BYTES] "
	    "HOST PORT\n");
	return 2;
}
