/* SPDX-License-Identifier: MIT */
/*
 * CIDR parsing/matching, domain-suffix patterns and the first-match routing
 * rules.
 * core/: memory and string functions plus inet_pton only; no syscalls.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/rules.h"

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2 */
static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

int
rules_parse_cidr(const char *text, struct rules_net *out)
{
	struct rules_net n;
	char addr[INET6_ADDRSTRLEN];
	const char *slash, *p;
	size_t alen, nbytes, i;
	unsigned prefix = 0, maxp;

	if (text == NULL || out == NULL)
		return -EINVAL;
	slash = strchr(text, '/');
	alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, alen);
	addr[alen] = '\0';

	memset(&n, 0, sizeof(n));
	if (memchr(addr, ':', alen) != NULL) {
		n.family = AF_INET6;
		maxp = 128;
	} else {
		n.family = AF_INET;
		maxp = 32;
	}
	if (inet_pton(n.family, addr, n.addr) != 1)
		return -EINVAL;

	if (slash == NULL)
		prefix = maxp;
	else {
		/* 1-3 plain digits: no sign, no space, no "0x". */
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3)
			return -EINVAL;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > maxp)
			return -EINVAL;
	}
	n.prefix = (uint8_t)prefix;

	/* Clear host bits. */
	nbytes = maxp / 8;
	for (i = prefix / 8; i < nbytes; i++) {
		if (i == prefix / 8 && prefix % 8 != 0)
			n.addr[i] &= (uint8_t)(0xff << (8 - prefix % 8));
		else
			n.addr[i] = 0;
	}
	*out = n;
	return 0;
}

/* Do the first prefix bits of a and b agree? */
static bool
prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a[full] ^ b[full]) & mask) == 0;
}

bool
rules_net_match(const struct rules_net *n, int family, const void *addr)
{
	const uint8_t *a = addr;

	if (n == NULL || a == NULL)
		return false;
	if (n->family == AF_INET && n->prefix <= 32) {
		if (family == AF_INET)
			return prefix_equal(n->addr, a, n->prefix);
		if (family == AF_INET6 &&
		    memcmp(a, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0)
			return prefix_equal(n->addr, a + 12, n->prefix);
		return false;
	}
	if (n->family == AF_INET6 && n->prefix <= 128 && family == AF_INET6)
		return prefix_equal(n->addr, a, n->prefix);
	return false;
}

bool
rules_nets_match(const struct rules_net *nets, size_t count, int family,
    const void *addr)
{
	size_t i;

	if (nets == NULL)
		return false;
	for (i = 0; i < count; i++)
		if (rules_net_match(&nets[i], family, addr))
			return true;
	return false;
}

bool
rules_nets_match_sockaddr(const struct rules_net *nets, size_t count,
    const struct sockaddr *sa)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (sa == NULL)
		return false;
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		return rules_nets_match(nets, count, AF_INET,
		    &sin->sin_addr.s_addr);
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		return rules_nets_match(nets, count, AF_INET6,
		    sin6->sin6_addr.s6_addr);
	default:
		return false;
	}
}

bool
rules_is_loopback(const struct sockaddr *sa)
{
	/* 127.0.0.0/8 (mapped ones too via rules_net_match) and ::1/128 */
	static const struct rules_net loopback[2] = {
		{ .family = AF_INET, .addr = { 127 }, .prefix = 8 },
		{ .family = AF_INET6, .addr = { [15] = 1 }, .prefix = 128 },
	};

	return rules_nets_match_sockaddr(loopback, 2, sa);
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
ieq(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* Length without one trailing dot. */
static size_t
len_nodot(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

bool
rules_domain_match(const char *pattern, const char *name)
{
	size_t plen, nlen;
	bool self;

	if (pattern == NULL || name == NULL)
		return false;
	nlen = len_nodot(name);
	if (pattern[0] == '*' && pattern[1] == '.') {
		pattern++;		/* ".suffix", the name itself excluded */
		self = false;
	} else
		self = pattern[0] == '.';
	plen = len_nodot(pattern);
	if (nlen == 0 || plen == 0)
		return false;
	if (pattern[0] != '.')
		return nlen == plen && ieq(pattern, name, plen);
	if (self && nlen == plen - 1 && ieq(pattern + 1, name, nlen))
		return true;
	return nlen > plen && ieq(pattern, name + nlen - plen, plen);
}

bool
rules_domain_pattern_valid(const char *pattern)
{
	const char *p;
	size_t len, label = 0;

	if (pattern == NULL)
		return false;
	len = len_nodot(pattern);
	if (len == 0 || len > 255)
		return false;
	p = pattern;
	if (p[0] == '*' && p[1] == '.')
		p += 2;
	else if (p[0] == '.')
		p++;
	if (p >= pattern + len)
		return false;
	for (; p < pattern + len; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_')
			label++;
		else
			return false;
	}
	return label > 0;
}

/* Does rule r match?  See rules_first_match() for what each kind needs. */
static bool
rule_matches(const struct rule *r, const char *name,
    const struct sockaddr *sa, uint16_t port)
{
	switch (r->match) {
	case RULE_MATCH_NET:
		return rules_nets_match_sockaddr(&r->net, 1, sa);
	case RULE_MATCH_DOMAIN:
		return rules_domain_match(r->domain, name);
	case RULE_MATCH_PORT:
		return port != 0 && port >= r->port_lo && port <= r->port_hi;
	case RULE_MATCH_ANY:
		return true;
	default:
		return false;
	}
}

int
rules_first_match(const struct rule *rules, size_t n, const char *name,
    const struct sockaddr *sa, uint16_t port)
{
	size_t i;

	if (rules == NULL)
		return -1;
	for (i = 0; i < n && i <= (size_t)INT_MAX; i++)
		if (rule_matches(&rules[i], name, sa, port))
			return (int)i;
	return -1;
}
