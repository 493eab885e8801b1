/* SPDX-License-Identifier: MIT */
/*
 * SOCKS5 codec: encode_* and decode_* on (buffer, length) pairs.  Memory
 * and string functions (plus inet_ntop) only: no syscalls, no allocation;
 * the handshake loop lives in runtime/.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/socks5.h"

/* Shortest address field: ATYP, domain length, name, 2-byte port. */
#define ADDR_MIN_EMPTY	4	/* a 0-length domain allowed */
#define ADDR_MIN	5	/* a 1-byte domain */

static bool
addr_valid(const struct socks5_addr *a)
{
	if (a == NULL)
		return false;
	switch (a->atyp) {
	case SOCKS5_ATYP_IPV4:
		return a->len == 4;
	case SOCKS5_ATYP_IPV6:
		return a->len == 16;
	case SOCKS5_ATYP_DOMAIN:
		return a->len >= 1;
	default:
		return false;
	}
}

/* Bytes of ATYP [LEN] ADDR PORT for a valid a. */
static size_t
addr_wire_len(const struct socks5_addr *a)
{
	return 1 + (a->atyp == SOCKS5_ATYP_DOMAIN ? 1u : 0u) + a->len + 2u;
}

/* Write ATYP [LEN] ADDR PORT (RFC 1928 §4, §5); out has room. */
static size_t
addr_put(uint8_t *out, const struct socks5_addr *a)
{
	size_t n = 0;

	out[n++] = a->atyp;
	if (a->atyp == SOCKS5_ATYP_DOMAIN)
		out[n++] = a->len;
	memcpy(out + n, a->addr, a->len);
	n += a->len;
	out[n++] = (uint8_t)(a->port >> 8);
	out[n++] = (uint8_t)(a->port & 0xff);
	return n;
}

/*
 * Read ATYP [LEN] ADDR PORT at in, with the stream decoder convention;
 * *need is relative to in.  *a is written only when the return is > 0.
 */
static ssize_t
addr_parse(const uint8_t *in, size_t len, bool allow_empty,
    struct socks5_addr *a, size_t *need)
{
	size_t hdr, alen, total;

	if (len < 1) {
		*need = allow_empty ? ADDR_MIN_EMPTY : ADDR_MIN;
		return 0;
	}
	switch (in[0]) {
	case SOCKS5_ATYP_IPV4:
		hdr = 1;
		alen = 4;
		break;
	case SOCKS5_ATYP_IPV6:
		hdr = 1;
		alen = 16;
		break;
	case SOCKS5_ATYP_DOMAIN:
		if (len < 2) {
			*need = allow_empty ? ADDR_MIN_EMPTY : ADDR_MIN;
			return 0;
		}
		hdr = 2;
		alen = in[1];
		if (alen == 0 && !allow_empty)
			return -EBADMSG;
		break;
	default:
		return -EBADMSG;
	}
	total = hdr + alen + 2;
	if (len < total) {
		*need = total;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	a->atyp = in[0];
	a->len = (uint8_t)alen;
	memcpy(a->addr, in + hdr, alen);
	a->port = (uint16_t)(in[hdr + alen] << 8 | in[hdr + alen + 1]);
	return (ssize_t)total;
}

int
socks5_addr_from_sockaddr(struct socks5_addr *a, const struct sockaddr *sa,
    size_t salen)
{
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct socks5_addr t;
	sa_family_t family;
	const uint8_t *port;

	if (a == NULL || sa == NULL ||
	    salen < offsetof(struct sockaddr, sa_family) + sizeof(family))
		return -EINVAL;
	/* memcpy: the caller's storage need not be aligned for sockaddr_in6 */
	memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family),
	    sizeof(family));
	memset(&t, 0, sizeof(t));
	if (family == AF_INET) {
		if (salen < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, sa, sizeof(sin));
		t.atyp = SOCKS5_ATYP_IPV4;
		t.len = 4;
		memcpy(t.addr, &sin.sin_addr, 4);
		port = (const uint8_t *)&sin.sin_port;
	} else if (family == AF_INET6) {
		if (salen < sizeof(sin6))
			return -EINVAL;
		memcpy(&sin6, sa, sizeof(sin6));
		if (memcmp(&sin6.sin6_addr, v4mapped, sizeof(v4mapped)) == 0) {
			t.atyp = SOCKS5_ATYP_IPV4;
			t.len = 4;
			memcpy(t.addr, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			t.atyp = SOCKS5_ATYP_IPV6;
			t.len = 16;
			memcpy(t.addr, &sin6.sin6_addr, 16);
		}
		port = (const uint8_t *)&sin6.sin6_port;
	} else
		return -EAFNOSUPPORT;
	t.port = (uint16_t)(port[0] << 8 | port[1]);
	*a = t;
	return 0;
}

int
socks5_addr_to_sockaddr(const struct socks5_addr *a, int family,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	uint8_t port[2] = { (uint8_t)(a->port >> 8), (uint8_t)a->port };

	if (a->atyp == SOCKS5_ATYP_IPV4 && family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_port, port, 2);
		memcpy(&sin.sin_addr, a->addr, 4);
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &sin, sizeof(sin));
		*len = sizeof(sin);
		return 0;
	}
	if (family != AF_INET6 || (a->atyp != SOCKS5_ATYP_IPV4 &&
	    a->atyp != SOCKS5_ATYP_IPV6))
		return -EAFNOSUPPORT;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_port, port, 2);
	if (a->atyp == SOCKS5_ATYP_IPV4) {
		sin6.sin6_addr.s6_addr[10] = 0xff;
		sin6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6.sin6_addr.s6_addr[12], a->addr, 4);
	} else {
		memcpy(&sin6.sin6_addr, a->addr, 16);
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &sin6, sizeof(sin6));
	*len = sizeof(sin6);
	return 0;
}

int
socks5_addr_from_name(struct socks5_addr *a, const char *name, uint16_t port)
{
	size_t n;

	if (a == NULL || name == NULL)
		return -EINVAL;
	n = strnlen(name, 256);
	if (n == 0 || n > 255)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->atyp = SOCKS5_ATYP_DOMAIN;
	a->len = (uint8_t)n;
	memcpy(a->addr, name, n);
	a->port = port;
	return 0;
}

const char *
socks5_addr_format(const struct socks5_addr *a, char *buf, size_t cap)
{
	char host[SOCKS5_ADDR_STRLEN];
	size_t i;
	int af;

	if (buf == NULL || cap == 0)
		return buf;
	if (a == NULL || (!addr_valid(a) && a->atyp != SOCKS5_ATYP_DOMAIN)) {
		(void)snprintf(buf, cap, "(invalid)");
		return buf;
	}
	if (a->atyp == SOCKS5_ATYP_DOMAIN) {
		for (i = 0; i < a->len; i++)	/* len 0 allowed: see decoder */
			host[i] = a->addr[i] > 0x20 && a->addr[i] < 0x7f ?
			    (char)a->addr[i] : '?';
		host[i] = '\0';
		(void)snprintf(buf, cap, "%s:%u", host, a->port);
		return buf;
	}
	/* inet_ntop is pure string code; it prints the RFC 5952 form. */
	af = a->atyp == SOCKS5_ATYP_IPV4 ? AF_INET : AF_INET6;
	if (inet_ntop(af, a->addr, host, sizeof(host)) == NULL)
		(void)snprintf(host, sizeof(host), "?");
	(void)snprintf(buf, cap, af == AF_INET ? "%s:%u" : "[%s]:%u", host,
	    a->port);
	return buf;
}

ssize_t
socks5_encode_greeting(uint8_t *out, size_t cap, bool offer_userpass)
{
	size_t n = 0;

	if (cap < (offer_userpass ? 4u : 3u))
		return -ENOSPC;
	out[n++] = SOCKS5_VERSION;
	if (offer_userpass) {
		out[n++] = 2;
		out[n++] = SOCKS5_AUTH_USERPASS;
	} else
		out[n++] = 1;
	out[n++] = SOCKS5_AUTH_NONE;
	return (ssize_t)n;
}

ssize_t
socks5_encode_userpass(uint8_t *out, size_t cap, const char *user,
    const char *pass)
{
	size_t ulen, plen, n = 0;

	if (user == NULL)
		return -EINVAL;
	ulen = strnlen(user, 256);
	plen = pass != NULL ? strnlen(pass, 256) : 0;
	if (ulen == 0 || ulen > 255 || plen > 255)
		return -EINVAL;
	if (cap < 3 + ulen + plen)
		return -ENOSPC;
	out[n++] = SOCKS5_USERPASS_VERSION;
	out[n++] = (uint8_t)ulen;
	memcpy(out + n, user, ulen);
	n += ulen;
	out[n++] = (uint8_t)plen;
	if (plen > 0)
		memcpy(out + n, pass, plen);
	n += plen;
	return (ssize_t)n;
}

ssize_t
socks5_encode_request(uint8_t *out, size_t cap, uint8_t cmd,
    const struct socks5_addr *a)
{
	if (cmd < SOCKS5_CMD_CONNECT || cmd > SOCKS5_CMD_UDP_ASSOCIATE ||
	    !addr_valid(a))
		return -EINVAL;
	if (cap < 3 + addr_wire_len(a))
		return -ENOSPC;
	out[0] = SOCKS5_VERSION;
	out[1] = cmd;
	out[2] = 0;		/* RSV */
	return (ssize_t)(3 + addr_put(out + 3, a));
}

ssize_t
socks5_encode_udp_header(uint8_t *out, size_t cap,
    const struct socks5_addr *a)
{
	if (!addr_valid(a))
		return -EINVAL;
	if (cap < 3 + addr_wire_len(a))
		return -ENOSPC;
	out[0] = 0;		/* RSV */
	out[1] = 0;
	out[2] = 0;		/* FRAG: standalone datagram */
	return (ssize_t)(3 + addr_put(out + 3, a));
}

/* VER X: shared by the two 2-byte replies. */
static ssize_t
decode_pair(const uint8_t *in, size_t len, uint8_t ver, uint8_t *val,
    size_t *need)
{
	if (len >= 1 && in[0] != ver)
		return -EBADMSG;
	if (len < 2) {
		if (need != NULL)
			*need = 2;
		return 0;
	}
	if (val != NULL)
		*val = in[1];
	return 2;
}

ssize_t
socks5_decode_method(const uint8_t *in, size_t len, uint8_t *method,
    size_t *need)
{
	return decode_pair(in, len, SOCKS5_VERSION, method, need);
}

ssize_t
socks5_decode_userpass_reply(const uint8_t *in, size_t len, uint8_t *status,
    size_t *need)
{
	return decode_pair(in, len, SOCKS5_USERPASS_VERSION, status, need);
}

ssize_t
socks5_decode_reply(const uint8_t *in, size_t len, struct socks5_reply *r,
    size_t *need)
{
	struct socks5_reply t;
	size_t more = 0;
	ssize_t rc;

	if (len >= 1 && in[0] != SOCKS5_VERSION)
		return -EBADMSG;
	/*
	 * *need is the shortest reply still possible (a 0-length domain), so
	 * a caller reading exactly that never takes application data that
	 * follows the reply on the socket.
	 */
	if (len < 3) {
		if (need != NULL)
			*need = 3 + ADDR_MIN_EMPTY;
		return 0;
	}
	/* in[2] is RSV: RFC 1928 §6 says 0x00, but it is ignored here. */
	rc = addr_parse(in + 3, len - 3, true, &t.bnd, &more);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (need != NULL)
			*need = 3 + more;
		return 0;
	}
	if (r != NULL) {
		t.rep = in[1];
		*r = t;
	}
	return 3 + rc;
}

ssize_t
socks5_decode_udp_header(const uint8_t *in, size_t len,
    struct socks5_addr *a)
{
	struct socks5_addr t;
	size_t more = 0;
	ssize_t rc;

	/* RFC 1928 §7: RSV is 0x0000; FRAG != 0 is a fragment (unsupported). */
	if (len < 3 || in[0] != 0 || in[1] != 0 || in[2] != 0)
		return -EBADMSG;
	rc = addr_parse(in + 3, len - 3, false, &t, &more);
	if (rc <= 0)
		return -EBADMSG;
	if (a != NULL)
		*a = t;
	return 3 + rc;
}
