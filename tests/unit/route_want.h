/* SPDX-License-Identifier: MIT */
/*
 * Shared by check_route.c and check_route_rules.c: a configuration parsed
 * from text, sockaddrs from text, and one call of route_decide() checked
 * against the whole expected decision.
 */
#ifndef SOCKSIFY_TESTS_ROUTE_WANT_H
#define SOCKSIFY_TESTS_ROUTE_WANT_H

#include <check.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "core/route.h"

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* What one call of route_decide() is given and must answer. */
struct want {
	enum route_action action;
	int err;
	const char *why;		/* ROUTE_BLOCK */
	int upstream;			/* UP(n): n + 1; 0: none (-1) */
	int rule;			/* RULE(n): n + 1; 0: none (-1) */
	const struct socks5_addr *target;	/* ROUTE_PROXY */
	bool by_name;
};

/* The configuration and environment the decisions read. */
extern struct config cfg;
extern struct route_env env;

/* Parse text into cfg (failing the test on an error); env over it with
 * the proxy hosts 192.0.2.1 and 2001:db8::53. */
void load(const char *text);

/* "1.2.3.4", "2001:db8::1" or "::ffff:1.2.3.4" with port (a ring of four,
 * valid until the fourth next call). */
const struct addr *ip(const char *text, uint16_t port);

/* route_decide() on that destination must give exactly *w. */
void decide_is(int line, const struct sockaddr *sa, socklen_t len,
    int socktype, enum route_placeholder ph, const char *name,
    const struct want *w);

/* Shorthands: the decision for an address with socktype and placeholder
 * state as given. */
#define IS(a, st, ph, name, ...)	decide_is(__LINE__,		\
	(const struct sockaddr *)&(a)->ss, (a)->len, st, ph, name,	\
	&(struct want){ __VA_ARGS__ })
#define RULE(n)		.rule = (n) + 1
#define UP(n)		.upstream = (n) + 1
#define DIRECT		.action = ROUTE_DIRECT
#define NEED_TYPE	.action = ROUTE_NEED_SOCKTYPE
#define NEED_NAME	.action = ROUTE_NEED_NAME
#define BLOCK(e, w)	.action = ROUTE_BLOCK, .err = (e), .why = (w)
#define PROXY(t)	.action = ROUTE_PROXY, .target = (t)
#define UNK		ROUTE_PH_UNKNOWN

extern const struct socks5_addr t_v4, t_v6, t_name, t_ph;

void route_rules_tcase(Suite *s);

#endif /* SOCKSIFY_TESTS_ROUTE_WANT_H */
