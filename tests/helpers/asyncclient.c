/* SPDX-License-Identifier: MIT */
/*
 * asyncclient: N parallel non-blocking connects, waited for the way an
 * event loop does, for the asynchronous connect scenario. Standalone: no
 * project headers.
 *
 *   asyncclient -m MODE [-n N] [-t SECONDS] HOST PORT
 *
 * MODE, how the connects are waited for:
 *   lt         epoll, level-triggered EPOLLOUT (deleted after its event)
 *   et         epoll, EPOLLOUT | EPOLLET
 *   oneshot    epoll, EPOLLOUT | EPOLLONESHOT
 *   before     epoll, EPOLLOUT | EPOLLET, registered before connect()
 *   exclusive  epoll, EPOLLOUT | EPOLLEXCLUSIVE (deleted after its event)
 *   dup        epoll ET on the socket, and on a dup() of it in a second
 *              epoll set: each set must report it once
 *   nested     the socket (ET) in an epoll set that is in another (outer)
 *   polled     the socket (ET) in an epoll set watched with poll()
 *   poll       poll() for POLLOUT
 *   select     select() for writing
 * For each connection: the first writable report, then SO_ERROR. The
 * edge-triggered and one-shot modes then watch 300 ms more: a second
 * report before the program has written anything is counted as "extra".
 * Then each connected socket sends "line I\n" and must read it back.
 *
 * Output: one line per connection, then a summary:
 *   conn I: OK events=E echo=exact|wrong|error(ENAME)
 *   conn I: ERR ENAME events=E elapsed=S
 *   SUMMARY ok=N err=N extra=N elapsed=S
 * Exit 0 when it ran (the test judges the lines), 2 on a setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define AC_MAX 512

struct ac_conn {
	int fd, fd2;		/* the socket, its dup (mode dup) */
	int events, events2;	/* writable reports seen */
	int err;		/* -1 until the first report */
	double at;		/* when it came */
};

static struct ac_conn conns[AC_MAX];
static int sent[AC_MAX];
static int n_conns = 1, ep = -1, ep2 = -1, outer = -1;
static const char *mode = "et";

static double
ac_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
ac_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "E?";
}

static bool
is(const char *m)
{
	return strcmp(mode, m) == 0;
}

static bool
ac_edge(void)
{
	return is("et") || is("oneshot") || is("before") || is("dup") ||
	    is("nested") || is("polled");
}

static uint32_t
ac_events(void)
{
	if (is("lt"))
		return EPOLLOUT;
	if (is("oneshot"))
		return EPOLLOUT | EPOLLONESHOT;
	if (is("exclusive"))
		return EPOLLOUT | EPOLLEXCLUSIVE;
	return EPOLLOUT | EPOLLET;
}

static void
ac_add(int set, int fd, uint64_t data, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	if (epoll_ctl(set, EPOLL_CTL_ADD, fd, &ev) != 0) {
		perror("asyncclient: epoll_ctl");
		exit(2);
	}
}

/* A writable report for connection i (second set: dup mode). */
static void
ac_report(int i, bool second)
{
	struct ac_conn *c = &conns[i];
	socklen_t len = sizeof(int);

	if (second) {
		c->events2++;
		return;
	}
	c->events++;
	if (c->err >= 0)
		return;
	c->at = ac_now();
	c->err = 0;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &c->err, &len) != 0)
		c->err = errno;
	if (is("lt") || is("exclusive"))
		(void)epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
}

/* Reports from an epoll set within ms. */
static int
ac_epoll_round(int set, int ms, bool second)
{
	struct epoll_event ev[64];
	int i, n = epoll_wait(set, ev, 64, ms);

	for (i = 0; i < n; i++)
		ac_report((int)ev[i].data.u64, second);
	return n;
}

/* One wait of up to ms for reports, in the mode's way. */
static void
ac_round(int ms)
{
	struct pollfd pfd[AC_MAX];
	fd_set w;
	int i, n = 0, top = -1;

	if (is("poll") || is("select")) {
		FD_ZERO(&w);
		for (i = 0; i < n_conns; i++) {
			if (conns[i].err >= 0)
				continue;
			pfd[n].fd = conns[i].fd;
			pfd[n].events = POLLOUT;
			pfd[n++].revents = 0;
			FD_SET(conns[i].fd, &w);
			if (conns[i].fd > top)
				top = conns[i].fd;
		}
		if (is("poll")) {
			if (poll(pfd, (nfds_t)n, ms) <= 0)
				return;
		} else {
			struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

			if (select(top + 1, NULL, &w, NULL, &tv) <= 0)
				return;
		}
		for (i = 0; i < n_conns; i++)
			if (conns[i].err < 0 && FD_ISSET(conns[i].fd, &w) &&
			    is("select"))
				ac_report(i, false);
		for (i = 0; is("poll") && i < n; i++)
			if (pfd[i].revents != 0)
				for (int j = 0; j < n_conns; j++)
					if (conns[j].fd == pfd[i].fd)
						ac_report(j, false);
		return;
	}
	if (is("nested") || is("polled")) {
		struct pollfd p = { .fd = ep, .events = POLLIN };
		struct epoll_event oev;

		/* The outer set's report says the inner one is ready. */
		if (is("nested") ? epoll_wait(outer, &oev, 1, ms) > 0 :
		    poll(&p, 1, ms) > 0)
			(void)ac_epoll_round(ep, 0, false);
		return;
	}
	(void)ac_epoll_round(ep, ms, false);
	if (is("dup"))
		(void)ac_epoll_round(ep2, 0, true);
}

static bool
ac_all_reported(void)
{
	int i;

	for (i = 0; i < n_conns; i++)
		if (conns[i].err < 0)
			return false;
	return true;
}

/* Send "line I\n" on a connected socket: 0 or errno. All lines go out
 * before any is read back (a server that serves one connection after the
 * other must not wait for us). */
static int
ac_send(int i)
{
	struct timeval tv = { 5, 0 };
	char line[32];
	size_t len;
	int fd = conns[i].fd;

	len = (size_t)snprintf(line, sizeof(line), "line %d\n", i);
	(void)fcntl(fd, F_SETFL, 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return send(fd, line, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : errno;
}

/* Read back what ac_send() sent. */
static const char *
ac_echo(int i, int sent)
{
	static char res[64];
	char line[32], back[32];
	size_t len, got = 0;
	ssize_t n;
	int fd = conns[i].fd;

	len = (size_t)snprintf(line, sizeof(line), "line %d\n", i);
	if (sent != 0) {
		snprintf(res, sizeof(res), "error(%s)", ac_errname(sent));
		return res;
	}
	while (got < len && (n = recv(fd, back + got, len - got, 0)) > 0)
		got += (size_t)n;
	if (got == len && memcmp(back, line, len) == 0)
		return "exact";
	return "wrong";
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	double t0, end, limit = 15;
	int c, i, ok = 0, bad = 0, extra = 0;

	while ((c = getopt(argc, argv, "m:n:t:")) != -1) {
		if (c == 'm')
			mode = optarg;
		else if (c == 'n')
			n_conns = atoi(optarg);
		else if (c == 't')
			limit = atof(optarg);
		else
			return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (argc - optind != 2 || n_conns < 1 || n_conns > AC_MAX ||
	    inet_pton(AF_INET, argv[optind], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: asyncclient -m MODE [-n N] [-t S] "
		    "IPV4 PORT\n");
		return 2;
	}
	sin.sin_port = htons((uint16_t)atoi(argv[optind + 1]));
	ep = epoll_create1(0);
	ep2 = epoll_create1(0);
	outer = epoll_create1(0);
	if (is("nested"))
		ac_add(outer, ep, 0, EPOLLIN);
	t0 = ac_now();
	for (i = 0; i < n_conns; i++) {
		struct ac_conn *k = &conns[i];

		k->err = -1;
		k->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (k->fd < 0) {
			perror("asyncclient: socket");
			return 2;
		}
		if (is("before"))
			ac_add(ep, k->fd, (uint64_t)i, ac_events());
		if (connect(k->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 &&
		    errno != EINPROGRESS) {
			k->err = errno;
			k->at = ac_now();
			continue;
		}
		if (is("poll") || is("select") || is("before"))
			continue;
		ac_add(ep, k->fd, (uint64_t)i, ac_events());
		if (is("dup")) {
			k->fd2 = dup(k->fd);
			ac_add(ep2, k->fd2, (uint64_t)i, ac_events());
		}
	}
	end = t0 + limit;
	while (!ac_all_reported() && ac_now() < end)
		ac_round(100);
	/* Edge-triggered and one-shot: nothing more before we write. */
	if (ac_edge()) {
		double until = ac_now() + 0.3;

		while (ac_now() < until)
			ac_round(50);
	}
	for (i = 0; i < n_conns; i++)
		if (conns[i].err == 0)
			sent[i] = ac_send(i);
	for (i = 0; i < n_conns; i++) {
		struct ac_conn *k = &conns[i];

		if (k->err != 0) {
			printf("conn %d: ERR %s events=%d elapsed=%.2f\n", i,
			    k->err < 0 ? "NOREPORT" : ac_errname(k->err),
			    k->events, (k->err < 0 ? ac_now() : k->at) - t0);
			bad++;
		} else {
			printf("conn %d: OK events=%d echo=%s\n", i, k->events,
			    ac_echo(i, sent[i]));
			ok++;
		}
		if (ac_edge() && (k->events != 1 ||
		    (is("dup") && k->events2 != 1)))
			extra++;
	}
	printf("SUMMARY ok=%d err=%d extra=%d elapsed=%.2f\n", ok, bad, extra,
	    ac_now() - t0);
	return 0;
}
