/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for proxy_url_parse() and proxy_url_format().
 *
 * Checked: no crash or over-read; a refused URL leaves *u untouched and
 * gives a NUL-terminated reason (also cut to small buffers) that does not
 * quote the password; an accepted URL satisfies the struct invariants, and
 * format -> parse gives back the same kind, host, port and user (the
 * password is printed as "***", never in clear), and formatting again gives
 * the same text.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proxy_url.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_proxy_url: check failed: %s "	\
		    "(%s:%d)\n", #cond, __FILE__, __LINE__);		\
		abort();						\
	}								\
} while (0)

/*
 * The raw password as the parser splits the text: after the first "://",
 * between the first ':' and the last '@'.  Returns its length, 0 if none.
 */
static size_t
raw_password(const char *text, const char **pw)
{
	const char *p = strstr(text, "://"), *at, *colon;

	p = p != NULL ? p + 3 : text;
	at = strrchr(p, '@');
	if (at == NULL)
		return 0;
	colon = memchr(p, ':', (size_t)(at - p));
	if (colon == NULL)
		return 0;
	*pw = colon + 1;
	return (size_t)(at - colon - 1);
}

/* Does needle[0..nlen) occur in hay? */
static int
contains(const char *hay, const char *needle, size_t nlen)
{
	size_t hl = strlen(hay), i;

	for (i = 0; nlen <= hl && i <= hl - nlen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return 1;
	return 0;
}

static void
check_url(const struct proxy_url *u)
{
	CHECK(u->kind >= PROXY_SOCKS5 && u->kind <= PROXY_HTTP);
	CHECK(memchr(u->host, '\0', sizeof(u->host)) != NULL);
	CHECK(u->host[0] != '\0');
	CHECK(u->port != 0);
	CHECK(memchr(u->user, '\0', sizeof(u->user)) != NULL);
	CHECK(memchr(u->pass, '\0', sizeof(u->pass)) != NULL);
	if (!u->has_auth)
		CHECK(u->user[0] == '\0' && u->pass[0] == '\0');
	else
		CHECK(u->user[0] != '\0');
	CHECK(strcmp(proxy_kind_name(u->kind), "?") != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 1, 2, 7, 16 };
	struct proxy_url u, v, before;
	char why[256], small[16], buf[2048], buf2[2048], tiny[24];
	const char *pw = NULL;
	char *text;
	size_t i, n, pwlen;
	int rc, rc2;

	text = malloc(size + 1);
	CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';		/* stops at an embedded NUL: fine */

	memset(&u, 0xa5, sizeof(u));
	memcpy(&before, &u, sizeof(before));
	memset(why, 'x', sizeof(why));
	rc = proxy_url_parse(&u, text, why, sizeof(why));
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(proxy_url_parse(&v, text, NULL, 0) == rc);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		memset(small, 'x', sizeof(small));
		CHECK(proxy_url_parse(&v, text, small, caps[i]) == rc);
		if (rc < 0) {
			n = strnlen(small, caps[i]);
			CHECK(n < caps[i]);
			CHECK(strncmp(small, why, n) == 0);
			if (caps[i] < sizeof(small))
				CHECK(small[caps[i]] == 'x');
		}
	}

	if (rc < 0) {
		CHECK(memcmp(&u, &before, sizeof(u)) == 0);
		n = strnlen(why, sizeof(why));
		CHECK(n > 0 && n < sizeof(why));
		/*
		 * The reason never quotes the password: if it holds the raw
		 * password text, the same URL with the password replaced by
		 * filler letters must give a reason that holds it too (the
		 * text then came from another part of the URL or the fixed
		 * words of the reason).
		 */
		pwlen = raw_password(text, &pw);
		if (pwlen > 0 && contains(why, pw, pwlen)) {
			char *t2 = strdup(text), why2[256];
			char fill = memchr(pw, 'Q', pwlen) == NULL ? 'Q' : 'Z';

			CHECK(t2 != NULL);
			memset(t2 + (pw - text), fill, pwlen);
			memset(why2, 0, sizeof(why2));
			(void)proxy_url_parse(&v, t2, why2, sizeof(why2));
			if (!contains(why2, pw, pwlen))
				fprintf(stderr, "fuzz_proxy_url: reason '%s' "
				    "quotes the password\n", why);
			CHECK(contains(why2, pw, pwlen));
			free(t2);
		}
		free(text);
		return 0;
	}

	check_url(&u);

	/*
	 * format -> parse gives back kind, host, port and user; the password
	 * comes back as "***", which shows it was not printed.
	 */
	proxy_url_format(&u, buf, sizeof(buf));
	CHECK(strnlen(buf, sizeof(buf)) < sizeof(buf) - 1);	/* not cut */
	memset(why, 0, sizeof(why));
	rc2 = proxy_url_parse(&v, buf, why, sizeof(why));
	if (rc2 != 0)
		fprintf(stderr, "fuzz_proxy_url: '%s' does not parse back: "
		    "%s\n", buf, why);
	CHECK(rc2 == 0);
	check_url(&v);
	CHECK(v.kind == u.kind);
	CHECK(strcmp(v.host, u.host) == 0);
	CHECK(v.port == u.port);
	CHECK(v.has_auth == u.has_auth);
	CHECK(strcmp(v.user, u.user) == 0);
	CHECK(strcmp(v.pass, u.pass[0] != '\0' ? "***" : "") == 0);
	proxy_url_format(&v, buf2, sizeof(buf2));
	CHECK(strcmp(buf, buf2) == 0);

	/* Cut output: terminated, a prefix of the full text, no overflow. */
	for (i = 1; i < sizeof(tiny); i += 5) {
		memset(tiny, 'x', sizeof(tiny));
		proxy_url_format(&u, tiny, i);
		n = strnlen(tiny, i);
		CHECK(n < i && strncmp(tiny, buf, n) == 0);
		CHECK(tiny[i] == 'x');
	}
	free(text);
	return 0;
}
