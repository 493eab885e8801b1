/* SPDX-License-Identifier: MIT */
/* Ports per socket type for getaddrinfo() answers we build. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "runtime/service.h"

static void
service_add(struct service_ports *sp, int socktype, int protocol)
{
	sp->socktype[sp->n] = socktype;
	sp->protocol[sp->n] = protocol;
	sp->port[sp->n] = 0;
	sp->n++;
}

int
service_lookup(const char *service, const struct addrinfo *hints,
    struct service_ports *sp)
{
	int socktype = hints != NULL ? hints->ai_socktype : 0;
	int protocol = hints != NULL ? hints->ai_protocol : 0;
	int flags = hints != NULL ? hints->ai_flags : 0;
	struct servent se, *found;
	char buf[1024], *end;
	unsigned long num = 0;
	bool numeric = false;
	size_t i, out;

	sp->n = 0;
	if (service != NULL) {
		num = strtoul(service, &end, 10);
		numeric = *service != '\0' && *end == '\0' && num <= 65535;
		if (!numeric && (flags & AI_NUMERICSERV))
			return EAI_NONAME;
	}
	if ((socktype == 0 || socktype == SOCK_STREAM) &&
	    (protocol == 0 || protocol == IPPROTO_TCP))
		service_add(sp, SOCK_STREAM, IPPROTO_TCP);
	if ((socktype == 0 || socktype == SOCK_DGRAM) &&
	    (protocol == 0 || protocol == IPPROTO_UDP))
		service_add(sp, SOCK_DGRAM, IPPROTO_UDP);
	if (socktype == SOCK_RAW || (socktype == 0 && protocol == 0 &&
	    (service == NULL || numeric)))
		service_add(sp, SOCK_RAW, protocol);
	if (sp->n == 0)
		return EAI_SOCKTYPE;
	if (service == NULL || numeric) {
		for (i = 0; i < sp->n; i++)
			sp->port[i] = htons((uint16_t)num);
		return 0;
	}
	/* A named service: keep the types the database knows it for. */
	for (i = 0, out = 0; i < sp->n; i++) {
		const char *proto = sp->protocol[i] == IPPROTO_TCP ? "tcp" :
		    sp->protocol[i] == IPPROTO_UDP ? "udp" : NULL;

		if (proto == NULL || getservbyname_r(service, proto, &se, buf,
		    sizeof(buf), &found) != 0 || found == NULL)
			continue;
		sp->socktype[out] = sp->socktype[i];
		sp->protocol[out] = sp->protocol[i];
		sp->port[out] = (uint16_t)found->s_port;
		out++;
	}
	sp->n = out;
	return out > 0 ? 0 : EAI_SERVICE;
}
