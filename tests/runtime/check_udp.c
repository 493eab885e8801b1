/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: UDP through a fake SOCKS5 relay. Datagrams leave wrapped
 * in the RFC 1928 section 7 header naming the destination; the relay's
 * answers come back unwrapped, from the destination; a stranger's datagram
 * is dropped; a connected socket reports its destination.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rt.h"

static struct rt_peer peer;

static void
setup(void)
{
	rt_peer_start(&peer);
	(void)rt_config(&peer, NULL);
}

START_TEST(sendto_recvfrom_framing)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, 7777), from;
	socklen_t flen = sizeof(from);
	struct rt_peer snap;
	char buf[64];
	int u;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sendto(u, "query", 5, 0, (struct sockaddr *)&to,
	    sizeof(to)), 5);
	ck_assert_int_eq(recvfrom(u, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &flen), 5);
	ck_assert_int_eq(memcmp(buf, "query", 5), 0);
	ck_assert_uint_eq(flen, sizeof(from));
	ck_assert_uint_eq(from.sin_addr.s_addr, to.sin_addr.s_addr);
	ck_assert_uint_eq(from.sin_port, to.sin_port);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.associates, 1);
	ck_assert_uint_eq(snap.datagrams, 1);
	ck_assert_uint_eq(snap.bad, 0);
	ck_assert_str_eq(snap.udp_target, RT_TARGET ":7777");
	ck_assert_uint_eq(snap.udp_len, 5);
	ck_assert_int_eq(memcmp(snap.udp, "query", 5), 0);
	close(u);
}
END_TEST

START_TEST(connected_send_recv_and_peer)
{
	struct sockaddr_in to = rt_sin("192.0.2.9", 5353), got;
	socklen_t len = sizeof(got);
	struct rt_peer snap;
	char buf[64];
	int u;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(connect(u, (struct sockaddr *)&to, sizeof(to)), 0);
	ck_assert_int_eq(send(u, "one", 3, 0), 3);
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 3);
	ck_assert_int_eq(memcmp(buf, "one", 3), 0);
	ck_assert_int_eq(write(u, "two!", 4), 4);
	ck_assert_int_eq(read(u, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "two!", 4), 0);
	ck_assert_int_eq(getpeername(u, (struct sockaddr *)&got, &len), 0);
	ck_assert_uint_eq(got.sin_addr.s_addr, to.sin_addr.s_addr);
	ck_assert_uint_eq(got.sin_port, to.sin_port);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_str_eq(snap.udp_target, "192.0.2.9:5353");
	ck_assert_uint_eq(snap.datagrams, 2);
	close(u);
}
END_TEST

START_TEST(stranger_datagram_dropped)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, 7777), me, from;
	socklen_t len = sizeof(me), flen = sizeof(from);
	char buf[64];
	int u, x;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sendto(u, "first", 5, 0, (struct sockaddr *)&to,
	    sizeof(to)), 5);
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 5);
	ck_assert_int_eq(getsockname(u, (struct sockaddr *)&me, &len), 0);
	/* A stranger on loopback writes to the socket directly. */
	x = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(x, 0);
	me.sin_addr.s_addr = htonl(0x7f000001);
	ck_assert_int_eq(sendto(x, "evil", 4, 0, (struct sockaddr *)&me,
	    sizeof(me)), 4);
	ck_assert_int_eq(sendto(u, "second", 6, 0, (struct sockaddr *)&to,
	    sizeof(to)), 6);
	ck_assert_int_eq(recvfrom(u, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &flen), 6);
	ck_assert_int_eq(memcmp(buf, "second", 6), 0);
	ck_assert_uint_eq(from.sin_addr.s_addr, to.sin_addr.s_addr);
	close(x);
	close(u);
}
END_TEST

START_TEST(sendmsg_recvmsg_iovecs)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, 123), from;
	struct iovec out[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
	char a[2], b[8];
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof(to),
	    .msg_iov = out, .msg_iovlen = 3 };
	struct rt_peer snap;
	int u;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sendmsg(u, &m, 0), 6);
	memset(&m, 0, sizeof(m));
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_iov = in;
	m.msg_iovlen = 2;
	ck_assert_int_eq(recvmsg(u, &m, 0), 6);
	ck_assert_int_eq(memcmp(a, "ab", 2), 0);
	ck_assert_int_eq(memcmp(b, "cdef", 4), 0);
	ck_assert_uint_eq(from.sin_port, to.sin_port);
	ck_assert_int_eq(m.msg_flags & MSG_TRUNC, 0);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.udp_len, 6);
	ck_assert_int_eq(memcmp(snap.udp, "abcdef", 6), 0);
	close(u);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runtime UDP");
	TCase *tc = tcase_create("relay");

	(void)argc;
	rt_preload(argv);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, sendto_recvfrom_framing);
	tcase_add_test(tc, connected_send_recv_and_peer);
	tcase_add_test(tc, stranger_datagram_dropped);
	tcase_add_test(tc, sendmsg_recvmsg_iovecs);
	suite_add_tcase(s, tc);
	return rt_run(s);
}
