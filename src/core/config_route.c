/* SPDX-License-Identifier: MIT */
/*
 * The routing keys of the config: proxy, chain, fallback, upstream, rule,
 * dns_server.
 * Pure text -> struct config, like the rest of config.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/config_parse.h"

int
config_set_proxy(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	char why[128];

	if (proxy_url_parse(&c->proxy, v, why, sizeof(why)) < 0)
		return cfg_err(x, "bad value for '%s': %s", key, why);
	c->has_proxy = true;
	return 0;
}

/* chain, fallback: one URL per line, appended in order. */
int
config_set_hop(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	bool chain = strcmp(key, "chain") == 0;
	struct proxy_url *list = chain ? c->chain : c->fallback;
	size_t *n = chain ? &c->n_chain : &c->n_fallback;
	char why[128];

	if (*n == CONFIG_MAX_HOPS)
		return cfg_err(x, "too many '%s' entries (limit %d)", key,
		    CONFIG_MAX_HOPS);
	/* proxy_url_parse() leaves list[*n] untouched on error */
	if (proxy_url_parse(&list[*n], v, why, sizeof(why)) < 0)
		return cfg_err(x, "bad value for '%s': %s", key, why);
	(*n)++;
	return 0;
}

/* Split off the first whitespace-separated word of *cursor; NULL at end. */
static char *
next_word(char **cursor)
{
	char *s = *cursor, *w;

	while (cfg_is_space(*s))
		s++;
	if (*s == '\0')
		return NULL;
	w = s;
	while (*s != '\0' && !cfg_is_space(*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*cursor = s;
	return w;
}

/* [a-z0-9_-]{1,31} */
static bool
upstream_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > CONFIG_UPSTREAM_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		    name[i] == '-'))
			return false;
	return true;
}

static int
upstream_find(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_upstream; i++)
		if (strcmp(c->upstream[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "upstream = NAME URL"; the URL is the rest of the line, as for proxy. */
int
config_set_upstream(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	struct config_upstream *u;
	char why[128], *name, *url = v;

	name = next_word(&url);		/* v is trimmed: never NULL */
	url = cfg_trim(url);
	if (!upstream_name_valid(name)) {
		/* Probably a URL without a name: do not echo a password. */
		if (strpbrk(name, ":/@") != NULL)
			return cfg_err(x, "missing name before the URL for '%s' "
			    "(upstream = NAME URL)", key);
		return cfg_err(x, "bad name '%s' for '%s' (1 to %d of a-z, 0-9, "
		    "'_', '-')", name, key, CONFIG_UPSTREAM_NAME_MAX);
	}
	if (*url == '\0')
		return cfg_err(x, "missing URL for '%s' '%s' (upstream = NAME URL)",
		    key, name);
	if (upstream_find(c, name) >= 0)
		return cfg_err(x, "duplicate name '%s' for '%s'", name, key);
	if (c->n_upstream == CONFIG_MAX_HOPS)
		return cfg_err(x, "too many '%s' entries (limit %d)", key,
		    CONFIG_MAX_HOPS);
	u = &c->upstream[c->n_upstream];
	if (proxy_url_parse(&u->url, url, why, sizeof(why)) < 0)
		return cfg_err(x, "bad value for '%s' '%s': %s", key, name, why);
	memcpy(u->name, name, strlen(name) + 1);
	c->n_upstream++;
	return 0;
}

/* "N" or "N-M", 1 <= N <= M <= 65535, plain digits. */
static int
parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long v[2] = { 0, 0 };
	unsigned ndig;
	int i;

	for (i = 0; i < 2; i++) {
		for (ndig = 0; *s >= '0' && *s <= '9' && ndig < 6; s++, ndig++)
			v[i] = v[i] * 10 + (unsigned long)(*s - '0');
		if (ndig == 0 || v[i] == 0 || v[i] > 65535)
			return -EINVAL;
		if (i == 0 && *s == '\0') {
			v[1] = v[0];
			break;
		}
		if (i == 0 && *s++ != '-')
			return -EINVAL;
	}
	if (*s != '\0' || v[0] > v[1])
		return -EINVAL;
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)v[1];
	return 0;
}

#define RULE_ACTIONS	"direct, block, proxy or via NAME"

/*
 * "rule = MATCH ACTION": MATCH is "*", "port N[-M]", a CIDR or address, or
 * a host-name pattern (tried in that order); ACTION is direct, block,
 * proxy, or "via NAME" ("proxy NAME" is the same) with NAME an upstream
 * already defined.
 */
int
config_set_rule(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	struct rule r;
	char *w[5], *p = v, *act;
	size_t nw = 0, i;

	if (c->n_rules == CONFIG_MAX_RULES)
		return cfg_err(x, "too many '%s' entries (limit %d)", key,
		    CONFIG_MAX_RULES);
	while (nw < sizeof(w) / sizeof(w[0]) && (w[nw] = next_word(&p)) != NULL)
		nw++;
	memset(&r, 0, sizeof(r));
	r.upstream = -1;
	r.line = x->line <= UINT_MAX ? (unsigned)x->line : UINT_MAX;
	i = 1;
	if (strcmp(w[0], "*") == 0)
		r.match = RULE_MATCH_ANY;
	else if (cfg_word_ieq(w[0], "port")) {
		r.match = RULE_MATCH_PORT;
		if (nw < 2)
			return cfg_err(x, "missing port for '%s' (port N or port "
			    "N-M)", key);
		if (parse_port_range(w[1], &r.port_lo, &r.port_hi) < 0)
			return cfg_err(x, "bad port '%s' for '%s' (port N or port "
			    "N-M, 1 to 65535)", w[1], key);
		i = 2;
	} else if (rules_parse_cidr(w[0], &r.net) == 0)
		r.match = RULE_MATCH_NET;
	else if (rules_domain_pattern_valid(w[0])) {
		r.match = RULE_MATCH_DOMAIN;
		/* valid: <= 255 bytes + a trailing dot, which may go */
		(void)snprintf(r.domain, sizeof(r.domain), "%.255s", w[0]);
	} else
		return cfg_err(x, "bad match '%s' for '%s' (CIDR, address, host "
		    "pattern, 'port N[-M]' or '*')", w[0], key);

	if (i >= nw)
		return cfg_err(x, "missing action after '%s%s%s' for '%s' (%s)",
		    w[0], i == 2 ? " " : "", i == 2 ? w[1] : "", key,
		    RULE_ACTIONS);
	act = w[i++];
	if (cfg_word_ieq(act, "direct"))
		r.action = RULE_DIRECT;
	else if (cfg_word_ieq(act, "block"))
		r.action = RULE_BLOCK;
	else if (cfg_word_ieq(act, "proxy") && i == nw)
		r.action = RULE_PROXY;
	else if (cfg_word_ieq(act, "via") || cfg_word_ieq(act, "proxy")) {
		if (i == nw)
			return cfg_err(x, "missing upstream name after '%s' for "
			    "'%s'", act, key);
		r.upstream = upstream_find(c, w[i]);
		if (r.upstream < 0)
			return cfg_err(x, "unknown upstream '%s' for '%s' (define "
			    "it first: upstream = %s URL)", w[i], key, w[i]);
		r.action = RULE_VIA;
		i++;
	} else
		return cfg_err(x, "bad action '%s' for '%s' (%s)", act, key,
		    RULE_ACTIONS);
	if (i < nw)
		return cfg_err(x, "unexpected '%s' after the action for '%s'",
		    w[i], key);
	c->rules[c->n_rules++] = r;
	return 0;
}

/* local/direct (CIDRs) and local_domain (patterns); all or nothing. */

/* A host name as the proxy would get it: [A-Za-z0-9_-] labels. */
static bool
dns_host_valid(const char *h)
{
	size_t i, label = 0, len = strlen(h);

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' &&
		    h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		    h[i] == '-' || h[i] == '_') || ++label > 63)
			return false;
	}
	return true;
}

/*
 * "dns_server = ADDR[:PORT]": an IPv4 address, an IPv6 address (in
 * brackets when a port follows), or a host name that the proxy resolves;
 * port 53 unless given. "none" removes it.
 */
int
config_set_dns_server(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	struct socks5_addr a;
	char host[256], *port = NULL, *p;
	unsigned long pn = 53;
	bool bracket = false;
	size_t n;

	if (strcmp(v, "none") == 0) {
		c->has_dns_server = false;
		memset(&c->dns_server, 0, sizeof(c->dns_server));
		return 0;
	}
	if (v[0] == '[') {
		p = strchr(v, ']');
		if (p == NULL || (p[1] != '\0' && p[1] != ':'))
			goto bad;
		n = (size_t)(p - v - 1);
		port = p[1] == ':' ? p + 2 : NULL;
		v++;
		bracket = true;
	} else if ((p = strchr(v, ':')) != NULL && strchr(p + 1, ':') ==
	    NULL) {
		n = (size_t)(p - v);
		port = p + 1;
	} else
		n = strlen(v);
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, v, n);
	host[n] = '\0';
	if (port != NULL) {
		if (*port == '\0' || strlen(port) > 5)
			goto bad;
		for (pn = 0, p = port; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			pn = pn * 10 + (unsigned long)(*p - '0');
		}
		if (pn == 0 || pn > 65535)
			goto bad;
	}
	memset(&a, 0, sizeof(a));
	if (!bracket && inet_pton(AF_INET, host, a.addr) == 1) {
		a.atyp = SOCKS5_ATYP_IPV4;
		a.len = 4;
	} else if (inet_pton(AF_INET6, host, a.addr) == 1) {
		a.atyp = SOCKS5_ATYP_IPV6;
		a.len = 16;
	} else if (!bracket && dns_host_valid(host)) {
		a.atyp = SOCKS5_ATYP_DOMAIN;
		a.len = (uint8_t)n;
		memcpy(a.addr, host, n);
	} else
		goto bad;
	a.port = (uint16_t)pn;
	c->dns_server = a;
	c->has_dns_server = true;
	return 0;
bad:
	return cfg_err(x, "bad value '%s%s' for '%s' (ADDR[:PORT]: an IP "
	    "address, [IPv6]:PORT or a host name; port 1 to 65535)",
	    bracket ? "[" : "", v, key);
}
