/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: a descriptor record belongs to one socket. Closes the
 * library cannot see (fclose, raw system calls) must not leave a record
 * that later misdirects a different socket or a regular file at the same
 * number; a second connect() on a proxied socket is EISCONN and leaves
 * the tunnel alone.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt.h"

static struct rt_peer peer;

static void
setup(void)
{
	rt_peer_start(&peer);
	(void)rt_config(&peer, NULL);
}

/* A direct loopback connection on fd's number (the caller freed it; the
 * new socket is put there with raw system calls, unseen by any hook).
 * getpeername must name the loopback listener, not the old destination. */
static void
assert_new_socket_is_direct(int oldfd, int lfd, uint16_t port)
{
	struct sockaddr_in lo = rt_sin("127.0.0.1", port), got;
	socklen_t len = sizeof(got);
	int fd, c;

	fd = rt_place(socket(AF_INET, SOCK_STREAM, 0), oldfd);
	ck_assert_int_eq(fd, oldfd);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&lo, sizeof(lo)), 0);
	c = accept(lfd, NULL, NULL);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&got, &len), 0);
	ck_assert_msg(got.sin_addr.s_addr == lo.sin_addr.s_addr &&
	    got.sin_port == lo.sin_port, "getpeername of the new direct socket "
	    "reports port %u, not the loopback listener's %u",
	    ntohs(got.sin_port), port);
	/* The connection is the program's own: bytes go straight through. */
	ck_assert_int_eq(write(fd, "direct", 6), 6);
	char buf[8];
	ck_assert_int_eq(read(c, buf, sizeof(buf)), 6);
	ck_assert_int_eq(memcmp(buf, "direct", 6), 0);
	close(c);
	close(fd);
}

START_TEST(fclose_tcp_then_direct_socket)
{
	uint16_t port;
	int lfd = rt_listen_loopback(&port);
	int s = rt_connect_proxied();
	FILE *f;

	ck_assert(rt_echo(s, "through the peer"));
	f = fdopen(s, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fclose(f), 0);
	assert_new_socket_is_direct(s, lfd, port);
	close(lfd);
}
END_TEST

/* A UDP socket with an association is closed by `how` (0: fclose, 1: a
 * raw close no hook sees); a regular file takes its number. The file
 * reads and writes as a file, and the association's control connection
 * is closed (at once, or when the stale record is met). */
static void
udp_then_file(int how)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, 7777);
	char path[4096], buf[16];
	int u, fd;
	FILE *f;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sendto(u, "ping", 4, 0, (struct sockaddr *)&to,
	    sizeof(to)), 4);
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 4);
	if (how == 0) {
		f = fdopen(u, "r+");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fclose(f), 0);
	} else {
		ck_assert_int_eq(rt_raw_close(u), 0);
	}
	snprintf(path, sizeof(path), "%s/file-%ld", rt_dir(), (long)getpid());
	fd = rt_place(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), u);
	ck_assert_int_eq(fd, u);
	ck_assert_msg(write(fd, "data", 4) == 4, "write() to a regular file "
	    "at a former UDP socket's number: %s", strerror(errno));
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_msg(read(fd, buf, sizeof(buf)) == 4, "read() from a regular "
	    "file at a former UDP socket's number: %s", strerror(errno));
	ck_assert_int_eq(memcmp(buf, "data", 4), 0);
	ck_assert_msg(rt_peer_wait_ended(&peer, 1), "the association's "
	    "control connection is still open");
	close(fd);
}

START_TEST(fclose_udp_then_regular_file)
{
	udp_then_file(0);
}
END_TEST

START_TEST(raw_close_udp_then_regular_file)
{
	udp_then_file(1);
}
END_TEST

START_TEST(raw_close_then_direct_socket)
{
	uint16_t port;
	int lfd = rt_listen_loopback(&port);
	int s = rt_connect_proxied();

	ck_assert_int_eq(rt_raw_close(s), 0);
	assert_new_socket_is_direct(s, lfd, port);
	close(lfd);
}
END_TEST

START_TEST(syscall_close_then_direct_socket)
{
	uint16_t port;
	int lfd = rt_listen_loopback(&port);
	int s = rt_connect_proxied();

	ck_assert_int_eq(syscall(SYS_close, s), 0);
	assert_new_socket_is_direct(s, lfd, port);
	close(lfd);
}
END_TEST

START_TEST(syscall_close_range_then_direct_socket)
{
	uint16_t port;
	int lfd = rt_listen_loopback(&port);
	int s = rt_connect_proxied();

	ck_assert_int_eq(syscall(SYS_close_range, s, s, 0), 0);
	assert_new_socket_is_direct(s, lfd, port);
	close(lfd);
}
END_TEST

/* dup2/dup3 system calls over a proxied socket: the number now holds a
 * direct loopback connection. */
static void
dup_over(int which)
{
	struct sockaddr_in lo, got;
	socklen_t len = sizeof(got);
	uint16_t port;
	int lfd = rt_listen_loopback(&port);
	int s = rt_connect_proxied();
	int d, c;
	long rc;

	lo = rt_sin("127.0.0.1", port);
	d = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(connect(d, (struct sockaddr *)&lo, sizeof(lo)), 0);
	c = accept(lfd, NULL, NULL);
	ck_assert_int_ge(c, 0);
#ifdef SYS_dup2
	if (which == 2)
		rc = syscall(SYS_dup2, d, s);
	else
#endif
		rc = syscall(SYS_dup3, d, s, 0);
	ck_assert_int_eq(rc, s);
	ck_assert_int_eq(getpeername(s, (struct sockaddr *)&got, &len), 0);
	ck_assert_msg(got.sin_port == lo.sin_port, "after dup%d over a "
	    "proxied socket getpeername reports port %u, not %u", which,
	    ntohs(got.sin_port), port);
	close(c);
	close(d);
	close(s);
	close(lfd);
}

START_TEST(syscall_dup2_over_proxied)
{
#ifdef SYS_dup2
	dup_over(2);
#else
	dup_over(3);	/* this architecture has dup3 only */
#endif
}
END_TEST

START_TEST(syscall_dup3_over_proxied)
{
	dup_over(3);
}
END_TEST

START_TEST(second_connect_is_eisconn)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);
	struct sockaddr_in other = rt_sin("192.0.2.8", 443);
	struct rt_peer snap;
	int s = rt_connect_proxied();

	ck_assert(rt_echo(s, "hello"));
	errno = 0;
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sin, sizeof(sin)), -1);
	ck_assert_msg(errno == EISCONN, "second connect(): %s, not EISCONN",
	    strerror(errno));
	errno = 0;
	ck_assert_int_eq(connect(s, (struct sockaddr *)&other, sizeof(other)),
	    -1);
	ck_assert_msg(errno == EISCONN, "connect() elsewhere: %s, not EISCONN",
	    strerror(errno));
	ck_assert_msg(rt_echo(s, "world"), "the tunnel broke after the "
	    "second connect()");
	rt_peer_snapshot(&peer, &snap);
	ck_assert_uint_eq(snap.connects, 1);
	ck_assert_uint_eq(snap.data_len, 10);
	ck_assert_msg(memcmp(snap.data, "helloworld", 10) == 0,
	    "the peer got bytes the program did not send");
	close(s);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runtime identity");
	TCase *tc = tcase_create("records");

	(void)argc;
	rt_preload(argv);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, fclose_tcp_then_direct_socket);
	tcase_add_test(tc, fclose_udp_then_regular_file);
	tcase_add_test(tc, raw_close_udp_then_regular_file);
	tcase_add_test(tc, raw_close_then_direct_socket);
	tcase_add_test(tc, syscall_close_then_direct_socket);
	tcase_add_test(tc, syscall_close_range_then_direct_socket);
	tcase_add_test(tc, syscall_dup2_over_proxied);
	tcase_add_test(tc, syscall_dup3_over_proxied);
	tcase_add_test(tc, second_connect_is_eisconn);
	suite_add_tcase(s, tc);
	return rt_run(s);
}
