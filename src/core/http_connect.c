/* SPDX-License-Identifier: MIT */
/*
 * HTTP CONNECT codec: request encoder, Basic-auth base64, response head
 * decoder, status table.  Memory and string functions only; the handshake
 * loop lives in runtime/.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/http_connect.h"

/* "HTTP/1.x NNN": the fixed part of a status line (RFC 9112 §4). */
#define STATUS_FIXED	12

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 §4 without a NUL; out has HTTP_CONNECT_BASE64_LEN(len) bytes. */
static size_t
b64_put(char *out, const uint8_t *in, size_t len)
{
	size_t i, n = 0;
	uint32_t v;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[n++] = b64_alphabet[v >> 18];
		out[n++] = b64_alphabet[v >> 12 & 0x3f];
		out[n++] = b64_alphabet[v >> 6 & 0x3f];
		out[n++] = b64_alphabet[v & 0x3f];
	}
	if (len - i == 0)
		return n;
	/* One or two bytes left: 2 or 3 symbols, padded to 4 (RFC 4648 §4). */
	v = (uint32_t)in[i] << 16;
	if (len - i == 2)
		v |= (uint32_t)in[i + 1] << 8;
	out[n++] = b64_alphabet[v >> 18];
	out[n++] = b64_alphabet[v >> 12 & 0x3f];
	out[n++] = len - i == 2 ? b64_alphabet[v >> 6 & 0x3f] : '=';
	out[n++] = '=';
	return n;
}

ssize_t
http_connect_base64(char *out, size_t cap, const uint8_t *in, size_t len)
{
	size_t n;

	if (out == NULL || (in == NULL && len > 0))
		return -EINVAL;
	if (len > (SIZE_MAX - 3) / 4 * 3 ||
	    cap <= HTTP_CONNECT_BASE64_LEN(len))
		return -ENOSPC;
	n = b64_put(out, in, len);
	out[n] = '\0';
	return (ssize_t)n;
}

/* RFC 3986 §3.2.2 reg-name bytes: unreserved, sub-delims, '%'. */
static bool
name_byte_ok(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~%!$&'()*+,;=", c) != NULL;
}

static bool
target_ok(const struct socks5_addr *a)
{
	size_t i;

	if (a == NULL)
		return false;
	switch (a->atyp) {
	case SOCKS5_ATYP_IPV4:
		return a->len == 4;
	case SOCKS5_ATYP_IPV6:
		return a->len == 16;
	case SOCKS5_ATYP_DOMAIN:
		for (i = 0; i < a->len; i++)
			if (!name_byte_ok(a->addr[i]))
				return false;
		return a->len >= 1;
	default:
		return false;
	}
}

static size_t
put(char *out, size_t n, const char *s, size_t len)
{
	memcpy(out + n, s, len);
	return n + len;
}

#define PUT_LIT(out, n, lit)	put(out, n, lit, sizeof(lit) - 1)

ssize_t
http_connect_encode(char *out, size_t cap, const struct socks5_addr *target,
    const char *user, const char *pass)
{
	static const char auth_hdr[] = "Proxy-Authorization: Basic ";
	char host[SOCKS5_ADDR_STRLEN];
	uint8_t cred[2 * HTTP_CONNECT_MAX_CRED + 1];
	size_t hlen, ulen = 0, plen = 0, clen = 0, total, n = 0;

	if (!target_ok(target))
		return -EINVAL;
	if (user != NULL) {
		ulen = strnlen(user, HTTP_CONNECT_MAX_CRED + 1);
		plen = pass != NULL ?
		    strnlen(pass, HTTP_CONNECT_MAX_CRED + 1) : 0;
		/* RFC 7617 §2: the user-id cannot contain a colon. */
		if (ulen > HTTP_CONNECT_MAX_CRED ||
		    plen > HTTP_CONNECT_MAX_CRED ||
		    memchr(user, ':', ulen) != NULL)
			return -EINVAL;
		clen = ulen + 1 + plen;
	}
	/* RFC 9110 §9.3.6: authority-form, IPv6 in brackets (RFC 3986). */
	(void)socks5_addr_format(target, host, sizeof(host));
	hlen = strlen(host);
	total = 8 + hlen + 11 + 6 + hlen + 2 + 2;
	if (user != NULL)
		total += sizeof(auth_hdr) - 1 + HTTP_CONNECT_BASE64_LEN(clen) +
		    2;
	if (cap < total)
		return -ENOSPC;
	n = PUT_LIT(out, n, "CONNECT ");
	n = put(out, n, host, hlen);
	n = PUT_LIT(out, n, " HTTP/1.1\r\n");
	/* RFC 9112 §3.2: a Host header in every HTTP/1.1 request. */
	n = PUT_LIT(out, n, "Host: ");
	n = put(out, n, host, hlen);
	n = PUT_LIT(out, n, "\r\n");
	if (user != NULL) {
		memcpy(cred, user, ulen);
		cred[ulen] = ':';
		if (plen > 0)
			memcpy(cred + ulen + 1, pass, plen);
		n = PUT_LIT(out, n, auth_hdr);
		n += b64_put(out + n, cred, clen);
		n = PUT_LIT(out, n, "\r\n");
		explicit_bzero(cred, sizeof(cred));	/* a password */
	}
	n = PUT_LIT(out, n, "\r\n");
	return (ssize_t)n;
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/*
 * Check the first n bytes of a status line (n stops at its LF): "HTTP/1."
 * DIGIT SP 3DIGIT, then SP reason, CRLF or LF.  Only what is there is
 * judged, so a bad byte fails as soon as it arrives.
 */
static bool
status_line_ok(const uint8_t *in, size_t n)
{
	static const char version[] = "HTTP/1.";
	size_t i;
	bool ok;

	for (i = 0; i < n && i <= STATUS_FIXED; i++) {
		if (i < sizeof(version) - 1)
			ok = in[i] == (uint8_t)version[i];
		else if (i == 8)
			ok = in[i] == ' ';
		else if (i < STATUS_FIXED)
			ok = is_digit(in[i]);
		else
			ok = in[i] == ' ' || in[i] == '\r' || in[i] == '\n';
		if (!ok)
			return false;
	}
	/* No reason phrase: the CR must be that of the line's CRLF. */
	return !(n > STATUS_FIXED + 1 && in[STATUS_FIXED] == '\r' &&
	    in[STATUS_FIXED + 1] != '\n');
}

/* Reason phrase of a complete status line of n bytes, made log-safe. */
static void
reason_copy(const uint8_t *in, size_t n, char *reason, size_t reasoncap)
{
	size_t i, end = n - 1, k = 0;		/* in[n - 1] is the LF */

	if (end > STATUS_FIXED && in[end - 1] == '\r')
		end--;
	if (in[STATUS_FIXED] == ' ')
		for (i = STATUS_FIXED + 1; i < end && k + 1 < reasoncap; i++)
			reason[k++] = in[i] >= 0x20 && in[i] < 0x7f ?
			    (char)in[i] : '?';
	reason[k] = '\0';
}

ssize_t
http_connect_decode(const uint8_t *in, size_t len, int *status, char *reason,
    size_t reasoncap, size_t *need)
{
	size_t scan, sl, s, q, head = 0, lb;
	const uint8_t *lf;

	/* Nothing past HTTP_CONNECT_MAX_HEAD can belong to an accepted head. */
	scan = len < HTTP_CONNECT_MAX_HEAD ? len : HTTP_CONNECT_MAX_HEAD;
	lf = scan > 0 ? memchr(in, '\n', scan) : NULL;
	sl = lf != NULL ? (size_t)(lf - in) + 1 : scan;
	if (!status_line_ok(in, sl))
		return -EBADMSG;
	if (lf != NULL) {
		/* The head ends with the first empty line (CR before LF ok). */
		for (s = sl; s < scan; s = q + 1) {
			lf = memchr(in + s, '\n', scan - s);
			if (lf == NULL)
				break;
			q = (size_t)(lf - in);
			if (q == s || (q == s + 1 && in[s] == '\r')) {
				head = q + 1;
				break;
			}
		}
	}
	if (head == 0) {
		/* Past the limit (len > scan included) is -EMSGSIZE below. */
		if (len < STATUS_FIXED)
			lb = HTTP_CONNECT_MIN_HEAD;
		else if (in[len - 1] == '\n' || (in[len - 1] == '\r' &&
		    len >= 2 && in[len - 2] == '\n'))
			lb = len + 1;	/* at a line start: LF may end it */
		else
			lb = len + 2;	/* in a line: its LF, an empty line */
		if (lb > HTTP_CONNECT_MAX_HEAD)
			return -EMSGSIZE;
		if (need != NULL)
			*need = lb;
		return 0;
	}
	if (status != NULL)
		*status = (in[9] - '0') * 100 + (in[10] - '0') * 10 +
		    (in[11] - '0');
	if (reason != NULL && reasoncap > 0)
		reason_copy(in, sl, reason, reasoncap);
	return (ssize_t)head;
}

int
http_connect_status_errno(int status)
{
	if (status >= 200 && status <= 299)
		return 0;
	switch (status) {
	case 401:		/* some proxies (tinyproxy) for bad credentials */
	case 403:		/* Forbidden: the proxy's policy */
	case 407:		/* Proxy Authentication Required */
		return EACCES;
	case 502:		/* Bad Gateway: the target refused or failed */
	case 503:		/* Service Unavailable */
		return ECONNREFUSED;
	case 504:		/* Gateway Timeout */
		return ETIMEDOUT;
	default:		/* 400, 405 and the rest: we spoke wrongly */
		return EPROTO;
	}
}
