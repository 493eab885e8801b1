/* SPDX-License-Identifier: MIT */
/* Gathers what the routing decision (core/route.c) asks about one
 * destination of an in-process socket: its type (one getsockopt, only
 * when the decision needs it) and the name behind a placeholder. */
#include <errno.h>
#include <string.h>

#include "core/namemap.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/real.h"
#include "runtime/route.h"

void
route_env(const struct runtime *rt, struct route_env *env)
{
	env->cfg = &rt->cfg;
	env->broken = rt->status < 0 ? rt->error : NULL;
	env->proxy_hosts = rt->proxy_hosts;
	env->n_proxy_hosts = rt->n_proxy_hosts;
}

enum route_action
route_connect(const struct runtime *rt, int fd, const struct sockaddr *sa,
    socklen_t len, struct route_info *ri)
{
	char name[NAMEMAP_NAME_MAX + 1];
	struct route_decision dec;
	struct route_dest d = { .sa = sa, .len = len,
	    .socktype = ri->socktype };
	struct route_env env;
	socklen_t tlen;
	int rc;

	ri->err = 0;
	ri->placeholder = false;
	if (rt->bootstrap)
		return ROUTE_DIRECT;
	route_env(rt, &env);
	for (;;) {
		route_decide(&env, &d, &dec);
		if (dec.action == ROUTE_NEED_NAME) {
			rc = names_placeholder_name(rt, sa, name, sizeof(name),
			    &ri->slot);
			d.placeholder = rc > 0 ? ROUTE_PH_NAME : rc < 0 ?
			    ROUTE_PH_NONE : ROUTE_PH_NOT;
			d.name = name;
		} else if (dec.action == ROUTE_NEED_SOCKTYPE) {
			tlen = sizeof(d.socktype);
			if (real_getsockopt(fd, SOL_SOCKET, SO_TYPE, &d.socktype,
			    &tlen) != 0)
				return ROUTE_DIRECT;	/* let the kernel say */
		} else {
			break;
		}
	}
	ri->socktype = d.socktype;
	switch (dec.action) {
	case ROUTE_BLOCK:
		log_error("%s", dec.why);
		ri->err = -dec.err;
		return ROUTE_BLOCK;
	case ROUTE_PROXY:
		break;
	case ROUTE_DNS:
		return ROUTE_DNS;
	default:
		return ROUTE_DIRECT;
	}
	ri->target = dec.target;
	ri->placeholder = dec.by_name;
	if (dec.upstream >= 0)
		proxy_single_path(&rt->upstream[dec.upstream], &ri->path);
	else
		proxy_default_path(rt, &ri->path);
	return ROUTE_PROXY;
}
