/* SPDX-License-Identifier: MIT */
/* connect(): route the program's own socket through the proxy, or pass it
 * to libc untouched. No protocol logic here. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/namestore.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/route.h"
#include "runtime/udp.h"

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
	if (rc == 0 && real_connect(fd, (struct sockaddr *)&st.relay,
	    st.relay_len) < 0)
		rc = -errno;
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	st.udp_connected = true;
	st.target = ri->target;
	memcpy(&st.peer, addr, len < sizeof(st.peer) ? len : sizeof(st.peer));
	st.peer_len = len < sizeof(st.peer) ? len : sizeof(st.peer);
	(void)fdstate_set(fd, &st);
	return 0;
}

static int
udp_disconnect(int fd)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct fdstate st;

	if (fdstate_get(fd, &st) && st.kind == FDSTATE_UDP) {
		st.udp_connected = false;
		(void)fdstate_set(fd, &st);
	}
	return real_connect(fd, &unspec, sizeof(unspec));
}

SX_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct runtime *rt = runtime_get();
	struct route_info ri;
	struct fdstate st;
	int rc;

	if (rt == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (addr != NULL && addr->sa_family == AF_UNSPEC &&
	    fdstate_kind(fd) == FDSTATE_UDP)
		return udp_disconnect(fd);
	ri.socktype = 0;
	switch (route_connect(rt, fd, addr, len, &ri)) {
	case ROUTE_DIRECT:
	default:
		return real_connect(fd, addr, len);
	case ROUTE_BLOCK:
		errno = -ri.err;
		return -1;
	case ROUTE_PROXY:
		break;
	}
	if (ri.socktype == SOCK_DGRAM)
		return udp_connect(rt, &ri, fd, addr, len);
	rc = proxy_connect(rt, &ri.path, fd, addr->sa_family, &ri.target);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.kind = FDSTATE_TCP_PROXIED;
	if (ri.placeholder) {
		namestore_pin(ri.slot);
		st.pinned = true;
		st.name_index = ri.slot;
	}
	memcpy(&st.peer, addr, len < sizeof(st.peer) ? len : sizeof(st.peer));
	st.peer_len = len < sizeof(st.peer) ? len : sizeof(st.peer);
	if (fdstate_set(fd, &st) < 0 && st.pinned)
		namestore_unpin(ri.slot);	/* no record: close() could not */
	return 0;
}
