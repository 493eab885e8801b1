/* SPDX-License-Identifier: MIT */
/*
 * hosts(5) parsing over caller memory, one line at a time, nothing copied
 * but the address field.  core/: string functions and inet_pton only.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/hosts.h"

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2 */
static const uint8_t hosts_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* One address line: its parsed address and the rest of it (the names). */
struct hosts_line {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; v4 in bytes 0..3 */
	const char *names;	/* just past the address field */
	const char *end;	/* end of line, comment cut off */
};

static bool
hosts_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char
hosts_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * The next field in [*p, end), or NULL when only blanks are left.  Sets
 * *flen and moves *p past the field.
 */
static const char *
hosts_field(const char **p, const char *end, size_t *flen)
{
	const char *s = *p, *f;

	while (s < end && hosts_is_space(*s))
		s++;
	if (s == end) {
		*p = s;
		return NULL;
	}
	f = s;
	while (s < end && !hosts_is_space(*s))
		s++;
	*flen = (size_t)(s - f);
	*p = s;
	return f;
}

/*
 * Parse an address field.  Zone ids ('%') and anything inet_pton refuses
 * (IPv4 shorthand such as "127.1" included) make the line malformed.
 */
static bool
hosts_parse_addr(const char *f, size_t flen, int *family, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (flen == 0 || flen >= sizeof(buf) || memchr(f, '\0', flen) != NULL)
		return false;
	memcpy(buf, f, flen);
	buf[flen] = '\0';
	memset(addr, 0, 16);
	*family = memchr(buf, ':', flen) != NULL ? AF_INET6 : AF_INET;
	return inet_pton(*family, buf, addr) == 1;
}

/*
 * Advance *pos to the next line with a valid address and fill *ln.
 * Returns false when the text is used up.
 */
static bool
hosts_next(const char *text, size_t len, size_t *pos, struct hosts_line *ln)
{
	const char *line, *eol, *hash, *p, *f;
	size_t flen;

	while (*pos < len) {
		line = text + *pos;
		eol = memchr(line, '\n', len - *pos);
		if (eol == NULL)
			eol = text + len;
		*pos = (size_t)(eol - text) + (eol < text + len ? 1 : 0);

		hash = memchr(line, '#', (size_t)(eol - line));
		if (hash != NULL)
			eol = hash;
		p = line;
		f = hosts_field(&p, eol, &flen);
		if (f == NULL ||
		    !hosts_parse_addr(f, flen, &ln->family, ln->addr))
			continue;
		ln->names = p;
		ln->end = eol;
		return true;
	}
	return false;
}

/*
 * Is field f[0..flen) a usable name?  *cmplen gets its length without one
 * trailing dot, the part that is compared.
 */
static bool
hosts_name_ok(const char *f, size_t flen, size_t *cmplen)
{
	size_t n = flen;

	if (n > 0 && f[n - 1] == '.')
		n--;
	if (n == 0 || n > HOSTS_NAME_MAX || memchr(f, '\0', flen) != NULL)
		return false;
	*cmplen = n;
	return true;
}

/* Does any name of *ln equal name[0..nlen) (already without its dot)? */
static bool
hosts_line_has(const struct hosts_line *ln, const char *name, size_t nlen)
{
	const char *p = ln->names, *f;
	size_t flen, clen, i;

	while ((f = hosts_field(&p, ln->end, &flen)) != NULL) {
		if (!hosts_name_ok(f, flen, &clen) || clen != nlen)
			continue;
		for (i = 0; i < nlen; i++)
			if (hosts_lower(f[i]) != hosts_lower(name[i]))
				break;
		if (i == nlen)
			return true;
	}
	return false;
}

static size_t
hosts_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

size_t
hosts_lookup(const char *text, size_t len, const char *name, int family,
    int *fam, uint8_t (*addr)[16], size_t max, size_t *any_family)
{
	struct hosts_line ln;
	size_t pos = 0, n = 0, nlen, i, any = 0;

	if (any_family != NULL)
		*any_family = 0;
	if (text == NULL || name == NULL)
		return 0;
	nlen = strnlen(name, HOSTS_NAME_MAX + 2);
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (nlen == 0 || nlen > HOSTS_NAME_MAX)
		return 0;
	if (fam == NULL || addr == NULL)
		max = 0;

	while (hosts_next(text, len, &pos, &ln)) {
		if (!hosts_line_has(&ln, name, nlen))
			continue;
		any++;
		if (family != AF_UNSPEC && family != ln.family)
			continue;
		if (n == max) {
			if (any_family == NULL)
				break;	/* nothing more to learn */
			continue;
		}
		for (i = 0; i < n; i++)
			if (fam[i] == ln.family &&
			    memcmp(addr[i], ln.addr, 16) == 0)
				break;
		if (i < n)
			continue;	/* repeated address */
		fam[n] = ln.family;
		memcpy(addr[n], ln.addr, 16);
		n++;
	}
	if (any_family != NULL)
		*any_family = any;
	return n;
}

/* Does line address *ln equal the asked address (mapped v6 = v4)? */
static bool
hosts_addr_eq(const struct hosts_line *ln, int family, const uint8_t *a)
{
	if (ln->family == family)
		return memcmp(ln->addr, a, hosts_addr_len(family)) == 0;
	return ln->family == AF_INET && family == AF_INET6 &&
	    memcmp(a, hosts_v4mapped, sizeof(hosts_v4mapped)) == 0 &&
	    memcmp(ln->addr, a + 12, 4) == 0;
}

int
hosts_reverse(const char *text, size_t len, int family, const void *addr,
    char *out, size_t cap)
{
	struct hosts_line ln;
	const char *p, *f;
	size_t pos = 0, flen, clen;

	if (text == NULL || addr == NULL ||
	    (family != AF_INET && family != AF_INET6))
		return -ENOENT;
	while (hosts_next(text, len, &pos, &ln)) {
		if (!hosts_addr_eq(&ln, family, addr))
			continue;
		/* The canonical name: the line's first usable name field. */
		p = ln.names;
		while ((f = hosts_field(&p, ln.end, &flen)) != NULL) {
			if (!hosts_name_ok(f, flen, &clen))
				continue;
			if (out == NULL || cap <= flen)
				return -ENOSPC;
			memcpy(out, f, flen);
			out[flen] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}
