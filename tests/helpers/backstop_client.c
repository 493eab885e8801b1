/* SPDX-License-Identifier: MIT */
/*
 * backstop_client: the static program of tests/integration/backstop*.sh.
 * Built with gcc -static -no-pie, so LD_PRELOAD cannot reach it: only the
 * backstop (the seccomp supervisor) stands between it and the network.
 * Standalone: no project headers. Every mode prints one result line
 * ("ok ...", or "ERR <errno name>") and exits 0 on "ok".
 *
 *   get HOST PORT [nb]      connect (blocking, or non-blocking + poll),
 *                           GET /file, body to stdout
 *   connect HOST PORT       connect; "ok peer ADDR:PORT" (getpeername)
 *   again HOST PORT         connect, connect again (EISCONN expected),
 *                           then GET on the socket, body to stdout
 *   tfo HOST PORT           sendto(MSG_FASTOPEN) the GET, body to stdout
 *   udp HOST PORT           one datagram with sendto()
 *   cookie HOST PORT        connect() carrying $SOCKSIFY_BACKSTOP, the
 *                           exemption only the library may use
 *   uring                   io_uring_setup()
 *   packet | raw | netlink  socket(AF_PACKET) / (AF_INET, SOCK_RAW) /
 *                           (AF_NETLINK, SOCK_RAW)
 *   int80 HOST PORT         socket + connect through the i386 socketcall
 *   parallel N HOST PORT    N threads GET at once; "ok N ms"
 *   twice HOST PORT         connect ("first ok ppid PID"), read a line
 *                           on stdin, connect again
 *   bg MS FILE HOST PORT    fork; the child GETs after MS ms into FILE,
 *                           the parent exits at once
 *   storm N HOST PORT [norestart]
 *                           N GETs one after another while a thread sends
 *                           SIGURG every ms (handler with SA_RESTART, or
 *                           without: EINTR retried); "ok N signals S"
 *   cost N                  ns per untrapped (getppid) and per trapped
 *                           (getpeername, let through) call
 *   exec PROG ARGS...       execv PROG
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN	0x20000000
#endif

static const char *
errname(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{ ECONNREFUSED, "ECONNREFUSED" }, { ENOSYS, "ENOSYS" },
		{ EPERM, "EPERM" }, { EACCES, "EACCES" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { ECONNRESET, "ECONNRESET" },
		{ EHOSTUNREACH, "EHOSTUNREACH" }, { ENETUNREACH, "ENETUNREACH" },
		{ EINPROGRESS, "EINPROGRESS" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ EINVAL, "EINVAL" }, { EISCONN, "EISCONN" },
		{ EALREADY, "EALREADY" }, { EPROTO, "EPROTO" },
		{ EAGAIN, "EAGAIN" }, { ENOTCONN, "ENOTCONN" },
	};
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static int
fail(const char *what, int e)
{
	printf("ERR %s %s\n", errname(e), what);
	return 1;
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
	fprintf(stderr, "backstop_client: bad address %s\n", host);
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Connect, blocking or non-blocking; -errno on failure. */
static int
do_connect(const char *host, const char *port, int nb)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(host, port, &ss);
	struct pollfd p;
	socklen_t elen = sizeof(int);
	int fd, err = 0;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    (nb ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		goto ok;
	err = errno;
	if (!nb || err != EINPROGRESS)
		goto bad;
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, 20000) != 1) {
		err = ETIMEDOUT;
		goto bad;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
		err = errno;
	if (err != 0)
		goto bad;
ok:
	if (nb)
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
bad:
	close(fd);
	return -err;
}

static const char http_get[] = "GET /file HTTP/1.0\r\nHost: x\r\n\r\n";

/* Read the response on fd; the body to out (may be NULL). 0 or -errno. */
static int
read_body(int fd, FILE *out)
{
	static __thread char buf[1 << 17];
	size_t have = 0;
	ssize_t n;
	char *body;

	while (have < sizeof(buf) &&
	    (n = read(fd, buf + have, sizeof(buf) - have)) > 0)
		have += (size_t)n;
	if (have == 0)
		return -ECONNRESET;
	body = memmem(buf, have, "\r\n\r\n", 4);
	if (body == NULL)
		return -EPROTO;
	body += 4;
	if (out != NULL)
		fwrite(body, 1, have - (size_t)(body - buf), out);
	return 0;
}

static int
get(const char *host, const char *port, int nb, FILE *out)
{
	int fd = do_connect(host, port, nb), rc;

	if (fd < 0)
		return fd;
	if (write(fd, http_get, sizeof(http_get) - 1) !=
	    (ssize_t)sizeof(http_get) - 1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = read_body(fd, out);
	close(fd);
	return rc;
}

static int
mode_connect(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[INET6_ADDRSTRLEN];
	int fd = do_connect(host, port, 0);

	if (fd < 0)
		return fail("connect", -fd);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return fail("getpeername", errno);
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a,
		    sizeof(a));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    a, sizeof(a));
	printf("ok peer %s:%u\n", a, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return 0;
}

static int
mode_again(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(host, port, &ss);
	int fd = do_connect(host, port, 0), rc;

	if (fd < 0)
		return fail("connect", -fd);
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		return fail("second connect succeeded", 0);
	if (errno != EISCONN)
		return fail("second connect", errno);
	if (write(fd, http_get, sizeof(http_get) - 1) !=
	    (ssize_t)sizeof(http_get) - 1)
		return fail("write", errno);
	rc = read_body(fd, stdout);
	return rc < 0 ? fail("read", -rc) : 0;
}

static int
mode_tfo(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(host, port, &ss);
	ssize_t n;
	int fd, rc;

	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	n = sendto(fd, http_get, sizeof(http_get) - 1, MSG_FASTOPEN,
	    (struct sockaddr *)&ss, len);
	if (n < 0)
		return fail("sendto", errno);
	if (n != (ssize_t)sizeof(http_get) - 1 &&
	    write(fd, http_get + n, sizeof(http_get) - 1 - (size_t)n) < 0)
		return fail("write", errno);
	rc = read_body(fd, stdout);
	return rc < 0 ? fail("read", -rc) : 0;
}

static int
mode_udp(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(host, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (fd < 0)
		return fail("socket", errno);
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) != 1)
		return fail("sendto", errno);
	printf("ok sent\n");
	return 0;
}

static int
mode_cookie(const char *host, const char *port)
{
	const char *env = getenv("SOCKSIFY_BACKSTOP");
	struct sockaddr_storage ss;
	socklen_t len = addr_of(host, port, &ss);
	unsigned long long cookie;
	int fd;

	if (env == NULL || sscanf(env, "%llx", &cookie) != 1)
		return fail("no SOCKSIFY_BACKSTOP", EINVAL);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (syscall(SYS_connect, fd, &ss, len, cookie) != 0)
		return fail("connect", errno);
	printf("ok direct\n");
	return 0;
}

static int
mode_socket(int family, int type, int proto, const char *what)
{
	int fd = socket(family, type, proto);

	if (fd < 0)
		return fail(what, errno);
	printf("ok %s\n", what);
	return 0;
}

static int
mode_uring(void)
{
	char params[120];	/* struct io_uring_params */
	long fd;

	memset(params, 0, sizeof(params));
	fd = syscall(SYS_io_uring_setup, 4, params);
	if (fd < 0)
		return fail("io_uring_setup", errno);
	printf("ok io_uring_setup\n");
	return 0;
}

/* The i386 entry point from a 64-bit process: the kernel sees
 * AUDIT_ARCH_I386. Pointers must fit 32 bits: static, non-PIE data. */
static int int80_args[3];
static struct sockaddr_in int80_sin;

static long
int80(long nr, long a, long b)
{
	long r;

	__asm__ volatile ("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) :
	    "memory");
	return r;
}

static int
mode_int80(const char *host, const char *port)
{
	const long socketcall = 102, sys_socket = 1, sys_connect = 3;
	long fd, rc;

	if ((uintptr_t)int80_args > 0xffffffffu)
		return fail("int80: data above 4 GiB (not built -no-pie)",
		    EINVAL);
	int80_args[0] = AF_INET;
	int80_args[1] = SOCK_STREAM;
	int80_args[2] = 0;
	fd = int80(socketcall, sys_socket, (long)(uintptr_t)int80_args);
	if (fd < 0)
		return fail("int80 socket", (int)-fd);
	int80_sin.sin_family = AF_INET;
	int80_sin.sin_port = htons((uint16_t)atoi(port));
	inet_pton(AF_INET, host, &int80_sin.sin_addr);
	int80_args[0] = (int)fd;
	int80_args[1] = (int)(uintptr_t)&int80_sin;
	int80_args[2] = sizeof(int80_sin);
	rc = int80(socketcall, sys_connect, (long)(uintptr_t)int80_args);
	if (rc < 0)
		return fail("int80 connect", (int)-rc);
	printf("ok int80 connected\n");
	return 0;
}

struct par {
	const char *host, *port;
	pthread_barrier_t *go;
	int rc;
};

static void *
par_one(void *arg)
{
	struct par *p = arg;

	pthread_barrier_wait(p->go);
	p->rc = get(p->host, p->port, 0, NULL);
	return NULL;
}

static int
mode_parallel(int n, const char *host, const char *port)
{
	pthread_barrier_t go;
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	struct par *p = calloc((size_t)n, sizeof(*p));
	uint64_t t0;
	int i, ok = 0, bad = 0;

	if (t == NULL || p == NULL || n < 1)
		return fail("parallel", ENOMEM);
	pthread_barrier_init(&go, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++) {
		p[i].host = host;
		p[i].port = port;
		p[i].go = &go;
		if (pthread_create(&t[i], NULL, par_one, &p[i]) != 0)
			return fail("pthread_create", errno);
	}
	t0 = now_ns();
	pthread_barrier_wait(&go);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (p[i].rc == 0)
			ok++;
		else
			bad = -p[i].rc;
	}
	if (ok != n)
		return fail("parallel", bad);
	printf("ok %d %llu ms\n", ok,
	    (unsigned long long)((now_ns() - t0) / 1000000));
	return 0;
}

static int
mode_twice(const char *host, const char *port)
{
	char line[64];
	int fd = do_connect(host, port, 0);

	if (fd < 0)
		return fail("first connect", -fd);
	printf("first ok ppid %ld\n", (long)getppid());
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return fail("no line on stdin", EINVAL);
	fd = do_connect(host, port, 0);
	if (fd < 0)
		return fail("second connect", -fd);
	printf("ok second\n");
	return 0;
}

static int
mode_bg(int ms, const char *file, const char *host, const char *port)
{
	struct timespec d = { ms / 1000, (long)(ms % 1000) * 1000000 };
	FILE *out;
	pid_t pid;
	int rc;

	pid = fork();
	if (pid < 0)
		return fail("fork", errno);
	if (pid > 0) {
		printf("ok parent\n");
		return 0;
	}
	setsid();
	nanosleep(&d, NULL);
	out = fopen(file, "w");
	if (out == NULL)
		_exit(1);
	rc = get(host, port, 0, out);
	if (rc < 0)
		fprintf(out, "ERR %s\n", errname(-rc));
	fclose(out);
	_exit(rc < 0);
}

static volatile sig_atomic_t storm_seen;
static volatile int storm_stop;

static void
storm_handler(int sig)
{
	(void)sig;
	storm_seen++;
}

static void *
storm_thread(void *arg)
{
	pid_t tid = *(pid_t *)arg;
	struct timespec ms = { 0, 1000000 };

	while (!storm_stop) {
		syscall(SYS_tgkill, getpid(), tid, SIGURG);
		nanosleep(&ms, NULL);
	}
	return NULL;
}

/* connect(), retried on EINTR as robust programs (Go) do: the restarted
 * call must find the connection the first one started, never a second
 * handshake. EISCONN on a retry means the first one finished. */
static int
storm_connect(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(host, port, &ss);
	int fd, i, rc;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < 100000; i++) {
		rc = connect(fd, (struct sockaddr *)&ss, len);
		if (rc == 0 || (i > 0 && errno == EISCONN))
			return fd;
		if (errno != EINTR && errno != EALREADY)
			break;
	}
	rc = -errno;
	close(fd);
	return rc;
}

static int
storm_io(int fd, char *buf, size_t cap, int wr)
{
	size_t done = 0;
	ssize_t n;

	while (done < cap) {
		n = wr ? write(fd, buf + done, cap - done) :
		    read(fd, buf + done, cap - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (int)done;
}

static int
mode_storm(int n, const char *host, const char *port, int restart)
{
	static char buf[1 << 17];
	struct sigaction sa;
	pthread_t t;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int i, fd, got, rc = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = storm_handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGURG, &sa, NULL);
	if (pthread_create(&t, NULL, storm_thread, &tid) != 0)
		return fail("pthread_create", errno);
	for (i = 0; i < n && rc == 0; i++) {
		fd = storm_connect(host, port);
		if (fd < 0) {
			rc = fd;
			break;
		}
		got = storm_io(fd, (char *)http_get, sizeof(http_get) - 1, 1);
		if (got >= 0)
			got = storm_io(fd, buf, sizeof(buf), 0);
		close(fd);
		if (got < 0)
			rc = got;
		else if (memmem(buf, (size_t)got, "\r\n\r\n", 4) == NULL ||
		    memcmp(buf, "HTTP/1.0 200", 12) != 0)
			rc = -EPROTO;
	}
	storm_stop = 1;
	pthread_join(t, NULL);
	if (rc < 0)
		return fail("storm", -rc);
	printf("ok %d signals %d\n", n, (int)storm_seen);
	return 0;
}

static int
mode_cost(long n)
{
	uint64_t t0, t1, t2;
	long i;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		(void)syscall(SYS_getppid);
	t1 = now_ns();
	for (i = 0; i < n; i++)
		(void)syscall(SYS_getpeername, -1, NULL, NULL);
	t2 = now_ns();
	printf("ok untrapped %.0f ns, trapped %.0f ns\n",
	    (double)(t1 - t0) / (double)n, (double)(t2 - t1) / (double)n);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && strcmp(argv[1], "get") == 0) {
		rc = get(argv[2], argv[3], argc > 4, stdout);
		return rc < 0 ? fail("get", -rc) : 0;
	}
	if (argc == 4 && strcmp(argv[1], "connect") == 0)
		return mode_connect(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "again") == 0)
		return mode_again(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "tfo") == 0)
		return mode_tfo(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "udp") == 0)
		return mode_udp(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "cookie") == 0)
		return mode_cookie(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "uring") == 0)
		return mode_uring();
	if (argc == 2 && strcmp(argv[1], "packet") == 0)
		return mode_socket(AF_PACKET, SOCK_RAW, 0, "AF_PACKET");
	if (argc == 2 && strcmp(argv[1], "raw") == 0)
		return mode_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC,
		    IPPROTO_ICMP, "SOCK_RAW");
	if (argc == 2 && strcmp(argv[1], "netlink") == 0)
		return mode_socket(AF_NETLINK, SOCK_RAW, 0, "AF_NETLINK");
	if (argc == 4 && strcmp(argv[1], "int80") == 0)
		return mode_int80(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "parallel") == 0)
		return mode_parallel(atoi(argv[2]), argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "twice") == 0)
		return mode_twice(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "bg") == 0)
		return mode_bg(atoi(argv[2]), argv[3], argv[4], argv[5]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "storm") == 0)
		return mode_storm(atoi(argv[2]), argv[3], argv[4], argc == 5);
	if (argc == 3 && strcmp(argv[1], "cost") == 0)
		return mode_cost(atol(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "exec") == 0) {
		execv(argv[2], argv + 2);
		return fail("execv", errno);
	}
	fprintf(stderr, "usage: see the comment in backstop_client.c\n");
	return 2;
}
