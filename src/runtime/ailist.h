/* SPDX-License-Identifier: MIT */
/* The addrinfo lists socksify builds for getaddrinfo() answers, and the
 * registry that lets freeaddrinfo() tell them from libc's: every node of
 * ours is in a small hash set (one mutex), so ours are freed here and
 * anything else goes to libc. No assumption about libc's layout. */
#ifndef SOCKSIFY_RUNTIME_AILIST_H
#define SOCKSIFY_RUNTIME_AILIST_H

#include <netdb.h>
#include <stdbool.h>

#include "runtime/names.h"
#include "runtime/service.h"

/*
 * Build the list for answer r: one entry per address and entry of sp, in
 * that order, ai_canonname on the first when hints asks for it. Every
 * node is registered. 0 and *res, EAI_NONAME (no entry) or EAI_MEMORY.
 */
int ailist_build(const struct names_result *r, const struct addrinfo *hints,
    const struct service_ports *sp, struct addrinfo **res);

/*
 * Free ai and the nodes after it if ai is a node ailist_build() made
 * (each node is unregistered as it goes); true then. false, and nothing
 * touched, for any other pointer (NULL included): libc's to free.
 */
bool ailist_free(struct addrinfo *ai);

/* pthread_atfork handlers (init.c registers them): the registry's lock
 * is never inherited held. */
void ailist_atfork_prepare(void);
void ailist_atfork_release(void);

#endif
