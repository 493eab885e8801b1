/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: records and name-map pins belong to one process. A
 * forked child closing its copy of a socket leaves the parent's pin (the
 * placeholder is not recycled while the parent's socket lives); a vfork
 * child's close() changes nothing of the parent's state.
 */
#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt.h"

static struct rt_peer peer;

/* A name map of 4 slots: a few new names recycle every unpinned one. */
static void
setup(void)
{
	rt_peer_start(&peer);
	(void)rt_config(&peer, "placeholder_v4 = 198.18.0.0/30", NULL);
}

/* getaddrinfo(name) -> its placeholder (IPv4). */
static struct sockaddr_in
resolve(const char *name)
{
	struct addrinfo hints = { .ai_family = AF_INET,
	    .ai_socktype = SOCK_STREAM }, *res = NULL;
	struct sockaddr_in sin;
	int rc;

	rc = getaddrinfo(name, "80", &hints, &res);
	ck_assert_msg(rc == 0, "getaddrinfo %s: %s", name, gai_strerror(rc));
	memcpy(&sin, res->ai_addr, sizeof(sin));
	freeaddrinfo(res);
	return sin;
}

/* Ask the map for many other names: every unpinned slot is recycled. */
static void
churn(void)
{
	char name[64];
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "churn%d-%ld.test", i,
		    (long)getpid());
		(void)resolve(name);
	}
}

/* The name behind a placeholder now, or "" when there is none. */
static const char *
name_of(const struct sockaddr_in *sin)
{
	static char host[NI_MAXHOST];

	if (getnameinfo((const struct sockaddr *)sin, sizeof(*sin), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) != 0)
		host[0] = '\0';
	return host;
}

static int
connect_to(const struct sockaddr_in *sin)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(s, 0);
	ck_assert_msg(connect(s, (const struct sockaddr *)sin,
	    sizeof(*sin)) == 0, "connect: %s", strerror(errno));
	return s;
}

START_TEST(fork_child_close_keeps_parent_pin)
{
	struct sockaddr_in a;
	struct rt_peer snap;
	int s, status;
	pid_t pid;

	a = resolve("pinned.test");
	s = connect_to(&a);
	rt_peer_snapshot(&peer, &snap);
	ck_assert_str_eq(snap.last_target, "pinned.test:80");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(s);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	churn();
	ck_assert_msg(strcmp(name_of(&a), "pinned.test") == 0, "the parent's "
	    "live socket's placeholder now means [%s]", name_of(&a));
	ck_assert(rt_echo(s, "parent still connected"));
	/* The parent's own close drops the last pin: recyclable again. */
	close(s);
	churn();
	ck_assert_msg(strcmp(name_of(&a), "pinned.test") != 0, "a pin outlived "
	    "every socket");
}
END_TEST

START_TEST(fork_child_keeps_its_own_pin)
{
	struct sockaddr_in a;
	int s, status, p[2];
	pid_t pid;
	char c;

	a = resolve("childpin.test");
	s = connect_to(&a);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Wait until the parent closed its copy, churn, check. */
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(10);
		churn();
		if (strcmp(name_of(&a), "childpin.test") != 0)
			_exit(11);
		close(s);
		_exit(0);
	}
	close(p[0]);
	close(s);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child: step %d (11: the parent's close dropped the child's pin)",
	    WEXITSTATUS(status));
	close(p[1]);
}
END_TEST

START_TEST(vfork_child_close_keeps_parent_record)
{
	struct sockaddr_in a, got;
	socklen_t len = sizeof(got);
	int s, status;
	pid_t pid;

	a = resolve("vforked.test");
	s = connect_to(&a);
	pid = vfork();
	if (pid == 0) {
		close(s);
		_exit(0);
	}
	ck_assert_int_ge(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(getpeername(s, (struct sockaddr *)&got, &len), 0);
	ck_assert_msg(got.sin_addr.s_addr == a.sin_addr.s_addr &&
	    got.sin_port == a.sin_port, "after a vfork child's close() the "
	    "parent's getpeername() reports port %u (the proxy's?)",
	    ntohs(got.sin_port));
	churn();
	ck_assert_msg(strcmp(name_of(&a), "vforked.test") == 0, "a vfork "
	    "child's close() unpinned the parent's name: now [%s]",
	    name_of(&a));
	ck_assert(rt_echo(s, "parent still proxied"));
	close(s);
}
END_TEST

START_TEST(vfork_child_dup2_keeps_parent_record)
{
	struct sockaddr_in got;
	socklen_t len = sizeof(got);
	int s, status, d;
	pid_t pid;

	s = rt_connect_proxied();
	d = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(d, 0);
	pid = vfork();
	if (pid == 0) {
		(void)dup2(d, s);
		_exit(0);
	}
	ck_assert_int_ge(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(getpeername(s, (struct sockaddr *)&got, &len), 0);
	ck_assert_msg(ntohs(got.sin_port) == RT_TARGET_PORT, "after a vfork "
	    "child's dup2() the parent's getpeername() reports port %u",
	    ntohs(got.sin_port));
	close(d);
	close(s);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runtime fork");
	TCase *tc = tcase_create("ownership");

	(void)argc;
	rt_preload(argv);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, fork_child_close_keeps_parent_pin);
	tcase_add_test(tc, fork_child_keeps_its_own_pin);
	tcase_add_test(tc, vfork_child_close_keeps_parent_record);
	tcase_add_test(tc, vfork_child_dup2_keeps_parent_record);
	suite_add_tcase(s, tc);
	return rt_run(s);
}
