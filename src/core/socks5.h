/* SPDX-License-Identifier: MIT */
/*
 * SOCKS5 (RFC 1928) and username/password auth (RFC 1929) codec over caller
 * buffers.  Pure functions: no syscalls, no allocation, no shared state.
 */
#ifndef SOCKSIFY_CORE_SOCKS5_H
#define SOCKSIFY_CORE_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define SOCKS5_VERSION			0x05
#define SOCKS5_USERPASS_VERSION		0x01

#define SOCKS5_AUTH_NONE		0x00
#define SOCKS5_AUTH_USERPASS		0x02
#define SOCKS5_AUTH_NO_ACCEPTABLE	0xFF

/* RFC 1929 §2: STATUS 0x00 is success, anything else is failure. */
#define SOCKS5_USERPASS_SUCCESS		0x00

#define SOCKS5_CMD_CONNECT		0x01
#define SOCKS5_CMD_BIND			0x02
#define SOCKS5_CMD_UDP_ASSOCIATE	0x03

#define SOCKS5_ATYP_IPV4		0x01
#define SOCKS5_ATYP_DOMAIN		0x03
#define SOCKS5_ATYP_IPV6		0x04

enum socks5_rep {
	SOCKS5_REP_SUCCEEDED = 0,
	SOCKS5_REP_GENERAL_FAILURE,
	SOCKS5_REP_NOT_ALLOWED,
	SOCKS5_REP_NET_UNREACH,
	SOCKS5_REP_HOST_UNREACH,
	SOCKS5_REP_CONN_REFUSED,
	SOCKS5_REP_TTL_EXPIRED,
	SOCKS5_REP_CMD_UNSUPPORTED,
	SOCKS5_REP_ATYP_UNSUPPORTED
};

/* Largest messages, in bytes, so callers can size stack buffers. */
#define SOCKS5_MAX_GREETING	4	/* VER NMETHODS 2 methods */
#define SOCKS5_MAX_USERPASS	513	/* VER ULEN 255 PLEN 255 */
#define SOCKS5_MAX_REQUEST	262	/* 4 + 1 + 255 + 2 */
#define SOCKS5_MAX_REPLY	262
#define SOCKS5_MAX_UDP_HEADER	262
/* Longest socks5_addr_format() text, NUL included: 255-byte name ":65535". */
#define SOCKS5_ADDR_STRLEN	262

struct socks5_addr {
	uint8_t atyp;		/* SOCKS5_ATYP_* */
	uint8_t len;		/* bytes used in addr: 4, 16, or 1..255 */
	uint8_t addr[255];	/* network-order IP, or name (no NUL) */
	uint16_t port;		/* host byte order */
};

struct socks5_reply {
	uint8_t rep;		/* enum socks5_rep or unknown; see errmap */
	struct socks5_addr bnd;
};

/*
 * Fill *a from a sockaddr_in or sockaddr_in6 of salen bytes.  An IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) becomes SOCKS5_ATYP_IPV4.  Returns 0, -EINVAL
 * (NULL pointer, salen too short for the family) or -EAFNOSUPPORT (any other
 * family).  *a is written only on success.
 */
int socks5_addr_from_sockaddr(struct socks5_addr *a, const struct sockaddr *sa,
    size_t salen);

/*
 * Fill *a with SOCKS5_ATYP_DOMAIN name (NUL-terminated, 1..255 bytes, taken
 * as is) and port.  Returns 0 or -EINVAL (NULL, empty, or longer than 255
 * bytes).  *a is written only on success.
 */
/*
 * The inverse for an IPv4/IPv6 address: a sockaddr of the given family
 * (AF_INET, or AF_INET6 where an IPv4 address becomes v4-mapped). 0, or
 * -EAFNOSUPPORT (a domain name, or IPv6 into AF_INET); *ss untouched then.
 */
int socks5_addr_to_sockaddr(const struct socks5_addr *a, int family,
    struct sockaddr_storage *ss, socklen_t *len);

int socks5_addr_from_name(struct socks5_addr *a, const char *name,
    uint16_t port);

/*
 * Write "1.2.3.4:80", "[2001:db8::1]:80" (RFC 5952 form, via inet_ntop) or
 * "name:80" into buf; SOCKS5_ADDR_STRLEN bytes always suffice.  Truncated
 * and NUL-terminated when cap > 0 (nothing written when cap == 0).  Name
 * bytes outside 0x21..0x7e are shown as '?' so a hostile reply cannot put
 * control characters into logs; a 0-length name (see decode_reply) gives
 * ":port".  An IP with a wrong len or an unknown atyp gives "(invalid)".
 * Returns buf.  Thread-safe.
 */
const char *socks5_addr_format(const struct socks5_addr *a, char *buf,
    size_t cap);

/*
 * Encoders write one message to out (cap bytes) and return its length, or
 * -EINVAL on bad input (checked first) or -ENOSPC if cap is too small.  On
 * error the return is negative and out may have been partly written.
 */

/* RFC 1928 §3 greeting: methods {USERPASS, NONE} or just {NONE}. */
ssize_t socks5_encode_greeting(uint8_t *out, size_t cap, bool offer_userpass);

/*
 * RFC 1929 §2 request.  user must be 1..255 bytes; pass 0..255 bytes, and
 * NULL is taken as "".  -EINVAL otherwise.
 */
ssize_t socks5_encode_userpass(uint8_t *out, size_t cap, const char *user,
    const char *pass);

/*
 * RFC 1928 §4 request.  cmd is SOCKS5_CMD_*; a must be IPv4 with len 4, IPv6
 * with len 16, or a domain with len 1..255.  -EINVAL otherwise.
 */
ssize_t socks5_encode_request(uint8_t *out, size_t cap, uint8_t cmd,
    const struct socks5_addr *a);

/* RFC 1928 §7 UDP header: RSV(2)=0 FRAG=0 ATYP DST.ADDR DST.PORT. */
ssize_t socks5_encode_udp_header(uint8_t *out, size_t cap,
    const struct socks5_addr *a);

/*
 * Stream decoders read one message from the start of in (len bytes) and
 * return:
 *   >0  bytes consumed (trailing bytes are not part of the message);
 *    0  incomplete: *need (if need != NULL) is set to the smallest total
 *       length the message can have given the bytes seen, always > len and
 *       never beyond the end of the message, so reading need - len more
 *       bytes never swallows data that follows it;
 *   -EBADMSG  malformed, reported as soon as the bad byte is seen.
 * Outputs (which may be NULL) are written only when the return is > 0.
 */

/* RFC 1928 §3 method selection: VER(=5) METHOD.  METHOD is not judged. */
ssize_t socks5_decode_method(const uint8_t *in, size_t len, uint8_t *method,
    size_t *need);

/* RFC 1929 §2 reply: VER(=1) STATUS.  STATUS is not judged. */
ssize_t socks5_decode_userpass_reply(const uint8_t *in, size_t len,
    uint8_t *status, size_t *need);

/*
 * RFC 1928 §6 reply: VER(=5) REP RSV ATYP BND.ADDR BND.PORT.  REP is returned
 * as is (errmap turns it into errno).  Lenient where servers are sloppy and
 * the field carries nothing we use: any RSV byte is accepted, and so is a
 * domain BND.ADDR of length 0 (bnd.len = 0).  Bad VER or ATYP: -EBADMSG.
 */
ssize_t socks5_decode_reply(const uint8_t *in, size_t len,
    struct socks5_reply *r, size_t *need);

/*
 * RFC 1928 §7 UDP datagram header; the payload follows it.  A datagram is
 * whole, so returns the header length or -EBADMSG: truncated, RSV != 0,
 * FRAG != 0 (fragments are not supported), bad ATYP, or a domain of length
 * 0 (it is the peer address handed to the application).  *a is written
 * only on success and may be NULL.
 */
ssize_t socks5_decode_udp_header(const uint8_t *in, size_t len,
    struct socks5_addr *a);

#endif /* SOCKSIFY_CORE_SOCKS5_H */
