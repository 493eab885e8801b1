/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the resumable handshake engine (core/handshake.c).
 *
 * Input: three configuration bytes, a chunking schedule, then the proxy's
 * byte stream.
 *   byte 0  bits 0-1 hops - 1; bits 2-3 command (CONNECT, BIND, UDP
 *           ASSOCIATE, probe); bit 4 pipelining; bits 5-6 target (IPv4,
 *           IPv6, name, 255-byte name); bit 7 credentials on every hop
 *   byte 1  two bits per hop: socks5, socks4a, http, socks4
 *   byte 2  bits 0-3 k, the number of schedule bytes; bit 6 the transport
 *           error to report when the stream runs dry (timeout or reset);
 *           bit 7 writes acknowledged one byte at a time
 *   k bytes the sizes of the pieces the stream arrives in (each + 1,
 *           cycled)
 *   rest    what the proxy sends
 *
 * The engine is driven to its end twice, the stream whole and in pieces,
 * and must: never ask for a write of more than HANDSHAKE_MAX_OUT or a read
 * of more than a driver's buffer (HTTP_CONNECT_MAX_HEAD) or of nothing;
 * never take more than it was given; end within a bounded number of steps;
 * give the same outcome both ways (status, errno, reason, bytes sent, the
 * bound and peer addresses, the hop, and, unless an HTTP head failed to
 * parse, the bytes consumed); fail with a positive errno and a printable
 * one-line reason.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/handshake.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_handshake: check failed: %s (%s:%d)\n",\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

#define MAX_STEPS	200000
#define OUT_MAX		(HANDSHAKE_MAX_HOPS * 3 * HANDSHAKE_MAX_OUT)

static struct proxy_url urls[4][2];	/* kind x credentials */
static struct socks5_addr targets[4], vias[3];

static void
setup(void)
{
	static const char *const text[4][2] = {
		{ "socks5://192.0.2.1", "socks5://u:p@192.0.2.1" },
		{ "socks4a://192.0.2.1", "socks4a://fred@192.0.2.1" },
		{ "http://192.0.2.1:3128", "http://u:p@192.0.2.1:3128" },
		{ "socks4://192.0.2.1", "socks4://fred@192.0.2.1" },
	};
	static const struct socks5_addr v4 = { SOCKS5_ATYP_IPV4, 4,
	    { 192, 0, 2, 10 }, 80 }, v6 = { SOCKS5_ATYP_IPV6, 16,
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 443 };
	char name[256];
	size_t i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			CHECK(proxy_url_parse(&urls[i][j], text[i][j], NULL,
			    0) == 0);
	targets[0] = v4;
	targets[1] = v6;
	CHECK(socks5_addr_from_name(&targets[2], "example.com", 443) == 0);
	memset(name, 'n', 255);
	name[255] = '\0';
	CHECK(socks5_addr_from_name(&targets[3], name, 65535) == 0);
	vias[0] = v4;
	vias[1] = v6;
	CHECK(socks5_addr_from_name(&vias[2], "hop.test", 1080) == 0);
}

struct run {
	struct handshake h;
	enum handshake_status st;
	uint8_t out[OUT_MAX];
	size_t out_len;
	size_t consumed;
	bool bound;
	bool peek_failed;	/* failed after a peek it took whole */
};

/* One drive of h over in[0..len), arriving in pieces of sizes[i % n] + 1
 * (n == 0: all at once). */
static void
drive(struct run *r, const struct handshake_hop *hops, size_t n_hops,
    uint8_t cfg0, uint8_t cfg2, const uint8_t *sizes, size_t n_sizes,
    const uint8_t *in, size_t len)
{
	static const uint8_t cmds[4] = { SOCKS5_CMD_CONNECT, SOCKS5_CMD_BIND,
	    SOCKS5_CMD_UDP_ASSOCIATE, SOCKS5_CMD_CONNECT };
	struct handshake_io io, io2;
	size_t steps, avail, piece = 0, have, give, n;
	bool one = cfg2 & 0x80, took_peek = false;
	uint8_t *copy;

	memset(r, 0, sizeof(*r));
	handshake_start(&r->h, hops, n_hops, cmds[cfg0 >> 2 & 3],
	    (cfg0 >> 2 & 3) == 3 ? NULL : &targets[cfg0 >> 5 & 3],
	    cfg0 & 0x10);
	avail = n_sizes == 0 ? len : 0;
	for (steps = 0; steps < MAX_STEPS; steps++) {
		r->st = handshake_next(&r->h, &io);
		CHECK(handshake_next(&r->h, &io2) == r->st);
		CHECK(io2.out == io.out && io2.len == io.len &&
		    io2.want == io.want && io2.peek == io.peek);
		if (r->st == HANDSHAKE_SEND) {
			CHECK(io.len > 0 && io.len <= HANDSHAKE_MAX_OUT);
			CHECK(io.out >= r->h.out &&
			    io.out + io.len <= r->h.out + sizeof(r->h.out));
			n = one ? 1 : io.len;
			CHECK(r->out_len + n <= sizeof(r->out));
			memcpy(r->out + r->out_len, io.out, n);
			r->out_len += n;
			handshake_sent(&r->h, n);
			continue;
		}
		if (r->st == HANDSHAKE_BOUND) {
			CHECK(!r->bound);
			r->bound = true;
			handshake_resume(&r->h);
			continue;
		}
		if (r->st != HANDSHAKE_RECV)
			break;
		CHECK(io.want > 0 && io.want <= HTTP_CONNECT_MAX_HEAD);
		have = avail - r->consumed;
		if (have == 0) {
			if (avail == len) {
				/* Dry: the transport fails. */
				handshake_io_error(&r->h, cfg2 & 0x40 ?
				    ECONNRESET : ETIMEDOUT, false);
				r->st = handshake_next(&r->h, &io);
				CHECK(r->st == HANDSHAKE_FAIL);
				break;
			}
			n = (size_t)sizes[piece++ % n_sizes] + 1;
			avail = len - avail < n ? len : avail + n;
			continue;
		}
		give = have < io.want ? have : io.want;
		copy = malloc(give);		/* exact, for ASan */
		CHECK(copy != NULL);
		memcpy(copy, in + r->consumed, give);
		n = handshake_feed(&r->h, copy, give);
		free(copy);
		if (io.peek)
			CHECK(n > 0 && n <= give);
		else
			CHECK(n == give);
		took_peek = io.peek && n == give;
		r->consumed += n;
		CHECK(r->consumed <= len);
	}
	CHECK(steps < MAX_STEPS);
	CHECK(handshake_next(&r->h, &io) == r->st);
	r->peek_failed = r->st == HANDSHAKE_FAIL && took_peek;
}

static bool
addr_eq(const struct socks5_addr *a, const struct socks5_addr *b)
{
	return a->atyp == b->atyp && a->len == b->len && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->len) == 0;
}

static void
check_end(const struct run *r)
{
	size_t i, n;

	CHECK(r->st == HANDSHAKE_DONE || r->st == HANDSHAKE_FAIL);
	if (r->st == HANDSHAKE_DONE) {
		CHECK(r->h.err == 0 && r->h.why[0] == '\0');
		return;
	}
	CHECK(r->h.err > 0);
	n = strnlen(r->h.why, sizeof(r->h.why));
	CHECK(n > 0 && n < sizeof(r->h.why));
	for (i = 0; i < n; i++)
		CHECK(r->h.why[i] >= 0x20 && r->h.why[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	static bool ready;
	struct handshake_hop hops[4];
	size_t n_hops, n_sizes, i;
	uint8_t cfg0, cfg1, cfg2;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 3)
		return 0;
	cfg0 = data[0];
	cfg1 = data[1];
	cfg2 = data[2];
	n_sizes = cfg2 & 0x0f;
	if (size < 3 + n_sizes)
		return 0;
	n_hops = (cfg0 & 3) + 1;
	memset(hops, 0, sizeof(hops));
	for (i = 0; i < n_hops; i++) {
		hops[i].url = &urls[cfg1 >> (2 * i) & 3][cfg0 >> 7];
		if (i > 0)
			hops[i].via = vias[(i + (cfg0 >> 5)) % 3];
	}
	data += 3 + n_sizes;
	size -= 3 + n_sizes;

	drive(&whole, hops, n_hops, cfg0, cfg2, NULL, 0, data, size);
	check_end(&whole);
	drive(&split, hops, n_hops, cfg0, cfg2, data - n_sizes, n_sizes, data,
	    size);
	check_end(&split);

	CHECK(split.st == whole.st);
	CHECK(split.h.err == whole.h.err);
	CHECK(strcmp(split.h.why, whole.h.why) == 0);
	CHECK(split.out_len == whole.out_len);
	CHECK(memcmp(split.out, whole.out, whole.out_len) == 0);
	CHECK(split.bound == whole.bound);
	CHECK(addr_eq(&split.h.bnd, &whole.h.bnd));
	CHECK(addr_eq(&split.h.peer, &whole.h.peer));
	CHECK(split.h.hop == whole.h.hop);
	CHECK(split.h.http_status == whole.h.http_status);
	/* A head that failed to parse: how much of the last peek was taken
	 * with it depends on the pieces. */
	if (!whole.peek_failed || !split.peek_failed)
		CHECK(split.consumed == whole.consumed);
	return 0;
}
