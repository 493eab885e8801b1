/* SPDX-License-Identifier: MIT */
/*
 * Config text parser: lines -> config_set() -> struct config.  No file I/O
 * here (core/): the runtime reads the file and passes the bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/config_parse.h"


static int
set_list(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	bool nets = strcmp(key, "local_domain") != 0;
	bool dns = strcmp(key, "dns_direct") == 0;
	size_t *n = dns ? &c->n_dns_direct : nets ? &c->n_local :
	    &c->n_local_domains;
	struct rules_net *net = dns ? c->dns_direct : c->local;
	size_t max = nets ? CONFIG_MAX_NETS : CONFIG_MAX_DOMAINS, old = *n;
	char *tok;
	int rc = 0;

	while (rc == 0 && (tok = cfg_next_token(&v)) != NULL) {
		if (*n == max)
			rc = cfg_err(x, "too many '%s' entries (limit %zu)", key,
			    max);
		else if (nets && rules_parse_cidr(tok, &net[*n]) < 0)
			rc = cfg_err(x, "bad CIDR '%s' for '%s'", tok, key);
		else if (!nets && !rules_domain_pattern_valid(tok))
			rc = cfg_err(x, "bad domain pattern '%s' for '%s'", tok,
			    key);
		else if (!nets)	/* valid: <= 255 bytes + a trailing dot */
			(void)snprintf(c->local_domains[*n],
			    sizeof(c->local_domains[0]), "%.255s", tok);
		if (rc == 0)
			(*n)++;
	}
	if (rc == 0 && *n == old)
		rc = cfg_err(x, "missing value for '%s'", key);
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
	while (cfg_is_space(*p))
		p++;
	if (cfg_word_ieq(p, "ms")) {
		if (nfrac != 0)
			goto bad;
	} else if (*p == '\0' || cfg_word_ieq(p, "s"))
		ms = ms * 1000 + frac;
	else
		goto bad;
	if (ms < CONFIG_TIMEOUT_MIN_MS || ms > CONFIG_TIMEOUT_MAX_MS)
		return cfg_err(x, "timeout '%s' out of range (1ms to 600s)", v);
	c->timeout_ms = (unsigned)ms;
	return 0;
bad:
	return cfg_err(x, "bad timeout '%s'", v);
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
	{ "backstop", "on, off",
	  { "on", "off", "yes", "no", "true", "false" },
	  { 1, 0, 1, 0, 1, 0 } },

	{ "listen", "auto, local", { "auto", "local" },
	  { LISTEN_AUTO, LISTEN_LOCAL } },
	{ "io_uring", "refuse, allow", { "refuse", "allow" }, { 0, 1 } },
};

/* log_level, dns, udp, pipeline, backstop, listen, io_uring: a word
 * above, any case. */
static int
set_word(struct config *c, const char *key, char *v,
    const struct config_ctx *x)
{
	size_t i = 0, j;
	int w;

	while (strcmp(config_words[i].key, key) != 0)
		i++;
	for (j = 0; config_words[i].names[j] != NULL; j++)
		if (cfg_word_ieq(v, config_words[i].names[j]))
			break;
	if (config_words[i].names[j] == NULL)
		return cfg_err(x, "bad value '%s' for '%s' (%s)", v, key,
		    config_words[i].hint);
	w = config_words[i].values[j];
	if (strcmp(key, "log_level") == 0)
		c->log_level = (enum log_level)w;
	else if (strcmp(key, "dns") == 0)
		c->dns = (enum dns_mode)w;
	else if (strcmp(key, "pipeline") == 0)
		c->pipeline = w != 0;
	else if (strcmp(key, "backstop") == 0)
		c->backstop = w != 0;
	else if (strcmp(key, "listen") == 0)
		c->listen = (enum listen_mode)w;
	else if (strcmp(key, "io_uring") == 0)
		c->io_uring = w != 0;
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
		return cfg_err(x, "bad CIDR '%s' for '%s'", v, key);
	if (n.family != lim[i].family || n.prefix < lim[i].min ||
	    n.prefix > lim[i].max)
		return cfg_err(x, "bad value '%s' for '%s' (%s network, prefix /%u "
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
		return cfg_err(x, "bad value '%s' for '%s' (absolute path or "
		    "'%s')", v, key, none);
	if (strlen(v) >= cap)
		return cfg_err(x, "value for '%s' longer than %zu bytes", key,
		    cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static const struct {
	const char *key;
	int (*set)(struct config *, const char *, char *,
	    const struct config_ctx *);
} config_keys[] = {
	{ "proxy",		config_set_proxy },
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
	{ "chain",		config_set_hop },
	{ "fallback",		config_set_hop },
	{ "upstream",		config_set_upstream },
	{ "rule",		config_set_rule },
	{ "log_file",		set_path },
	{ "pipeline",		set_word },
	{ "backstop",		set_word },
	{ "dns_server",		config_set_dns_server },
	{ "dns_direct",		set_list },
	{ "listen",		set_word },
	{ "io_uring",		set_word },
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
		return cfg_err(x, "unknown key '%s'", key);
	len = strlen(value);
	if (len > CONFIG_LINE_MAX)
		return cfg_err(x, "value for '%s' longer than %d bytes", key,
		    CONFIG_LINE_MAX);
	memcpy(buf, value, len + 1);
	v = cfg_trim(buf);
	if (*v == '\0')
		return cfg_err(x, "missing value for '%s'", key);
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
	c->backstop = true;
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
		return cfg_err(&x, "no key or value");
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
		if (*p == '#' && (p == line || cfg_is_space(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	key = cfg_trim(line);
	if (*key == '\0')
		return 0;
	eq = strchr(key, '=');
	if (eq == NULL)
		return cfg_err(x, "expected 'key = value'");
	*eq = '\0';
	key = cfg_trim(key);
	if (*key == '\0')
		return cfg_err(x, "expected 'key = value'");
	if (strcmp(key, "proxy") == 0 && *seen_proxy)
		return cfg_err(x, "duplicate key 'proxy' (use 'fallback =' for "
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
		return cfg_err(&x, "no config");
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
			return cfg_err(&x, "line longer than %d bytes",
			    CONFIG_LINE_MAX);
		if (memchr(p, '\0', n) != NULL)
			return cfg_err(&x, "NUL byte in line");
		memcpy(line, p, n);
		line[n] = '\0';
		rc = config_line(c, line, &seen_proxy, &x);
		if (rc < 0)
			return rc;
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}
