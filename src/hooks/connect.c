/* SPDX-License-Identifier: MIT */
/* connect(): route the program's own socket through the proxy, or pass it
 * to libc untouched. No protocol logic here. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/route.h"

SX_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct runtime *rt = runtime_get();
	struct socks5_addr target;
	struct fdstate st;
	int rc;

	if (rt == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (route_connect(rt, fd, addr, len, &target) == ROUTE_DIRECT)
		return real_connect(fd, addr, len);
	rc = proxy_connect(rt, fd, addr->sa_family, &target);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.kind = FDSTATE_TCP_PROXIED;
	memcpy(&st.peer, addr, len < sizeof(st.peer) ? len : sizeof(st.peer));
	st.peer_len = len < sizeof(st.peer) ? len : sizeof(st.peer);
	(void)fdstate_set(fd, &st);	/* only getpeername() is lost on OOM */
	return 0;
}
