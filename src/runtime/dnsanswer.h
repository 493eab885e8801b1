/* SPDX-License-Identifier: MIT */
/*
 * The DNS answerer: a DNS query message in, the response that socksify's
 * resolution policy implies out.  Independent of the hooks, so the port-53
 * hooks, the res_* interposition and the out-of-process supervisor all
 * answer the same way.
 */
#ifndef SOCKSIFY_RUNTIME_DNSANSWER_H
#define SOCKSIFY_RUNTIME_DNSANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/init.h"

/* dnsanswer_answer() flags. */
#define DNSANSWER_TCP		0x1	/* came over TCP: 65535-byte limit */
#define DNSANSWER_NOWAIT	0x2	/* never block (see below) */

/* TTL of the answers we make up (placeholders, hosts file, NODATA). */
#define DNSANSWER_TTL		60

/*
 * Is the answerer in charge of DNS messages for rt?  false in dns = local
 * (port-53 traffic and res_* calls then go untouched) and in the bootstrap
 * state (socksify's own initialisation); true otherwise, a broken config
 * included (every query is then REFUSED: fail closed).  Cheap: no lock,
 * no I/O.  rt may be NULL (false).
 */
bool dnsanswer_active(const struct runtime *rt);

/*
 * Answer the query message query[0..qlen) (a datagram, or one TCP message
 * without its length prefix) into out[0..cap).  The response is at most
 * the client's limit (DNSANSWER_TCP: 65535; else its EDNS payload size,
 * 512 without EDNS) and cap; RRs that do not fit are dropped and TC set.
 *
 * Policy (dns = remote):
 *  - A, AAAA, ANY for a name: what getaddrinfo() would hand out, through
 *    names_resolve(): placeholders from the shared name map (same slots,
 *    pins and LRU), hosts-file addresses, localhost; a hosts-file name
 *    without an address of that family is NODATA;
 *  - PTR for a placeholder: its name; for a placeholder with no name:
 *    NXDOMAIN (we own that range); for a hosts-file address: its name;
 *  - names the policy resolves locally (names_local(): local_domain,
 *    rules sending the name direct, numeric): A/AAAA through the real
 *    getaddrinfo() (NSS: hosts, mDNS, DNS as the system is set up), other
 *    types through libc's resolver on a private res_state (res_nsend);
 *  - every other question: forwarded over TCP through the proxy to
 *    dns_server when configured; otherwise at once NODATA (NOERROR, no
 *    answer, a SOA for negative caching): the name may well exist, and
 *    NXDOMAIN would tell the program (and RFC 8020 caches) that it has
 *    no A either;
 *  - class other than IN, or a name that is no host name (bytes outside
 *    0x21..0x7e, a dot inside a label): REFUSED; AXFR, IXFR, MAILA,
 *    MAILB: NOTIMP; EDNS version > 0: BADVERS; opcode other than QUERY:
 *    NOTIMP; malformed (bad compression, label > 63, name > 255 bytes,
 *    several questions, trailing bytes): FORMERR from the header;
 *  - a broken config: REFUSED (nothing is resolved locally).
 * Nothing is sent anywhere but to the proxy, except for the names the
 * policy resolves locally.
 *
 * Blocking: only forwarding and local lookups do I/O, bounded by the
 * config's timeout (SERVFAIL and one log line when it passes). With
 * DNSANSWER_NOWAIT they are not started: -EWOULDBLOCK, so an event loop
 * can hand the query to a thread.
 *
 * Returns the response length (> 0); 0 when nothing must be sent (shorter
 * than a DNS header, or a response rather than a query); -EWOULDBLOCK;
 * -ENOSPC when cap cannot hold even the header and question.  Thread-safe.
 */
ssize_t dnsanswer_answer(const struct runtime *rt, const uint8_t *query,
    size_t qlen, uint8_t *out, size_t cap, unsigned flags);

#endif
