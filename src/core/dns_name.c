/* SPDX-License-Identifier: MIT */
/*
 * DNS names: wire decoding with compression pointers never trusted, text
 * forms, reverse-lookup names, and the TCP length prefix.  Pure (core/).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dns.h"

static uint8_t
dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

ssize_t
dns_name_decode(const uint8_t *msg, size_t len, size_t off,
    struct dns_name *n)
{
	uint8_t wire[DNS_NAME_MAX];
	size_t pos = off, run = off, out = 0, used = 0, target;
	uint8_t b;

	for (;;) {
		if (pos >= len)
			return -EBADMSG;
		b = msg[pos];
		if ((b & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return -EBADMSG;
			target = (size_t)(b & 0x3f) << 8 | msg[pos + 1];
			/* Strictly backwards from the labels this pointer
			 * continues, and never into the header: each hop
			 * lowers the position, so the walk ends. */
			if (target < DNS_HEADER_LEN || target >= run)
				return -EBADMSG;
			if (used == 0)
				used = pos + 2 - off;
			pos = run = target;
			continue;
		}
		if ((b & 0xc0) != 0)	/* 0x40 extended, 0x80 reserved */
			return -EBADMSG;
		if (out + 1u + b > DNS_NAME_MAX || pos + 1u + b > len)
			return -EBADMSG;
		memcpy(wire + out, msg + pos, 1u + (size_t)b);
		out += 1u + b;
		pos += 1u + b;
		if (b == 0)
			break;
	}
	if (used == 0)
		used = pos - off;
	n->len = (uint8_t)out;
	memcpy(n->wire, wire, out);
	return (ssize_t)used;
}

bool
dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	size_t i;

	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++)
		if (dns_lower(a->wire[i]) != dns_lower(b->wire[i]))
			return false;
	return true;
}

ssize_t
dns_name_to_text(const struct dns_name *n, char *out, size_t cap)
{
	char text[DNS_TEXT_MAX];
	size_t i = 0, t = 0, l, k;
	uint8_t c;

	if (n->len < 1)
		return -EINVAL;
	while (i < n->len && n->wire[i] != 0) {
		l = n->wire[i];
		if (l > DNS_LABEL_MAX || i + 1 + l >= n->len)
			return -EINVAL;
		if (t > 0)
			text[t++] = '.';
		for (k = 0; k < l; k++) {
			c = n->wire[i + 1 + k];
			if (c < 0x21 || c > 0x7e || c == '.')
				return -EINVAL;
			text[t++] = (char)c;
		}
		i += 1 + l;
	}
	if (i + 1 != n->len)	/* the root label ends the name, exactly */
		return -EINVAL;
	if (t + 1 > cap)
		return -ENOSPC;
	memcpy(out, text, t);
	out[t] = '\0';
	return (ssize_t)t;
}

int
dns_name_from_text(struct dns_name *n, const char *text)
{
	uint8_t wire[DNS_NAME_MAX];
	size_t out = 0, l;
	const char *p = text, *dot;

	if (text == NULL)
		return -EINVAL;
	if (strcmp(text, ".") == 0)
		p = "";
	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > DNS_LABEL_MAX || out + 1 + l + 1 >
		    DNS_NAME_MAX)
			return -EINVAL;
		wire[out++] = (uint8_t)l;
		for (size_t k = 0; k < l; k++) {
			if ((uint8_t)p[k] < 0x21 || (uint8_t)p[k] > 0x7e)
				return -EINVAL;
			wire[out++] = (uint8_t)p[k];
		}
		p += l;
		if (*p == '.')
			p++;
	}
	wire[out++] = 0;
	n->len = (uint8_t)out;
	memcpy(n->wire, wire, out);
	return 0;
}

/* ---- reverse names ------------------------------------------------------- */

/* Does the label at wire[i] equal word (lowercase)? */
static bool
dns_label_is(const struct dns_name *n, size_t i, const char *word)
{
	size_t l = strlen(word), k;

	if (i >= n->len || n->wire[i] != l || i + 1 + l > n->len)
		return false;
	for (k = 0; k < l; k++)
		if (dns_lower(n->wire[i + 1 + k]) != (uint8_t)word[k])
			return false;
	return true;
}

static int
dns_hex(uint8_t c)
{
	c = dns_lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
dns_reverse_v4(const struct dns_name *n, uint8_t a[static 4])
{
	size_t i = 0, l, k;
	unsigned v;
	int part;

	for (part = 3; part >= 0; part--) {
		l = n->wire[i];
		if (l < 1 || l > 3 || i + 1 + l >= n->len)
			return -ENOENT;
		if (l > 1 && n->wire[i + 1] == '0')
			return -ENOENT;		/* no leading zeros */
		for (v = 0, k = 0; k < l; k++) {
			if (n->wire[i + 1 + k] < '0' || n->wire[i + 1 + k] > '9')
				return -ENOENT;
			v = v * 10 + (unsigned)(n->wire[i + 1 + k] - '0');
		}
		if (v > 255)
			return -ENOENT;
		a[part] = (uint8_t)v;
		i += 1 + l;
	}
	if (!dns_label_is(n, i, "in-addr") || !dns_label_is(n, i + 8, "arpa")
	    || i + 13 + 1 != n->len || n->wire[i + 13] != 0)
		return -ENOENT;
	return 0;
}

static int
dns_reverse_v6(const struct dns_name *n, uint8_t a[static 16])
{
	size_t i;
	int nib, k;

	if (n->len != 32 * 2 + 9 + 1)	/* 32 nibbles, "ip6" "arpa", root */
		return -ENOENT;
	memset(a, 0, 16);
	for (k = 0; k < 32; k++) {
		i = (size_t)k * 2;
		if (n->wire[i] != 1 || (nib = dns_hex(n->wire[i + 1])) < 0)
			return -ENOENT;
		/* The first label is the lowest nibble of the address. */
		a[15 - k / 2] |= (uint8_t)(k % 2 == 0 ? nib : nib << 4);
	}
	if (!dns_label_is(n, 64, "ip6") || !dns_label_is(n, 68, "arpa") ||
	    n->wire[73] != 0)
		return -ENOENT;
	return 0;
}

int
dns_reverse_to_addr(const struct dns_name *n, int *family,
    uint8_t addr[static 16])
{
	uint8_t a[16];

	if (dns_reverse_v4(n, a) == 0) {
		*family = AF_INET;
		memcpy(addr, a, 4);
		return 0;
	}
	if (dns_reverse_v6(n, a) == 0) {
		*family = AF_INET6;
		memcpy(addr, a, 16);
		return 0;
	}
	return -ENOENT;
}

int
dns_reverse_from_addr(struct dns_name *n, int family, const uint8_t *addr)
{
	static const char hex[] = "0123456789abcdef";
	static const uint8_t v4tail[] = "\7in-addr\4arpa";
	static const uint8_t v6tail[] = "\3ip6\4arpa";
	size_t out = 0;
	int i;

	if (family == AF_INET) {
		for (i = 3; i >= 0; i--) {
			size_t at = out++;
			uint8_t v = addr[i];

			if (v >= 100)
				n->wire[out++] = (uint8_t)('0' + v / 100);
			if (v >= 10)
				n->wire[out++] = (uint8_t)('0' + v / 10 % 10);
			n->wire[out++] = (uint8_t)('0' + v % 10);
			n->wire[at] = (uint8_t)(out - at - 1);
		}
		memcpy(n->wire + out, v4tail, sizeof(v4tail));
		out += sizeof(v4tail);	/* the NUL is the root label */
	} else if (family == AF_INET6) {
		for (i = 15; i >= 0; i--) {
			n->wire[out++] = 1;
			n->wire[out++] = (uint8_t)hex[addr[i] & 0xf];
			n->wire[out++] = 1;
			n->wire[out++] = (uint8_t)hex[addr[i] >> 4];
		}
		memcpy(n->wire + out, v6tail, sizeof(v6tail));
		out += sizeof(v6tail);
	} else {
		return -EAFNOSUPPORT;
	}
	n->len = (uint8_t)out;
	return 0;
}

/* ---- TCP framing --------------------------------------------------------- */

ssize_t
dns_tcp_put_length(uint8_t *out, size_t cap, size_t msglen)
{
	if (msglen == 0 || msglen > DNS_MSG_MAX)
		return -EINVAL;
	if (cap < 2)
		return -ENOSPC;
	out[0] = (uint8_t)(msglen >> 8);
	out[1] = (uint8_t)msglen;
	return 2;
}

ssize_t
dns_tcp_frame(const uint8_t *in, size_t len, size_t *need)
{
	size_t n;

	if (len < 2) {
		if (need != NULL)
			*need = 2;
		return 0;
	}
	n = (size_t)in[0] << 8 | in[1];
	if (n < DNS_HEADER_LEN)
		return -EBADMSG;
	if (len < 2 + n) {
		if (need != NULL)
			*need = 2 + n;
		return 0;
	}
	return (ssize_t)(2 + n);
}
