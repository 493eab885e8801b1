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

#endif /* SOCKSIFY_CORE_RULES_H */
