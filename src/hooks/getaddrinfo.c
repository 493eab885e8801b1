/* SPDX-License-Identifier: MIT */
/* getaddrinfo()/freeaddrinfo(): names the proxy must resolve get a
 * placeholder; everything else goes to libc. Results are laid out as
 * glibc lays out its own (one block per entry, canonname apart), so either
 * freeaddrinfo frees either list. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/export.h"
#include "runtime/init.h"
#include "runtime/names.h"
#include "runtime/real.h"
#include "runtime/service.h"

static struct addrinfo *
gai_entry(int family, const uint8_t *addr, uint16_t port, int socktype,
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

SX_EXPORT void
freeaddrinfo(struct addrinfo *ai)
{
	struct addrinfo *next;

	for (; ai != NULL; ai = next) {
		next = ai->ai_next;
		free(ai->ai_canonname);
		free(ai);
	}
}

/* Build the list for r: one entry per address and socket type. */
static int
gai_build(const struct names_result *r, const struct addrinfo *hints,
    const struct service_ports *sp, struct addrinfo **res)
{
	struct addrinfo *head = NULL, **tail = &head;
	size_t i, t;

	for (i = 0; i < r->n; i++) {
		for (t = 0; t < sp->n; t++) {
			*tail = gai_entry(r->family[i], r->addr[i],
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
	*res = head;
	return 0;
oom:
	freeaddrinfo(head);
	return EAI_MEMORY;
}

SX_EXPORT int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	const struct runtime *rt = runtime_get();
	struct names_result r;
	struct service_ports sp;
	int family = hints != NULL ? hints->ai_family : AF_UNSPEC;
	int err = 0, rc;

	if (rt == NULL)
		return EAI_FAIL;
	if (node == NULL || res == NULL || (family != AF_UNSPEC &&
	    family != AF_INET && family != AF_INET6) ||
	    (hints != NULL && (hints->ai_flags & AI_NUMERICHOST)))
		return real_getaddrinfo(node, service, hints, res);
	switch (names_resolve(rt, node, family, &r, &err)) {
	case NAMES_REAL:
		return real_getaddrinfo(node, service, hints, res);
	case NAMES_ERROR:
		if (err == -ENOENT)
			return EAI_NONAME;
		return err == -EAGAIN ? EAI_AGAIN : EAI_FAIL;
	case NAMES_ANSWER:
		break;
	}
	if (hints != NULL && (hints->ai_flags & AI_ADDRCONFIG))
		names_addrconfig(&r);
	rc = service_lookup(service, hints, &sp);
	if (rc != 0)
		return rc;
	return gai_build(&r, hints, &sp, res);
}
