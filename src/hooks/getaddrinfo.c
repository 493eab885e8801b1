/* SPDX-License-Identifier: MIT */
/* getaddrinfo()/freeaddrinfo(): names the proxy must resolve get a
 * placeholder; everything else goes to libc. The lists we build are ours
 * to free (runtime/ailist.c knows them); every other list is libc's. */
#include <errno.h>
#include <netdb.h>

#include "runtime/ailist.h"
#include "runtime/export.h"
#include "runtime/init.h"
#include "runtime/names.h"
#include "runtime/real.h"
#include "runtime/service.h"

SX_EXPORT void
freeaddrinfo(struct addrinfo *ai)
{
	if (ailist_free(ai))
		return;
	if (real_init() == 0)
		real_freeaddrinfo(ai);
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
	return ailist_build(&r, hints, &sp, res);
}
