/* SPDX-License-Identifier: MIT */
/* A set-associative table, allocated at first use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/peers.h"

static struct peers_entry *peers_table;
static uint64_t peers_seq;

static struct peers_entry *
peers_bucket(uint64_t cookie)
{
	/* Cookies are sequential: spread them (a 64-bit mix). */
	uint64_t h = cookie * 0x9e3779b97f4a7c15ULL;

	return &peers_table[(h >> 40) % PEERS_BUCKETS * PEERS_WAYS];
}

static socklen_t
peers_copy(struct sockaddr_in6 *to, const struct sockaddr *sa, socklen_t len)
{
	if (len > sizeof(*to))
		len = sizeof(*to);
	memset(to, 0, sizeof(*to));
	memcpy(to, sa, len);
	return len;
}

int
peers_add(uint64_t cookie, const struct sockaddr *dest, socklen_t destlen,
    const struct sockaddr *via, socklen_t vialen)
{
	struct peers_entry *b, *e;
	size_t i;

	if (peers_table == NULL) {
		peers_table = calloc(PEERS_BUCKETS * PEERS_WAYS,
		    sizeof(*peers_table));
		if (peers_table == NULL)
			return -ENOMEM;
	}
	b = peers_bucket(cookie);
	e = &b[0];
	for (i = 0; i < PEERS_WAYS; i++) {
		if (b[i].cookie == cookie || b[i].cookie == 0) {
			e = &b[i];
			break;
		}
		if (b[i].seq < e->seq)
			e = &b[i];
	}
	e->cookie = cookie;
	e->seq = ++peers_seq;
	e->destlen = peers_copy(&e->dest, dest, destlen);
	e->vialen = peers_copy(&e->via, via, vialen);
	e->unclaimed = false;
	return 0;
}

struct peers_entry *
peers_find(uint64_t cookie)
{
	struct peers_entry *b;
	size_t i;

	if (peers_table == NULL || cookie == 0)
		return NULL;
	b = peers_bucket(cookie);
	for (i = 0; i < PEERS_WAYS; i++)
		if (b[i].cookie == cookie)
			return &b[i];
	return NULL;
}

void
peers_forget(uint64_t cookie)
{
	struct peers_entry *e = peers_find(cookie);

	if (e != NULL)
		memset(e, 0, sizeof(*e));
}
