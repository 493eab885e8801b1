/* SPDX-License-Identifier: MIT */
/*
 * Config text parser: lines -> config_set() -> struct config.  No file I/O
 * here (core/): the runtime reads the file and passes the bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"

/* Where a message points: "where:line: " or "where: " when line is 0. */
struct config_ctx {
	const char *where;
	size_t line;
	char *err;
	size_t errcap;
};

static __attribute__((format(printf, 2, 3))) int
cerr(const struct config_ctx *x, const char *fmt, ...)
{
	const char *where = x->where != NULL ? x->where : "<config>";
	va_list ap;
	int n;

	if (x->err == NULL || x->errcap == 0)
		return -EINVAL;
	if (x->line > 0)
		n = snprintf(x->err, x->errcap, "%s:%zu: ", where, x->line);
	else
		n = snprintf(x->err, x->errcap, "%s: ", where);
	if (n >= 0 && (size_t)n < x->errcap) {
		va_start(ap, fmt);
		(void)vsnprintf(x->err + n, x->errcap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim s in place; returns the first non-space character. */
static char *
trim(char *s)
{
	size_t len;

	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		s[--len] = '\0';
	return s;
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality; word is lower case. */
static bool
word_ieq(const char *s, const char *word)
{
	for (; *s != '\0' && *word != '\0'; s++, word++)
		if (ascii_lower(*s) != *word)
			return false;
	return *s == *word;
}

/* Next token of a comma/space separated list; NULL at the end. */
static char *
next_token(char **cursor)
{
	char *s = *cursor, *tok;

	while (*s == ',' || is_space(*s))
		s++;
	if (*s == '\0')
		return NULL;
	tok = s;
	while (*s != '\0' && *s != ',' && !is_space(*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*cursor = s;
	return tok;
}

static int
set_proxy(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	char why[128];

	if (proxy_url_parse(&c->proxy, v, why, sizeof(why)) < 0)
		return cerr(x, "bad value for '%s': %s", key, why);
	c->has_proxy = true;
	return 0;
}

/* chain, fallback: one URL per line, appended in order. */
static int
set_hop(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	bool chain = strcmp(key, "chain") == 0;
	struct proxy_url *list = chain ? c->chain : c->fallback;
	size_t *n = chain ? &c->n_chain : &c->n_fallback;
	char why[128];

	if (*n == CONFIG_MAX_HOPS)
		return cerr(x, "too many '%s' entries (limit %d)", key,
		    CONFIG_MAX_HOPS);
	/* proxy_url_parse() leaves list[*n] untouched on error */
	if (proxy_url_parse(&list[*n], v, why, sizeof(why)) < 0)
		return cerr(x, "bad value for '%s': %s", key, why);
	(*n)++;
	return 0;
}

/* Split off the first whitespace-separated word of *cursor; NULL at end. */
static char *
next_word(char **cursor)
{
	char *s = *cursor, *w;

	while (is_space(*s))
		s++;
	if (*s == '\0')
		return NULL;
	w = s;
	while (*s != '\0' && !is_space(*s))
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
static int
set_upstream(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	struct config_upstream *u;
	char why[128], *name, *url = v;

	name = next_word(&url);		/* v is trimmed: never NULL */
	url = trim(url);
	if (!upstream_name_valid(name)) {
		/* Probably a URL without a name: do not echo a password. */
		if (strpbrk(name, ":/@") != NULL)
			return cerr(x, "missing name before the URL for '%s' "
			    "(upstream = NAME URL)", key);
		return cerr(x, "bad name '%s' for '%s' (1 to %d of a-z, 0-9, "
		    "'_', '-')", name, key, CONFIG_UPSTREAM_NAME_MAX);
	}
	if (*url == '\0')
		return cerr(x, "missing URL for '%s' '%s' (upstream = NAME URL)",
		    key, name);
	if (upstream_find(c, name) >= 0)
		return cerr(x, "duplicate name '%s' for '%s'", name, key);
	if (c->n_upstream == CONFIG_MAX_HOPS)
		return cerr(x, "too many '%s' entries (limit %d)", key,
		    CONFIG_MAX_HOPS);
	u = &c->upstream[c->n_upstream];
	if (proxy_url_parse(&u->url, url, why, sizeof(why)) < 0)
		return cerr(x, "bad value for '%s' '%s': %s", key, name, why);
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
static int
set_rule(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	struct rule r;
	char *w[5], *p = v, *act;
	size_t nw = 0, i;

	if (c->n_rules == CONFIG_MAX_RULES)
		return cerr(x, "too many '%s' entries (limit %d)", key,
		    CONFIG_MAX_RULES);
	while (nw < sizeof(w) / sizeof(w[0]) && (w[nw] = next_word(&p)) != NULL)
		nw++;
	memset(&r, 0, sizeof(r));
	r.upstream = -1;
	r.line = x->line <= UINT_MAX ? (unsigned)x->line : UINT_MAX;
	i = 1;
	if (strcmp(w[0], "*") == 0)
		r.match = RULE_MATCH_ANY;
	else if (word_ieq(w[0], "port")) {
		r.match = RULE_MATCH_PORT;
		if (nw < 2)
			return cerr(x, "missing port for '%s' (port N or port "
			    "N-M)", key);
		if (parse_port_range(w[1], &r.port_lo, &r.port_hi) < 0)
			return cerr(x, "bad port '%s' for '%s' (port N or port "
			    "N-M, 1 to 65535)", w[1], key);
		i = 2;
	} else if (rules_parse_cidr(w[0], &r.net) == 0)
		r.match = RULE_MATCH_NET;
	else if (rules_domain_pattern_valid(w[0])) {
		r.match = RULE_MATCH_DOMAIN;
		/* valid: <= 255 bytes + a trailing dot, which may go */
		(void)snprintf(r.domain, sizeof(r.domain), "%.255s", w[0]);
	} else
		return cerr(x, "bad match '%s' for '%s' (CIDR, address, host "
		    "pattern, 'port N[-M]' or '*')", w[0], key);

	if (i >= nw)
		return cerr(x, "missing action after '%s%s%s' for '%s' (%s)",
		    w[0], i == 2 ? " " : "", i == 2 ? w[1] : "", key,
		    RULE_ACTIONS);
	act = w[i++];
	if (word_ieq(act, "direct"))
		r.action = RULE_DIRECT;
	else if (word_ieq(act, "block"))
		r.action = RULE_BLOCK;
	else if (word_ieq(act, "proxy") && i == nw)
		r.action = RULE_PROXY;
	else if (word_ieq(act, "via") || word_ieq(act, "proxy")) {
		if (i == nw)
			return cerr(x, "missing upstream name after '%s' for "
			    "'%s'", act, key);
		r.upstream = upstream_find(c, w[i]);
		if (r.upstream < 0)
			return cerr(x, "unknown upstream '%s' for '%s' (define "
			    "it first: upstream = %s URL)", w[i], key, w[i]);
		r.action = RULE_VIA;
		i++;
	} else
		return cerr(x, "bad action '%s' for '%s' (%s)", act, key,
		    RULE_ACTIONS);
	if (i < nw)
		return cerr(x, "unexpected '%s' after the action for '%s'",
		    w[i], key);
	c->rules[c->n_rules++] = r;
	return 0;
}

/* local/direct (CIDRs) and local_domain (patterns); all or nothing. */
static int
set_list(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	bool nets = strcmp(key, "local_domain") != 0;
	size_t *n = nets ? &c->n_local : &c->n_local_domains;
	size_t max = nets ? CONFIG_MAX_NETS : CONFIG_MAX_DOMAINS, old = *n;
	char *tok;
	int rc = 0;

	while (rc == 0 && (tok = next_token(&v)) != NULL) {
		if (*n == max)
			rc = cerr(x, "too many '%s' entries (limit %zu)", key,
			    max);
		else if (nets && rules_parse_cidr(tok, &c->local[*n]) < 0)
			rc = cerr(x, "bad CIDR '%s' for '%s'", tok, key);
		else if (!nets && !rules_domain_pattern_valid(tok))
			rc = cerr(x, "bad domain pattern '%s' for '%s'", tok,
			    key);
		else if (!nets)	/* valid: <= 255 bytes + a trailing dot */
			(void)snprintf(c->local_domains[*n],
			    sizeof(c->local_domains[0]), "%.255s", tok);
		if (rc == 0)
			(*n)++;
	}
	if (rc == 0 && *n == old)
		rc = cerr(x, "missing value for '%s'", key);
	if (rc < 0)
		*n = old;
	return rc;
}

/* "10", "2.5", "2.5s", "500ms", "500 ms": up to millisecond precision. */
static int
set_timeout(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	unsigned long long ms = 0, frac = 0;
	unsigned ndig = 0, nfrac = 0;
	const char *p = v;

	(void)key;
	for (; *p >= '0' && *p <= '9' && ndig < 10; p++, ndig++)
		ms = ms * 10 + (unsigned long long)(*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 3; p++, nfrac++)
			frac = frac * 10 + (unsigned long long)(*p - '0');
		if (nfrac == 0)
			goto bad;
		for (; nfrac < 3; nfrac++)
			frac *= 10;
	}
	if (ndig == 0 && nfrac == 0)
		goto bad;
	while (is_space(*p))
		p++;
	if (word_ieq(p, "ms")) {
		if (nfrac != 0)
			goto bad;
	} else if (*p == '\0' || word_ieq(p, "s"))
		ms = ms * 1000 + frac;
	else
		goto bad;
	if (ms < CONFIG_TIMEOUT_MIN_MS || ms > CONFIG_TIMEOUT_MAX_MS)
		return cerr(x, "timeout '%s' out of range (1ms to 600s)", v);
	c->timeout_ms = (unsigned)ms;
	return 0;
bad:
	return cerr(x, "bad timeout '%s'", v);
}

/* Keyword keys; names[] is NULL-terminated, hint leaves out aliases. */
static const struct {
	const char *key, *hint;
	const char *names[8];
	int values[8];
} config_words[] = {
	{ "log_level", "quiet, error, info, debug",
	  { "quiet", "error", "info", "verbose", "debug" },
	  { LOG_LEVEL_QUIET, LOG_LEVEL_ERROR, LOG_LEVEL_INFO, LOG_LEVEL_INFO,
	    LOG_LEVEL_DEBUG } },
	{ "dns", "remote, local", { "remote", "local" },
	  { DNS_REMOTE, DNS_LOCAL } },
	{ "udp", "proxy, block, direct", { "proxy", "block", "direct" },
	  { UDP_PROXY, UDP_BLOCK, UDP_DIRECT } },
	{ "pipeline", "yes, no",
	  { "yes", "no", "true", "false", "on", "off" },
	  { 1, 0, 1, 0, 1, 0 } },
};

/* log_level, dns, udp, pipeline: a word above, case-insensitive. */
static int
set_word(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	size_t i = 0, j;
	int w;

	while (strcmp(config_words[i].key, key) != 0)
		i++;
	for (j = 0; config_words[i].names[j] != NULL; j++)
		if (word_ieq(v, config_words[i].names[j]))
			break;
	if (config_words[i].names[j] == NULL)
		return cerr(x, "bad value '%s' for '%s' (%s)", v, key,
		    config_words[i].hint);
	w = config_words[i].values[j];
	if (strcmp(key, "log_level") == 0)
		c->log_level = (enum log_level)w;
	else if (strcmp(key, "dns") == 0)
		c->dns = (enum dns_mode)w;
	else if (strcmp(key, "pipeline") == 0)
		c->pipeline = w != 0;
	else
		c->udp = (enum udp_mode)w;
	return 0;
}

/* placeholder_v4 / placeholder_v6: a CIDR of the right family and size. */
static int
set_placeholder(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	static const struct {
		int family;
		unsigned min, max;
		const char *name;
	} lim[2] = {
		{ AF_INET, 8, 30, "IPv4" }, { AF_INET6, 64, 120, "IPv6" }
	};
	int i = strcmp(key, "placeholder_v6") == 0;
	struct rules_net n;

	if (rules_parse_cidr(v, &n) < 0)
		return cerr(x, "bad CIDR '%s' for '%s'", v, key);
	if (n.family != lim[i].family || n.prefix < lim[i].min ||
	    n.prefix > lim[i].max)
		return cerr(x, "bad value '%s' for '%s' (%s network, prefix /%u "
		    "to /%u)", v, key, lim[i].name, lim[i].min, lim[i].max);
	if (i == 0)
		c->placeholder_v4 = n;
	else
		c->placeholder_v6 = n;
	return 0;
}

/*
 * hosts_file, log_file: an absolute path, or the word that means "none"
 * ("none" for hosts_file, "stderr" for log_file), stored as "".
 */
static int
set_path(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	bool hosts = strcmp(key, "hosts_file") == 0;
	const char *none = hosts ? "none" : "stderr";
	char *dst = hosts ? c->hosts_file : c->log_file;
	size_t cap = hosts ? sizeof(c->hosts_file) : sizeof(c->log_file);

	if (strcmp(v, none) == 0) {
		dst[0] = '\0';
		return 0;
	}
	if (v[0] != '/')
		return cerr(x, "bad value '%s' for '%s' (absolute path or "
		    "'%s')", v, key, none);
	if (strlen(v) >= cap)
		return cerr(x, "value for '%s' longer than %zu bytes", key,
		    cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static const struct {
	const char *key;
	int (*set)(struct config *, const char *, char *,
	    const struct config_ctx *);
} config_keys[] = {
	{ "proxy",		set_proxy },
	{ "local",		set_list },
	{ "direct",		set_list },
	{ "local_domain",	set_list },
	{ "timeout",		set_timeout },
	{ "log_level",		set_word },
	{ "dns",		set_word },
	{ "placeholder_v4",	set_placeholder },
	{ "placeholder_v6",	set_placeholder },
	{ "hosts_file",		set_path },
	{ "udp",		set_word },
	{ "chain",		set_hop },
	{ "fallback",		set_hop },
	{ "upstream",		set_upstream },
	{ "rule",		set_rule },
	{ "log_file",		set_path },
	{ "pipeline",		set_word },
};

static int
config_apply(struct config *c, const char *key, const char *value,
    const struct config_ctx *x)
{
	char buf[CONFIG_LINE_MAX + 1], *v;
	size_t i, len;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(key, config_keys[i].key) == 0)
			break;
	if (i == sizeof(config_keys) / sizeof(config_keys[0]))
		return cerr(x, "unknown key '%s'", key);
	len = strlen(value);
	if (len > CONFIG_LINE_MAX)
		return cerr(x, "value for '%s' longer than %d bytes", key,
		    CONFIG_LINE_MAX);
	memcpy(buf, value, len + 1);
	v = trim(buf);
	if (*v == '\0')
		return cerr(x, "missing value for '%s'", key);
	return config_keys[i].set(c, key, v, x);
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout_ms = CONFIG_DEFAULT_TIMEOUT_MS;
	c->log_level = LOG_LEVEL_ERROR;
	c->dns = DNS_REMOTE;
	c->udp = UDP_PROXY;
	(void)rules_parse_cidr(CONFIG_DEFAULT_PLACEHOLDER_V4,
	    &c->placeholder_v4);
	(void)rules_parse_cidr(CONFIG_DEFAULT_PLACEHOLDER_V6,
	    &c->placeholder_v6);
	memcpy(c->hosts_file, CONFIG_DEFAULT_HOSTS_FILE,
	    sizeof(CONFIG_DEFAULT_HOSTS_FILE));
}

int
config_set(struct config *c, const char *key, const char *value,
    const char *where, char *err, size_t errcap)
{
	struct config_ctx x = { where, 0, err, errcap };

	if (c == NULL || key == NULL || value == NULL)
		return cerr(&x, "no key or value");
	return config_apply(c, key, value, &x);
}

/* One line, NUL-terminated and without EOL, modified in place. */
static int
config_line(struct config *c, char *line, bool *seen_proxy,
    const struct config_ctx *x)
{
	char *key, *eq, *p;
	int rc;

	/* '#' starts a comment at line start or after whitespace. */
	for (p = line; *p != '\0'; p++) {
		if (*p == '#' && (p == line || is_space(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	key = trim(line);
	if (*key == '\0')
		return 0;
	eq = strchr(key, '=');
	if (eq == NULL)
		return cerr(x, "expected 'key = value'");
	*eq = '\0';
	key = trim(key);
	if (*key == '\0')
		return cerr(x, "expected 'key = value'");
	if (strcmp(key, "proxy") == 0 && *seen_proxy)
		return cerr(x, "duplicate key 'proxy' (use 'fallback =' for "
		    "alternatives, 'chain =' for proxies in sequence)");
	rc = config_apply(c, key, eq + 1, x);
	if (rc == 0 && strcmp(key, "proxy") == 0)
		*seen_proxy = true;
	return rc;
}

int
config_parse(struct config *c, const char *text, size_t len,
    const char *filename, char *err, size_t errcap)
{
	struct config_ctx x = { filename, 0, err, errcap };
	char line[CONFIG_LINE_MAX + 1];
	const char *p, *end, *nl;
	bool seen_proxy = false;
	size_t n;
	int rc;

	if (c == NULL || (text == NULL && len > 0))
		return cerr(&x, "no config");
	if (len == 0)
		return 0;
	p = text;
	end = text + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* UTF-8 byte order mark */
	while (p < end) {
		x.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > CONFIG_LINE_MAX)
			return cerr(&x, "line longer than %d bytes",
			    CONFIG_LINE_MAX);
		if (memchr(p, '\0', n) != NULL)
			return cerr(&x, "NUL byte in line");
		memcpy(line, p, n);
		line[n] = '\0';
		rc = config_line(c, line, &seen_proxy, &x);
		if (rc < 0)
			return rc;
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}
