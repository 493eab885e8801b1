/* SPDX-License-Identifier: MIT */
/* connect(): route the program's own socket through the proxy, or pass it
 * to libc untouched. A socket already connected through the proxy is
 * EISCONN: nothing is ever written into an established tunnel. No
 * protocol logic here. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "hooks/hooks.h"
#include "runtime/dnsport.h"
#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/inbound.h"
#include "runtime/init.h"
#include "runtime/namestore.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/route.h"
#include "runtime/udp.h"

static void
connect_copy_peer(struct sockaddr_storage *peer, socklen_t *plen,
    const struct sockaddr *addr, socklen_t len)
{
	*plen = len < sizeof(*peer) ? len : sizeof(*peer);
	memcpy(peer, addr, *plen);
}

/* connect() on a UDP socket: associate, point the socket at the relay
 * (so the kernel filters strangers and send() needs no address), and
 * remember the destination for send() and getpeername(). */
static int
udp_connect(const struct runtime *rt, const struct route_info *ri, int fd,
    const struct sockaddr *addr, socklen_t len)
{
	struct fdstate st;
	int rc;

	rc = udp_ensure(rt, &ri->path, fd, addr->sa_family, &st);
	if (rc == 0 && real_connect(fd, (struct sockaddr *)&st.u.udp.relay,
	    st.u.udp.relay_len) < 0)
		rc = -errno;
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	st.u.udp.connected = true;
	st.u.udp.target = ri->target;
	connect_copy_peer(&st.u.udp.peer, &st.u.udp.peer_len, addr, len);
	(void)fdstate_update(fd, &st);
	return 0;
}

/* A UDP socket with an association connects elsewhere (AF_UNSPEC, or a
 * direct destination): send() no longer goes through the relay. */
static int
udp_disconnect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct fdstate st;

	if (fdstate_get(fd, &st) && st.kind == FDSTATE_UDP &&
	    st.u.udp.connected) {
		st.u.udp.connected = false;
		(void)fdstate_update(fd, &st);
	}
	return real_connect(fd, addr, len);
}

/* A socket with a record: -1 and errno when the call is answered here,
 * else 0 (go on routing). */
static int
connect_recorded(int fd, const struct sockaddr *addr, socklen_t len,
    bool *done)
{
	struct fdstate st;

	*done = false;
	if (!fdstate_get(fd, &st))
		return 0;	/* none, or stale (dropped): untracked */
	if (st.kind == FDSTATE_UDP && addr != NULL &&
	    addr->sa_family == AF_UNSPEC) {
		*done = true;
		return udp_disconnect(fd, addr, len);
	}
	if (st.kind == FDSTATE_DNS) {
		if (st.u.dns.type == SOCK_STREAM && st.u.dns.connected) {
			*done = true;
			errno = EISCONN;
			return -1;
		}
		/* A datagram socket connects elsewhere (or disconnects):
		 * the answerer's connection ends; route anew. */
		(void)fdstate_forget(fd);
		return 0;
	}
	if (st.kind == FDSTATE_BIND) {
		/* Bound, never listened on: an ordinary socket again. */
		if (inbound_connecting(fd, &st) == 0)
			return 0;
		*done = true;
		errno = EISCONN;
		return -1;
	}
	if (st.kind != FDSTATE_TCP_PROXIED)
		return 0;
	*done = true;
	if (addr != NULL && addr->sa_family == AF_UNSPEC) {
		/* Disconnect from the proxy: the socket is the program's
		 * again, unconnected. */
		(void)fdstate_forget(fd);
		return real_connect(fd, addr, len);
	}
	errno = EISCONN;
	return -1;
}

int
sx_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct runtime *rt = runtime_get();
	struct route_info ri;
	struct fdstate st;
	struct socks5_addr bnd;
	struct path used;
	bool done;
	int rc;

	if (rt == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_NONE) {
		rc = connect_recorded(fd, addr, len, &done);
		if (done)
			return rc;
	}
	ri.socktype = 0;
	switch (route_connect(rt, fd, addr, len, &ri)) {
	case ROUTE_DIRECT:
	default:
		if (fdstate_kind(fd) == FDSTATE_UDP)
			return udp_disconnect(fd, addr, len);
		return real_connect(fd, addr, len);
	case ROUTE_BLOCK:
		errno = -ri.err;
		return -1;
	case ROUTE_DNS:
		rc = dnsport_connect(rt, fd, ri.socktype, addr, len);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		return 0;
	case ROUTE_PROXY:
		break;
	}
	if (ri.socktype == SOCK_DGRAM)
		return udp_connect(rt, &ri, fd, addr, len);
	rc = proxy_connect_via(rt, &ri.path, fd, addr->sa_family, &ri.target,
	    &used, &bnd);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.kind = FDSTATE_TCP_PROXIED;
	if (ri.placeholder) {
		namestore_pin(ri.slot);
		st.u.tcp.pinned = true;
		st.u.tcp.name_index = ri.slot;
	}
	connect_copy_peer(&st.u.tcp.peer, &st.u.tcp.peer_len, addr, len);
	if (!inbound_self(rt, &bnd, addr->sa_family, &st.u.tcp.self,
	    &st.u.tcp.self_len))
		st.u.tcp.self_len = 0;
	if (fdstate_set(fd, &st) < 0) {
		if (st.u.tcp.pinned)	/* no record: close() could not */
			namestore_unpin(ri.slot);
	} else {
		/* A later listen() may BIND where this connection goes. */
		inbound_note(fd, st.cookie, &ri.target, &used, &st.u.tcp.self,
		    st.u.tcp.self_len);
	}
	return 0;
}

SX_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return sx_connect(fd, addr, len);
}
