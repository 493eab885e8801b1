/* SPDX-License-Identifier: MIT */
/* connect(): route the program's own socket through the proxy, or pass it
 * to libc untouched. A socket already connected through the proxy is
 * EISCONN: nothing is ever written into an established tunnel. No
 * protocol logic here. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "hooks/hooks.h"
#include "runtime/dnsport.h"
#include "runtime/async.h"
#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/inbound.h"
#include "runtime/init.h"
#include "runtime/namestore.h"
#include "runtime/pollmask.h"
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

/* connect() again while the handshake is pending: EALREADY on a
 * non-blocking socket; a blocking one waits for the end, as the kernel
 * does. A failure is reported once (then the socket is the program's
 * again, unconnected). */
static int
connect_again(int fd, const struct fdstate *st)
{
	int fl, rc;

	if (st->kind == FDSTATE_TCP_PENDING) {
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && (fl & O_NONBLOCK)) {
			errno = EALREADY;
			return -1;
		}
		rc = pollmask_wait_fd(fd, st);
		if (rc == 0)
			return 0;
		if (rc == -ESTALE)
			rc = -EALREADY;
	} else {
		rc = fdstate_forget(fd) ? -st->u.tcp.err : -EALREADY;
	}
	errno = -rc;
	return -1;
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
	if (st.kind == FDSTATE_TCP_PENDING || st.kind == FDSTATE_TCP_FAILED) {
		*done = true;
		return connect_again(fd, &st);
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

/*
 * TCP through the proxy. A non-blocking socket's handshake goes to the
 * asynchronous engine (EINPROGRESS); a blocking one runs here, and when a
 * signal without SA_RESTART interrupts it, goes there too (EINTR).
 * Returns connect()'s -1 or 0 when answered, or 1: the tunnel is up on a
 * blocking socket, to be recorded by the caller.
 */
static int
connect_tcp(const struct runtime *rt, const struct route_info *ri, int fd,
    const struct sockaddr *addr, socklen_t len, struct path *used,
    struct socks5_addr *bnd)
{
	struct proxy_op op;
	int fl, rc;

	if (rt->status < 0) {
		rc = proxy_connect(rt, &ri->path, fd, addr->sa_family,
		    &ri->target);	/* logs the refusal */
		errno = -rc;
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK)) {
		rc = async_connect(rt, ri, fd, addr, len, fl);
	} else {
		proxy_op_start(&op, rt, &ri->path, fd, addr->sa_family,
		    SOCKS5_CMD_CONNECT, &ri->target, fl);
		rc = proxy_run(&op, true);
		if (rc == -EINTR) {
			/* Taken over (its record made there), or no thread:
			 * then wait on. */
			rc = async_adopt(&op, ri, fd, addr, len);
			if (rc == 1)
				rc = proxy_run(&op, false);
			else if (rc == 0)
				return 0;
		}
		if (rc == 0) {
			*used = *op.path;
			*bnd = op.hs.bnd;
			return 1;
		}
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
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
	rc = connect_tcp(rt, &ri, fd, addr, len, &used, &bnd);
	if (rc != 1)
		return rc;
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
