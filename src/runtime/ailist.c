/* SPDX-License-Identifier: MIT */
/* Our addrinfo lists and the set of their nodes: open addressing with
 * linear probing and backward-shift deletion, grown at half load. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ailist.h"

#define AILIST_MIN 64

static pthread_mutex_t ailist_lock = PTHREAD_MUTEX_INITIALIZER;
static struct addrinfo **ailist_set;	/* NULL = empty slot */
static size_t ailist_cap;		/* power of two, or 0 */
static size_t ailist_n;

static size_t
ailist_hash(const struct addrinfo *ai)
{
	uintptr_t p = (uintptr_t)ai;

	return (size_t)((p >> 4) * (uintptr_t)0x9e3779b97f4a7c15ull);
}

/* Called with ailist_lock held. */
static size_t
ailist_find(const struct addrinfo *ai)
{
	size_t i = ailist_hash(ai) & (ailist_cap - 1);

	while (ailist_set[i] != NULL && ailist_set[i] != ai)
		i = (i + 1) & (ailist_cap - 1);
	return i;
}

/* Called with ailist_lock held. 0 or -ENOMEM. */
static int
ailist_grow(void)
{
	struct addrinfo **old = ailist_set;
	size_t i, oldcap = ailist_cap;
	size_t cap = oldcap == 0 ? AILIST_MIN : oldcap * 2;

	ailist_set = calloc(cap, sizeof(*ailist_set));
	if (ailist_set == NULL) {
		ailist_set = old;
		return -ENOMEM;
	}
	ailist_cap = cap;
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			ailist_set[ailist_find(old[i])] = old[i];
	free(old);
	return 0;
}

/* Called with ailist_lock held. */
static int
ailist_add(struct addrinfo *ai)
{
	if ((ailist_n + 1) * 2 > ailist_cap && ailist_grow() < 0)
		return -ENOMEM;
	ailist_set[ailist_find(ai)] = ai;
	ailist_n++;
	return 0;
}

/* Called with ailist_lock held; ai is in the set. */
static void
ailist_remove(const struct addrinfo *ai)
{
	size_t mask = ailist_cap - 1, i = ailist_find(ai), j = i, home;

	ailist_set[i] = NULL;
	ailist_n--;
	/* Backward shift: close the gap for entries probed past it. */
	for (;;) {
		j = (j + 1) & mask;
		if (ailist_set[j] == NULL)
			return;
		home = ailist_hash(ailist_set[j]) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			ailist_set[i] = ailist_set[j];
			ailist_set[j] = NULL;
			i = j;
		}
	}
}

static bool
ailist_has(const struct addrinfo *ai)
{
	return ailist_cap > 0 && ailist_set[ailist_find(ai)] == ai;
}

static struct addrinfo *
ailist_entry(int family, const uint8_t *addr, uint16_t port, int socktype,
    int protocol)
{
	struct addrinfo *ai;
	size_t salen = family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;

	ai = calloc(1, sizeof(*ai) + salen);
	if (ai == NULL)
		return NULL;
	ai->ai_family = family;
	ai->ai_socktype = socktype;
	ai->ai_protocol = protocol;
	ai->ai_addrlen = (socklen_t)salen;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	if (family == AF_INET) {
		sin = (struct sockaddr_in *)ai->ai_addr;
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		sin6 = (struct sockaddr_in6 *)ai->ai_addr;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
	return ai;
}

/* Free a list of ours; with registered, unregister each node. Called
 * with ailist_lock held. */
static void
ailist_release(struct addrinfo *ai, bool registered)
{
	struct addrinfo *next;

	for (; ai != NULL; ai = next) {
		next = ai->ai_next;
		if (registered) {
			if (!ailist_has(ai))
				break;	/* not ours: never free it */
			ailist_remove(ai);
		}
		free(ai->ai_canonname);
		free(ai);
	}
}

int
ailist_build(const struct names_result *r, const struct addrinfo *hints,
    const struct service_ports *sp, struct addrinfo **res)
{
	struct addrinfo *head = NULL, **tail = &head, *ai;
	size_t i, t;

	for (i = 0; i < r->n; i++) {
		for (t = 0; t < sp->n; t++) {
			*tail = ailist_entry(r->family[i], r->addr[i],
			    sp->port[t], sp->socktype[t], sp->protocol[t]);
			if (*tail == NULL)
				goto oom;
			tail = &(*tail)->ai_next;
		}
	}
	if (head == NULL)
		return EAI_NONAME;
	if (hints != NULL && (hints->ai_flags & AI_CANONNAME)) {
		head->ai_canonname = strdup(r->canon);
		if (head->ai_canonname == NULL)
			goto oom;
	}
	pthread_mutex_lock(&ailist_lock);
	for (ai = head; ai != NULL; ai = ai->ai_next)
		if (ailist_add(ai) < 0)
			break;
	if (ai != NULL) {
		/* Unregister what was added, then free it all. */
		for (ai = head; ai != NULL && ailist_has(ai); ai = ai->ai_next)
			ailist_remove(ai);
		ailist_release(head, false);
		pthread_mutex_unlock(&ailist_lock);
		return EAI_MEMORY;
	}
	pthread_mutex_unlock(&ailist_lock);
	*res = head;
	return 0;
oom:
	ailist_release(head, false);
	return EAI_MEMORY;
}

bool
ailist_free(struct addrinfo *ai)
{
	bool ours;

	if (ai == NULL)
		return false;
	pthread_mutex_lock(&ailist_lock);
	ours = ailist_has(ai);
	if (ours)
		ailist_release(ai, true);
	pthread_mutex_unlock(&ailist_lock);
	return ours;
}

void
ailist_atfork_prepare(void)
{
	pthread_mutex_lock(&ailist_lock);
}

void
ailist_atfork_release(void)
{
	pthread_mutex_unlock(&ailist_lock);
}
