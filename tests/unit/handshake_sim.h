/* SPDX-License-Identifier: MIT */
/*
 * Shared by the check_handshake*.c files: a tiny driver that plays the
 * proxy's byte stream to core/handshake under many delivery schedules, and
 * the conversation scripts the cases are written in.
 */
#ifndef SOCKSIFY_TESTS_HANDSHAKE_SIM_H
#define SOCKSIFY_TESTS_HANDSHAKE_SIM_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/handshake.h"

/* Who speaks in a step of a conversation. */
enum sim_who {
	SIM_US,		/* bytes the engine must send, in this order */
	SIM_PROXY,	/* bytes the proxy answers with (all consumed) */
	SIM_BOUND,	/* BIND: the engine reports BOUND here */
};

struct sim_step {
	enum sim_who who;
	const uint8_t *b;
	size_t len;
};

#define SIM_BYTES(...)	(const uint8_t[]){ __VA_ARGS__ },		\
	sizeof((const uint8_t[]){ __VA_ARGS__ })
/* Bytes we send / the proxy sends, as a list or as a string literal. */
#define US(...)		{ SIM_US, SIM_BYTES(__VA_ARGS__) }
#define PX(...)		{ SIM_PROXY, SIM_BYTES(__VA_ARGS__) }
#define USS(s)		{ SIM_US, (const uint8_t *)(s), sizeof(s) - 1 }
#define PXS(s)		{ SIM_PROXY, (const uint8_t *)(s), sizeof(s) - 1 }
#define BOUND_HERE	{ SIM_BOUND, NULL, 0 }
#define SIM_STEPS(a)	.steps = (a), .n_steps = sizeof(a) / sizeof((a)[0])

/* One handshake, its conversation, and what it must end with. */
struct sim_case {
	const struct handshake_hop *hops;
	size_t n_hops;
	uint8_t cmd;			/* 0 is taken as CONNECT */
	const struct socks5_addr *target;	/* NULL: a probe */
	bool pipeline;
	const struct sim_step *steps;
	size_t n_steps;
	/* After the proxy's messages (the tunnel's data): never consumed. */
	const uint8_t *tail;
	size_t tail_len;
	/* the outcome */
	enum handshake_status st;	/* DONE, FAIL, or RECV: starved */
	int err;			/* FAIL: errno */
	const char *why;		/* FAIL: the reason, exactly */
	const struct socks5_addr *bnd;	/* NULL: must stay zero */
	const struct socks5_addr *peer;	/* NULL: must stay zero */
	size_t hop;			/* handshake_hop() at the end */
	int http_status;
	/* FAIL on a malformed HTTP head: how much of a peek is taken
	 * before the verdict depends on the schedule (checked: some, and
	 * no more than the stream). */
	bool loose;
};

/* Everything one run under one schedule produced. */
struct sim_run {
	struct handshake h;
	enum handshake_status st;
	uint8_t out[4096];
	size_t after[4096];		/* proxy bytes consumed when out[i]
					 * was sent */
	size_t out_len;
	size_t consumed;
	bool bound;
	size_t bound_at;
	struct socks5_addr bound_bnd;
};

/*
 * Run c once: the proxy stream in[0..len) arrives in pieces ending at
 * cuts[0] < cuts[1] < ... = len (nothing more after the last); send_one:
 * acknowledge one byte per write. Asserts the driver-side contract on the
 * way (want > 0, SEND within HANDSHAKE_MAX_OUT, feed returns, bounded
 * steps).
 */
void sim_run(const struct sim_case *c, const uint8_t *in, size_t len,
    const size_t *cuts, size_t n_cuts, bool send_one, struct sim_run *r);

/* Run c under every schedule (whole, byte by byte, two pieces split at
 * every offset; writes whole and a byte at a time) and assert the
 * outcome each time. */
void sim_check(const struct sim_case *c);

/* Run c once, everything at once, and return the run (for the cases that
 * go on with handshake_io_error() and the like). */
void sim_once(const struct sim_case *c, struct sim_run *r);

/* Fixture data: hops and addresses the cases share. */
extern struct proxy_url url_s5, url_s5_auth, url_s5h, url_s4, url_s4_user,
    url_s4a, url_http, url_http_auth, url_s5_emptyuser;
extern const struct socks5_addr t_v4, t_v6, t_dom, t_zero, b_v4, b_v6,
    b_dom, b_dom0, p_v4, via_v4, via_dom;
void sim_setup(void);
/* A one-hop path over u (static storage, reused per call). */
const struct handshake_hop *sim_hop1(const struct proxy_url *u);
TCase *sim_tcase(Suite *s, const char *name);

Suite *handshake_socks5_suite(void);
Suite *handshake_socks4_suite(void);
Suite *handshake_http_suite(void);
Suite *handshake_chain_suite(void);
Suite *handshake_edge_suite(void);

#endif /* SOCKSIFY_TESTS_HANDSHAKE_SIM_H */
