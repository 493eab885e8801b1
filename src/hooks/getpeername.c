/* SPDX-License-Identifier: MIT */
/* getpeername(): on a proxied socket, the destination the program asked
 * for, not the proxy. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/real.h"

SX_EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct fdstate st;
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) == FDSTATE_NONE || !fdstate_get(fd, &st) ||
	    !(st.kind == FDSTATE_TCP_PROXIED ||
	    (st.kind == FDSTATE_UDP && st.udp_connected)))
		return real_getpeername(fd, addr, len);
	/* Still connected to the proxy? Then report the program's peer. */
	rc = real_getpeername(fd, addr, len);
	if (rc < 0 || len == NULL)
		return rc;
	memcpy(addr, &st.peer, *len < st.peer_len ? *len : st.peer_len);
	*len = st.peer_len;
	return 0;
}
