/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/handshake: the driver simulator every case runs
 * under (the proxy's bytes whole, one at a time, and in two pieces split
 * at every offset; our writes whole and one byte at a time), the shared
 * fixtures and main(). The cases are in check_handshake_socks5.c,
 * _socks4.c, _http.c, _chain.c and _edge.c (bad paths, feeding what was
 * not asked for, handshake_io_error() texts).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake_sim.h"

/* Check records every passing ck_assert (a write each): the hot loops
 * only report failures. */
#define SIM_ASSERT(cond, ...)	do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* Far more than any case needs; a loop that never ends hits it. */
#define SIM_MAX_STEPS	200000

struct proxy_url url_s5, url_s5_auth, url_s5h, url_s4, url_s4_user, url_s4a,
    url_http, url_http_auth, url_s5_emptyuser;

const struct socks5_addr t_v4 = { SOCKS5_ATYP_IPV4, 4, { 192, 0, 2, 10 },
    80 };
const struct socks5_addr t_v6 = { SOCKS5_ATYP_IPV6, 16,
    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 443 };
const struct socks5_addr t_dom = { SOCKS5_ATYP_DOMAIN, 11, "example.com",
    443 };
const struct socks5_addr t_zero = { SOCKS5_ATYP_IPV4, 4, { 0 }, 0 };
const struct socks5_addr b_v4 = { SOCKS5_ATYP_IPV4, 4, { 198, 51, 100, 7 },
    50000 };
const struct socks5_addr b_v6 = { SOCKS5_ATYP_IPV6, 16,
    { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 }, 50001 };
const struct socks5_addr b_dom = { SOCKS5_ATYP_DOMAIN, 10, "proxy.test",
    50002 };
const struct socks5_addr b_dom0 = { SOCKS5_ATYP_DOMAIN, 0, "", 50003 };
const struct socks5_addr p_v4 = { SOCKS5_ATYP_IPV4, 4, { 203, 0, 113, 5 },
    40000 };
const struct socks5_addr via_v4 = { SOCKS5_ATYP_IPV4, 4,
    { 198, 51, 100, 20 }, 3128 };
const struct socks5_addr via_dom = { SOCKS5_ATYP_DOMAIN, 9, "hop3.test",
    1080 };

static void
parse_url(struct proxy_url *u, const char *text)
{
	char why[128];

	ck_assert_msg(proxy_url_parse(u, text, why, sizeof(why)) == 0,
	    "%s: %s", text, why);
}

void
sim_setup(void)
{
	parse_url(&url_s5, "socks5://192.0.2.1:1080");
	parse_url(&url_s5_auth, "socks5://Aladdin:open%20sesame@192.0.2.1");
	parse_url(&url_s5h, "socks5h://192.0.2.1:1080");
	parse_url(&url_s4, "socks4://192.0.2.1:1080");
	parse_url(&url_s4_user, "socks4://fred@192.0.2.1:1080");
	parse_url(&url_s4a, "socks4a://192.0.2.1:1080");
	parse_url(&url_http, "http://192.0.2.1:3128");
	parse_url(&url_http_auth,
	    "http://Aladdin:open%20sesame@192.0.2.1:3128");
	url_s5_emptyuser = url_s5;
	url_s5_emptyuser.has_auth = true;
}

const struct handshake_hop *
sim_hop1(const struct proxy_url *u)
{
	static struct handshake_hop hop;

	memset(&hop, 0, sizeof(hop));
	hop.url = u;
	return &hop;
}

static bool
addr_eq(const struct socks5_addr *a, const struct socks5_addr *b)
{
	return a->atyp == b->atyp && a->len == b->len && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->len) == 0;
}

static bool
addr_zero(const struct socks5_addr *a)
{
	static const struct socks5_addr zero;

	return addr_eq(a, &zero) && a->len == 0;
}

/* Feed from a heap copy of exactly len bytes, so ASan sees an over-read. */
static size_t
sim_feed(struct handshake *h, const uint8_t *in, size_t len)
{
	uint8_t *copy = malloc(len);
	size_t n;

	SIM_ASSERT(copy != NULL, "malloc");
	memcpy(copy, in, len);
	n = handshake_feed(h, copy, len);
	free(copy);
	return n;
}

void
sim_run(const struct sim_case *c, const uint8_t *in, size_t len,
    const size_t *cuts, size_t n_cuts, bool send_one, struct sim_run *r)
{
	struct handshake_io io, io2;
	size_t steps, ci = 0, avail = cuts[0], have, give, n;
	struct handshake *h = &r->h;

	memset(r, 0, sizeof(*r));
	ck_assert(n_cuts > 0 && cuts[n_cuts - 1] == len);
	handshake_start(h, c->hops, c->n_hops, c->cmd ? c->cmd :
	    SOCKS5_CMD_CONNECT, c->target, c->pipeline);
	for (steps = 0; steps < SIM_MAX_STEPS; steps++) {
		r->st = handshake_next(h, &io);
		/* Asking again without acting gives the same answer. */
		SIM_ASSERT(handshake_next(h, &io2) == r->st,
		    "next() not idempotent");
		SIM_ASSERT(io2.out == io.out && io2.len == io.len &&
		    io2.want == io.want && io2.peek == io.peek,
		    "next() not idempotent");
		if (r->st == HANDSHAKE_SEND) {
			SIM_ASSERT(io.len > 0 && io.len <= HANDSHAKE_MAX_OUT,
			    "SEND %zu", io.len);
			n = send_one ? 1 : io.len;
			SIM_ASSERT(r->out_len + n <= sizeof(r->out),
			    "too much out");
			memcpy(r->out + r->out_len, io.out, n);
			for (; n > 0; n--)
				r->after[r->out_len++] = r->consumed;
			handshake_sent(h, send_one ? 1 : io.len);
		} else if (r->st == HANDSHAKE_RECV) {
			SIM_ASSERT(io.want > 0, "RECV of 0 bytes");
			have = avail - r->consumed;
			if (have == 0) {
				if (ci + 1 == n_cuts)
					return;		/* starved */
				avail = cuts[++ci];
				continue;
			}
			give = have < io.want ? have : io.want;
			n = sim_feed(h, in + r->consumed, give);
			SIM_ASSERT(io.peek ? n > 0 && n <= give : n == give,
			    "fed %zu, feed() returned %zu", give, n);
			r->consumed += n;
		} else if (r->st == HANDSHAKE_BOUND) {
			SIM_ASSERT(!r->bound, "BOUND twice");
			r->bound = true;
			r->bound_at = r->consumed;
			r->bound_bnd = h->bnd;
			handshake_resume(h);
		} else {
			break;
		}
	}
	SIM_ASSERT(steps < SIM_MAX_STEPS, "the handshake never ended");
	/* The end is final. */
	SIM_ASSERT(handshake_next(h, &io) == r->st, "the end is not final");
}

static void
sim_assert(const struct sim_case *c, const struct sim_run *r,
    const char *label)
{
	size_t i, k, off = 0, px = 0, bound_at = 0;
	bool bound = false;

	SIM_ASSERT(r->st == c->st, "%s: status %d, want %d (%s)", label,
	    r->st, c->st, r->h.why);
	for (i = 0; i < c->n_steps; i++) {
		const struct sim_step *s = &c->steps[i];

		if (s->who == SIM_PROXY)
			px += s->len;
		if (s->who == SIM_BOUND) {
			bound = true;
			bound_at = px;
		}
		if (s->who != SIM_US)
			continue;
		SIM_ASSERT(off + s->len <= r->out_len, "%s: sent %zu bytes, "
		    "step %zu wants %zu more after %zu", label, r->out_len, i,
		    s->len, off);
		for (k = 0; k < s->len; k++)
			SIM_ASSERT(r->out[off + k] == s->b[k] &&
			    r->after[off + k] == px, "%s: byte %zu of step "
			    "%zu: sent 0x%02x after %zu proxy bytes, want "
			    "0x%02x after %zu", label, k, i, r->out[off + k],
			    r->after[off + k], s->b[k], px);
		off += s->len;
	}
	SIM_ASSERT(r->out_len == off, "%s: sent %zu bytes, want %zu", label,
	    r->out_len, off);
	if (c->loose)
		SIM_ASSERT(r->consumed > 0 && r->consumed <= px +
		    c->tail_len, "%s: consumed %zu", label, r->consumed);
	else
		SIM_ASSERT(r->consumed == px, "%s: consumed %zu of the "
		    "proxy's bytes, want %zu", label, r->consumed, px);
	if (c->st == HANDSHAKE_FAIL) {
		SIM_ASSERT(r->h.err == c->err, "%s: errno %d, want %d (%s)",
		    label, r->h.err, c->err, r->h.why);
		SIM_ASSERT(strcmp(r->h.why, c->why) == 0, "%s: why '%s', "
		    "want '%s'", label, r->h.why, c->why);
	} else {
		SIM_ASSERT(r->h.err == 0 && r->h.why[0] == '\0', "%s: %d %s",
		    label, r->h.err, r->h.why);
	}
	SIM_ASSERT(c->bnd != NULL ? addr_eq(&r->h.bnd, c->bnd) :
	    addr_zero(&r->h.bnd), "%s: bnd", label);
	SIM_ASSERT(c->peer != NULL ? addr_eq(&r->h.peer, c->peer) :
	    addr_zero(&r->h.peer), "%s: peer", label);
	SIM_ASSERT(r->bound == bound, "%s: BOUND %d, want %d", label,
	    r->bound, bound);
	if (bound)
		SIM_ASSERT(r->bound_at == bound_at &&
		    addr_eq(&r->bound_bnd, c->bnd), "%s: BOUND after %zu "
		    "bytes, want %zu", label, r->bound_at, bound_at);
	SIM_ASSERT(handshake_hop(&r->h) == &c->hops[c->hop], "%s: at hop "
	    "%zu, want %zu", label, r->h.hop, c->hop);
	SIM_ASSERT(r->h.http_status == c->http_status, "%s: HTTP status %d, "
	    "want %d", label, r->h.http_status, c->http_status);
}

/* The proxy's stream: its messages, then the tail. */
static uint8_t *
sim_stream(const struct sim_case *c, size_t *len)
{
	uint8_t *in;
	size_t i, n = c->tail_len;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].who == SIM_PROXY)
			n += c->steps[i].len;
	in = malloc(n + 1);
	ck_assert_ptr_nonnull(in);
	*len = 0;
	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].who == SIM_PROXY) {
			memcpy(in + *len, c->steps[i].b, c->steps[i].len);
			*len += c->steps[i].len;
		}
	if (c->tail_len > 0)
		memcpy(in + *len, c->tail, c->tail_len);
	*len += c->tail_len;
	return in;
}

void
sim_once(const struct sim_case *c, struct sim_run *r)
{
	size_t len;
	uint8_t *in = sim_stream(c, &len);

	sim_run(c, in, len, &len, 1, false, r);
	free(in);
}

void
sim_check(const struct sim_case *c)
{
	static struct sim_run r;
	char label[64];
	size_t len, k, *cuts;
	uint8_t *in = sim_stream(c, &len);
	int one;

	cuts = malloc((len + 1) * sizeof(*cuts));
	ck_assert_ptr_nonnull(cuts);
	for (one = 0; one <= 1; one++) {
		snprintf(label, sizeof(label), "whole, writes %s", one ?
		    "1 byte" : "whole");
		sim_run(c, in, len, &len, 1, one, &r);
		sim_assert(c, &r, label);
		for (k = 0; k < len; k++)
			cuts[k] = k + 1;
		snprintf(label, sizeof(label), "bytewise, writes %s", one ?
		    "1 byte" : "whole");
		sim_run(c, in, len, len > 0 ? cuts : &len, len > 0 ? len : 1,
		    one, &r);
		sim_assert(c, &r, label);
		for (k = 1; k < len; k++) {
			cuts[0] = k;
			cuts[1] = len;
			snprintf(label, sizeof(label), "split at %zu, "
			    "writes %s", k, one ? "1 byte" : "whole");
			sim_run(c, in, len, cuts, 2, one, &r);
			sim_assert(c, &r, label);
		}
	}
	free(cuts);
	free(in);
}

TCase *
sim_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, sim_setup, NULL);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tc;
}

int
main(void)
{
	SRunner *sr = srunner_create(handshake_socks5_suite());
	int failed;

	srunner_add_suite(sr, handshake_socks4_suite());
	srunner_add_suite(sr, handshake_http_suite());
	srunner_add_suite(sr, handshake_chain_suite());
	srunner_add_suite(sr, handshake_edge_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
