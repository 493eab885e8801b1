/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for socks5_decode_udp_header() (RFC 1928 section 7).
 *
 * A datagram is whole, so the contract is simpler than the stream
 * decoders': the header length or -EBADMSG, *a written only on success.
 * Checked here: no over-read (exact-length heap copies), NULL output gives
 * the same return, every strict prefix of an accepted header is refused,
 * trailing payload does not change the result, the decoded address
 * re-encodes to the same bytes, and socks5_addr_format() on it stays
 * bounded and printable.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/socks5.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_udp: check failed: %s (%s:%d)\n",	\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

static ssize_t
decode_checked(const uint8_t *in, size_t len, struct socks5_addr *a)
{
	struct socks5_addr before;
	uint8_t *copy = malloc(len > 0 ? len : 1);
	ssize_t rc, rc_null;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, in, len);
	memset(a, 0xa5, sizeof(*a));
	memcpy(&before, a, sizeof(before));
	rc = socks5_decode_udp_header(copy, len, a);
	rc_null = socks5_decode_udp_header(copy, len, NULL);
	free(copy);
	CHECK(rc == rc_null);
	CHECK(rc > 0 || rc == -EBADMSG);
	if (rc > 0)
		CHECK((size_t)rc <= len && rc <= SOCKS5_MAX_UDP_HEADER);
	else
		CHECK(memcmp(a, &before, sizeof(*a)) == 0);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socks5_addr a, b;
	uint8_t enc[SOCKS5_MAX_UDP_HEADER];
	char text[SOCKS5_ADDR_STRLEN], small[5];
	size_t k, i, tl;
	ssize_t rc, n;

	rc = decode_checked(data, size, &a);
	for (k = 0; k <= size; k++) {
		n = decode_checked(data, k, &b);
		if (rc > 0 && k >= (size_t)rc) {
			/* The payload after the header changes nothing. */
			CHECK(n == rc);
			CHECK(b.atyp == a.atyp && b.len == a.len &&
			    b.port == a.port &&
			    memcmp(b.addr, a.addr, a.len) == 0);
		} else if (rc > 0)
			CHECK(n == -EBADMSG);	/* truncated header */
	}
	if (rc < 0)
		return 0;

	CHECK(data[0] == 0 && data[1] == 0 && data[2] == 0);
	CHECK(a.atyp == data[3]);
	switch (a.atyp) {
	case SOCKS5_ATYP_IPV4:
		CHECK(a.len == 4 && rc == 3 + 1 + 4 + 2);
		break;
	case SOCKS5_ATYP_IPV6:
		CHECK(a.len == 16 && rc == 3 + 1 + 16 + 2);
		break;
	case SOCKS5_ATYP_DOMAIN:
		CHECK(a.len >= 1 && a.len == data[4] &&
		    rc == 3 + 2 + a.len + 2);
		break;
	default:
		CHECK(!"unknown ATYP accepted");
	}

	/* Encoding the decoded address gives back the same header. */
	n = socks5_encode_udp_header(enc, sizeof(enc), &a);
	CHECK(n == rc);
	CHECK(memcmp(enc, data, (size_t)rc) == 0);
	n = socks5_encode_udp_header(enc, (size_t)rc - 1, &a);
	CHECK(n == -ENOSPC);

	socks5_addr_format(&a, text, sizeof(text));
	tl = strnlen(text, sizeof(text));
	CHECK(tl > 0 && tl < sizeof(text));
	for (i = 0; i < tl; i++)
		CHECK(text[i] > 0x20 && text[i] < 0x7f);
	socks5_addr_format(&a, small, sizeof(small));
	CHECK(strnlen(small, sizeof(small)) < sizeof(small));
	return 0;
}
