/* SPDX-License-Identifier: MIT */
/* connect(): route the program's own socket through the proxy, or pass it
 * to libc untouched. No protocol logic here. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/names.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/route.h"

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
	switch (route_connect(rt, fd, addr, len, &ri)) {
	case ROUTE_DIRECT:
		return real_connect(fd, addr, len);
	case ROUTE_FAIL:
		errno = -ri.err;
		return -1;
	case ROUTE_PROXY:
		break;
	}
	rc = proxy_connect(rt, fd, addr->sa_family, &ri.target);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.kind = FDSTATE_TCP_PROXIED;
	if (ri.placeholder) {
		names_pin(ri.slot);
		st.pinned = true;
		st.name_index = ri.slot;
	}
	memcpy(&st.peer, addr, len < sizeof(st.peer) ? len : sizeof(st.peer));
	st.peer_len = len < sizeof(st.peer) ? len : sizeof(st.peer);
	(void)fdstate_set(fd, &st);	/* only getpeername() is lost on OOM */
	return 0;
}
