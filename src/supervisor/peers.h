/* SPDX-License-Identifier: MIT */
/* Sockets the supervisor connected through the proxy, by SO_COOKIE (unique
 * per boot, never reused): what the program asked for, for getpeername(). */
#ifndef SOCKSIFY_SUPERVISOR_PEERS_H
#define SOCKSIFY_SUPERVISOR_PEERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct peers_entry {
	uint64_t cookie;		/* 0: free */
	uint64_t seq;			/* insertion order, for eviction */
	struct sockaddr_in6 dest;	/* the destination asked for */
	socklen_t destlen;
	struct sockaddr_in6 via;	/* the socket's real peer (the proxy) */
	socklen_t vialen;
	bool unclaimed;			/* connected, but the connect() that
					   asked was interrupted before our
					   answer: its restart gets 0 */
};

/*
 * Remember cookie -> (dest, via). AF_INET/AF_INET6 addresses only. The
 * table is bounded (PEERS_WAYS-way buckets, the oldest entry of a bucket
 * is replaced): a forgotten socket makes getpeername() report the proxy.
 * 0 or -ENOMEM. Single-threaded (the supervisor's loop).
 */
int peers_add(uint64_t cookie, const struct sockaddr *dest, socklen_t destlen,
    const struct sockaddr *via, socklen_t vialen);

/* The entry for cookie, or NULL. Valid until the next peers_add(). */
struct peers_entry *peers_find(uint64_t cookie);

/* Drop cookie's entry, if any. */
void peers_forget(uint64_t cookie);

#define PEERS_BUCKETS	2048
#define PEERS_WAYS	4

#endif
