/* SPDX-License-Identifier: MIT */
/* bind(), listen(), accept(), accept4(), getsockname(): listeners that
 * the proxy serves (SOCKS5 BIND, runtime/inbound.h), and the proxy's side
 * as the local address of a proxied connection; every other socket goes
 * to libc untouched, and accept() or getsockname() of a descriptor
 * without a record costs one lock-free test. No protocol logic here. */
#include <errno.h>
#include <sys/socket.h>

#include "hooks/hooks.h"
#include "runtime/export.h"
#include "runtime/fdstate.h"
#include "runtime/inbound.h"
#include "runtime/init.h"
#include "runtime/real.h"

/* The runtime state once a connection went through the proxy (it is
 * built by then); NULL before: nothing to decide yet. */
static const struct runtime *
listen_runtime(void)
{
	return inbound_active() ? runtime_get() : NULL;
}

int
sx_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct runtime *rt;
	struct sockaddr_storage ss;
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if ((rt = listen_runtime()) != NULL)
		addr = inbound_bind_addr(rt, addr, len, &ss, &len);
	rc = real_bind(fd, addr, len);
	if (rc == 0)
		inbound_bound(fd, addr, len);
	return rc;
}

SX_EXPORT int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return sx_bind(fd, addr, len);
}

int
sx_listen(int fd, int backlog)
{
	const struct runtime *rt;
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if ((rt = listen_runtime()) == NULL) {
		/* No proxied connection: a local listener, as it asked. */
		if (fdstate_kind(fd) == FDSTATE_BIND)
			(void)fdstate_forget(fd);
		return real_listen(fd, backlog);
	}
	rc = inbound_listen(rt, fd, backlog);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

SX_EXPORT int
listen(int fd, int backlog)
{
	return sx_listen(fd, backlog);
}

static int
accept_any(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int rc;

	rc = inbound_accept(fd, addr, len, flags);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

SX_EXPORT int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_BIND)
		return real_accept(fd, addr, len);
	return accept_any(fd, addr, len, 0);
}

int
sx_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	if (fdstate_kind(fd) != FDSTATE_BIND)
		return real_accept4(fd, addr, len, flags);
	return accept_any(fd, addr, len, flags);
}

SX_EXPORT int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return sx_accept4(fd, addr, len, flags);
}

int
sx_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	const struct runtime *rt;
	enum fdstate_kind kind;
	struct fdstate st;
	int rc;

	if (real_init() < 0) {
		errno = ENOSYS;
		return -1;
	}
	kind = fdstate_kind(fd);
	if ((kind != FDSTATE_BIND && kind != FDSTATE_TCP_PROXIED) ||
	    addr == NULL || len == NULL || (rt = listen_runtime()) == NULL ||
	    !fdstate_get(fd, &st))
		return real_getsockname(fd, addr, len);
	rc = inbound_sockname(rt, fd, &st, addr, len);
	if (rc == 1)
		return real_getsockname(fd, addr, len);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

SX_EXPORT int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sx_getsockname(fd, addr, len);
}
