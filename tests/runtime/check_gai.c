/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests: freeaddrinfo() frees the lists the library built and
 * passes libc's to libc. Meant to run under valgrind or ASan too (a
 * mismatched free is an error there, a leak is reported).
 */
#include <check.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rt.h"

static struct rt_peer peer;

static void
setup(void)
{
	rt_peer_start(&peer);
	(void)rt_config(&peer, NULL);
}

/* A placeholder: 198.18.0.0/15 (the default range). */
static bool
is_placeholder(const struct addrinfo *ai)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
	uint32_t a = ntohl(sin->sin_addr.s_addr);

	return ai->ai_family == AF_INET && (a >> 17) == (0xc6120000u >> 17);
}

START_TEST(free_our_list)
{
	struct addrinfo hints = { .ai_flags = AI_CANONNAME }, *res = NULL, *ai;
	unsigned n = 0;

	ck_assert_int_eq(getaddrinfo("remote.test", "http", &hints, &res), 0);
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == AF_INET) {
			ck_assert(is_placeholder(ai));
			n++;
		}
	ck_assert_uint_ge(n, 1);
	ck_assert_str_eq(res->ai_canonname, "remote.test");
	freeaddrinfo(res);
}
END_TEST

START_TEST(free_libc_list)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_CANONNAME },
	    *res = NULL;

	ck_assert_int_eq(getaddrinfo("127.0.0.1", "80", &hints, &res), 0);
	ck_assert(!is_placeholder(res));
	freeaddrinfo(res);
	res = NULL;
	ck_assert_int_eq(getaddrinfo("localhost", NULL, NULL, &res), 0);
	freeaddrinfo(res);
}
END_TEST

/* Many lists of both kinds alive at once, freed in another order. */
START_TEST(free_interleaved)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *ours[64], *libc[64];
	char name[64];
	int i;

	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "n%d.interleaved.test", i);
		ck_assert_int_eq(getaddrinfo(name, "443", &hints, &ours[i]), 0);
		ck_assert_int_eq(getaddrinfo("127.0.0.1", "443", &hints,
		    &libc[i]), 0);
	}
	for (i = 63; i >= 0; i--) {
		freeaddrinfo(libc[i]);
		freeaddrinfo(ours[63 - i]);
	}
	freeaddrinfo(NULL);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("runtime getaddrinfo");
	TCase *tc = tcase_create("freeaddrinfo");

	(void)argc;
	rt_preload(argv);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, free_our_list);
	tcase_add_test(tc, free_libc_list);
	tcase_add_test(tc, free_interleaved);
	suite_add_tcase(s, tc);
	return rt_run(s);
}
