/* SPDX-License-Identifier: MIT */
/*
 * The DNS answerer's exchanges with a resolver: a question that socksify
 * cannot answer itself is asked of dns_server (over TCP, through the
 * proxy) or, for a name the policy resolves locally, of libc's resolver;
 * the answer's records are copied into a reply to the program's query.
 */
#ifndef SOCKSIFY_RUNTIME_DNSFORWARD_H
#define SOCKSIFY_RUNTIME_DNSFORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/dns.h"
#include "runtime/init.h"

enum dnsforward_to {
	DNSFORWARD_DNS_SERVER,	/* rt->cfg.dns_server through the proxy */
	DNSFORWARD_LOCAL	/* res_nsend() on a private res_state */
};

/*
 * Ask for q's question (same name, type, class; RD set, CD and DO as the
 * program asked; a fresh random ID) and build the reply to q in
 * out[0..cap), at most limit bytes: the resolver's RCODE and records
 * (its OPT left out, ours added when q had one), RRs that do not fit
 * dropped with TC.  The response must match: its ID, QR, opcode QUERY
 * and the question (case-insensitive).  Bounded by the config's timeout.
 * Returns the reply's length, or a negative errno after one log line
 * naming the question and the resolver (-ETIMEDOUT, -ECONNRESET, a proxy
 * error from proxy_connect(), -EBADMSG for a malformed or mismatched
 * response, -ENOSYS without libc's resolver); -ENOSPC when cap is too
 * small for the reply's header and question.  Thread-safe.
 */
ssize_t dnsforward_answer(const struct runtime *rt, const struct dns_query *q,
    enum dnsforward_to to, uint8_t *out, size_t cap, size_t limit);

#endif
