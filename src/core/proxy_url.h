/* SPDX-License-Identifier: MIT */
/*
 * Proxy URLs ("socks5://user:pass@host:port"): text <-> struct proxy_url.
 * Pure string code: no syscalls, no allocation, no name resolution.
 */
#ifndef SOCKSIFY_CORE_PROXY_URL_H
#define SOCKSIFY_CORE_PROXY_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proxy_kind {
	PROXY_SOCKS5 = 0,	/* client resolves names (socksify default) */
	PROXY_SOCKS5H,		/* proxy resolves names */
	PROXY_SOCKS4,
	PROXY_SOCKS4A,
	PROXY_HTTP		/* HTTP CONNECT */
};

#define PROXY_URL_DEFAULT_SOCKS_PORT	1080
#define PROXY_URL_DEFAULT_HTTP_PORT	8080

struct proxy_url {
	enum proxy_kind kind;
	char host[256];		/* name or numeric address, no brackets */
	uint16_t port;		/* host order */
	bool has_auth;		/* a "user[:pass]@" part was given */
	char user[256];		/* percent-decoded, NUL-terminated */
	char pass[256];		/* percent-decoded, "" when absent */
};

/*
 * Parse "scheme://[user[:pass]@]host[:port][/]".  Schemes (case-insensitive):
 * socks5, socks5h, socks4, socks4a, http; without "scheme://" the URL is
 * socks5.  An IPv6 host goes in brackets ("[::1]:1080").  The port defaults
 * to 1080 (socks*) or 8080 (http).  User and password are percent-decoded
 * (each at most 255 bytes after decoding, no NUL); an unencoded '@' in the
 * password is tolerated (the last '@' ends the user part).
 *
 * Returns 0 and fills *u, or -EINVAL and leaves *u untouched.  On error a
 * short reason ("missing host", "bad port '99999'") is written to why
 * (always NUL-terminated when whycap > 0; why may be NULL).  The reason
 * never contains the password.  Thread-safe (no shared state).
 */
int proxy_url_parse(struct proxy_url *u, const char *text, char *why,
    size_t whycap);

/*
 * Write "scheme://user:***@host:port" into buf (cap bytes, truncated and
 * NUL-terminated when cap > 0).  The password is never printed, only "***"
 * when one is set; user name characters that would be ambiguous are
 * percent-encoded; IPv6 hosts are bracketed.  Returns buf.
 */
const char *proxy_url_format(const struct proxy_url *u, char *buf, size_t cap);

/* Lower-case scheme name of kind ("socks5", ..., "http"); "?" if unknown. */
const char *proxy_kind_name(enum proxy_kind kind);

#endif /* SOCKSIFY_CORE_PROXY_URL_H */
