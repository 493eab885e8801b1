/* SPDX-License-Identifier: MIT */
/* Builds struct hostent answers in caller memory; no lookups, no I/O.
 * The per-thread block backs gethostbyname() and gethostbyaddr(). */
#include <errno.h>
#include <netdb.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/hostent.h"

_Static_assert(alignof(char *) - 1 +
    (NAMES_MAX_ADDRS + 2) * sizeof(char *) + NAMES_MAX_ADDRS * 16 +
    sizeof(((struct names_result *)0)->canon) <= HOSTENT_BUF_SIZE,
    "HOSTENT_BUF_SIZE too small for a full answer");

struct hostent_block {
	struct hostent he;
	char buf[HOSTENT_BUF_SIZE];
};

static __thread struct hostent_block hostent_block;

int
hostent_fill(struct hostent *he, char *buf, size_t cap,
    const struct names_result *r, int af)
{
	size_t alen = af == AF_INET ? 4 : 16, n = 0, i, j, pad, nlen, need;
	char **ptrs, *data, *name;

	if (af != AF_INET && af != AF_INET6)
		return -ENOENT;
	for (i = 0; i < r->n && i < NAMES_MAX_ADDRS; i++)
		if (r->family[i] == af)
			n++;
	if (n == 0)
		return -ENOENT;
	nlen = strnlen(r->canon, sizeof(r->canon) - 1);
	pad = (alignof(char *) - (uintptr_t)buf % alignof(char *)) %
	    alignof(char *);
	/* Layout: padding, h_aliases (just NULL), h_addr_list (n + NULL),
	 * the address bytes, the name. */
	need = pad + (n + 2) * sizeof(char *) + n * alen + nlen + 1;
	if (buf == NULL || cap < need)
		return -ERANGE;
	ptrs = (char **)(void *)(buf + pad);
	data = (char *)(ptrs + n + 2);
	ptrs[0] = NULL;
	for (i = 0, j = 0; i < r->n && i < NAMES_MAX_ADDRS; i++) {
		if (r->family[i] != af)
			continue;
		memcpy(data + j * alen, r->addr[i], alen);
		ptrs[1 + j] = data + j * alen;
		j++;
	}
	ptrs[1 + n] = NULL;
	name = data + n * alen;
	memcpy(name, r->canon, nlen);
	name[nlen] = '\0';

	he->h_name = name;
	he->h_aliases = ptrs;
	he->h_addrtype = af;
	he->h_length = (int)alen;
	he->h_addr_list = ptrs + 1;
	return 0;
}

struct hostent *
hostent_tls(char **buf)
{
	*buf = hostent_block.buf;
	return &hostent_block.he;
}

int
hostent_herrno(int err)
{
	switch (err) {
	case -ENOENT:
		return NO_DATA;
	case -EAGAIN:
	case -ENOSPC:
		return TRY_AGAIN;
	default:
		return NO_RECOVERY;
	}
}

struct hostent *
hostent_fail(int rc, int herr)
{
	if (herr == NETDB_INTERNAL)
		errno = -rc;
	h_errno = herr;
	return NULL;
}

int
hostent_r_fail(int rc, int herr, struct hostent **result, int *h_errnop)
{
	if (result != NULL)
		*result = NULL;
	if (h_errnop != NULL)
		*h_errnop = herr;
	switch (herr) {
	case HOST_NOT_FOUND:
	case NO_DATA:
		return 0;
	case TRY_AGAIN:
		return EAGAIN;
	case NETDB_INTERNAL:
		errno = -rc;
		return -rc;
	default:
		return rc < 0 ? -rc : EIO;
	}
}
