/* SPDX-License-Identifier: MIT */
/*
 * Error tables: SOCKS5 reply codes to errno and to text.  Tables only; no
 * syscalls, no state.
 */
#ifndef SOCKSIFY_CORE_ERRMAP_H
#define SOCKSIFY_CORE_ERRMAP_H

#include <stdint.h>

/*
 * The errno a proxied connect() (or name lookup) reports, whole table:
 *
 *   proxy unreachable            errno of the connect() to the proxy
 *   handshake timeout            ETIMEDOUT
 *   proxy closed early           ECONNRESET
 *   malformed reply              EPROTO  (codec -EBADMSG, or a method we
 *                                         did not offer)
 *   no acceptable method         EACCES  (METHOD 0xFF)
 *   auth failed                  EACCES  (RFC 1929 STATUS != 0)
 *   configuration error          EACCES  (fail closed, never direct)
 *   SOCKS5 REP != 0              errmap_socks5_rep() below
 */

/*
 * errno for a SOCKS5 REP (RFC 1928 §6), positive:
 *   0 succeeded              0
 *   1 general failure        ECONNREFUSED
 *   2 not allowed            EACCES
 *   3 network unreachable    ENETUNREACH
 *   4 host unreachable       EHOSTUNREACH
 *   5 connection refused     ECONNREFUSED
 *   6 TTL expired            ETIMEDOUT
 *   7 command not supported  EOPNOTSUPP
 *   8 atyp not supported     EAFNOSUPPORT
 *   9..255                   EPROTO
 * Thread-safe.
 */
int errmap_socks5_rep(uint8_t rep);

/*
 * Static English text for a REP ("connection refused"); "unknown reply
 * code" for 9..255.  Never NULL; do not free.  Thread-safe.
 */
const char *errmap_socks5_rep_str(uint8_t rep);

#endif /* SOCKSIFY_CORE_ERRMAP_H */
