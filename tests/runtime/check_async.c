/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: asynchronous connect against the fake peer holding its
 * replies. A non-blocking connect() is EINPROGRESS; while the handshake
 * waits for the peer the socket is never reported writable by poll(),
 * ppoll(), select() or any epoll mode, SO_ERROR is 0, getpeername() is
 * ENOTCONN, reads are EAGAIN, a second connect() is EALREADY; once the
 * peer answers, exactly one writable report, the destination, the echo.
 * Failures (REP 5, the deadline) come through SO_ERROR once. close() of
 * a pending socket lets nothing reach the next descriptor at that
 * number; a write waits for the tunnel; a blocking connect interrupted
 * by a signal without SA_RESTART is EINTR and goes on.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

static struct rt_peer peer;

static void
setup(void)
{
	rt_peer_start(&peer);
	(void)rt_config(&peer, NULL);
	rt_peer_hold(&peer, true);
}

static long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A non-blocking socket connecting to the proxied target: EINPROGRESS. */
static int
start_connect(void)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    -1);
	ck_assert_msg(errno == EINPROGRESS, "connect: %s", strerror(errno));
	return fd;
}

static int
so_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = -1;

	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	return err;
}

static bool
writable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLOUT);
}

/* While pending: every question gets the in-progress answer. */
static void
assert_pending(int fd)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char c;

	ck_assert_int_eq(so_error(fd), 0);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&ss, &len), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(read(fd, &c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(recv(fd, &c, 1, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    -1);
	ck_assert_int_eq(errno, EALREADY);
}

/* After the tunnel is up: the destination, EISCONN, the echo, and the
 * peer saw nothing of ours before its reply. */
static void
assert_connected(int fd)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT), got;
	socklen_t len = sizeof(got);
	struct rt_peer snap;

	ck_assert_int_eq(so_error(fd), 0);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&got, &len), 0);
	ck_assert_int_eq(got.sin_addr.s_addr, sin.sin_addr.s_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    -1);
	ck_assert_int_eq(errno, EISCONN);
	ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
	ck_assert(rt_echo(fd, "async hello"));
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.early, 0);
	ck_assert_uint_eq(snap.connects, 1);
}

START_TEST(poll_masks_until_tunnel)
{
	int fd = start_connect();

	ck_assert(!writable(fd, 300));
	assert_pending(fd);
	rt_peer_hold(&peer, false);
	ck_assert(writable(fd, 3000));
	assert_connected(fd);
	(void)close(fd);
}
END_TEST

START_TEST(ppoll_and_select_mask)
{
	struct timespec ts = { 0, 200 * 1000000L };
	struct timeval tv = { 0, 200000 };
	struct pollfd pfd;
	fd_set w;
	long t0;
	int fd = start_connect();

	pfd.fd = fd;
	pfd.events = POLLOUT;
	ck_assert_int_eq(ppoll(&pfd, 1, &ts, NULL), 0);
	FD_ZERO(&w);
	FD_SET(fd, &w);
	t0 = now_ms();
	ck_assert_int_eq(select(fd + 1, NULL, &w, NULL, &tv), 0);
	ck_assert_int_ge(now_ms() - t0, 180);
	ck_assert(!FD_ISSET(fd, &w));
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);	/* the time left, as Linux */
	rt_peer_hold(&peer, false);
	FD_SET(fd, &w);
	tv.tv_sec = 3;
	ck_assert_int_eq(select(fd + 1, NULL, &w, NULL, &tv), 1);
	ck_assert(FD_ISSET(fd, &w));
	ck_assert_int_gt(tv.tv_sec * 1000000L + tv.tv_usec, 0);
	assert_connected(fd);
}
END_TEST

/* A descriptor number above FD_SETSIZE, in a larger set. */
START_TEST(select_above_fd_setsize)
{
	unsigned long set[4096 / (8 * sizeof(unsigned long))];
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);
	struct timeval tv = { 0, 200000 };
	size_t b = 8 * sizeof(unsigned long);
	struct rlimit rl;
	int s, big = 2000;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_msg(rl.rlim_max > 4096, "RLIMIT_NOFILE hard limit %lu",
	    (unsigned long)rl.rlim_max);
	rl.rlim_cur = 4096;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(dup2(s, big), big);
	ck_assert_int_eq(close(s), 0);
	ck_assert_int_eq(connect(big, (struct sockaddr *)&sin, sizeof(sin)),
	    -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	memset(set, 0, sizeof(set));
	set[big / b] |= 1ul << (big % b);
	ck_assert_int_eq(select(big + 1, NULL, (fd_set *)(void *)set, NULL,
	    &tv), 0);
	ck_assert_uint_eq(set[big / b], 0);
	rt_peer_hold(&peer, false);
	set[big / b] |= 1ul << (big % b);
	tv.tv_sec = 3;
	ck_assert_int_eq(select(big + 1, NULL, (fd_set *)(void *)set, NULL,
	    &tv), 1);
	ck_assert(set[big / b] & (1ul << (big % b)));
	assert_connected(big);
}
END_TEST

START_TEST(refused_reported_once)
{
	struct pollfd pfd;
	int fd;

	peer.rep = 5;
	fd = start_connect();
	rt_peer_hold(&peer, false);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	ck_assert_int_eq(poll(&pfd, 1, 3000), 1);
	ck_assert_int_eq(so_error(fd), ECONNREFUSED);
	ck_assert_int_eq(so_error(fd), 0);	/* once */
	(void)close(fd);
}
END_TEST

START_TEST(deadline_is_etimedout)
{
	long t0;
	int fd;

	(void)rt_config(&peer, "timeout = 1s", NULL);
	peer.silent = true;
	fd = start_connect();
	t0 = now_ms();
	ck_assert(writable(fd, 5000));
	ck_assert_int_ge(now_ms() - t0, 800);
	ck_assert_int_le(now_ms() - t0, 2500);
	ck_assert_int_eq(so_error(fd), ETIMEDOUT);
	(void)close(fd);
}
END_TEST

/* close() and reuse of the number: nothing of the handshake reaches the
 * new descriptor. The peer (a thread of this process) has accepted first,
 * so that the number is free for the test's own dup3(). */
START_TEST(close_pending_then_reuse)
{
	int fd = start_connect(), sv[2];
	char buf[64];

	ck_assert(rt_peer_wait_gated(&peer, 1));
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(rt_place(sv[0], fd), fd);
	rt_peer_hold(&peer, false);
	(void)usleep(300000);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(send(fd, "x", 1, 0), 1);
	ck_assert_int_eq(recv(sv[1], buf, sizeof(buf), 0), 1);
}
END_TEST

static void *
release_later(void *arg)
{
	(void)arg;
	(void)usleep(300000);
	rt_peer_hold(&peer, false);
	return NULL;
}

START_TEST(write_waits_for_tunnel)
{
	struct rt_peer snap;
	pthread_t t;
	char buf[16];
	long t0;
	int fd = start_connect();

	ck_assert_int_eq(pthread_create(&t, NULL, release_later, NULL), 0);
	t0 = now_ms();
	ck_assert_int_eq(send(fd, "early", 5, 0), 5);
	ck_assert_int_ge(now_ms() - t0, 250);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
	ck_assert_int_eq(recv(fd, buf, 5, MSG_WAITALL), 5);
	ck_assert(memcmp(buf, "early", 5) == 0);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.early, 0);
}
END_TEST

/* The parent's handshake survives a fork; the child's copy is inert. */
START_TEST(fork_while_pending)
{
	int fd = start_connect(), status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		/* No pending record here: only the kernel's view. */
		(void)poll(&pfd, 1, 100);
		(void)close(fd);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(!writable(fd, 100));
	rt_peer_hold(&peer, false);
	ck_assert(writable(fd, 3000));
	assert_connected(fd);
}
END_TEST

START_TEST(io_uring_refused)
{
	long rc = syscall(SYS_io_uring_setup, 4, NULL);

	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, ENOSYS);
}
END_TEST

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A blocking connect and SIGALRM: EINTR without SA_RESTART (then the
 * handshake goes on), the call keeps waiting with it. */
static void
blocking_with_signal(bool restart)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);
	struct sigaction sa;
	pthread_t t;
	int fd, rc;

	/* Check's own SIGINT/SIGTERM handlers lack SA_RESTART: with
	 * handlers that differ the answer is EINTR, so they go. */
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGTERM, SIG_DFL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, release_later, NULL), 0);
	(void)ualarm(100000, 0);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (restart) {
		ck_assert_msg(rc == 0, "connect: %s", strerror(errno));
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(errno, EINTR);
		ck_assert(writable(fd, 3000));
		ck_assert_int_eq(so_error(fd), 0);
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	assert_connected(fd);
}

START_TEST(blocking_eintr_goes_on)
{
	blocking_with_signal(false);
}
END_TEST

START_TEST(blocking_sa_restart_waits)
{
	blocking_with_signal(true);
}
END_TEST

static Suite *
async_suite(void)
{
	Suite *s = suite_create("async");
	TCase *tc = tcase_create("async");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, poll_masks_until_tunnel);
	tcase_add_test(tc, ppoll_and_select_mask);
	tcase_add_test(tc, select_above_fd_setsize);
	tcase_add_test(tc, refused_reported_once);
	tcase_add_test(tc, deadline_is_etimedout);
	tcase_add_test(tc, close_pending_then_reuse);
	tcase_add_test(tc, write_waits_for_tunnel);
	tcase_add_test(tc, fork_while_pending);
	tcase_add_test(tc, io_uring_refused);
	tcase_add_test(tc, blocking_eintr_goes_on);
	tcase_add_test(tc, blocking_sa_restart_waits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{

	(void)argc;
	rt_preload(argv);
	return rt_run(async_suite());
}
