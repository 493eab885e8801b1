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

static const char *const keys[] = {
	"proxy", "local", "direct", "local_domain", "timeout", "log_level",
	"dns", "placeholder_v4", "placeholder_v6", "hosts_file", "udp",
};

static void
check_invariants(const struct config *c)
{
	size_t i;

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
	if (c->has_proxy) {
		CHECK(c->proxy.kind >= PROXY_SOCKS5 &&
		    c->proxy.kind <= PROXY_HTTP);
		CHECK(memchr(c->proxy.host, '\0', sizeof(c->proxy.host)));
		CHECK(c->proxy.host[0] != '\0');
		CHECK(c->proxy.port != 0);
		CHECK(memchr(c->proxy.user, '\0', sizeof(c->proxy.user)));
		CHECK(memchr(c->proxy.pass, '\0', sizeof(c->proxy.pass)));
	}
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
	/* And the input as a key name: only known keys are accepted. */
	config_defaults(&c2);
	rc2 = config_set(&c2, value, "1", NULL, err2, sizeof(err2));
	if (rc2 == 0) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(value, keys[i]) == 0)
				break;
		CHECK(i < sizeof(keys) / sizeof(keys[0]));
	}
	free(value);
	return 0;
}
