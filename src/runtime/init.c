/* SPDX-License-Identifier: MIT */
/* Builds struct runtime on the first hooked call. Load time does nothing
 * (startup cost stays near zero); the config is read once. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/real.h"
#include "runtime/settings.h"

static struct runtime runtime;
static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static bool runtime_real;
static const struct runtime runtime_bootstrap = { .bootstrap = true };
static __thread bool runtime_initialising;

/* Resolve the proxy host: numeric needs no lookup; a name is resolved with
 * the real resolver (the proxy's own name is the one local lookup made). */
static int
runtime_resolve_proxy(struct runtime *rt)
{
	const struct proxy_url *u = &rt->cfg.proxy;
	struct sockaddr_in *sin = (struct sockaddr_in *)&rt->proxy;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&rt->proxy;
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&rt->proxy, 0, sizeof(rt->proxy));
	if (inet_pton(AF_INET, u->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(u->port);
		rt->proxy_len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, u->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u->port);
		rt->proxy_len = sizeof(*sin6);
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
	memcpy(&rt->proxy, res->ai_addr, res->ai_addrlen);
	rt->proxy_len = res->ai_addrlen;
	if (res->ai_family == AF_INET)
		sin->sin_port = htons(u->port);
	else
		sin6->sin6_port = htons(u->port);
	real_freeaddrinfo(res);
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
		/* Fail closed: nothing is proxied, nothing goes direct. */
		rt->status = -EACCES;
		log_error("configuration error: %s; connections that would "
		    "be proxied fail", rt->error);
		runtime_initialising = false;
		return;
	}
	log_set_level(rt->cfg.log_level);
	if (rt->cfg.proxy.host[0] == '[' || strchr(rt->cfg.proxy.host, ':'))
		snprintf(rt->proxy_text, sizeof(rt->proxy_text), "[%.255s]:%u",
		    rt->cfg.proxy.host, rt->cfg.proxy.port);
	else
		snprintf(rt->proxy_text, sizeof(rt->proxy_text), "%.255s:%u",
		    rt->cfg.proxy.host, rt->cfg.proxy.port);
	rc = runtime_resolve_proxy(rt);
	if (rc < 0) {
		rt->status = rc;
		log_error("%s; connections that would be proxied fail",
		    rt->error);
	}
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

/* Load time does only what exec'd children need before any fork: the
 * shared name map's descriptor (a few syscalls, nothing mapped). */
__attribute__((constructor)) static void
runtime_load(void)
{
	(void)pthread_atfork(fdstate_atfork_prepare, fdstate_atfork_release,
	    fdstate_atfork_release);
	names_preinit();
}
