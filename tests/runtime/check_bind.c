/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: listeners served by the proxy (SOCKS5 BIND) against the
 * fake peer, which answers BIND with a listener of its own on 127.0.0.1.
 * With a proxied connection open, a socket bound to 0.0.0.0:0 (or not
 * bound) and listened on stands for the peer's listener: getsockname()
 * names it, accept()/accept4() hand out the connection made to it (peer
 * from the second reply), non-blocking listeners say EAGAIN and become
 * readable for poll and epoll; a refusal or a closed BIND connection is
 * a clean error; everything else listens here.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt.h"

static struct rt_peer peer;

static void
setup(void)
{
	rt_peer_start(&peer);
	(void)rt_config(&peer, NULL);
}

static struct sockaddr_in
name_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	ck_assert_msg(getsockname(fd, (struct sockaddr *)&sin, &len) == 0,
	    "getsockname: %s", strerror(errno));
	ck_assert_uint_eq(len, sizeof(sin));
	return sin;
}

/* A TCP socket bound to ip:port (ip NULL: not bound). */
static int
bound_socket(const char *ip, uint16_t port, int type_flags)
{
	struct sockaddr_in sin;
	int s = socket(AF_INET, SOCK_STREAM | type_flags, 0);

	ck_assert_int_ge(s, 0);
	if (ip != NULL) {
		sin = rt_sin(ip, port);
		ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)),
		    0);
	}
	return s;
}

/* A direct client of the peer's BIND listener (what the remote host
 * does): connected to 127.0.0.1:port. */
static int
remote_connect(uint16_t port)
{
	struct sockaddr_in sin = rt_sin("127.0.0.1", port);
	int c = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(c, 0);
	ck_assert_msg(connect(c, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "connect to the peer's listener: %s", strerror(errno));
	return c;
}

static void
exchange(int a, int c)
{
	char buf[16];

	ck_assert_int_eq(write(c, "from remote", 11), 11);
	ck_assert_int_eq(read(a, buf, sizeof(buf)), 11);
	ck_assert_int_eq(memcmp(buf, "from remote", 11), 0);
	ck_assert_int_eq(write(a, "to remote", 9), 9);
	ck_assert_int_eq(read(c, buf, sizeof(buf)), 9);
	ck_assert_int_eq(memcmp(buf, "to remote", 9), 0);
}

/* The listener names the peer's BIND listener; returns its port. */
static uint16_t
assert_bound_on_peer(int s)
{
	struct sockaddr_in me = name_of(s);
	struct rt_peer snap;

	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.binds, 1);
	ck_assert_str_eq(snap.bind_target, RT_TARGET ":80");
	ck_assert_msg(me.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
	    ntohs(me.sin_port) == snap.bind_port, "getsockname is port %u, "
	    "the peer listens on %u", ntohs(me.sin_port), snap.bind_port);
	return snap.bind_port;
}

static void
accept_through_peer(const char *bind_ip, bool name_first, bool four)
{
	struct sockaddr_in from, cme, pn;
	socklen_t len = sizeof(from), plen = sizeof(pn);
	int conn = rt_connect_proxied();
	int s = bound_socket(bind_ip, 0, 0), c, a;
	uint16_t port;

	if (name_first) {
		/* A wildcard socket is BINDed at listen(), not before: its
		 * name is its own until then. */
		struct sockaddr_in early = name_of(s);
		struct rt_peer snap;

		rt_peer_snapshot(&peer, &snap);
		ck_assert_uint_eq(snap.binds, 0);
		ck_assert(early.sin_addr.s_addr == 0 && early.sin_port != 0);
	}
	ck_assert_msg(listen(s, 1) == 0, "listen: %s", strerror(errno));
	port = assert_bound_on_peer(s);
	c = remote_connect(port);
	cme = name_of(c);
	a = four ? accept4(s, (struct sockaddr *)&from, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC) :
	    accept(s, (struct sockaddr *)&from, &len);
	ck_assert_msg(a >= 0, "accept: %s", strerror(errno));
	ck_assert_uint_eq(len, sizeof(from));
	ck_assert(from.sin_addr.s_addr == cme.sin_addr.s_addr &&
	    from.sin_port == cme.sin_port);
	ck_assert_int_eq(getpeername(a, (struct sockaddr *)&pn, &plen), 0);
	ck_assert(pn.sin_port == cme.sin_port);
	ck_assert_int_eq((fcntl(a, F_GETFL) & O_NONBLOCK) != 0, four);
	ck_assert_int_eq((fcntl(a, F_GETFD) & FD_CLOEXEC) != 0, four);
	if (four) {		/* non-blocking: wait for the bytes */
		struct pollfd p = { .fd = a, .events = POLLIN };

		ck_assert_int_eq(write(c, "x", 1), 1);
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		ck_assert_int_eq(read(a, (char[1]){ 0 }, 1), 1);
		ck_assert_int_eq(fcntl(a, F_SETFL, 0), 0);
	}
	exchange(a, c);
	/* The listener still names the proxy's address; a second accept
	 * waits like an idle listener's. */
	ck_assert_uint_eq(ntohs(name_of(s).sin_port), port);
	ck_assert_int_eq(fcntl(s, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(accept(s, NULL, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(a);
	close(c);
	close(s);
	close(conn);
}

START_TEST(wildcard_listen_accept)
{
	accept_through_peer("0.0.0.0", false, false);
}
END_TEST

START_TEST(unbound_listen_accept4_flags)
{
	accept_through_peer(NULL, false, true);
}
END_TEST

/* (The early BIND of a socket bound next to a proxied connection, as
 * curl and tnftp do, needs a non-loopback local address: integration
 * tests, bind-ftp.sh.) */
START_TEST(getsockname_before_listen)
{
	accept_through_peer("0.0.0.0", true, false);
}
END_TEST

/* syscall(SYS_listen/SYS_getsockname/SYS_accept4) reach the same hooks
 * (libraries that bypass libc's wrappers). */
START_TEST(through_syscall)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	int conn = rt_connect_proxied();
	int s = bound_socket("0.0.0.0", 0, 0), c, a;
	struct rt_peer snap;

	ck_assert_int_eq(syscall(SYS_listen, s, 1), 0);
	ck_assert_int_eq(syscall(SYS_getsockname, s, &me, &len), 0);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.binds, 1);
	ck_assert_uint_eq(ntohs(me.sin_port), snap.bind_port);
	c = remote_connect(snap.bind_port);
	a = (int)syscall(SYS_accept4, s, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_msg(a >= 0, "accept4: %s", strerror(errno));
	exchange(a, c);
	close(a);
	close(c);
	close(s);
	close(conn);
}
END_TEST

/* O_NONBLOCK and close-on-exec of the listener survive listen(); accept
 * is EAGAIN until the peer is in; poll and epoll see it then. */
START_TEST(nonblocking_poll_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	int conn = rt_connect_proxied();
	int s = bound_socket("0.0.0.0", 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct pollfd p = { .fd = s, .events = POLLIN };
	int ep, c, a;
	uint16_t port;

	ck_assert_int_eq(listen(s, 4), 0);
	ck_assert(fcntl(s, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(s, F_GETFD) & FD_CLOEXEC);
	port = assert_bound_on_peer(s);
	ck_assert_int_eq(accept(s, NULL, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(poll(&p, 1, 100), 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
	ck_assert_int_eq(epoll_wait(ep, &got, 1, 100), 0);
	c = remote_connect(port);
	ck_assert_int_eq(epoll_wait(ep, &got, 1, 5000), 1);
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert(p.revents & POLLIN);
	a = accept(s, NULL, NULL);
	ck_assert_msg(a >= 0, "accept: %s", strerror(errno));
	/* accept() without flags: a blocking descriptor */
	ck_assert_int_eq(fcntl(a, F_GETFL) & O_NONBLOCK, 0);
	exchange(a, c);
	close(ep);
	close(a);
	close(c);
	close(s);
	close(conn);
}
END_TEST

/* The peer closes the BIND connection after the first reply. */
START_TEST(closed_bind_is_econnaborted)
{
	int conn, s;

	rt_peer_set(&peer, RT_BIND_CLOSE, false);
	conn = rt_connect_proxied();
	s = bound_socket("0.0.0.0", 0, 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(accept(s, NULL, NULL), -1);
	ck_assert_int_eq(errno, ECONNABORTED);
	/* From then on an idle listener: EAGAIN when non-blocking. */
	ck_assert_int_eq(fcntl(s, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(accept4(s, NULL, NULL, SOCK_CLOEXEC), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(s);
	close(conn);
}
END_TEST

/* REP 7: listen() fails, and getsockname() never gives the local
 * address. */
START_TEST(refused_bind_fails_closed)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int conn, s;

	rt_peer_set(&peer, RT_BIND_REFUSE, false);
	conn = rt_connect_proxied();
	s = bound_socket("0.0.0.0", 0, 0);
	ck_assert_int_eq(listen(s, 1), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	memset(&sin, 0xa5, sizeof(sin));
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert(sin.sin_addr.s_addr == 0 && sin.sin_port == 0);
	close(s);
	close(conn);
}
END_TEST

/* BND.ADDR 0.0.0.0: the proxy's own address (the peer's 127.0.0.1). */
START_TEST(unspecified_bnd_is_the_proxy)
{
	int conn, s;

	rt_peer_set(&peer, RT_BIND_UNSPEC, false);
	conn = rt_connect_proxied();
	s = bound_socket(NULL, 0, 0);
	ck_assert_int_eq(listen(s, 1), 0);
	(void)assert_bound_on_peer(s);
	close(s);
	close(conn);
}
END_TEST

/* An IPv6 socket on [::]:0: the peer's IPv4 address, v4-mapped. */
START_TEST(ipv6_socket_v4_mapped)
{
	static const uint8_t mapped_lo[16] = { [10] = 0xff, [11] = 0xff,
	    127, 0, 0, 1 };
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 }, me, from;
	socklen_t len = sizeof(me), flen = sizeof(from);
	struct rt_peer snap;
	int conn, s, c, a;

	conn = rt_connect_proxied();
	s = socket(AF_INET6, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY,
	    &(int){ 0 }, sizeof(int)), 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&any, sizeof(any)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&me, &len), 0);
	ck_assert_uint_eq(len, sizeof(me));
	ck_assert_int_eq(me.sin6_family, AF_INET6);
	ck_assert_int_eq(memcmp(me.sin6_addr.s6_addr, mapped_lo, 16), 0);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(ntohs(me.sin6_port), snap.bind_port);
	c = remote_connect(snap.bind_port);
	a = accept(s, (struct sockaddr *)&from, &flen);
	ck_assert_msg(a >= 0, "accept: %s", strerror(errno));
	ck_assert_uint_eq(flen, sizeof(from));
	ck_assert_int_eq(memcmp(from.sin6_addr.s6_addr, mapped_lo, 16), 0);
	ck_assert_uint_eq(from.sin6_port, name_of(c).sin_port);
	exchange(a, c);
	close(a);
	close(c);
	close(s);
	close(conn);
}
END_TEST

/* A forked child accepts on the listener its parent made (its copy of the
 * record and the handshake are its own); the parent's stays usable. */
START_TEST(forked_child_accepts)
{
	int conn = rt_connect_proxied();
	int s = bound_socket("0.0.0.0", 0, 0), st = -1;
	uint16_t port;
	pid_t pid;

	ck_assert_int_eq(listen(s, 1), 0);
	port = assert_bound_on_peer(s);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		int a = accept(s, (struct sockaddr *)&from, &len);
		char buf[8];

		if (a < 0 || read(a, buf, 4) != 4 || memcmp(buf, "ping", 4) ||
		    write(a, "pong", 4) != 4 || name_of(s).sin_port !=
		    htons(port))
			_exit(1);
		_exit(0);
	}
	{
		int c = remote_connect(port);
		char buf[8];

		ck_assert_int_eq(write(c, "ping", 4), 4);
		ck_assert_int_eq(read(c, buf, 4), 4);
		ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
		close(c);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's "
	    "accept failed");
	ck_assert_uint_eq(ntohs(name_of(s).sin_port), port);
	close(s);
	close(conn);
}
END_TEST

/* Local listeners: no proxied connection, loopback, a chosen port. */
START_TEST(local_listeners_stay_local)
{
	struct rt_peer snap;
	struct sockaddr_in me;
	int s, s2, conn, c, a;
	uint16_t port;

	s = bound_socket("0.0.0.0", 0, 0);	/* no proxied connection */
	ck_assert_int_eq(listen(s, 1), 0);
	me = name_of(s);
	ck_assert(me.sin_addr.s_addr == 0 && me.sin_port != 0);
	port = ntohs(me.sin_port);
	close(s);
	conn = rt_connect_proxied();
	s = bound_socket("127.0.0.1", 0, 0);	/* loopback */
	ck_assert_int_eq(listen(s, 1), 0);
	me = name_of(s);
	ck_assert(me.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	s2 = bound_socket("0.0.0.0", port, 0);	/* the program's port */
	ck_assert_int_eq(listen(s2, 1), 0);
	ck_assert_uint_eq(ntohs(name_of(s2).sin_port), port);
	c = remote_connect(ntohs(me.sin_port));
	a = accept(s, NULL, NULL);
	ck_assert_int_ge(a, 0);
	exchange(a, c);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.binds, 0);
	close(a);
	close(c);
	close(s2);
	close(s);
	close(conn);
}
END_TEST

START_TEST(listen_local_config)
{
	struct rt_peer snap;
	int conn, s;

	(void)rt_config(&peer, "listen = local", NULL);
	conn = rt_connect_proxied();
	s = bound_socket("0.0.0.0", 0, 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_uint_eq(name_of(s).sin_addr.s_addr, 0);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.binds, 0);
	close(s);
	close(conn);
}
END_TEST

/* Bound to port 0, then connected: an ordinary proxied connection. */
START_TEST(bound_then_connect)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, RT_TARGET_PORT);
	int conn = rt_connect_proxied();
	int s = bound_socket("0.0.0.0", 0, 0);

	ck_assert_msg(connect(s, (struct sockaddr *)&to, sizeof(to)) == 0,
	    "connect: %s", strerror(errno));
	ck_assert(rt_echo(s, "bound first"));
	close(s);
	close(conn);
}
END_TEST

/* The CONNECT reply names where the proxy connects from: getsockname()
 * of the connection says so, and port 0 of that address can be bound (a
 * program listening next to its connection). */
START_TEST(connection_reports_proxy_side)
{
	struct sockaddr_in me, ph = rt_sin(RT_CONNECT_BND, 0);
	int conn, s;

	rt_peer_set(&peer, RT_BIND_OK, true);
	conn = rt_connect_proxied();
	me = name_of(conn);
	ck_assert_str_eq(inet_ntoa(me.sin_addr), RT_CONNECT_BND);
	ck_assert_uint_eq(ntohs(me.sin_port), RT_CONNECT_BND_PORT);
	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_msg(bind(s, (struct sockaddr *)&ph, sizeof(ph)) == 0,
	    "bind %s:0: %s", RT_CONNECT_BND, strerror(errno));
	close(s);
	ck_assert(rt_echo(conn, "still the tunnel"));
	close(conn);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runtime BIND");
	TCase *tc = tcase_create("listen");

	(void)argc;
	rt_preload(argv);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, wildcard_listen_accept);
	tcase_add_test(tc, unbound_listen_accept4_flags);
	tcase_add_test(tc, getsockname_before_listen);
	tcase_add_test(tc, through_syscall);
	tcase_add_test(tc, nonblocking_poll_epoll);
	tcase_add_test(tc, closed_bind_is_econnaborted);
	tcase_add_test(tc, refused_bind_fails_closed);
	tcase_add_test(tc, unspecified_bnd_is_the_proxy);
	tcase_add_test(tc, ipv6_socket_v4_mapped);
	tcase_add_test(tc, forked_child_accepts);
	tcase_add_test(tc, local_listeners_stay_local);
	tcase_add_test(tc, listen_local_config);
	tcase_add_test(tc, bound_then_connect);
	tcase_add_test(tc, connection_reports_proxy_side);
	suite_add_tcase(s, tc);
	return rt_run(s);
}
