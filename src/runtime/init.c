/* SPDX-License-Identifier: MIT */
/* Builds struct runtime on the first hooked call. Load time does nothing
 * (startup cost stays near zero); the config is read once. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/namemap.h"
#include "runtime/ailist.h"
#include "runtime/async.h"
#include "runtime/epreg.h"
#include "runtime/fdstate.h"
#include "runtime/inbound.h"
#include "runtime/init.h"
#include "runtime/log.h"
#include "runtime/namestore.h"
#include "runtime/ownfd.h"
#include "runtime/pollmask.h"
#include "runtime/real.h"
#include "runtime/settings.h"

static struct runtime runtime;
static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static bool runtime_real;
static const struct runtime runtime_bootstrap = { .bootstrap = true };
static __thread bool runtime_initialising;

/* Resolve a proxy host: numeric needs no lookup; a name is resolved with
 * the real resolver (the proxies' own names are the only local lookups). */
static int
runtime_resolve_hop(struct runtime *rt, struct hop *h,
    const struct proxy_url *u)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&h->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&h->addr;
	struct addrinfo hints, *res = NULL;
	int rc;

	h->url = u;
	if (strchr(u->host, ':') != NULL)
		snprintf(h->text, sizeof(h->text), "[%.255s]:%u", u->host,
		    u->port);
	else
		snprintf(h->text, sizeof(h->text), "%.255s:%u", u->host,
		    u->port);
	memset(&h->addr, 0, sizeof(h->addr));
	if (inet_pton(AF_INET, u->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(u->port);
		h->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, u->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u->port);
		h->len = sizeof(*sin6);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = real_getaddrinfo(u->host, NULL, &hints, &res);
	if (rc != 0 || res == NULL) {
		snprintf(rt->error, sizeof(rt->error),
		    "cannot resolve proxy host '%s': %s", u->host,
		    gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	memcpy(&h->addr, res->ai_addr, res->ai_addrlen);
	h->len = res->ai_addrlen;
	if (res->ai_family == AF_INET)
		sin->sin_port = htons(u->port);
	else
		sin6->sin6_port = htons(u->port);
	real_freeaddrinfo(res);
	return 0;
}

/* A first hop's address as a one-address network for the decision. */
static void
runtime_add_proxy_host(struct runtime *rt, const struct hop *h)
{
	struct rules_net *n = &rt->proxy_hosts[rt->n_proxy_hosts];
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&h->addr;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&h->addr;

	if (rt->n_proxy_hosts >= sizeof(rt->proxy_hosts) /
	    sizeof(rt->proxy_hosts[0]))
		return;
	memset(n, 0, sizeof(*n));
	if (h->addr.ss_family == AF_INET) {
		n->family = AF_INET;
		n->prefix = 32;
		memcpy(n->addr, &s4->sin_addr, 4);
	} else if (h->addr.ss_family == AF_INET6) {
		n->family = AF_INET6;
		n->prefix = 128;
		memcpy(n->addr, &s6->sin6_addr, 16);
	} else {
		return;
	}
	rt->n_proxy_hosts++;
}

static int
runtime_resolve_all(struct runtime *rt)
{
	const struct config *c = &rt->cfg;
	size_t i;
	int rc;

	rc = runtime_resolve_hop(rt, &rt->proxy, &c->proxy);
	for (i = 0; rc == 0 && i < c->n_chain; i++)
		rc = runtime_resolve_hop(rt, &rt->chain[i], &c->chain[i]);
	rt->n_chain = c->n_chain;
	for (i = 0; rc == 0 && i < c->n_fallback; i++)
		rc = runtime_resolve_hop(rt, &rt->fallback[i],
		    &c->fallback[i]);
	rt->n_fallback = c->n_fallback;
	for (i = 0; rc == 0 && i < c->n_upstream; i++)
		rc = runtime_resolve_hop(rt, &rt->upstream[i],
		    &c->upstream[i].url);
	rt->n_upstream = c->n_upstream;
	if (rc < 0)
		return rc;
	runtime_add_proxy_host(rt, rt->n_chain > 0 ? &rt->chain[0] :
	    &rt->proxy);
	for (i = 0; i < rt->n_fallback; i++)
		runtime_add_proxy_host(rt, &rt->fallback[i]);
	for (i = 0; i < rt->n_upstream; i++)
		runtime_add_proxy_host(rt, &rt->upstream[i]);
	return 0;
}

static void
runtime_init(void)
{
	struct runtime *rt = &runtime;
	char source[4096];
	int rc;

	if (real_init() < 0) {
		rt->status = -ENOSYS;
		snprintf(rt->error, sizeof(rt->error),
		    "libc symbols not found: socksify is disabled");
		return;
	}
	runtime_real = true;
	runtime_initialising = true;
	rc = settings_load(&rt->cfg, source, sizeof(source), rt->error,
	    sizeof(rt->error));
	if (rc < 0) {
		/* Fail closed: nothing is proxied, nothing goes direct. Each
		 * refused call says why in its own line. */
		rt->status = -EACCES;
		runtime_initialising = false;
		return;
	}
	log_set_level(rt->cfg.log_level);
	if (rt->cfg.log_file[0] != '\0')
		log_open_file(rt->cfg.log_file);
	rc = runtime_resolve_all(rt);
	if (rc < 0)
		rt->status = rc;
	else
		namestore_configure(namemap_slots_for_prefix_v4(
		    rt->cfg.placeholder_v4.prefix));
	runtime_initialising = false;
}

const struct runtime *
runtime_get(void)
{
	if (runtime_initialising)
		return &runtime_bootstrap;
	(void)pthread_once(&runtime_once, runtime_init);
	return runtime_real ? &runtime : NULL;
}

/* fork(): no lock of ours is inherited held; the child re-owns the
 * descriptor records (taking its own name-map pins) and the registry of
 * own descriptors, and has no asynchronous engine (the pending
 * handshakes are the parent's). Lock order: async, inbound, fdstate,
 * epreg, ownfd, ailist. */
static void
runtime_atfork_prepare(void)
{
	async_atfork_prepare();
	inbound_atfork_prepare();
	fdstate_atfork_prepare();
	epreg_atfork_prepare();
	ownfd_atfork_prepare();
	ailist_atfork_prepare();
}

static void
runtime_atfork_parent(void)
{
	ailist_atfork_release();
	ownfd_atfork_parent();
	epreg_atfork_parent();
	fdstate_atfork_parent();
	inbound_atfork_parent();
	async_atfork_parent();
}

static void
runtime_atfork_child(void)
{
	ailist_atfork_release();
	ownfd_atfork_child();
	epreg_atfork_child();
	fdstate_atfork_child();
	inbound_atfork_child();
	async_atfork_child();
	pollmask_atfork_child();
}

/* Load time does only what exec'd children need before any fork: the
 * shared name map's descriptor (a few syscalls, nothing mapped). */
__attribute__((constructor)) static void
runtime_load(void)
{
	fdstate_init_owner();
	async_init();
	(void)pthread_atfork(runtime_atfork_prepare, runtime_atfork_parent,
	    runtime_atfork_child);
	namestore_preinit();
}

/* Normal exit: the pins of this process's sockets go with them. */
__attribute__((destructor)) static void
runtime_unload(void)
{
	fdstate_exit();
}
