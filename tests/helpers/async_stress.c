/* SPDX-License-Identifier: MIT */
/*
 * async_stress: many asynchronous connects at once, with the program's
 * descriptor games mixed in, for the asynchronous connect's stress
 * scenario (and its ThreadSanitizer and AddressSanitizer runs).
 * Standalone: no project headers.
 *
 *   async_stress -a ADDR -p PORT [-n TOTAL] [-c INFLIGHT] [-t THREADS]
 *       [-f FORK_MS] [-s SEED] [-k]
 *
 * THREADS threads (default 4), each with its own epoll loop, start TOTAL
 * (default 10000) non-blocking connects to ADDR:PORT in all, at most
 * INFLIGHT (default 200) at a time across them. The server is stress.c's
 * echo ("SRV <address>\n" then the line, then it closes). Each connect,
 * by lot:
 *   75%  plain: wait (edge-triggered EPOLLOUT), SO_ERROR, send a line,
 *        read to EOF, check the answer
 *   10%  closed while pending, at once
 *   10%  dup()ed: the duplicate is what epoll waits on, the I/O goes
 *        through the original
 *    5%  closed while pending, and the number reused at once by a
 *        socketpair: nothing may ever arrive on it
 * Meanwhile the main thread forks a child every FORK_MS ms (default 20);
 * a child makes one asynchronous connect of its own (with -k a blocking
 * one: no thread is started in the child), checks it and exits (a child
 * not done in 30 s dies of SIGALRM and counts as failed). At the end the process holds the descriptors it started with
 * (the helper thread's epoll instance and eventfd aside).
 *
 * Output: one line,
 *   async_stress: total=N ok=N bad=N closed=N dups=N reused=N stray=N
 *   forks=N forks_ok=N fds_same=yes|no elapsed=S
 * and the first problems on stderr. Exit 0 when every plain and dup
 * connection was right, no reused number got a byte, every child
 * succeeded and the descriptors match; 1 otherwise; 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AS_MAX_FDS	4096
#define AS_PAIRS	4096

enum as_kind { AS_PLAIN, AS_CLOSE, AS_DUP, AS_REUSE };

struct as_thread {
	int id;
	unsigned seed;
	int inflight;
	int pairs[AS_PAIRS];	/* reused numbers, both ends */
	int npairs;
};

struct as_conn {
	struct as_thread *t;
	int fd, wfd;		/* the socket; what epoll waits on */
	bool reading;
	char line[48];
	char buf[128];
	size_t have;
};

static struct sockaddr_in as_addr;
static const char *as_ip;
static long as_total = 10000;
static int as_inflight = 200, as_threads = 4, as_fork_ms = 20;
static bool as_child_blocking;
static atomic_long as_started, as_ok, as_bad, as_closed, as_dups, as_reused,
    as_stray;
static atomic_bool as_done;

static double
as_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
as_fail(const char *what, long a, long b)
{
	static atomic_int said;

	atomic_fetch_add(&as_bad, 1);
	if (atomic_fetch_add(&said, 1) < 10)
		fprintf(stderr, "async_stress: %s (%ld, %ld)\n", what, a, b);
}

/* A new non-blocking connect: -1 when it failed at once. */
static int
as_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);

	if (fd < 0) {
		as_fail("socket: errno", errno, 0);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&as_addr, sizeof(as_addr)) == 0 ||
	    errno == EINPROGRESS)
		return fd;
	as_fail("connect: errno", errno, 0);
	close(fd);
	return -1;
}

static bool
as_answer_ok(const struct as_conn *c)
{
	char want[128];
	int n = snprintf(want, sizeof(want), "SRV %s\n%s", as_ip, c->line);

	return (size_t)n == c->have && memcmp(want, c->buf, c->have) == 0;
}

static void
as_end(int ep, struct as_conn *c, bool good)
{
	(void)epoll_ctl(ep, EPOLL_CTL_DEL, c->wfd, NULL);
	if (c->wfd != c->fd)
		close(c->wfd);
	close(c->fd);
	if (good)
		atomic_fetch_add(&as_ok, 1);
	c->t->inflight--;
	free(c);
}

/* An event for c: connected (SO_ERROR, then the line) or data. */
static void
as_event(int ep, struct as_conn *c)
{
	struct epoll_event ev;
	socklen_t len = sizeof(int);
	size_t l = strlen(c->line);
	ssize_t n;
	int err = 0;

	if (!c->reading) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
		    err != 0) {
			as_fail("SO_ERROR, fd", err, c->fd);
			as_end(ep, c, false);
			return;
		}
		if (send(c->fd, c->line, l, MSG_NOSIGNAL) != (ssize_t)l) {
			as_fail("send: errno, fd", errno, c->fd);
			as_end(ep, c, false);
			return;
		}
		c->reading = true;
		ev.events = EPOLLIN | EPOLLET;
		ev.data.ptr = c;
		(void)epoll_ctl(ep, EPOLL_CTL_MOD, c->wfd, &ev);
	}
	for (;;) {
		n = recv(c->fd, c->buf + c->have, sizeof(c->buf) - c->have, 0);
		if (n > 0 && (c->have += (size_t)n) < sizeof(c->buf))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break;
	}
	if (!as_answer_ok(c))
		as_fail("wrong answer: bytes, fd", (long)c->have, c->fd);
	as_end(ep, c, as_answer_ok(c));
}

/* Start one connect, by lot. */
static void
as_start(int ep, struct as_thread *t, long k)
{
	struct epoll_event ev;
	struct as_conn *c;
	int lot = (int)(rand_r(&t->seed) % 100), fd, sv[2];

	fd = as_connect();
	if (fd < 0)
		return;
	if (lot < 15) {
		close(fd);	/* while pending */
		atomic_fetch_add(&as_closed, 1);
		if (lot < 10 || t->npairs + 2 > AS_PAIRS || socketpair(AF_UNIX,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
			return;
		/* The number is reused at once (the lowest free one). */
		t->pairs[t->npairs++] = sv[0];
		t->pairs[t->npairs++] = sv[1];
		atomic_fetch_add(&as_reused, 1);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->t = t;
	c->fd = c->wfd = fd;
	snprintf(c->line, sizeof(c->line), "t%d c%ld\n", t->id, k);
	if (lot < 25) {
		c->wfd = dup(fd);	/* epoll waits on the duplicate */
		atomic_fetch_add(&as_dups, 1);
	}
	ev.events = EPOLLOUT | EPOLLET;
	ev.data.ptr = c;
	if (c->wfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, c->wfd, &ev) != 0) {
		as_fail("dup/epoll_ctl: errno", errno, 0);
		close(fd);
		free(c);
		return;
	}
	t->inflight++;
}

static void *
as_worker(void *arg)
{
	struct as_thread *t = arg;
	struct epoll_event evs[64];
	int ep = epoll_create1(EPOLL_CLOEXEC), i, n;
	int cap = as_inflight / as_threads > 0 ? as_inflight / as_threads : 1;
	double end = as_now() + 150;
	char b;
	long k;

	while (as_now() < end) {
		while (t->inflight < cap &&
		    (k = atomic_fetch_add(&as_started, 1)) < as_total)
			as_start(ep, t, k);
		if (t->inflight == 0)
			break;
		n = epoll_wait(ep, evs, 64, 1000);
		for (i = 0; i < n; i++)
			as_event(ep, evs[i].data.ptr);
	}
	if (t->inflight > 0)
		as_fail("connections never ended: thread, count", t->id,
		    t->inflight);
	/* Nothing of any handshake reached a reused number. */
	for (i = 0; i < t->npairs; i++) {
		ssize_t r = recv(t->pairs[i], &b, 1, MSG_DONTWAIT);

		if (r != -1 || errno != EAGAIN) {
			atomic_fetch_add(&as_stray, 1);
			fprintf(stderr, "async_stress: fd %d (a reused "
			    "number's pair) got %zd, errno %d, byte 0x%02x\n",
			    t->pairs[i], r, r < 0 ? errno : 0,
			    r > 0 ? (unsigned char)b : 0);
		}
	}
	for (i = 0; i < t->npairs; i++)
		close(t->pairs[i]);
	close(ep);
	return NULL;
}

/* A child: one asynchronous connect of its own, then exit. */
static void
as_child(void)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	char line[] = "child\n", buf[128], want[128];
	size_t have = 0;
	ssize_t n;
	int fd, err = -1, wl;

	(void)alarm(30);
	if (as_child_blocking) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&as_addr,
		    sizeof(as_addr)) != 0)
			_exit(1);
	} else {
		fd = as_connect();
	}
	if (fd < 0)
		_exit(1);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 10000) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
		_exit(2);
	(void)fcntl(fd, F_SETFL, 0);
	if (send(fd, line, sizeof(line) - 1, MSG_NOSIGNAL) != sizeof(line) - 1)
		_exit(3);
	while (have < sizeof(buf) &&
	    (n = recv(fd, buf + have, sizeof(buf) - have, 0)) > 0)
		have += (size_t)n;
	wl = snprintf(want, sizeof(want), "SRV %s\n%s", as_ip, line);
	_exit((size_t)wl == have && memcmp(want, buf, have) == 0 ? 0 : 4);
}

static int
as_fds(int *fds, int cap)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) &&
		    n < cap)
			fds[n++] = atoi(e->d_name);
	closedir(d);
	return n;
}

/* Every descriptor open now was open before, but for the helper
 * thread's epoll instance and eventfd (one of each). */
static bool
as_same_fds(const int *before, int nb)
{
	int after[AS_MAX_FDS], na = as_fds(after, AS_MAX_FDS), i, j;
	unsigned seen = 0;
	char p[64], tgt[256];
	ssize_t l;
	bool same = true;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j < nb)
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", after[i]);
		l = readlink(p, tgt, sizeof(tgt) - 1);
		tgt[l > 0 ? l : 0] = '\0';
		if (strcmp(tgt, "anon_inode:[eventpoll]") == 0 && !(seen & 1))
			seen |= 1;
		else if (strcmp(tgt, "anon_inode:[eventfd]") == 0 &&
		    !(seen & 2))
			seen |= 2;
		else {
			fprintf(stderr, "async_stress: leaked fd %d -> %s\n",
			    after[i], tgt);
			same = false;
		}
	}
	return same && na - (int)__builtin_popcount(seen) == nb;
}

int
main(int argc, char **argv)
{
	struct as_thread *ts;
	pthread_t *tids;
	int before[AS_MAX_FDS], nb, o, i, status, forks = 0, forks_ok = 0;
	unsigned seed = 1;
	double t0, el;
	bool same;
	pid_t pid;

	while ((o = getopt(argc, argv, "a:p:n:c:t:f:s:k")) != -1) {
		switch (o) {
		case 'a': as_ip = optarg; break;
		case 'p': as_addr.sin_port = htons((uint16_t)atoi(optarg));
			break;
		case 'n': as_total = atol(optarg); break;
		case 'c': as_inflight = atoi(optarg); break;
		case 't': as_threads = atoi(optarg); break;
		case 'f': as_fork_ms = atoi(optarg); break;
		case 's': seed = (unsigned)atoi(optarg); break;
		case 'k': as_child_blocking = true; break;
		default: return 2;
		}
	}
	as_addr.sin_family = AF_INET;
	if (as_ip == NULL || inet_pton(AF_INET, as_ip, &as_addr.sin_addr) != 1 ||
	    as_total < 1 || as_inflight < 1 || as_threads < 1 ||
	    as_fork_ms < 1) {
		fprintf(stderr, "usage: async_stress -a ADDR -p PORT [-n TOTAL] "
		    "[-c INFLIGHT] [-t THREADS] [-f FORK_MS] [-s SEED]\n");
		return 2;
	}
	nb = as_fds(before, AS_MAX_FDS);
	ts = calloc((size_t)as_threads, sizeof(*ts));
	tids = calloc((size_t)as_threads, sizeof(*tids));
	t0 = as_now();
	for (i = 0; i < as_threads; i++) {
		ts[i].id = i;
		ts[i].seed = seed * 7919u + (unsigned)i;
		if (pthread_create(&tids[i], NULL, as_worker, &ts[i]) != 0)
			return 2;
	}
	/* Children forked while connects are pending in the workers. */
	while (atomic_load(&as_started) < as_total && as_now() < t0 + 150) {
		(void)usleep((useconds_t)as_fork_ms * 1000);
		pid = fork();
		if (pid == 0)
			as_child();
		if (pid < 0)
			continue;
		forks++;
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			forks_ok++;
		else
			fprintf(stderr, "async_stress: child %ld: status 0x%x\n",
			    (long)pid, status);
	}
	for (i = 0; i < as_threads; i++)
		pthread_join(tids[i], NULL);
	atomic_store(&as_done, true);
	el = as_now() - t0;
	same = as_same_fds(before, nb);
	printf("async_stress: total=%ld ok=%ld bad=%ld closed=%ld dups=%ld "
	    "reused=%ld stray=%ld forks=%d forks_ok=%d fds_same=%s "
	    "elapsed=%.1f\n", as_total, atomic_load(&as_ok),
	    atomic_load(&as_bad), atomic_load(&as_closed),
	    atomic_load(&as_dups), atomic_load(&as_reused),
	    atomic_load(&as_stray), forks, forks_ok, same ? "yes" : "no", el);
	free(ts);
	free(tids);
	return atomic_load(&as_bad) == 0 && atomic_load(&as_stray) == 0 &&
	    forks == forks_ok && same ? 0 : 1;
}
