/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: the library's own descriptors (log file, name map, UDP
 * control connections) are out of the program's way: at high numbers,
 * close() of one is EBADF and leaves it open, dup2() over one moves it
 * first (log lines keep going to the log file, never into the program's
 * file), close_range()/closefrom() skip them.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt.h"

static struct rt_peer peer;
static char logpath[4096];

static void
setup(void)
{
	rt_peer_start(&peer);
	snprintf(logpath, sizeof(logpath), "%s/sx-%ld.log", rt_dir(),
	    (long)getpid());
	char line[4200];

	snprintf(line, sizeof(line), "log_file = %s", logpath);
	(void)rt_config(&peer, line, "log_level = info", NULL);
}

/* The name map's descriptor from SOCKSIFY_NAMEMAP ("fd:dev:ino"), checked
 * against the descriptor itself; -1 when they do not match. */
static int
namemap_fd(void)
{
	const char *env = getenv("SOCKSIFY_NAMEMAP");
	unsigned long long dev, ino;
	struct stat st;
	int fd;

	if (env == NULL || sscanf(env, "%d:%llu:%llu", &fd, &dev, &ino) != 3)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_dev != dev || st.st_ino != ino)
		return -1;
	return fd;
}

static unsigned
count_lines(const char *path, const char *needle)
{
	static char buf[65536];
	unsigned n = 0;
	char *p = buf;

	if (rt_slurp(path, buf, sizeof(buf)) < 0)
		return 0;
	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

START_TEST(own_fds_are_high)
{
	int s = rt_connect_proxied();
	int lfd = rt_fd_of(logpath);

	ck_assert_msg(lfd >= 0, "log file %s is not open", logpath);
	ck_assert_msg(lfd >= 64, "the log file is at descriptor %d, in the "
	    "range programs use", lfd);
	ck_assert_msg(fcntl(lfd, F_GETFD) & FD_CLOEXEC, "log fd %d is "
	    "inherited across exec", lfd);
	ck_assert_msg(namemap_fd() >= 64, "name map at %d", namemap_fd());
	close(s);
}
END_TEST

START_TEST(close_own_fd_is_ebadf)
{
	int s = rt_connect_proxied();
	int lfd = rt_fd_of(logpath), mfd = namemap_fd();

	ck_assert_int_ge(lfd, 0);
	ck_assert_int_ge(mfd, 0);
	errno = 0;
	ck_assert_int_eq(close(lfd), -1);
	ck_assert_msg(errno == EBADF, "close(log fd): %s", strerror(errno));
	ck_assert_int_ge(fcntl(lfd, F_GETFD), 0);
	errno = 0;
	ck_assert_int_eq(close(mfd), -1);
	ck_assert_msg(errno == EBADF, "close(name map fd): %s",
	    strerror(errno));
	ck_assert_int_eq(namemap_fd(), mfd);
	close(s);
	s = rt_connect_proxied();	/* still logs to the file */
	close(s);
	ck_assert_uint_eq(count_lines(logpath, ": ok"), 2);
}
END_TEST

/* The UDP association's control connection: the TCP socket whose peer is
 * the fake proxy. */
static int
find_control(void)
{
	struct sockaddr_in sin;
	socklen_t len;
	int fd, found = -1;

	for (fd = 3; fd < 4096; fd++) {
		len = sizeof(sin);
		if (getpeername(fd, (struct sockaddr *)&sin, &len) == 0 &&
		    sin.sin_family == AF_INET &&
		    ntohs(sin.sin_port) == peer.port)
			found = fd;
	}
	return found;
}

START_TEST(close_udp_control_is_ebadf)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, 7777);
	char buf[16];
	int u, ctl;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sendto(u, "ping", 4, 0, (struct sockaddr *)&to,
	    sizeof(to)), 4);
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 4);
	ctl = find_control();
	ck_assert_msg(ctl >= 0, "no control connection found");
	ck_assert_msg(ctl >= 64, "control connection at %d", ctl);
	errno = 0;
	ck_assert_int_eq(close(ctl), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(sendto(u, "pong", 4, 0, (struct sockaddr *)&to,
	    sizeof(to)), 4);
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
	close(u);
}
END_TEST

/* dup2() of the program's file over the control connection: the program
 * gets its number, the association keeps working from wherever its
 * control connection was moved. */
START_TEST(dup2_over_udp_control_moves_it)
{
	struct sockaddr_in to = rt_sin(RT_TARGET, 7777);
	char path[4200], buf[16];
	int u, ctl, moved, file;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sendto(u, "ping", 4, 0, (struct sockaddr *)&to,
	    sizeof(to)), 4);
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 4);
	ctl = find_control();
	ck_assert_int_ge(ctl, 0);
	snprintf(path, sizeof(path), "%s/ctl-%ld", rt_dir(), (long)getpid());
	file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(file, 0);
	ck_assert_int_eq(dup2(file, ctl), ctl);
	ck_assert_int_eq(write(ctl, "mine", 4), 4);
	ck_assert_int_eq(rt_slurp(path, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "mine");
	moved = find_control();
	ck_assert_msg(moved >= 64 && moved != ctl, "control connection at %d "
	    "after the dup2 onto %d", moved, ctl);
	ck_assert_msg(sendto(u, "pong", 4, 0, (struct sockaddr *)&to,
	    sizeof(to)) == 4, "the association broke: %s", strerror(errno));
	ck_assert_int_eq(recv(u, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
	close(u);
	ck_assert_msg(rt_peer_wait_ended(&peer, 1), "closing the UDP socket "
	    "left its (moved) control connection open");
	close(ctl);
	close(file);
}
END_TEST

/*
 * The case: a program that has already connected once dup2()s its
 * data file over 3..63 (and here also over the log file's and the name
 * map's descriptors, wherever they are), then connects again. Runs in a
 * child (its descriptors are overwritten, Check's too: no ck_assert
 * there); exit status = first failure.
 */
static int
dup2_child(const char *datapath)
{
	int data, s, fd, lfd, mfd;

	s = rt_try_connect_proxied();
	if (s < 0)
		return 9;
	close(s);
	lfd = rt_fd_of(logpath);
	mfd = namemap_fd();
	if (lfd < 0 || mfd < 0)
		return 10;
	data = open(datapath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (data < 0)
		return 11;
	for (fd = 3; fd < 64; fd++)
		if (fd != data && dup2(data, fd) != fd)
			return 12;
	if (dup2(data, lfd) != lfd || dup2(data, mfd) != mfd)
		return 13;
	s = rt_try_connect_proxied();
	if (s < 0 || !rt_echo(s, "tunnel"))
		return 15;
	if (write(data, "program data\n", 13) != 13)
		return 16;
	/* The name map moved with its environment entry. */
	if (namemap_fd() < 0 || namemap_fd() == mfd)
		return 17;
	return 0;
}

START_TEST(dup2_over_own_fds_keeps_log_out_of_program_data)
{
	char datapath[4200], buf[4096];
	int status;
	pid_t pid;

	snprintf(datapath, sizeof(datapath), "%s/data-%ld", rt_dir(),
	    (long)getpid());
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(dup2_child(datapath));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_ge(rt_slurp(datapath, buf, sizeof(buf)), 0);
	ck_assert_msg(strcmp(buf, "program data\n") == 0, "the program's file "
	    "holds [%s]", buf);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child failed at step %d (wait status %#x)", WEXITSTATUS(status),
	    status);
	ck_assert_uint_eq(count_lines(logpath, ": ok"), 2);
}
END_TEST

/* closefrom(3) / close_range(3, ~0U) in a child: ours stay open and
 * working. */
static int
closefrom_child(int how)
{
	int s, lfd, mfd;

	s = rt_try_connect_proxied();
	if (s < 0)
		return 9;
	close(s);
	lfd = rt_fd_of(logpath);
	mfd = namemap_fd();
	if (lfd < 0 || mfd < 0)
		return 10;
	if (how == 0)
		closefrom(3);
	else if (close_range(3, ~0U, 0) != 0)
		return 11;
	if (fcntl(lfd, F_GETFD) < 0 || namemap_fd() != mfd)
		return 12;
	s = rt_try_connect_proxied();
	if (s < 0 || !rt_echo(s, "after closefrom"))
		return 13;
	return 0;
}

static void
closefrom_case(int how)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(closefrom_child(how));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child failed at step %d (wait status %#x)", WEXITSTATUS(status),
	    status);
	ck_assert_uint_eq(count_lines(logpath, ": ok"), 2);
}

START_TEST(closefrom_keeps_own_fds)
{
	closefrom_case(0);
}
END_TEST

START_TEST(close_range_keeps_own_fds)
{
	closefrom_case(1);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runtime own descriptors");
	TCase *tc = tcase_create("ownfd");

	(void)argc;
	rt_preload(argv);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, own_fds_are_high);
	tcase_add_test(tc, close_own_fd_is_ebadf);
	tcase_add_test(tc, close_udp_control_is_ebadf);
	tcase_add_test(tc, dup2_over_udp_control_moves_it);
	tcase_add_test(tc, dup2_over_own_fds_keeps_log_out_of_program_data);
	tcase_add_test(tc, closefrom_keeps_own_fds);
	tcase_add_test(tc, close_range_keeps_own_fds);
	suite_add_tcase(s, tc);
	return rt_run(s);
}
