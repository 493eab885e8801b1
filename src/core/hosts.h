/* SPDX-License-Identifier: MIT */
/*
 * hosts(5) lookups over file text the runtime has already read: forward
 * (name -> addresses) and reverse (address -> name).  No syscalls.
 */
#ifndef SOCKSIFY_CORE_HOSTS_H
#define SOCKSIFY_CORE_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#define HOSTS_NAME_MAX	255	/* bytes, without one trailing dot */

/*
 * The format, as both functions read it:
 *  - text[0..len) need not be NUL-terminated; lines end with LF, a CR
 *    before it is whitespace; lines may be of any length.
 *  - '#' anywhere starts a comment that runs to the end of the line.
 *  - Fields are separated by spaces, tabs, CR, VT or FF: an address, then
 *    the canonical name, then aliases.
 *  - The address is a dotted-quad IPv4 address or an IPv6 address
 *    (inet_pton syntax).  A line whose address does not parse is skipped,
 *    and so is one with a zone id ("fe80::1%eth0"): our answers carry no
 *    scope, and a link-local address without its interface is not
 *    something to hand out.  A line with no usable name matches nothing.
 *  - A name field longer than HOSTS_NAME_MAX bytes (one trailing dot not
 *    counted) or holding a NUL byte is ignored as if absent; the other
 *    names of its line still count.
 * Names compare ASCII case-insensitively (no locale), one trailing dot on
 * either side ignored.  Thread-safe: no state, text is only read.
 */

/*
 * Forward lookup: the addresses of every line naming name (as canonical
 * name or alias), of family AF_INET, AF_INET6 or AF_UNSPEC (both; any other
 * family matches nothing), in file order with repeated (family, address)
 * pairs dropped.  Writes the first max of them to fam[i] (AF_INET or
 * AF_INET6) and addr[i] (network order; an IPv4 address fills bytes 0..3,
 * the rest are zeroed); fam and addr may be NULL when max is 0.
 *
 * Returns the number written (0..max; 0 = no address of that family).
 * When any_family is not NULL it receives the number of addresses of any
 * family the file lists for name, one per matching line, repeats and
 * lines past max included: 0 means "not in the file at all", so a caller
 * can tell that from "known, but not in this family".  A NULL, empty or
 * over-long name, or NULL text, gives 0 and *any_family = 0.
 */
size_t hosts_lookup(const char *text, size_t len, const char *name,
    int family, int *fam, uint8_t (*addr)[16], size_t max,
    size_t *any_family);

/*
 * Reverse lookup: the canonical (first valid) name of the first line whose
 * address equals addr (family AF_INET: 4 bytes, AF_INET6: 16 bytes,
 * network order), copied NUL-terminated and as written (case and trailing
 * dot kept) into out[0..cap).  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) also matches a line for a.b.c.d.
 *
 * Returns 0, -ENOENT (no such line, or NULL text/addr, or another
 * family), -ENOSPC (cap <= the name's length; out is left untouched).
 */
int hosts_reverse(const char *text, size_t len, int family, const void *addr,
    char *out, size_t cap);

#endif /* SOCKSIFY_CORE_HOSTS_H */
