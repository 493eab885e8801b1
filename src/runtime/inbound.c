/* SPDX-License-Identifier: MIT */
/* The facts the listen() trigger (core/listen.c) asks for: the recent
 * proxied connections a BIND goes the way of, what a socket is bound to;
 * and the addresses proxied sockets report as their own. The BIND itself
 * is in inbound_bind.c, accept() in inbound_accept.c. */
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "core/listen.h"
#include "runtime/inbound.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/route.h"

/* How many recent proxied connections are remembered (newest first). */
#define INBOUND_RECENT 16

/* Under inbound_lock(). */
static struct inbound_recent inbound_ring[INBOUND_RECENT];
static size_t inbound_n;
static atomic_bool inbound_seen;	/* inbound_n was > 0 once */

bool
inbound_active(void)
{
	return atomic_load_explicit(&inbound_seen, memory_order_acquire);
}

void
inbound_note(int fd, uint64_t cookie, const struct socks5_addr *target,
    const struct path *path, const struct sockaddr_storage *self,
    socklen_t self_len)
{
	struct inbound_recent *e = &inbound_ring[0];
	size_t i;

	inbound_lock();
	/* A connection at the same number is an earlier socket: gone. */
	for (i = 0; i < inbound_n && inbound_ring[i].fd != fd; i++)
		;
	if (i == inbound_n && inbound_n < INBOUND_RECENT)
		inbound_n++;
	if (i == INBOUND_RECENT)
		i--;			/* full: the oldest goes */
	memmove(&inbound_ring[1], &inbound_ring[0], i * sizeof(*e));
	e->fd = fd;
	e->cookie = cookie;
	e->target = *target;
	e->path = *path;
	e->self_len = self_len <= sizeof(e->self) ? self_len : 0;
	if (e->self_len > 0)
		memcpy(&e->self, self, e->self_len);
	inbound_unlock();
	atomic_store_explicit(&inbound_seen, true, memory_order_release);
}

/* The live ones among the recent connections, newest first, each with
 * its real local address. Returns how many. */
static size_t
inbound_live(struct inbound_recent *live, struct sockaddr_storage *local)
{
	struct inbound_recent snap[INBOUND_RECENT];
	struct fdstate st;
	socklen_t len;
	size_t i, n, k = 0;

	inbound_lock();
	n = inbound_n;
	memcpy(snap, inbound_ring, n * sizeof(snap[0]));
	inbound_unlock();
	for (i = 0; i < n; i++) {
		if (!fdstate_get(snap[i].fd, &st) ||
		    st.kind != FDSTATE_TCP_PROXIED ||
		    st.cookie != snap[i].cookie)
			continue;
		len = sizeof(local[k]);
		memset(&local[k], 0, sizeof(local[k]));
		if (real_getsockname(snap[i].fd, (struct sockaddr *)&local[k],
		    &len) < 0)
			continue;
		live[k++] = snap[i];
	}
	return k;
}

/* The port of an AF_INET/AF_INET6 address; 1 for anything else. */
static uint16_t
inbound_port(const struct sockaddr *sa, socklen_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 1;
}

static bool
inbound_same_ip(const struct sockaddr *a, socklen_t alen,
    const struct sockaddr *b, socklen_t blen)
{
	struct socks5_addr x, y;

	return socks5_addr_from_sockaddr(&x, a, alen) == 0 &&
	    socks5_addr_from_sockaddr(&y, b, blen) == 0 &&
	    x.atyp == y.atyp && x.len == y.len &&
	    memcmp(x.addr, y.addr, x.len) == 0;
}

bool
inbound_self(const struct runtime *rt, const struct socks5_addr *bnd,
    int family, struct sockaddr_storage *ss, socklen_t *len)
{
	static const uint8_t zero[16];

	if (rt->cfg.listen != LISTEN_AUTO ||
	    bnd->atyp == SOCKS5_ATYP_DOMAIN ||
	    memcmp(bnd->addr, zero, bnd->len) == 0)
		return false;
	return socks5_addr_to_sockaddr(bnd, family, ss, len) == 0;
}

const struct sockaddr *
inbound_bind_addr(const struct runtime *rt, const struct sockaddr *addr,
    socklen_t len, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct inbound_recent live[INBOUND_RECENT];
	struct sockaddr_storage local[INBOUND_RECENT];
	bool any = false;
	size_t i, n;

	if (rt->bootstrap || rt->cfg.listen != LISTEN_AUTO || addr == NULL ||
	    inbound_port(addr, len) != 0)
		return addr;
	inbound_lock();
	for (i = 0; i < inbound_n && !any; i++)
		any = inbound_ring[i].self_len > 0 && inbound_same_ip(addr,
		    len, (struct sockaddr *)&inbound_ring[i].self,
		    inbound_ring[i].self_len);
	inbound_unlock();
	if (!any)
		return addr;
	n = inbound_live(live, local);
	for (i = 0; i < n; i++) {
		if (live[i].self_len == 0 || !inbound_same_ip(addr, len,
		    (struct sockaddr *)&live[i].self, live[i].self_len))
			continue;
		if (local[i].ss_family != addr->sa_family)
			break;		/* the kernel will say */
		memcpy(ss, &local[i], sizeof(*ss));
		if (ss->ss_family == AF_INET) {
			((struct sockaddr_in *)ss)->sin_port = 0;
			*sslen = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)ss)->sin6_port = 0;
			*sslen = sizeof(struct sockaddr_in6);
		}
		log_debug("bind: the proxy's address stands for the local "
		    "address of descriptor %d", live[i].fd);
		return (const struct sockaddr *)ss;
	}
	return addr;
}

void
inbound_bound(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct fdstate st;
	socklen_t tlen = sizeof(int);
	int saved = errno, type = 0;

	if (addr == NULL || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    inbound_port(addr, len) != 0)
		return;
	if (real_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
	    type == SOCK_STREAM) {
		memset(&st, 0, sizeof(st));
		st.kind = FDSTATE_BIND;
		st.u.bind.state = FDSTATE_BIND_CANDIDATE;
		(void)fdstate_set(fd, &st);
	}
	errno = saved;
}

bool
inbound_decide(const struct runtime *rt, int fd, bool rec, bool early,
    struct inbound_recent *e, int *family)
{
	struct inbound_recent live[INBOUND_RECENT];
	struct sockaddr_storage bound, peer, local[INBOUND_RECENT];
	socklen_t blen = sizeof(bound), plen = sizeof(peer);
	socklen_t tlen = sizeof(int);
	struct listen_facts f = { .socktype = 0 };
	struct listen_decision dec;
	struct route_env env;

	if (rt->bootstrap || rt->cfg.listen != LISTEN_AUTO)
		return false;
	memset(&bound, 0, sizeof(bound));
	if (real_getsockname(fd, (struct sockaddr *)&bound, &blen) < 0 ||
	    real_getsockopt(fd, SOL_SOCKET, SO_TYPE, &f.socktype, &tlen) < 0 ||
	    real_getpeername(fd, (struct sockaddr *)&peer, &plen) == 0)
		return false;	/* the kernel has its say */
	f.bound = (const struct sockaddr *)&bound;
	f.len = blen;
	f.ephemeral = rec ||
	    inbound_port((const struct sockaddr *)&bound, blen) == 0;
	f.early = early;
	f.n_conn = inbound_live(live, local);
	f.conn_local = local;
	route_env(rt, &env);
	listen_decide(&env, &f, &dec);
	if (dec.action != LISTEN_VIA_PROXY) {
		log_debug("listen on descriptor %d stays local: %s", fd,
		    dec.why);
		return false;
	}
	*e = live[dec.conn];
	*family = bound.ss_family;
	return true;
}
