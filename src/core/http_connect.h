/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 CONNECT tunnel codec (RFC 9110 §9.3.6, Basic auth RFC 7617) over
 * caller buffers.  Pure functions: no syscalls, no allocation, no state.
 */
#ifndef SOCKSIFY_CORE_HTTP_CONNECT_H
#define SOCKSIFY_CORE_HTTP_CONNECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/socks5.h"

/* Longest user and password we send, in bytes. */
#define HTTP_CONNECT_MAX_CRED		255
/* Longest response head accepted, final blank line included. */
#define HTTP_CONNECT_MAX_HEAD		8192
/* Shortest head: "HTTP/1.1 200\n\n". */
#define HTTP_CONNECT_MIN_HEAD		14
/*
 * Largest request: request line 8 + 261 + 11, Host line 6 + 261 + 2 (261
 * is "<255-byte name>:65535"), Proxy-Authorization line 27 + 684 + 2 (684
 * is base64 of 255 + 1 + 255 bytes), final CRLF 2.
 */
#define HTTP_CONNECT_MAX_REQUEST	1264

/* Text length of base64 of n bytes, NUL not included. */
#define HTTP_CONNECT_BASE64_LEN(n)	(((size_t)(n) + 2) / 3 * 4)

/*
 * RFC 4648 §4 base64 (padded, alphabet A-Z a-z 0-9 + /) of in[0..len) into
 * out, NUL-terminated; cap must be at least HTTP_CONNECT_BASE64_LEN(len) + 1.
 * Returns the text length (NUL not counted), -EINVAL (out NULL, or in NULL
 * with len > 0) or -ENOSPC.  Thread-safe.
 */
ssize_t http_connect_base64(char *out, size_t cap, const uint8_t *in,
    size_t len);

/*
 * Write the request
 *   CONNECT <authority> HTTP/1.1\r\n
 *   Host: <authority>\r\n
 *   [Proxy-Authorization: Basic <base64(user ":" pass)>\r\n]
 *   \r\n
 * to out (cap bytes) and return its length.  No NUL is written: the message
 * is (out, return value), so cap == length is enough.  <authority> is
 * "1.2.3.4:80", "[2001:db8::1]:80" (RFC 5952 text) or "name:80".  user
 * NULL sends no Proxy-Authorization; otherwise user (0..255 bytes, no ':',
 * RFC 7617 §2) and pass (0..255 bytes, NULL taken as "") are sent.
 * Errors, checked in this order:
 *   -EINVAL  target NULL, unknown atyp or bad len, a name byte outside the
 *            RFC 3986 reg-name set (ALPHA DIGIT - . _ ~ % ! $ & ' ( ) * +
 *            , ; =; this keeps CR, LF, spaces, ':', '@', '/' out of the
 *            request), bad user or pass;
 *   -ENOSPC  cap too small (HTTP_CONNECT_MAX_REQUEST always suffices).
 * On error out may have been partly written.  Thread-safe.
 */
ssize_t http_connect_encode(char *out, size_t cap,
    const struct socks5_addr *target, const char *user, const char *pass);

/*
 * Stream decoder for the response head: the status line and the header
 * lines up to and including the first empty line.  A line ends with LF,
 * and a CR just before the LF is dropped, so "\r\n\r\n", "\n\n" and mixes
 * end the head.  Returns:
 *   >0  the head length exactly: the bytes after it are the tunnel's (or a
 *       refusal's body) and are not touched;
 *    0  incomplete: *need (if need != NULL) is a lower bound for the head
 *       length, > len and never past the end of the head:
 *       HTTP_CONNECT_MIN_HEAD until the status code is in, then len + 1
 *       right after a LF (or a LF and a CR), len + 2 inside a line.  The
 *       head length is unknown until its end, so expect to read a few bytes
 *       at a time (or peek and read back exactly the head);
 *   -EBADMSG  the status line is not "HTTP/1.<digit> <3 digits>", then
 *       end of line or SP and a reason phrase; reported as soon as the
 *       bad byte is seen (a SOCKS reply fails on its first byte);
 *   -EMSGSIZE the head is (or must be) longer than HTTP_CONNECT_MAX_HEAD.
 * Header lines are not parsed.  A 1xx interim response is returned like
 * any other (CONNECT proxies do not send them).  On success *status gets
 * the code (000..999, not judged; see http_connect_status_errno()) and
 * reason (when non-NULL and reasoncap > 0) the reason phrase, truncated to
 * reasoncap - 1 bytes, NUL-terminated, bytes outside 0x20..0x7e shown as
 * '?' so a hostile proxy cannot put control characters into logs.  status,
 * reason and need may be NULL; outputs are written only when the return is
 * > 0.  Thread-safe.
 */
ssize_t http_connect_decode(const uint8_t *in, size_t len, int *status,
    char *reason, size_t reasoncap, size_t *need);

/*
 * errno for a response status code, positive:
 *   200..299       0
 *   401, 403, 407  EACCES (bad credentials; forbidden; proxy authentication required)
 *   502, 503       ECONNREFUSED (bad gateway, service unavailable)
 *   504            ETIMEDOUT (gateway timeout)
 *   anything else  EPROTO (400 and 405 included)
 * Thread-safe.
 */
int http_connect_status_errno(int status);

#endif /* SOCKSIFY_CORE_HTTP_CONNECT_H */
