/* SPDX-License-Identifier: MIT */
/* struct hostent answers for the legacy resolver hooks (gethostbyname*,
 * gethostbyaddr*): layout in a caller's buffer, per-thread storage for the
 * non-reentrant calls, and the h_errno/return-value conventions. */
#ifndef SOCKSIFY_RUNTIME_HOSTENT_H
#define SOCKSIFY_RUNTIME_HOSTENT_H

#include <netdb.h>
#include <stddef.h>

#include "runtime/names.h"

/* Room for any hostent_fill(): pointer padding, NAMES_MAX_ADDRS + 2
 * pointers, NAMES_MAX_ADDRS IPv6 addresses and a 255-byte name. */
#define HOSTENT_BUF_SIZE 1024

/*
 * Lay out in *he, with all its storage in buf[0..cap), the answer
 * h_name = r->canon, no aliases, and the addresses of r whose family is af
 * (AF_INET: 4 bytes each, AF_INET6: 16), in r's order.  buf need not be
 * aligned.  Returns 0, -ENOENT (r holds no address of af, or af is another
 * family) or -ERANGE (cap too small); on failure *he and buf are untouched.
 */
int hostent_fill(struct hostent *he, char *buf, size_t cap,
    const struct names_result *r, int af);

/*
 * This thread's result storage for gethostbyname*() and gethostbyaddr():
 * returns the hostent and sets *buf to its HOSTENT_BUF_SIZE buffer.  As
 * with libc, each such call overwrites the previous result of the thread.
 */
struct hostent *hostent_tls(char **buf);

/* h_errno for a names_resolve() error: -ENOENT (the name is in the hosts
 * file, but only in the other family) NO_DATA, -EAGAIN and -ENOSPC
 * TRY_AGAIN, anything else NO_RECOVERY. */
int hostent_herrno(int err);

/*
 * Fail a non-reentrant call: h_errno = herr, and errno = -rc when herr is
 * NETDB_INTERNAL (which tells the caller to look at errno).  Returns NULL.
 */
struct hostent *hostent_fail(int rc, int herr);

/*
 * Fail a *_r call as glibc does: *result = NULL, *h_errnop = herr, and
 * return 0 for HOST_NOT_FOUND and NO_DATA (the caller tests *result),
 * EAGAIN for TRY_AGAIN, -rc otherwise.  With NETDB_INTERNAL errno is set to
 * -rc too (ERANGE for a short buffer: the caller retries with more).
 */
int hostent_r_fail(int rc, int herr, struct hostent **result, int *h_errnop);

#endif
