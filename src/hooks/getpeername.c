/* SPDX-License-Identifier: MIT */
/* getpeername(): on a proxied socket (still the socket its record was made
 * for), the destination the program asked for, not the proxy; on one the
 * DNS answerer serves, the server it connected to; a listener served by
 * the proxy has no peer; ENOTCONN while an asynchronous connect is
 * pending or after it failed. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/real.h"

SX_EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	const struct sockaddr_storage *peer;
	struct fdstate st;
	socklen_t plen;
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) == FDSTATE_NONE || !fdstate_get(fd, &st))
		return real_getpeername(fd, addr, len);
	if (st.kind == FDSTATE_TCP_PENDING || st.kind == FDSTATE_TCP_FAILED) {
		errno = ENOTCONN;	/* not (yet) connected */
		return -1;
	}
	if (st.kind == FDSTATE_TCP_PROXIED) {
		peer = &st.u.tcp.peer;
		plen = st.u.tcp.peer_len;
	} else if (st.kind == FDSTATE_UDP && st.u.udp.connected) {
		peer = &st.u.udp.peer;
		plen = st.u.udp.peer_len;
	} else if (st.kind == FDSTATE_DNS && st.u.dns.connected) {
		peer = &st.u.dns.server;	/* not our loopback socket */
		plen = st.u.dns.server_len;
	} else if (st.kind == FDSTATE_BIND &&
	    st.u.bind.state == FDSTATE_BIND_WAITING) {
		/* A listener (its descriptor is the BIND's control
		 * connection, the proxy is not its peer). */
		errno = ENOTCONN;
		return -1;
	} else {
		return real_getpeername(fd, addr, len);
	}
	/* Still connected to the proxy? Then report the program's peer. */
	rc = real_getpeername(fd, addr, len);
	if (rc < 0 || len == NULL)
		return rc;
	memcpy(addr, peer, *len < plen ? *len : plen);
	*len = plen;
	return 0;
}
