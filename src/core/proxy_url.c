/* SPDX-License-Identifier: MIT */
/*
 * Proxy URL parser and formatter.  Parses into a local copy, commits only on
 * success.  core/: string functions only, no syscalls, no allocation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "core/proxy_url.h"

/* Longest piece of user input quoted back in a reason. */
#define QUOTE_MAX	64

static const struct {
	const char *name;
	enum proxy_kind kind;
	uint16_t port;
} proxy_schemes[] = {
	{ "socks5",	PROXY_SOCKS5,	PROXY_URL_DEFAULT_SOCKS_PORT },
	{ "socks5h",	PROXY_SOCKS5H,	PROXY_URL_DEFAULT_SOCKS_PORT },
	{ "socks4",	PROXY_SOCKS4,	PROXY_URL_DEFAULT_SOCKS_PORT },
	{ "socks4a",	PROXY_SOCKS4A,	PROXY_URL_DEFAULT_SOCKS_PORT },
	{ "http",	PROXY_HTTP,	PROXY_URL_DEFAULT_HTTP_PORT },
};

#define N_SCHEMES	(sizeof(proxy_schemes) / sizeof(proxy_schemes[0]))

static __attribute__((format(printf, 3, 4))) int
fail(char *why, size_t whycap, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whycap > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, whycap, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Clamp a length for "%.*s" so quoted input stays short. */
static int
qlen(size_t len)
{
	return len > QUOTE_MAX ? QUOTE_MAX : (int)len;
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Case-insensitive compare of s[0..len) with the NUL-terminated word. */
static bool
word_ieq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || ascii_lower(s[i]) != word[i])
			return false;
	return word[len] == '\0';
}

/* Percent-decode s[0..len) into out[256]; what names the field. */
static int
decode_field(char out[static 256], const char *s, size_t len,
    const char *what, char *why, size_t whycap)
{
	size_t i, n = 0;
	int hi, lo;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
			lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return fail(why, whycap,
				    "bad percent-encoding in %s", what);
			c = (char)(hi << 4 | lo);
			if (c == '\0')
				return fail(why, whycap, "NUL byte in %s",
				    what);
			i += 2;
		}
		if (n == 255)
			return fail(why, whycap, "%s longer than 255 bytes",
			    what);
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

static int
parse_port(const char *s, size_t len, uint16_t *port, char *why,
    size_t whycap)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		goto bad;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		goto bad;
	*port = (uint16_t)v;
	return 0;
bad:
	return fail(why, whycap, "bad port '%.*s'", qlen(len), s);
}

/* A host name: letters, digits, '-', '.', '_' (also covers IPv4). */
static int
copy_name(char out[static 256], const char *s, size_t len, char *why,
    size_t whycap)
{
	size_t i;

	if (len == 0)
		return fail(why, whycap, "missing host");
	if (len > 255)
		return fail(why, whycap, "host name longer than 255 bytes");
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '.' &&
		    s[i] != '_')
			return fail(why, whycap, "bad host '%.*s'", qlen(len),
			    s);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* "host", "host:port", "[v6]", "[v6]:port" in s[0..len). */
static int
parse_hostport(struct proxy_url *u, const char *s, size_t len, char *why,
    size_t whycap)
{
	unsigned char bin[16];
	const char *close, *colon;
	size_t hlen;
	int rc;

	if (len > 0 && s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL)
			return fail(why, whycap, "missing ']' after IPv6 "
			    "address");
		hlen = (size_t)(close - s) - 1;
		if (hlen == 0)
			return fail(why, whycap, "missing host");
		if (hlen >= 46)
			goto bad6;
		memcpy(u->host, s + 1, hlen);
		u->host[hlen] = '\0';
		if (inet_pton(AF_INET6, u->host, bin) != 1)
			goto bad6;
		colon = close + 1;
		if (colon == s + len)
			return 0;
		if (*colon != ':')
			return fail(why, whycap, "unexpected '%.*s' after ']'",
			    qlen((size_t)(s + len - colon)), colon);
		return parse_port(colon + 1, (size_t)(s + len - colon - 1),
		    &u->port, why, whycap);
	}
	colon = memchr(s, ':', len);
	if (colon != NULL && memchr(colon + 1, ':',
	    (size_t)(s + len - colon - 1)) != NULL)
		return fail(why, whycap, "IPv6 address must be in brackets");
	hlen = colon != NULL ? (size_t)(colon - s) : len;
	rc = copy_name(u->host, s, hlen, why, whycap);
	if (rc < 0 || colon == NULL)
		return rc;
	return parse_port(colon + 1, len - hlen - 1, &u->port, why, whycap);
bad6:
	return fail(why, whycap, "bad IPv6 address '%.*s'", qlen(hlen), s + 1);
}

static int
parse_scheme(struct proxy_url *u, const char *s, size_t len, char *why,
    size_t whycap)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '+' && s[i] != '-' &&
		    s[i] != '.')
			return fail(why, whycap, "bad scheme");
	for (i = 0; i < N_SCHEMES; i++) {
		if (word_ieq(s, len, proxy_schemes[i].name)) {
			u->kind = proxy_schemes[i].kind;
			u->port = proxy_schemes[i].port;
			return 0;
		}
	}
	if (len == 0)
		return fail(why, whycap, "missing scheme");
	return fail(why, whycap, "unknown scheme '%.*s'", qlen(len), s);
}

int
proxy_url_parse(struct proxy_url *u, const char *text, char *why,
    size_t whycap)
{
	struct proxy_url t;
	const char *p, *at, *end, *colon;
	int rc;

	if (u == NULL || text == NULL)
		return fail(why, whycap, "no URL");
	memset(&t, 0, sizeof(t));
	t.kind = PROXY_SOCKS5;
	t.port = PROXY_URL_DEFAULT_SOCKS_PORT;

	p = strstr(text, "://");
	if (p != NULL) {
		rc = parse_scheme(&t, text, (size_t)(p - text), why, whycap);
		if (rc < 0)
			return rc;
		p += 3;
	} else
		p = text;

	/*
	 * The last '@' ends the user part, so a password with a raw '@',
	 * '/' or '#' still parses.  Reasons never quote this part.
	 */
	at = strrchr(p, '@');
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		end = colon != NULL ? colon : at;
		if (end == p)
			return fail(why, whycap, "empty user name");
		rc = decode_field(t.user, p, (size_t)(end - p), "user name",
		    why, whycap);
		if (rc == 0 && colon != NULL)
			rc = decode_field(t.pass, colon + 1,
			    (size_t)(at - colon - 1), "password", why, whycap);
		if (rc < 0)
			return rc;
		t.has_auth = true;
		p = at + 1;
	}

	end = p + strcspn(p, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0)
		return fail(why, whycap, "unexpected path '%.*s'",
		    qlen(strlen(end)), end);
	rc = parse_hostport(&t, p, (size_t)(end - p), why, whycap);
	if (rc < 0)
		return rc;
	*u = t;
	return 0;
}

const char *
proxy_kind_name(enum proxy_kind kind)
{
	size_t i;

	for (i = 0; i < N_SCHEMES; i++)
		if (proxy_schemes[i].kind == kind)
			return proxy_schemes[i].name;
	return "?";
}

/* Percent-encode what the parser would split on or what is unprintable. */
static void
encode_user(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t n = 0;

	for (; *s != '\0' && n + 4 <= cap; s++) {
		c = (unsigned char)*s;
		if (is_alnum((char)c) || strchr("-._~!$&'()*+,;=", c) != NULL)
			out[n++] = (char)c;
		else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

const char *
proxy_url_format(const struct proxy_url *u, char *buf, size_t cap)
{
	char user[3 * 255 + 1] = "";
	bool v6;

	if (buf == NULL || cap == 0)
		return buf;
	if (u->has_auth)
		encode_user(user, sizeof(user), u->user);
	v6 = memchr(u->host, ':', strnlen(u->host, sizeof(u->host))) != NULL;
	(void)snprintf(buf, cap, "%s://%s%s%s%s%.*s%s:%u",
	    proxy_kind_name(u->kind), user,
	    u->has_auth && u->pass[0] != '\0' ? ":***" : "",
	    u->has_auth ? "@" : "", v6 ? "[" : "",
	    (int)strnlen(u->host, sizeof(u->host)), u->host,
	    v6 ? "]" : "", (unsigned)u->port);
	return buf;
}
