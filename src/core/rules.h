/* SPDX-License-Identifier: MIT */
/*
 * Direct-connection rules: CIDR networks and domain-suffix patterns.
 * Pure functions over caller memory; no syscalls, no allocation.
 */
#ifndef SOCKSIFY_CORE_RULES_H
#define SOCKSIFY_CORE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct rules_net {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; host bits are zero */
	uint8_t prefix;		/* 0..32 or 0..128 */
};

/*
 * Parse "10.0.0.0/8", "192.168.1.5" (= /32), "fd00::/8", "::1" (= /128).
 * Host bits after the prefix are cleared, not rejected.  Returns 0, or
 * -EINVAL (junk, empty, whitespace, prefix out of range or with a sign or
 * leading junk) and leaves *out untouched.
 */
int rules_parse_cidr(const char *text, struct rules_net *out);

/*
 * Does addr (family AF_INET: 4 bytes, AF_INET6: 16 bytes, network order)
 * fall in n?  An IPv4-mapped IPv6 address (::ffff:a.b.c.d) also matches
 * IPv4 networks; a plain IPv4 address never matches IPv6 networks.
 * NULL arguments or other families never match.
 */
bool rules_net_match(const struct rules_net *n, int family, const void *addr);

/* rules_net_match() over nets[0..count): true if any matches. */
bool rules_nets_match(const struct rules_net *nets, size_t count, int family,
    const void *addr);

/* The same on a sockaddr (AF_INET/AF_INET6; NULL or others never match). */
bool rules_nets_match_sockaddr(const struct rules_net *nets, size_t count,
    const struct sockaddr *sa);

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool rules_is_loopback(const struct sockaddr *sa);

/*
 * Domain patterns: "corp.example" matches exactly that name;
 * "*.corp.example" matches names ending in ".corp.example" but not the
 * name itself; ".corp.example" matches both.  ASCII case-insensitive
 * (locale-independent); one trailing dot on name or pattern is ignored.
 * NULL or empty arguments never match.
 */
bool rules_domain_match(const char *pattern, const char *name);

/*
 * Is pattern usable by rules_domain_match()?  1..255 bytes of letters,
 * digits, '-', '_' and '.', no empty label, optionally led by "*." or ".",
 * optionally one trailing dot.
 */
bool rules_domain_pattern_valid(const char *pattern);

/*
 * Routing rules ("rule = MATCH ACTION" in socksify.conf), first match wins.
 * RULE_MATCH_NET: net (CIDR or single address); RULE_MATCH_DOMAIN: domain,
 * a pattern as for rules_domain_match(); RULE_MATCH_PORT: port_lo..port_hi
 * (host order, 1 <= lo <= hi); RULE_MATCH_ANY: everything.  Fields that
 * do not belong to the match kind are zero.
 */
enum rule_match {
	RULE_MATCH_NET,
	RULE_MATCH_DOMAIN,
	RULE_MATCH_PORT,
	RULE_MATCH_ANY
};

enum rule_action {
	RULE_DIRECT,		/* connect without any proxy */
	RULE_BLOCK,		/* refuse the connection */
	RULE_PROXY,		/* the default path (chain, proxy, fallbacks) */
	RULE_VIA		/* the named upstream rule.upstream, alone */
};

struct rule {
	enum rule_match match;
	struct rules_net net;
	char domain[256];
	uint16_t port_lo, port_hi;
	enum rule_action action;
	int upstream;		/* index into config.upstream for RULE_VIA,
				   -1 otherwise */
	unsigned line;		/* config line, 0 when not from a file */
};

/*
 * The first rule of rules[0..n) that matches a connection to name (the host
 * name the program looked up; NULL when unknown), sa (the address; NULL when
 * unknown) and port (host order; 0 when unknown).  A domain rule needs a
 * name, a net rule an address (IPv4-mapped IPv6 addresses match IPv4 nets,
 * as in rules_net_match()), a port rule a port; "any" always matches.
 * Returns the index, or -1 when no rule matches (rules NULL included).
 * Pure and thread-safe.
 */
int rules_first_match(const struct rule *rules, size_t n, const char *name,
    const struct sockaddr *sa, uint16_t port);

#endif /* SOCKSIFY_CORE_RULES_H */
