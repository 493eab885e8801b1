/* SPDX-License-Identifier: MIT */
/*
 * Configuration: "key = value" text -> struct config, errors as
 * "file:line: message".  The runtime reads files; this code only parses.
 */
#ifndef SOCKSIFY_CORE_CONFIG_H
#define SOCKSIFY_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/proxy_url.h"
#include "core/rules.h"
#include "core/socks5.h"

enum log_level {
	LOG_LEVEL_QUIET = 0,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

enum dns_mode { DNS_REMOTE = 0, DNS_LOCAL };

enum udp_mode { UDP_PROXY = 0, UDP_BLOCK, UDP_DIRECT };

/* listen = auto: a listener that calls for it is served by the proxy
 * (SOCKS5 BIND, core/listen.h); local: every listener stays here. */
enum listen_mode { LISTEN_AUTO = 0, LISTEN_LOCAL };

#define CONFIG_MAX_NETS		64
#define CONFIG_MAX_DOMAINS	64
#define CONFIG_MAX_HOPS		8	/* chain, fallback, upstream each */
#define CONFIG_MAX_RULES	64
#define CONFIG_UPSTREAM_NAME_MAX	31	/* [a-z0-9_-]{1,31} */
#define CONFIG_LINE_MAX		1023	/* bytes per line, without EOL */
#define CONFIG_TIMEOUT_MIN_MS	1u
#define CONFIG_TIMEOUT_MAX_MS	600000u

#define CONFIG_DEFAULT_TIMEOUT_MS	10000u
#define CONFIG_DEFAULT_PLACEHOLDER_V4	"198.18.0.0/15"
#define CONFIG_DEFAULT_PLACEHOLDER_V6	"fd5e:c5f1::/96"
#define CONFIG_DEFAULT_HOSTS_FILE	"/etc/hosts"

/* "upstream = NAME URL": a proxy that rules name with "via NAME". */
struct config_upstream {
	char name[CONFIG_UPSTREAM_NAME_MAX + 1];
	struct proxy_url url;
};

struct config {
	bool has_proxy;
	struct proxy_url proxy;
	/*
	 * The default path is chain[0] -> ... -> chain[n_chain - 1] -> proxy
	 * -> target.  When it cannot be set up, each fallback is tried in
	 * order as the only proxy (without the chain).
	 */
	struct proxy_url chain[CONFIG_MAX_HOPS];
	size_t n_chain;
	struct proxy_url fallback[CONFIG_MAX_HOPS];
	size_t n_fallback;
	/* Named proxies; names unique, valid as above. */
	struct config_upstream upstream[CONFIG_MAX_HOPS];
	size_t n_upstream;
	/*
	 * Routing rules in file order, first match wins (rules_first_match()).
	 * RULE_VIA rules hold an index < n_upstream.
	 */
	struct rule rules[CONFIG_MAX_RULES];
	size_t n_rules;
	/* Direct networks; loopback is always direct and not stored here. */
	struct rules_net local[CONFIG_MAX_NETS];
	size_t n_local;
	/* Domain patterns resolved locally and connected directly. */
	char local_domains[CONFIG_MAX_DOMAINS][256];
	size_t n_local_domains;
	unsigned timeout_ms;		/* CONFIG_TIMEOUT_MIN_MS..MAX_MS */
	enum log_level log_level;
	enum dns_mode dns;
	struct rules_net placeholder_v4;	/* IPv4, prefix 8..30 */
	struct rules_net placeholder_v6;	/* IPv6, prefix 64..120 */
	char hosts_file[256];		/* absolute path; "" = none */
	enum udp_mode udp;
	char log_file[256];		/* absolute path; "" = stderr */
	bool pipeline;			/* greeting + request in one write
					   when no authentication is used */
	bool backstop;			/* run commands under the seccomp
					   supervisor (socksify-supervise) */
	/* A resolver reachable from the proxy side: DNS questions the
	 * answerer cannot answer itself go there over TCP, through the
	 * proxy (IPv4, IPv6 or a name the proxy resolves; port 53). */
	bool has_dns_server;
	struct socks5_addr dns_server;
	/* Resolvers whose port-53 traffic goes direct on purpose (the
	 * escape hatch); every other DNS question is answered in-process. */
	struct rules_net dns_direct[CONFIG_MAX_NETS];
	size_t n_dns_direct;
	enum listen_mode listen;
	bool io_uring;			/* io_uring_setup allowed (default:
					   refused with ENOSYS) */
};

/*
 * Fill *c with the defaults: no proxy, no local nets/domains, timeout
 * 10000 ms, log level error, remote DNS, placeholders 198.18.0.0/15 and
 * fd5e:c5f1::/96, hosts file "/etc/hosts", UDP proxied, no chain,
 * fallbacks, upstreams or rules, log to stderr, no pipelining, backstop on,
 * no dns_server, listen = auto, io_uring refused.
 */
void config_defaults(struct config *c);

/*
 * Parse a whole config file: text[0..len), need not be NUL-terminated.
 * One "key = value" per line; '#' at line start or after whitespace starts
 * a comment; blank lines, surrounding whitespace, CRLF and a UTF-8 BOM are
 * fine; a line over CONFIG_LINE_MAX bytes or a NUL byte is an error.
 * Values are applied to *c in order (call config_defaults() first); a
 * second "proxy" line in the same text is an error, other scalar keys keep
 * the last value, list keys (local/direct, local_domain, chain, fallback,
 * upstream, rule) append.  "rule = MATCH via NAME" needs an "upstream =
 * NAME URL" on an earlier line (or in an earlier call).
 *
 * Returns 0, or -EINVAL with "FILE:LINE: message" in err (NUL-terminated
 * when errcap > 0; err may be NULL); filename NULL is shown as "<config>".
 * On error *c may be partly updated; the caller discards it.
 */
int config_parse(struct config *c, const char *text, size_t len,
    const char *filename, char *err, size_t errcap);

/*
 * Apply one setting, e.g. from a SOCKSIFY_* environment override.  value
 * is trimmed of surrounding whitespace.  Scalars (proxy included) are
 * replaced, lists are appended to.  Returns 0, or -EINVAL with
 * "WHERE: message" in err (same messages as config_parse(); where NULL is
 * shown as "<config>").  Messages never contain the proxy password.
 */
int config_set(struct config *c, const char *key, const char *value,
    const char *where, char *err, size_t errcap);

#endif /* SOCKSIFY_CORE_CONFIG_H */
