/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for config_parse() (and config_set(), the path of the
 * SOCKSIFY_* environment overrides) starting from config_defaults().
 *
 * Checked: no crash or over-read (the text is not NUL-terminated: libFuzzer
 * hands over an exact-length heap buffer); the return is 0 or -EINVAL; an
 * error message is NUL-terminated, starts with "FILE:LINE: " and is cut
 * safely for small buffers (and err may be NULL); the same input gives the
 * same verdict each time; and an accepted configuration satisfies every
 * documented invariant of struct config.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/config.h"

#define FNAME	"fuzz.conf"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_config: check failed: %s (%s:%d)\n",\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* The keys of socksify.conf (config.c may know more; they are reached
 * through config_parse() and the seed corpus). */
static const char *const keys[] = {
	"proxy", "local", "direct", "local_domain", "timeout", "log_level",
	"dns", "placeholder_v4", "placeholder_v6", "hosts_file", "udp",
	"chain", "fallback", "upstream", "rule", "log_file", "pipeline",
	"listen",
};

static void
check_url(const struct proxy_url *u)
{
	CHECK(u->kind >= PROXY_SOCKS5 && u->kind <= PROXY_HTTP);
	CHECK(memchr(u->host, '\0', sizeof(u->host)) != NULL);
	CHECK(u->host[0] != '\0');
	CHECK(u->port != 0);
	CHECK(memchr(u->user, '\0', sizeof(u->user)) != NULL);
	CHECK(memchr(u->pass, '\0', sizeof(u->pass)) != NULL);
}

static void
check_invariants(const struct config *c)
{
	size_t i, j, n;

	CHECK(c->timeout_ms >= CONFIG_TIMEOUT_MIN_MS &&
	    c->timeout_ms <= CONFIG_TIMEOUT_MAX_MS);
	CHECK(c->log_level >= LOG_LEVEL_QUIET &&
	    c->log_level <= LOG_LEVEL_DEBUG);
	CHECK(c->dns == DNS_REMOTE || c->dns == DNS_LOCAL);
	CHECK(c->udp == UDP_PROXY || c->udp == UDP_BLOCK ||
	    c->udp == UDP_DIRECT);
	CHECK(c->n_local <= CONFIG_MAX_NETS);
	for (i = 0; i < c->n_local; i++) {
		CHECK(c->local[i].family == AF_INET ||
		    c->local[i].family == AF_INET6);
		CHECK(c->local[i].prefix <=
		    (c->local[i].family == AF_INET ? 32 : 128));
	}
	CHECK(c->n_local_domains <= CONFIG_MAX_DOMAINS);
	for (i = 0; i < c->n_local_domains; i++) {
		CHECK(memchr(c->local_domains[i], '\0',
		    sizeof(c->local_domains[i])) != NULL);
		CHECK(c->local_domains[i][0] != '\0');
	}
	CHECK(c->placeholder_v4.family == AF_INET &&
	    c->placeholder_v4.prefix >= 8 && c->placeholder_v4.prefix <= 30);
	CHECK(c->placeholder_v6.family == AF_INET6 &&
	    c->placeholder_v6.prefix >= 64 &&
	    c->placeholder_v6.prefix <= 120);
	CHECK(memchr(c->hosts_file, '\0', sizeof(c->hosts_file)) != NULL);
	CHECK(c->hosts_file[0] == '\0' || c->hosts_file[0] == '/');
	if (c->has_proxy)
		check_url(&c->proxy);
	CHECK(c->n_chain <= CONFIG_MAX_HOPS);
	for (i = 0; i < c->n_chain; i++)
		check_url(&c->chain[i]);
	CHECK(c->n_fallback <= CONFIG_MAX_HOPS);
	for (i = 0; i < c->n_fallback; i++)
		check_url(&c->fallback[i]);
	CHECK(c->n_upstream <= CONFIG_MAX_HOPS);
	for (i = 0; i < c->n_upstream; i++) {
		n = strnlen(c->upstream[i].name, sizeof(c->upstream[i].name));
		CHECK(n >= 1 && n <= CONFIG_UPSTREAM_NAME_MAX);
		for (j = 0; j < i; j++)		/* names are unique */
			CHECK(strcmp(c->upstream[i].name,
			    c->upstream[j].name) != 0);
		check_url(&c->upstream[i].url);
	}
	CHECK(c->n_rules <= CONFIG_MAX_RULES);
	for (i = 0; i < c->n_rules; i++) {
		const struct rule *r = &c->rules[i];

		/* A "via" rule names an upstream defined before it. */
		CHECK(r->upstream >= -1 && r->upstream < (int)c->n_upstream);
		CHECK((r->action == RULE_VIA) == (r->upstream >= 0));
		if (r->match == RULE_MATCH_PORT)
			CHECK(r->port_lo >= 1 && r->port_lo <= r->port_hi);
		if (r->match == RULE_MATCH_DOMAIN)
			CHECK(r->domain[0] != '\0' &&
			    memchr(r->domain, '\0', sizeof(r->domain)));
	}
	CHECK(memchr(c->log_file, '\0', sizeof(c->log_file)) != NULL);
	CHECK(c->log_file[0] == '\0' || c->log_file[0] == '/');
}

/* A message in err[errcap]: terminated, and starts with where. */
static void
check_message(const char *err, size_t errcap, const char *where,
    const char *prefix_full)
{
	size_t n = strnlen(err, errcap), wl = strlen(where);

	CHECK(n < errcap);
	if (errcap > wl + 1)
		CHECK(strncmp(err, where, wl) == 0 && err[wl] == ':');
	/* A cut message is a prefix of the full one. */
	CHECK(strncmp(err, prefix_full, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 1, 2, 11, 12, 40 };
	static struct config c, c2;	/* ~17 KiB each: keep off the stack */
	char err[512], err2[512], small[40], *value;
	const char *text = (const char *)data;
	size_t i;
	int rc, rc2;

	config_defaults(&c);
	check_invariants(&c);
	memset(err, 'x', sizeof(err));
	rc = config_parse(&c, text, size, FNAME, err, sizeof(err));
	CHECK(rc == 0 || rc == -EINVAL);
	if (rc == 0)
		check_invariants(&c);
	else {
		check_message(err, sizeof(err), FNAME, err);
		CHECK(err[strlen(FNAME) + 1] >= '1' &&
		    err[strlen(FNAME) + 1] <= '9');	/* a line number */
	}

	/* The same verdict again, with err NULL and with small buffers. */
	config_defaults(&c2);
	rc2 = config_parse(&c2, text, size, FNAME, NULL, 0);
	CHECK(rc2 == rc);
	if (rc == 0) {
		CHECK(c2.timeout_ms == c.timeout_ms);
		CHECK(c2.n_local == c.n_local);
		CHECK(c2.n_local_domains == c.n_local_domains);
		CHECK(c2.has_proxy == c.has_proxy);
		CHECK(strcmp(c2.hosts_file, c.hosts_file) == 0);
	}
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		config_defaults(&c2);
		memset(small, 'x', sizeof(small));
		rc2 = config_parse(&c2, text, size, NULL, small, caps[i]);
		CHECK(rc2 == rc);
		if (rc2 < 0) {
			config_defaults(&c2);
			(void)config_parse(&c2, text, size, NULL, err2,
			    sizeof(err2));
			check_message(small, caps[i], "<config>", err2);
			CHECK(caps[i] == sizeof(small) ||
			    small[caps[i]] == 'x');	/* no overflow */
		}
	}

	/* config_set(): the input as the value of every key. */
	value = malloc(size + 1);
	CHECK(value != NULL);
	memcpy(value, data, size);
	value[size] = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		config_defaults(&c2);
		rc2 = config_set(&c2, keys[i], value, "SOCKSIFY_X", err2,
		    sizeof(err2));
		CHECK(rc2 == 0 || rc2 == -EINVAL);
		if (rc2 == 0)
			check_invariants(&c2);
		else
			check_message(err2, sizeof(err2), "SOCKSIFY_X", err2);
	}
	/*
	 * And the input as a key name: whatever the table of keys holds, an
	 * accepted key is a plain word (no spaces, '=', '#' or control
	 * characters: those could never be written in a file).
	 */
	config_defaults(&c2);
	rc2 = config_set(&c2, value, "1", NULL, err2, sizeof(err2));
	if (rc2 == 0) {
		CHECK(value[0] != '\0');
		for (i = 0; value[i] != '\0'; i++)
			CHECK((value[i] >= 'a' && value[i] <= 'z') ||
			    (value[i] >= '0' && value[i] <= '9') ||
			    value[i] == '_');
	}
	free(value);
	return 0;
}
