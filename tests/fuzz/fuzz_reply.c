/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for socks5_decode_reply() (RFC 1928 section 6).
 *
 * Besides "no crash, no over-read" (the input is copied into buffers of
 * the exact length so ASan sees one byte too far), it checks the stream
 * decoder contract of core/socks5.h:
 *   - a whole decode and an incremental one agree: the input cut in two
 *     at every offset, the first piece decoded alone, then the reader
 *     fetching exactly *need - len more bytes until done, ends with the
 *     same result and the same reply as decoding everything at once;
 *   - *need is > len and never beyond the end of the message;
 *   - a malformed prefix means a malformed whole (reported early);
 *   - outputs are untouched unless the return is > 0;
 *   - trailing bytes are not consumed; NULL outputs give the same return.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errmap.h"
#include "core/socks5.h"

#define SENTINEL_NEED	((size_t)0x5a5a5a5a)

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_reply: check failed: %s (%s:%d)\n",\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* Field by field: struct copies need not preserve padding bytes. */
static bool
reply_eq(const struct socks5_reply *a, const struct socks5_reply *b)
{
	return a->rep == b->rep && a->bnd.atyp == b->bnd.atyp &&
	    a->bnd.len == b->bnd.len && a->bnd.port == b->bnd.port &&
	    memcmp(a->bnd.addr, b->bnd.addr, a->bnd.len) == 0;
}

/* Decode in[0..len) from a heap copy of exactly len bytes. */
static ssize_t
decode_exact(const uint8_t *in, size_t len, struct socks5_reply *r,
    size_t *need)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	ssize_t rc;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, in, len);
	rc = socks5_decode_reply(copy, len, r, need);
	free(copy);
	return rc;
}

/* One decode with sentinel outputs; checks the per-call contract. */
static ssize_t
decode_checked(const uint8_t *in, size_t len, struct socks5_reply *r,
    size_t *need)
{
	struct socks5_reply before;
	ssize_t rc, rc_null;

	memset(r, 0xa5, sizeof(*r));
	memcpy(&before, r, sizeof(before));
	*need = SENTINEL_NEED;
	rc = decode_exact(in, len, r, need);
	rc_null = decode_exact(in, len, NULL, NULL);
	CHECK(rc == rc_null);
	CHECK(rc > 0 || rc == 0 || rc == -EBADMSG);
	if (rc > 0) {
		CHECK((size_t)rc <= len);
		CHECK(rc >= 3 + 4);		/* shortest: 0-length domain */
		CHECK(rc <= SOCKS5_MAX_REPLY);
	} else {
		/* *r is written only on success; *need only when rc == 0. */
		CHECK(memcmp(r, &before, sizeof(*r)) == 0);
		if (rc == 0) {
			CHECK(*need != SENTINEL_NEED);
			CHECK(*need > len);
			CHECK(*need <= SOCKS5_MAX_REPLY);
		}
	}
	return rc;
}

static void
check_reply_fields(const uint8_t *in, ssize_t rc, const struct socks5_reply *r)
{
	char text[SOCKS5_ADDR_STRLEN], small[8];
	uint8_t enc[SOCKS5_MAX_UDP_HEADER];
	ssize_t n;
	size_t i, tl;
	int e;

	CHECK(in[0] == SOCKS5_VERSION);
	CHECK(r->rep == in[1]);
	CHECK(r->bnd.atyp == in[3]);
	if (r->bnd.atyp == SOCKS5_ATYP_IPV4)
		CHECK(r->bnd.len == 4 && rc == 3 + 1 + 4 + 2);
	else if (r->bnd.atyp == SOCKS5_ATYP_IPV6)
		CHECK(r->bnd.len == 16 && rc == 3 + 1 + 16 + 2);
	else {
		CHECK(r->bnd.atyp == SOCKS5_ATYP_DOMAIN);
		CHECK(r->bnd.len == in[4] && rc == 3 + 2 + r->bnd.len + 2);
	}
	CHECK(r->bnd.port == (uint16_t)(in[rc - 2] << 8 | in[rc - 1]));

	/* The address re-encodes to the same bytes (not for a 0-length name). */
	if (r->bnd.len > 0) {
		n = socks5_encode_udp_header(enc, sizeof(enc), &r->bnd);
		CHECK(n == rc);
		CHECK(memcmp(enc + 3, in + 3, (size_t)rc - 3) == 0);
	}

	/* Formatting a hostile address: bounded, printable, terminated. */
	socks5_addr_format(&r->bnd, text, sizeof(text));
	tl = strnlen(text, sizeof(text));
	CHECK(tl < sizeof(text));
	for (i = 0; i < tl; i++)
		CHECK(text[i] > 0x20 && text[i] < 0x7f);
	socks5_addr_format(&r->bnd, small, sizeof(small));
	CHECK(strnlen(small, sizeof(small)) < sizeof(small));
	CHECK(strncmp(small, text, sizeof(small) - 1) == 0);

	e = errmap_socks5_rep(r->rep);
	CHECK(e >= 0);
	CHECK((e == 0) == (r->rep == SOCKS5_REP_SUCCEEDED));
	CHECK(errmap_socks5_rep_str(r->rep) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socks5_reply whole, part;
	size_t need_whole, need, have, k;
	ssize_t rw, rp, rt;

	rw = decode_checked(data, size, &whole, &need_whole);
	if (rw > 0) {
		check_reply_fields(data, rw, &whole);
		/* Trailing bytes are not part of the reply. */
		rt = decode_checked(data, (size_t)rw, &part, &need);
		CHECK(rt == rw);
		CHECK(reply_eq(&part, &whole));
	} else if (rw == 0)
		CHECK(need_whole <= SOCKS5_MAX_REPLY);

	for (k = 0; k <= size; k++) {
		/* First piece: data[0..k) alone. */
		rp = decode_checked(data, k, &part, &need);
		if (rp < 0) {
			/* Bad as soon as the bad byte is seen: whole is bad. */
			CHECK(rw < 0);
			continue;
		}
		if (rp > 0) {
			CHECK(rw > 0 && rp == rw);
			CHECK(reply_eq(&part, &whole));
			continue;
		}
		if (rw > 0) {
			CHECK(k < (size_t)rw);
			CHECK(need <= (size_t)rw);	/* never past the end */
		} else if (rw == 0)
			CHECK(need <= need_whole);	/* need only grows */

		/* Then the rest, read as a stream reader would: need - len. */
		have = k;
		while (rp == 0 && need <= size) {
			CHECK(need > have);
			have = need;
			rp = decode_checked(data, have, &part, &need);
		}
		if (rp == 0)
			CHECK(rw <= 0);	/* ran out of input: whole not done */
		 else if (rp > 0) {
			CHECK(rp == rw && have == (size_t)rw);
			CHECK(reply_eq(&part, &whole));
		} else
			CHECK(rw < 0);

		/* And the two pieces put back together: same as whole. */
		rt = decode_checked(data, size, &part, &need);
		CHECK(rt == rw);
		if (rt > 0)
			CHECK(reply_eq(&part, &whole));
		else if (rt == 0)
			CHECK(need == need_whole);
	}
	return 0;
}
