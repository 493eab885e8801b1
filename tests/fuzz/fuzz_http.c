/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for http_connect_decode() (the HTTP CONNECT response
 * head) and, on the same input, socks4_decode_reply().
 *
 * Checked: no over-read (exact-length heap copies); the result is one of
 * >0 (never past the input, never over HTTP_CONNECT_MAX_HEAD), 0 with a
 * *need that is larger than the input, -EBADMSG or -EMSGSIZE; every
 * prefix of an accepted head asks for more or fails, never succeeds with
 * another length; the reason is NUL-terminated and printable; the SOCKS4
 * decoder consumes exactly 8 bytes or none.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_connect.h"
#include "core/socks4.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_http: check failed: %s (%s:%d)\n",	\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

static ssize_t
http_checked(const uint8_t *in, size_t len, size_t *need)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	char reason[64];
	int status = -1;
	ssize_t rc;
	size_t i;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, in, len);
	*need = 0;
	rc = http_connect_decode(copy, len, &status, reason, sizeof(reason),
	    need);
	free(copy);
	CHECK(rc > 0 || rc == 0 || rc == -EBADMSG || rc == -EMSGSIZE);
	if (rc > 0) {
		CHECK((size_t)rc <= len && rc <= HTTP_CONNECT_MAX_HEAD);
		CHECK(status >= 0 && status <= 999);
		CHECK(memchr(reason, '\0', sizeof(reason)) != NULL);
		for (i = 0; reason[i] != '\0'; i++)
			CHECK(isprint((unsigned char)reason[i]) ||
			    reason[i] == ' ');
	} else if (rc == 0) {
		CHECK(*need > len);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t status = 0xee;
	size_t need, cut;
	ssize_t whole, part;

	whole = http_checked(data, size, &need);
	if (whole > 0) {
		/* No shorter prefix may be taken for a complete head. */
		for (cut = 0; cut < (size_t)whole; cut++) {
			part = http_checked(data, cut, &need);
			CHECK(part <= 0);
		}
		/* Bytes after the head never change the answer. */
		CHECK(http_checked(data, (size_t)whole, &need) == whole);
	}
	part = socks4_decode_reply(data, size, &status, &need);
	CHECK(part == 8 || part == 0 || part == -EBADMSG);
	if (part == 0)
		CHECK(size < 8 && need > size);
	return 0;
}
