/* SPDX-License-Identifier: MIT */
/*
 * stress: many threads resolving, connecting, echoing and closing through
 * socksify while the main thread forks children that do the same; plus the
 * threaded echo server it talks to. Standalone: no project headers.
 *
 *   stress echo [-P PORTFILE] [-l ADDR] [-w WORKERS]
 *	Listen on ADDR (default 0.0.0.0), port from the kernel, written to
 *	PORTFILE if given. WORKERS threads (default 32) each accept a
 *	connection, read up to the first '\n', answer "SRV <local
 *	address>\n" followed by what they read, and close first (so
 *	TIME_WAIT stays on the server side).
 *
 *   stress run -p PORT -b BASE -B NADDR -N NAMES [-D DOMAIN] [-t THREADS]
 *	  [-n CYCLES] [-s SECONDS] [-f FORKS] [-c CHILD_CYCLES] [-x] [-e]
 *	THREADS threads (default 16) each run CYCLES cycles (default 2000),
 *	or with -s until SECONDS have passed. A cycle picks name k of
 *	"s<k>.DOMAIN" (DOMAIN default stress.sx.test; k from 0..NAMES-1,
 *	spread so threads repeat and share names), getaddrinfo()s it
 *	(AF_INET, AF_UNSPEC or AF_INET6 by turns), connects a blocking or
 *	non-blocking socket to the first answer, sends a cycle-specific line,
 *	reads to EOF and checks the answer is "SRV <BASE + k % NADDR>\n" plus
 *	the line, then closes. Every answer must be a placeholder (198.18/15,
 *	fd5e:c5f1::/96) and a name's placeholder must never change; -x turns
 *	both checks off (a small map that recycles). Meanwhile the main
 *	thread forks FORKS children (default 50; with -s, until the time is
 *	up), at most 4 at a time, each running CHILD_CYCLES cycles (default
 *	4). With -e each child execs itself ("stress child N OPTIONS")
 *	right after fork() and runs its cycles in the new image: GCC 12's
 *	libasan does not lock its allocator around fork(), so under ASan a
 *	child of a threaded parent can block for ever in its first malloc()
 *	(the parent's thread held the lock). At the end, the process must
 *	hold exactly the descriptors it held
 *	at the start (the /proc/self/fd lists are compared), but for the
 *	asynchronous connect's helper thread's epoll instance and eventfd
 *	(one of each), made on the first non-blocking connect and kept.
 *
 * Output: the first errors on stderr, one summary line on stdout:
 *   stress: threads=T cycles=C ok=N bad=N forks=F forks_ok=F fds_before=N
 *   fds_after=N fds_same=yes|no elapsed=S rate=N/s
 * Exit 0 when every connection and child was correct and the descriptors
 * match, 1 otherwise, 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ST_IO_MS	15000	/* bound on each wait for the peer */
#define ST_MAX_LINE	4096	/* payload bytes, '\n' included */
#define ST_MAX_ERRORS	20	/* printed; all are counted */
#define ST_MAX_FDS	4096
#define ST_MAX_NAMES	65536
#define ST_MAX_INFLIGHT	4	/* children at once */

struct st_opts {
	int port;
	struct in_addr base;
	unsigned naddr;
	unsigned names;
	const char *domain;
	unsigned threads;
	unsigned cycles;
	unsigned seconds;
	unsigned forks;
	unsigned child_cycles;
	bool relaxed;
	bool child_exec;	/* -e: children exec themselves after fork */
};

static struct st_opts opt = {
	.domain = "stress.sx.test", .threads = 16, .cycles = 2000,
	.forks = 50, .child_cycles = 4,
};
static atomic_ulong st_ok, st_bad;
static atomic_int st_printed;
static atomic_bool st_stop;
static _Atomic uint32_t *st_seen4;	/* name -> placeholder, 0 = unseen */
static double st_deadline;

static double
st_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void st_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Count one bad cycle; print the first few reasons. */
static void
st_fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	atomic_fetch_add(&st_bad, 1);
	if (atomic_fetch_add(&st_printed, 1) >= ST_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "stress[%ld]: %s\n", (long)getpid(), line);
}

static const char *
st_errname(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "E?";
}

/* ---- echo server ----------------------------------------------------- */

static int echo_fd;

static void *
echo_worker(void *arg)
{
	char buf[ST_MAX_LINE + 64], head[64], ip[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t have;
	ssize_t n;
	int c, hl;

	(void)arg;
	for (;;) {
		c = accept(echo_fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			perror("stress echo: accept");
			exit(2);
		}
		have = 0;
		while (have < sizeof(buf)) {
			n = read(c, buf + have, sizeof(buf) - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			have += (size_t)n;
			if (memchr(buf + have - (size_t)n, '\n', (size_t)n))
				break;
		}
		sl = sizeof(ss);
		ip[0] = '\0';
		if (getsockname(c, (struct sockaddr *)&ss, &sl) == 0) {
			if (ss.ss_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)
				    &ss)->sin_addr, ip, sizeof(ip));
			else
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
				    &ss)->sin6_addr, ip, sizeof(ip));
		}
		hl = snprintf(head, sizeof(head), "SRV %s\n", ip);
		if (write(c, head, (size_t)hl) == hl && have > 0)
			(void)!write(c, buf, have);
		close(c);
	}
	return NULL;
}

static int
echo_main(int argc, char **argv)
{
	const char *addr = "0.0.0.0", *portfile = NULL;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	unsigned workers = 32, i;
	pthread_t t;
	FILE *f;
	int o, one = 1;

	while ((o = getopt(argc, argv, "l:P:w:")) != -1) {
		switch (o) {
		case 'l': addr = optarg; break;
		case 'P': portfile = optarg; break;
		case 'w': workers = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	if (workers == 0)
		return 2;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return 2;
	echo_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (echo_fd < 0 ||
	    setsockopt(echo_fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(echo_fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(echo_fd, 4096) != 0 ||
	    getsockname(echo_fd, (struct sockaddr *)&sin, &sl) != 0) {
		perror("stress echo: listen");
		return 2;
	}
	for (i = 0; i < workers; i++)
		if (pthread_create(&t, NULL, echo_worker, NULL) != 0) {
			perror("stress echo: pthread_create");
			return 2;
		}
	if (portfile != NULL && ((f = fopen(portfile, "w")) == NULL ||
	    fprintf(f, "%u\n", ntohs(sin.sin_port)) < 0 || fclose(f) != 0)) {
		perror(portfile);
		return 2;
	}
	for (;;)
		pause();
}

/* ---- one cycle ----------------------------------------------------------- */

static uint32_t
st_hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* Wait for ev on fd; 0, or -errno (ETIMEDOUT). */
static int
st_wait(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int rc;

	do
		rc = poll(&p, 1, ST_IO_MS);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static bool
st_is_placeholder(const struct sockaddr *sa)
{
	const uint8_t *a;

	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		return a[0] == 198 && (a[1] & 0xfe) == 18;
	}
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	return a[0] == 0xfd && a[1] == 0x5e && a[2] == 0xc5 && a[3] == 0xf1;
}

/* Connect fd to sa, blocking or not; 0 or -errno. */
static int
st_connect(int fd, const struct sockaddr *sa, socklen_t len, bool nonblock)
{
	socklen_t el = sizeof(int);
	int err = 0, rc;

	if (connect(fd, sa, len) == 0)
		return 0;
	if (!nonblock || errno != EINPROGRESS)
		return -errno;
	rc = st_wait(fd, POLLOUT);
	if (rc < 0)
		return rc;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
		return -errno;
	return -err;
}

/* Send all of buf; 0 or -errno. */
static int
st_send(int fd, const char *buf, size_t len)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			rc = st_wait(fd, POLLOUT);
			if (rc < 0)
				return rc;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read to EOF into buf; the length or -errno (-EMSGSIZE: too much). */
static ssize_t
st_recv_all(int fd, char *buf, size_t cap)
{
	size_t have = 0;
	ssize_t n;
	int rc;

	for (;;) {
		rc = st_wait(fd, POLLIN);
		if (rc < 0)
			return rc;
		n = recv(fd, buf + have, cap - have, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return (ssize_t)have;
		have += (size_t)n;
		if (have == cap)
			return -EMSGSIZE;
	}
}

/* One resolve/connect/echo/close cycle of worker id, number c. */
static bool
st_cycle(unsigned id, unsigned c)
{
	static const int fams[4] = { AF_INET, AF_INET, AF_UNSPEC, AF_INET6 };
	char name[300], port[16], want_ip[INET_ADDRSTRLEN];
	char line[ST_MAX_LINE], want[ST_MAX_LINE + 64], got[ST_MAX_LINE + 128];
	struct addrinfo hints, *res = NULL;
	struct in_addr srv;
	uint32_t h = st_hash(id * 2654435761U + c), ph, prev;
	unsigned k, i;
	size_t len, wlen;
	ssize_t glen;
	bool nonblock = (h >> 8) % 4 == 0;
	int fd, rc, fam = fams[c % 4];

	/* Consecutive cycles of one worker walk the names; workers start
	 * apart, so a name is shared by many workers over the run. */
	k = (id * 7919U + c * 13U) % opt.names;
	snprintf(name, sizeof(name), "s%u.%s", k, opt.domain);
	snprintf(port, sizeof(port), "%d", opt.port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = fam;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, port, &hints, &res);
	if (rc != 0) {
		st_fail("w%u c%u: getaddrinfo %s (family %d): %s", id, c, name,
		    fam, rc == EAI_SYSTEM ? strerror(errno) :
		    gai_strerror(rc));
		return false;
	}
	if (!opt.relaxed && !st_is_placeholder(res->ai_addr)) {
		st_fail("w%u c%u: %s: not a placeholder address", id, c, name);
		freeaddrinfo(res);
		return false;
	}
	if (!opt.relaxed && res->ai_family == AF_INET) {
		memcpy(&ph, &((struct sockaddr_in *)(void *)res->ai_addr)->
		    sin_addr, 4);
		prev = 0;
		if (!atomic_compare_exchange_strong(&st_seen4[k], &prev, ph) &&
		    prev != ph) {
			st_fail("w%u c%u: %s: placeholder changed", id, c,
			    name);
			freeaddrinfo(res);
			return false;
		}
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		st_fail("w%u c%u: socket: %s", id, c, st_errname(errno));
		freeaddrinfo(res);
		return false;
	}
	rc = st_connect(fd, res->ai_addr, res->ai_addrlen, nonblock);
	freeaddrinfo(res);
	if (rc < 0) {
		st_fail("w%u c%u: connect %s (%s): %s", id, c, name,
		    nonblock ? "non-blocking" : "blocking", st_errname(-rc));
		close(fd);
		return false;
	}
	/* A cycle-specific line: who, which cycle, which name, then filler. */
	len = (size_t)snprintf(line, sizeof(line), "p%ld w%u c%u k%u ",
	    (long)getpid(), id, c, k);
	wlen = len + h % 1500;
	for (i = 0; len < wlen; i++)
		line[len++] = (char)('a' + (h + i * 7) % 26);
	line[len++] = '\n';
	srv.s_addr = htonl(ntohl(opt.base.s_addr) + k % opt.naddr);
	inet_ntop(AF_INET, &srv, want_ip, sizeof(want_ip));
	wlen = (size_t)snprintf(want, sizeof(want), "SRV %s\n", want_ip);
	memcpy(want + wlen, line, len);
	wlen += len;
	rc = st_send(fd, line, len);
	if (rc < 0) {
		st_fail("w%u c%u: send to %s: %s", id, c, name,
		    st_errname(-rc));
		close(fd);
		return false;
	}
	glen = st_recv_all(fd, got, sizeof(got));
	if (close(fd) != 0) {
		st_fail("w%u c%u: close: %s", id, c, st_errname(errno));
		return false;
	}
	if (glen < 0) {
		st_fail("w%u c%u: recv from %s: %s", id, c, name,
		    st_errname((int)-glen));
		return false;
	}
	if ((size_t)glen != wlen || memcmp(got, want, wlen) != 0) {
		got[glen < 60 ? glen : 60] = '\0';
		st_fail("w%u c%u: %s: wrong answer (%zd bytes, want %zu): "
		    "%.60s", id, c, name, glen, wlen, got);
		return false;
	}
	return true;
}

static bool
st_more(unsigned c)
{
	if (opt.seconds > 0)
		return !atomic_load(&st_stop) && st_now() < st_deadline;
	return c < opt.cycles;
}

static void *
st_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg, c;

	for (c = 0; st_more(c); c++) {
		if (st_cycle(id, c))
			atomic_fetch_add(&st_ok, 1);
	}
	return NULL;
}

/* ---- descriptors ------------------------------------------------------- */

static int
st_fds(int *fds, int cap)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, self;

	if (d == NULL)
		return -1;
	self = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == self)
			continue;
		if (n < cap)
			fds[n] = atoi(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int
st_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Say what fd is; true for the first of each of the helper thread's
 * two (*seen remembers them). */
static bool
st_describe(const char *what, int fd, unsigned *seen)
{
	static const char *const helper[2] = { "anon_inode:[eventpoll]",
	    "anon_inode:[eventfd]" };
	char p[64], target[256];
	ssize_t n;
	unsigned i;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = readlink(p, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	for (i = 0; i < 2; i++)
		if (strcmp(target, helper[i]) == 0 && !(*seen & (1u << i))) {
			*seen |= 1u << i;
			fprintf(stderr, "stress: helper thread's fd %d -> %s\n",
			    fd, target);
			return true;
		}
	fprintf(stderr, "stress: %s fd %d -> %s\n", what, fd, target);
	return false;
}

/* Same sorted lists?  Print the differences. */
static bool
st_same_fds(int *a, int na, int *b, int nb)
{
	int i = 0, j = 0;
	unsigned seen = 0;
	bool same = true;

	qsort(a, (size_t)na, sizeof(int), st_cmp_int);
	qsort(b, (size_t)nb, sizeof(int), st_cmp_int);
	while (i < na || j < nb) {
		if (j >= nb || (i < na && a[i] < b[j])) {
			fprintf(stderr, "stress: fd %d was open at the start "
			    "and is gone\n", a[i++]);
			same = false;
		} else if (i >= na || b[j] < a[i]) {
			if (!st_describe("leaked", b[j++], &seen))
				same = false;
		} else {
			i++;
			j++;
		}
	}
	return same;
}

/* ---- children ------------------------------------------------------------ */

static void
st_child(unsigned n)
{
	unsigned c, good = 0;

	for (c = 0; c < opt.child_cycles; c++)
		good += st_cycle(100000 + n, c);
	fflush(stderr);
	_exit(good == opt.child_cycles ? 0 : 1);
}

static unsigned st_forks, st_forks_ok, st_inflight;
static char st_child_n[16];	/* -e: the child's number, as text */
static char **st_cargv;		/* -e: "stress child N" + the options */

/* -e: the argument vector each child execs, from "run"'s own. */
static int
st_child_argv(int argc, char **argv)
{
	int i;

	st_cargv = calloc((size_t)argc + 3, sizeof(*st_cargv));
	if (st_cargv == NULL)
		return -1;
	st_cargv[0] = "stress";
	st_cargv[1] = "child";
	st_cargv[2] = st_child_n;
	for (i = 1; i < argc; i++)
		st_cargv[i + 2] = argv[i];
	return 0;
}

static void
st_reap(bool block)
{
	int status;
	pid_t p;

	while (st_inflight > 0) {
		p = waitpid(-1, &status, block ? 0 : WNOHANG);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return;
		st_inflight--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			st_forks_ok++;
		else
			fprintf(stderr, "stress: child %ld failed (status "
			    "0x%x)\n", (long)p, status);
		if (!block)
			continue;
		return;
	}
}

static bool
st_fork_more(void)
{
	if (opt.seconds > 0)
		return st_now() < st_deadline;
	return st_forks < opt.forks;
}

static int
st_fork_loop(void)
{
	struct timespec gap = { 0, 20 * 1000 * 1000 };
	pid_t p;

	while (st_fork_more()) {
		while (st_inflight >= ST_MAX_INFLIGHT)
			st_reap(true);
		/* Formatted before fork(): the child of -e only execs. */
		snprintf(st_child_n, sizeof(st_child_n), "%u", st_forks);
		p = fork();
		if (p < 0) {
			perror("stress: fork");
			return -1;
		}
		if (p == 0 && opt.child_exec) {
			execv("/proc/self/exe", st_cargv);
			_exit(127);
		}
		if (p == 0)
			st_child(st_forks);
		st_forks++;
		st_inflight++;
		st_reap(false);
		(void)nanosleep(&gap, NULL);
	}
	while (st_inflight > 0)
		st_reap(true);
	return 0;
}

/* The "run" options into opt; 0, or 2 on a usage error. */
static int
st_parse(int argc, char **argv)
{
	int o;

	while ((o = getopt(argc, argv, "p:b:B:N:D:t:n:s:f:c:xe")) != -1) {
		switch (o) {
		case 'p': opt.port = atoi(optarg); break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &opt.base) != 1)
				return 2;
			break;
		case 'B': opt.naddr = (unsigned)atoi(optarg); break;
		case 'N': opt.names = (unsigned)atoi(optarg); break;
		case 'D': opt.domain = optarg; break;
		case 't': opt.threads = (unsigned)atoi(optarg); break;
		case 'n': opt.cycles = (unsigned)atoi(optarg); break;
		case 's': opt.seconds = (unsigned)atoi(optarg); break;
		case 'f': opt.forks = (unsigned)atoi(optarg); break;
		case 'c': opt.child_cycles = (unsigned)atoi(optarg); break;
		case 'x': opt.relaxed = true; break;
		case 'e': opt.child_exec = true; break;
		default: return 2;
		}
	}
	if (opt.port <= 0 || opt.naddr == 0 || opt.names == 0 ||
	    opt.names > ST_MAX_NAMES || opt.threads == 0) {
		fprintf(stderr, "stress run: -p, -b, -B and -N are needed\n");
		return 2;
	}
	return 0;
}

/* "stress child N OPTIONS": child N of an -e run, in its own image. */
static int
child_main(int argc, char **argv)
{
	if (argc < 2 || st_parse(argc - 1, argv + 1) != 0)
		return 2;
	st_seen4 = calloc(opt.names, sizeof(*st_seen4));
	if (st_seen4 == NULL)
		return 2;
	st_child((unsigned)atoi(argv[1]));
	return 1;	/* not reached */
}

static int
run_main(int argc, char **argv)
{
	static int before[ST_MAX_FDS], after[ST_MAX_FDS];
	pthread_t *tids;
	double t0, el;
	unsigned long total;
	unsigned i;
	int nb, na, rc;
	bool same;

	rc = st_parse(argc, argv);
	if (rc != 0)
		return rc;
	if (opt.child_exec && st_child_argv(argc, argv) < 0)
		return 2;
	/* Everything allocated before the first count. */
	st_seen4 = calloc(opt.names, sizeof(*st_seen4));
	tids = calloc(opt.threads, sizeof(*tids));
	if (st_seen4 == NULL || tids == NULL)
		return 2;
	nb = st_fds(before, ST_MAX_FDS);
	if (nb < 0 || nb > ST_MAX_FDS) {
		fprintf(stderr, "stress: cannot list /proc/self/fd\n");
		return 2;
	}
	t0 = st_now();
	st_deadline = t0 + opt.seconds;
	for (i = 0; i < opt.threads; i++)
		if (pthread_create(&tids[i], NULL, st_worker,
		    (void *)(uintptr_t)i) != 0) {
			perror("stress: pthread_create");
			return 2;
		}
	if (st_fork_loop() < 0)
		rc = 1;
	for (i = 0; i < opt.threads; i++)
		pthread_join(tids[i], NULL);
	el = st_now() - t0;
	na = st_fds(after, ST_MAX_FDS);
	same = na < ST_MAX_FDS && st_same_fds(before, nb, after, na);
	total = atomic_load(&st_ok) + atomic_load(&st_bad);
	printf("stress: threads=%u cycles=%lu ok=%lu bad=%lu forks=%u "
	    "forks_ok=%u fds_before=%d fds_after=%d fds_same=%s "
	    "elapsed=%.1f rate=%.0f/s\n", opt.threads, total,
	    atomic_load(&st_ok), atomic_load(&st_bad), st_forks, st_forks_ok,
	    nb, na, same ? "yes" : "no", el, el > 0 ? (double)total / el : 0);
	fflush(stdout);
	free(tids);
	free(st_cargv);
	free(st_seen4);
	if (atomic_load(&st_bad) != 0 || st_forks_ok != st_forks || !same ||
	    total == 0)
		rc = 1;
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "echo") == 0)
		return echo_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return run_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "child") == 0)
		return child_main(argc - 1, argv + 1);
	fprintf(stderr, "usage: stress echo [-P PORTFILE] [-l ADDR] [-w N]\n"
	    "       stress run -p PORT -b BASE -B NADDR -N NAMES [options]\n");
	return 2;
}
