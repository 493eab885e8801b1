/* SPDX-License-Identifier: MIT */
/* The service half of getaddrinfo() for answers socksify builds itself:
 * which (socktype, protocol, port) entries each address gets. */
#ifndef SOCKSIFY_RUNTIME_SERVICE_H
#define SOCKSIFY_RUNTIME_SERVICE_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>

struct service_ports {
	size_t n;		/* entries, 1..3 */
	int socktype[3];
	int protocol[3];
	uint16_t port[3];	/* network byte order */
};

/*
 * Entries for service under hints, as glibc orders them: stream/TCP,
 * datagram/UDP, then raw (raw only for a numeric or absent service, and
 * only when no socktype was asked). A named service is looked up in the
 * services database per protocol (a file, never the network).
 * Returns 0, EAI_NONAME (AI_NUMERICSERV with a name), EAI_SERVICE
 * (unknown service) or EAI_SOCKTYPE (socktype/protocol mismatch).
 */
int service_lookup(const char *service, const struct addrinfo *hints,
    struct service_ports *sp);

#endif
