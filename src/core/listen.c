/* SPDX-License-Identifier: MIT */
/* The listen() trigger: the questions about one listening socket asked in
 * one straight line, cheapest first. Pure: no syscalls. */
#include <netinet/in.h>
#include <string.h>

#include "core/listen.h"
#include "core/socks5.h"

static bool
listen_is_wildcard(const struct socks5_addr *a)
{
	static const uint8_t zero[16];

	return a->atyp != SOCKS5_ATYP_DOMAIN &&
	    memcmp(a->addr, zero, a->len) == 0;
}

/* Same IP address (ports aside; v4-mapped is IPv4 on both sides). */
static bool
listen_same_addr(const struct socks5_addr *a, const struct sockaddr *sb,
    socklen_t blen)
{
	struct socks5_addr b;

	if (socks5_addr_from_sockaddr(&b, sb, blen) < 0)
		return false;
	return a->atyp == b.atyp && a->len == b.len &&
	    memcmp(a->addr, b.addr, a->len) == 0;
}

static void
listen_here(struct listen_decision *out, const char *why)
{
	out->action = LISTEN_HERE;
	out->why = why;
}

/* Would a connection to this address go through the proxy? */
static bool
listen_routed_via_proxy(const struct route_env *env,
    const struct listen_facts *f)
{
	struct route_dest d = { .sa = f->bound, .len = f->len,
	    .socktype = SOCK_STREAM, .placeholder = ROUTE_PH_NOT };
	struct route_decision dec;

	route_decide(env, &d, &dec);
	return dec.action == ROUTE_PROXY;
}

void
listen_decide(const struct route_env *env, const struct listen_facts *f,
    struct listen_decision *out)
{
	struct socks5_addr bound;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (env->cfg->listen == LISTEN_LOCAL) {
		listen_here(out, "listen = local");
		return;
	}
	if (f->bound == NULL || f->socktype != SOCK_STREAM ||
	    socks5_addr_from_sockaddr(&bound, f->bound, f->len) < 0) {
		listen_here(out, "not a TCP/IP socket");
		return;
	}
	if (!f->ephemeral) {
		listen_here(out, "the program chose the port");
		return;
	}
	if (f->n_conn == 0) {
		listen_here(out, "no proxied connection");
		return;
	}
	if (listen_is_wildcard(&bound) && f->early) {
		listen_here(out, "a wildcard address waits until it listens");
		return;
	}
	if (listen_is_wildcard(&bound)) {
		out->action = LISTEN_VIA_PROXY;
		out->conn = 0;
		return;
	}
	if (!listen_routed_via_proxy(env, f)) {
		listen_here(out, "the address is not routed through the proxy");
		return;
	}
	for (i = 0; i < f->n_conn; i++) {
		if (listen_same_addr(&bound,
		    (const struct sockaddr *)&f->conn_local[i],
		    sizeof(f->conn_local[i]))) {
			out->action = LISTEN_VIA_PROXY;
			out->conn = i;
			return;
		}
	}
	listen_here(out, "not the local address of a proxied connection");
}
