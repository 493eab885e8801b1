/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: epoll registrations of a socket whose asynchronous
 * connect is pending are held out of the kernel's sets and put back when
 * the tunnel is up, for every mode a program uses: level-triggered,
 * edge-triggered, one-shot, registered before connect(), EPOLLEXCLUSIVE,
 * a dup()ed descriptor in a second set, an epoll instance nested in
 * another and one polled with poll(). While pending no event comes; after,
 * the writable event comes (exactly once for edge-triggered and one-shot
 * waiters), with the program's own data word. epoll_ctl calls made while
 * held are answered as the kernel would.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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

static void
do_connect(int fd)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);

	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    -1);
	ck_assert_msg(errno == EINPROGRESS, "connect: %s", strerror(errno));
}

static int
nb_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static void
add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	ck_assert_msg(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0,
	    "epoll_ctl ADD: %s", strerror(errno));
}

/* Events from ep within ms; the first one's data and events. */
static int
wait_ev(int ep, int ms, struct epoll_event *first)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, 8, ms);

	ck_assert_int_ge(n, 0);
	if (n > 0 && first != NULL)
		*first = ev[0];
	return n;
}

/* The common shape: nothing while held; on release, one writable event
 * with data; for edge-triggered and one-shot, none after. */
static void
mode_case(uint32_t events, bool before)
{
	struct epoll_event got;
	int ep = epoll_create1(EPOLL_CLOEXEC), fd = nb_socket();

	ck_assert_int_ge(ep, 0);
	if (before)
		add(ep, fd, events, 0xfeed);
	do_connect(fd);
	if (!before)
		add(ep, fd, events, 0xfeed);
	ck_assert_int_eq(wait_ev(ep, 300, NULL), 0);
	rt_peer_hold(&peer, false);
	ck_assert_int_eq(wait_ev(ep, 3000, &got), 1);
	ck_assert(got.events & EPOLLOUT);
	ck_assert_uint_eq(got.data.u64, 0xfeed);
	if (events & (EPOLLET | EPOLLONESHOT))
		ck_assert_int_eq(wait_ev(ep, 200, NULL), 0);
	else
		ck_assert_int_eq(wait_ev(ep, 200, NULL), 1);
	ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
	ck_assert(rt_echo(fd, "epoll"));
	(void)close(fd);
	(void)close(ep);
}

START_TEST(level_triggered)
{
	mode_case(EPOLLOUT | EPOLLIN, false);
}
END_TEST

START_TEST(edge_triggered)
{
	mode_case(EPOLLOUT | EPOLLIN | EPOLLET, false);
}
END_TEST

START_TEST(one_shot)
{
	mode_case(EPOLLOUT | EPOLLONESHOT, false);
}
END_TEST

START_TEST(registered_before_connect)
{
	mode_case(EPOLLOUT | EPOLLET, true);
}
END_TEST

START_TEST(exclusive)
{
	mode_case(EPOLLOUT | EPOLLEXCLUSIVE, false);
}
END_TEST

/* epoll_ctl on a held socket: the kernel's answers. */
START_TEST(ctl_while_held)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 1 }, got;
	int ep = epoll_create1(0), fd = nb_socket();

	do_connect(fd);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	add(ep, fd, EPOLLIN, 1);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), -1);
	ck_assert_int_eq(errno, EEXIST);
	ev.data.u64 = 2;
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
	ck_assert_int_eq(epoll_ctl(-1, EPOLL_CTL_ADD, fd, &ev), -1);
	ck_assert_int_eq(errno, EBADF);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT;
	ck_assert_int_eq(epoll_ctl(epoll_create1(0), EPOLL_CTL_ADD, fd, &ev),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(wait_ev(ep, 200, NULL), 0);
	rt_peer_hold(&peer, false);
	/* The MOD made while held is what comes back. */
	ck_assert_int_eq(wait_ev(ep, 3000, &got), 1);
	ck_assert_uint_eq(got.data.u64, 2);
	ck_assert(got.events & EPOLLOUT);
	(void)close(fd);
}
END_TEST

/* A DEL while held: nothing comes back. */
START_TEST(deleted_while_held)
{
	int ep = epoll_create1(0), fd = nb_socket();
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	do_connect(fd);
	add(ep, fd, EPOLLOUT, 1);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL), 0);
	rt_peer_hold(&peer, false);
	ck_assert_int_eq(poll(&pfd, 1, 3000), 1);
	ck_assert_int_eq(wait_ev(ep, 200, NULL), 0);
	(void)close(fd);
}
END_TEST

/* A dup()ed descriptor of the socket in a second set is held too. */
START_TEST(dup_in_second_set)
{
	struct epoll_event got;
	int ep1 = epoll_create1(0), ep2 = epoll_create1(0), fd = nb_socket();
	int fd2 = dup(fd);

	ck_assert_int_ge(fd2, 0);
	add(ep2, fd2, EPOLLOUT | EPOLLET, 22);
	do_connect(fd);
	add(ep1, fd, EPOLLOUT | EPOLLET, 11);
	ck_assert_int_eq(wait_ev(ep1, 200, NULL), 0);
	ck_assert_int_eq(wait_ev(ep2, 100, NULL), 0);
	rt_peer_hold(&peer, false);
	ck_assert_int_eq(wait_ev(ep1, 3000, &got), 1);
	ck_assert_uint_eq(got.data.u64, 11);
	ck_assert_int_eq(wait_ev(ep2, 1000, &got), 1);
	ck_assert_uint_eq(got.data.u64, 22);
	(void)close(fd2);
	(void)close(fd);
}
END_TEST

/* An epoll instance inside another, and one watched with poll(). */
START_TEST(nested_and_polled)
{
	struct epoll_event got;
	int inner = epoll_create1(0), outer = epoll_create1(0), fd = nb_socket();
	struct pollfd pfd = { .fd = inner, .events = POLLIN };

	do_connect(fd);
	add(inner, fd, EPOLLOUT, 7);
	add(outer, inner, EPOLLIN, 99);
	ck_assert_int_eq(wait_ev(outer, 200, NULL), 0);
	ck_assert_int_eq(poll(&pfd, 1, 100), 0);
	rt_peer_hold(&peer, false);
	ck_assert_int_eq(wait_ev(outer, 3000, &got), 1);
	ck_assert_uint_eq(got.data.u64, 99);
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	ck_assert_int_eq(wait_ev(inner, 0, &got), 1);
	ck_assert_uint_eq(got.data.u64, 7);
	(void)close(fd);
}
END_TEST

/* A failure comes back as an event too, and SO_ERROR says which. */
START_TEST(refused_event)
{
	struct epoll_event got;
	socklen_t len = sizeof(int);
	int ep = epoll_create1(0), fd = nb_socket(), err = 0;

	peer.rep = 5;
	do_connect(fd);
	add(ep, fd, EPOLLOUT | EPOLLET, 5);
	rt_peer_hold(&peer, false);
	ck_assert_int_eq(wait_ev(ep, 3000, &got), 1);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	ck_assert_int_eq(err, ECONNREFUSED);
	(void)close(fd);
}
END_TEST

static Suite *
epoll_suite(void)
{
	Suite *s = suite_create("epoll");
	TCase *tc = tcase_create("epoll");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, level_triggered);
	tcase_add_test(tc, edge_triggered);
	tcase_add_test(tc, one_shot);
	tcase_add_test(tc, registered_before_connect);
	tcase_add_test(tc, exclusive);
	tcase_add_test(tc, ctl_while_held);
	tcase_add_test(tc, deleted_while_held);
	tcase_add_test(tc, dup_in_second_set);
	tcase_add_test(tc, nested_and_polled);
	tcase_add_test(tc, refused_event);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{

	(void)argc;
	rt_preload(argv);
	return rt_run(epoll_suite());
}
