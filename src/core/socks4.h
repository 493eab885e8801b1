/* SPDX-License-Identifier: MIT */
/*
 * SOCKS4 and SOCKS4a CONNECT codec over caller buffers.  Pure functions: no
 * syscalls, no allocation, no shared state.  Addresses are socks5_addr.
 */
#ifndef SOCKSIFY_CORE_SOCKS4_H
#define SOCKSIFY_CORE_SOCKS4_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/socks5.h"

#define SOCKS4_VERSION		0x04	/* VN of a request */
#define SOCKS4_REPLY_VERSION	0x00	/* VN of a reply */
#define SOCKS4_CMD_CONNECT	0x01

/* Reply CD values (SOCKS4 protocol, "CONNECT" section). */
#define SOCKS4_CD_GRANTED		90
#define SOCKS4_CD_REJECTED		91
#define SOCKS4_CD_NO_IDENTD		92
#define SOCKS4_CD_IDENTD_MISMATCH	93

/* Longest USERID we send, in bytes, NUL not included. */
#define SOCKS4_MAX_USERID	255
/* Largest request: VN CD DSTPORT DSTIP, USERID NUL, 255-byte name NUL. */
#define SOCKS4_MAX_REQUEST	(8 + SOCKS4_MAX_USERID + 1 + 255 + 1)
/* A reply is always VN CD DSTPORT DSTIP. */
#define SOCKS4_REPLY_LEN	8

/*
 * CONNECT request for target, written to out (cap bytes); returns its
 * length.  An IPv4 target (len 4) gives a SOCKS4 request; a domain (len
 * 1..255, no NUL byte) gives a SOCKS4a request: DSTIP 0.0.0.1, then the
 * name and a NUL after the USERID.  userid is 0..SOCKS4_MAX_USERID bytes,
 * NULL taken as "".  Errors, checked in this order:
 *   -EINVAL        target NULL, unknown atyp, bad len, a NUL in the name,
 *                  userid too long, or an IPv4 target 0.0.0.1..0.0.0.255
 *                  (a SOCKS4a server would read it as "name follows");
 *   -EAFNOSUPPORT  target is IPv6 (SOCKS4 has no IPv6);
 *   -ENOSPC        cap too small.
 * On error out may have been partly written.  Thread-safe.
 */
ssize_t socks4_encode_connect(uint8_t *out, size_t cap,
    const struct socks5_addr *target, const char *userid);

/*
 * Stream decoder for the 8-byte reply VN CD DSTPORT DSTIP, same contract as
 * the socks5 decoders (see socks5.h): >0 bytes consumed (always 8; bytes
 * after it are not touched), 0 incomplete with *need = 8, -EBADMSG as soon
 * as a bad VN is seen.  VN must be 0; 4 is accepted too, because some
 * servers echo the request's version.  CD is returned in *status as is
 * (socks4_status_errno() judges it); DSTPORT and DSTIP carry nothing for
 * CONNECT and are ignored.  status and need may be NULL; *status is written
 * only when the return is > 0.
 */
ssize_t socks4_decode_reply(const uint8_t *in, size_t len, uint8_t *status,
    size_t *need);

/*
 * errno for a reply CD, positive:
 *   90 granted                  0
 *   91 rejected or failed       ECONNREFUSED
 *   92 no identd on the client  EACCES
 *   93 identd user mismatch     EACCES
 *   anything else               EPROTO
 * Thread-safe.
 */
int socks4_status_errno(uint8_t cd);

/*
 * Static English text for a reply CD; "unknown reply code" for values not
 * listed above.  Never NULL; do not free.  Thread-safe.
 */
const char *socks4_status_str(uint8_t cd);

#endif /* SOCKSIFY_CORE_SOCKS4_H */
