/* SPDX-License-Identifier: MIT */
/* Name resolution policy for every resolver hook: what resolves locally
 * (numeric, localhost, hosts file, local domains, dns = local), and the
 * placeholder addresses handed out for everything else (remote DNS). The
 * name map itself is runtime/namestore.c. */
#ifndef SOCKSIFY_RUNTIME_NAMES_H
#define SOCKSIFY_RUNTIME_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "runtime/init.h"

#define NAMES_MAX_ADDRS 16

struct names_result {
	size_t n;			/* addresses in addr[], 1..MAX */
	int family[NAMES_MAX_ADDRS];	/* AF_INET or AF_INET6 */
	uint8_t addr[NAMES_MAX_ADDRS][16]; /* network order; 4 used for v4 */
	char canon[256];		/* canonical name (the name asked) */
};

enum names_how {
	NAMES_REAL,	/* ask libc: numeric, localhost, local domain, dns=local */
	NAMES_ANSWER,	/* *r holds the answer (hosts file or placeholder) */
	NAMES_ERROR,	/* *err is a negative errno; already logged */
};

/*
 * Decide how to answer a forward lookup of name for family (AF_INET,
 * AF_INET6 or AF_UNSPEC). In remote mode a name gets one placeholder slot:
 * its IPv4 address for AF_INET, IPv6 for AF_INET6, both (IPv4 first) for
 * AF_UNSPEC. Hosts-file names get
 * their hosts-file addresses of that family (NAMES_ERROR with -ENOENT when
 * the file has the name only in the other family). Never sends a query.
 * Thread-safe; no lock is held across I/O.
 */
enum names_how names_resolve(const struct runtime *rt, const char *name,
    int family, struct names_result *r, int *err);

/*
 * Does the policy resolve name locally (with the real resolver): numeric,
 * dns = local, a local_domain, a rule sending the name direct, or the
 * bootstrap state? That is exactly when names_resolve() says NAMES_REAL.
 * false for a broken config (nothing may be resolved locally then).
 */
bool names_local(const struct runtime *rt, const char *name);

/*
 * AI_ADDRCONFIG: drop the answers of a family this host has no address of
 * (loopback and IPv6 link-local do not count, as in glibc). The host's
 * addresses are read once per process.
 */
void names_addrconfig(struct names_result *r);

/*
 * Reverse lookup for getnameinfo()/gethostbyaddr(): the name behind a
 * placeholder, or the hosts-file name of an address. family AF_INET (addr
 * 4 bytes) or AF_INET6 (16 bytes; v4-mapped handled). 0 and the name in
 * out, -ENOENT when we know no name (callers must then NOT ask the real
 * resolver in remote mode: that would be a DNS query), -ENOSPC.
 */
int names_reverse(const struct runtime *rt, int family, const void *addr,
    char *out, size_t cap);

/*
 * For connect()/sendto(): is sa a placeholder? 1 and the name plus its
 * slot (for namestore_pin), 0 when it is not a placeholder, -EHOSTUNREACH when
 * it is one we have no name for (stale, or from another socksify tree).
 * Keep the name while a socket uses it with namestore_pin().
 */
int names_placeholder_name(const struct runtime *rt, const struct sockaddr *sa,
    char *out, size_t cap, uint32_t *slot);

#endif
