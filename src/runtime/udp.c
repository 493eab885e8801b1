/* SPDX-License-Identifier: MIT */
/* UDP ASSOCIATE: the control connection, wrapping datagrams with the
 * RFC 1928 UDP request header and unwrapping replies from the relay. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/ownfd.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/udp.h"

#define UDP_MAX_DATAGRAM 65535

/* The relay in the program socket's family; an unspecified BND.ADDR means
 * "the proxy's own address" (RFC 1928 leaves it to the server). */
static int
udp_relay_addr(const struct hop *hop, int family,
    const struct socks5_addr *bnd, struct sockaddr_storage *ss,
    socklen_t *len)
{
	static const uint8_t zero[16];
	struct socks5_addr relay = *bnd;

	if (bnd->atyp == SOCKS5_ATYP_DOMAIN)
		return -EPROTO;
	if (memcmp(bnd->addr, zero, bnd->len) == 0) {
		/* Unspecified: the proxy's own address, with BND.PORT. */
		if (socks5_addr_from_sockaddr(&relay,
		    (const struct sockaddr *)&hop->addr, hop->len) < 0)
			return -EPROTO;
		relay.port = bnd->port;
	}
	return socks5_addr_to_sockaddr(&relay, family, ss, len);
}

/* The program dup2()ed over the control connection of UDP socket arg: it
 * moved to `to` (-1: lost, the association is over). */
static void
udp_ctl_moved(int from, int to, intptr_t arg)
{
	struct fdstate st;
	int fd = (int)arg;

	if (!fdstate_get(fd, &st) || st.kind != FDSTATE_UDP ||
	    st.u.udp.ctl_fd != from)
		return;
	st.u.udp.ctl_fd = to;
	(void)fdstate_update(fd, &st);
}

/* A TCP socket for the control connection: an own descriptor. */
static int
udp_ctl_socket(int family, int fd)
{
	int cfd, own;

	cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		return -errno;
	own = ownfd_adopt(cfd, true, udp_ctl_moved, fd);
	if (own < 0)
		(void)real_close(cfd);
	return own;
}

static void
udp_ctl_close(int cfd)
{
	ownfd_release(cfd);
	(void)real_close(cfd);
}

int
udp_ensure(const struct runtime *rt, const struct path *path, int fd,
    int family, struct fdstate *st)
{
	const struct hop *hop = path->hop[0];
	struct socks5_addr any, bnd;
	struct fdstate_udp *u = &st->u.udp;
	int cfd, rc;

	if (fdstate_get(fd, st) && st->kind == FDSTATE_UDP)
		return 0;
	if (rt->status < 0)
		return proxy_handshake(rt, path, -1, family,
		    SOCKS5_CMD_UDP_ASSOCIATE, NULL, NULL);
	if (path->n != 1) {
		log_error("UDP association: UDP cannot go through a proxy "
		    "chain (the relay of the last hop is not reachable)");
		return -EOPNOTSUPP;
	}
	cfd = udp_ctl_socket(hop->addr.ss_family, fd);
	if (cfd < 0) {
		log_error("UDP association: cannot open the control "
		    "connection: %s", strerror(-cfd));
		return cfd;
	}
	/* DST 0.0.0.0:0: we do not know our source yet (RFC 1928 sec. 6). */
	memset(&any, 0, sizeof(any));
	any.atyp = SOCKS5_ATYP_IPV4;
	any.len = 4;
	rc = proxy_handshake(rt, path, cfd, hop->addr.ss_family,
	    SOCKS5_CMD_UDP_ASSOCIATE, &any, &bnd);
	if (rc < 0)
		goto fail;
	memset(st, 0, sizeof(*st));
	st->kind = FDSTATE_UDP;
	u->ctl_fd = cfd;
	rc = fdstate_cookie(cfd, &u->ctl_cookie);
	if (rc < 0)
		goto fail;
	rc = udp_relay_addr(hop, family, &bnd, &u->relay, &u->relay_len);
	if (rc < 0) {
		log_error("UDP association via %s: unusable relay address in "
		    "the reply", hop->text);
		goto fail;
	}
	rc = fdstate_add(fd, st);
	if (rc == -EEXIST) {	/* another thread won the race */
		udp_ctl_close(cfd);
		return 0;
	}
	if (rc < 0)
		goto fail;
	return 0;
fail:
	udp_ctl_close(cfd);
	return rc;
}

/* The control connection ends the association when it closes (sec. 7). */
static bool
udp_alive(const struct fdstate *st)
{
	struct pollfd pfd = { .fd = st->u.udp.ctl_fd, .events = POLLIN };
	char c;

	if (st->u.udp.ctl_fd < 0)
		return false;	/* lost to a program's dup2() */
	if (real_poll(&pfd, 1, 0) <= 0)
		return true;
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
		return false;
	return real_recv(st->u.udp.ctl_fd, &c, 1,
	    MSG_PEEK | MSG_DONTWAIT) > 0;
}

ssize_t
udp_send(int fd, const struct fdstate *st, const struct socks5_addr *target,
    const struct msghdr *msg, int flags)
{
	uint8_t hdr[SOCKS5_MAX_UDP_HEADER];
	struct iovec iov[64];
	struct msghdr m;
	ssize_t hlen, n;
	size_t i;

	if (!udp_alive(st)) {
		log_error("UDP association via the proxy has ended (control "
		    "connection closed)");
		return -ECONNRESET;
	}
	if (msg->msg_iovlen >= sizeof(iov) / sizeof(iov[0]))
		return -EMSGSIZE;
	hlen = socks5_encode_udp_header(hdr, sizeof(hdr), target);
	if (hlen < 0)
		return -EINVAL;
	iov[0].iov_base = hdr;
	iov[0].iov_len = (size_t)hlen;
	for (i = 0; i < msg->msg_iovlen; i++)
		iov[i + 1] = msg->msg_iov[i];
	m = *msg;
	m.msg_iov = iov;
	m.msg_iovlen = msg->msg_iovlen + 1;
	m.msg_name = st->u.udp.connected ? NULL : (void *)&st->u.udp.relay;
	m.msg_namelen = st->u.udp.connected ? 0 : st->u.udp.relay_len;
	n = real_sendmsg(fd, &m, flags | MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return n >= hlen ? n - hlen : 0;
}

static bool
udp_from_relay(const struct fdstate *st, const struct sockaddr_storage *from,
    socklen_t fromlen)
{
	const struct fdstate_udp *u = &st->u.udp;

	if (fromlen != u->relay_len || from->ss_family != u->relay.ss_family)
		return false;
	return memcmp(from, &u->relay, fromlen) == 0;
}

/* The peer's address as the program's family would show it; a domain
 * name (the proxy answered with one) maps back to its placeholder. */
static void
udp_source(const struct socks5_addr *a, int family, struct msghdr *msg)
{
	const struct runtime *rt = runtime_get();
	struct sockaddr_storage ss;
	struct names_result r;
	char name[256];
	socklen_t len;
	int err;

	if (msg->msg_name == NULL)
		return;
	if (a->atyp == SOCKS5_ATYP_DOMAIN && rt != NULL) {
		memcpy(name, a->addr, a->len);
		name[a->len] = '\0';
		if (names_resolve(rt, name, family, &r, &err) == NAMES_ANSWER &&
		    r.n > 0) {
			struct socks5_addr ip = { .port = a->port };

			ip.atyp = r.family[0] == AF_INET ? SOCKS5_ATYP_IPV4 :
			    SOCKS5_ATYP_IPV6;
			ip.len = r.family[0] == AF_INET ? 4 : 16;
			memcpy(ip.addr, r.addr[0], ip.len);
			udp_source(&ip, family, msg);
		}
		return;
	}
	/* An IPv6 peer on an IPv4 socket is still shown as it is. */
	if (socks5_addr_to_sockaddr(a, family, &ss, &len) < 0 &&
	    socks5_addr_to_sockaddr(a, AF_INET6, &ss, &len) < 0)
		return;
	memcpy(msg->msg_name, &ss, msg->msg_namelen < len ?
	    msg->msg_namelen : len);
	msg->msg_namelen = len;
}

/* One receive buffer per thread, allocated on its first datagram and
 * freed when the thread ends (not one 64 KiB malloc per datagram). */
static pthread_key_t udp_buf_key;
static pthread_once_t udp_buf_once = PTHREAD_ONCE_INIT;
static bool udp_buf_key_ok;

static void
udp_buf_key_init(void)
{
	udp_buf_key_ok = pthread_key_create(&udp_buf_key, free) == 0;
}

static uint8_t *
udp_buffer(void)
{
	uint8_t *buf;

	(void)pthread_once(&udp_buf_once, udp_buf_key_init);
	if (!udp_buf_key_ok)
		return NULL;
	buf = pthread_getspecific(udp_buf_key);
	if (buf == NULL) {
		buf = malloc(UDP_MAX_DATAGRAM + 1);
		if (buf != NULL && pthread_setspecific(udp_buf_key, buf) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	return buf;
}

ssize_t
udp_recv(int fd, const struct fdstate *st, struct msghdr *msg, int flags)
{
	struct sockaddr_storage from;
	struct socks5_addr src;
	struct msghdr m;
	struct iovec iov;
	uint8_t *buf;
	size_t plen, copied, i, chunk;
	ssize_t n, hlen = 0;

	buf = udp_buffer();
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		memset(&m, 0, sizeof(m));
		iov.iov_base = buf;
		iov.iov_len = UDP_MAX_DATAGRAM + 1;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_control = msg->msg_control;
		m.msg_controllen = msg->msg_controllen;
		n = real_recvmsg(fd, &m, flags & ~MSG_TRUNC);
		if (n < 0) {
			n = -errno;
			break;
		}
		hlen = -1;
		if (udp_from_relay(st, &from, m.msg_namelen))
			hlen = socks5_decode_udp_header(buf, (size_t)n, &src);
		if (hlen >= 0)
			break;
		/* Not for us: drop it (consume it if we only peeked). */
		if (flags & MSG_PEEK)
			(void)real_recvmsg(fd, &(struct msghdr){ .msg_iov = &iov,
			    .msg_iovlen = 1 }, MSG_DONTWAIT);
	}
	if (n < 0)
		return n;
	plen = (size_t)n - (size_t)hlen;
	for (i = 0, copied = 0; i < msg->msg_iovlen && copied < plen; i++) {
		chunk = msg->msg_iov[i].iov_len;
		if (chunk > plen - copied)
			chunk = plen - copied;
		memcpy(msg->msg_iov[i].iov_base, buf + hlen + copied, chunk);
		copied += chunk;
	}
	msg->msg_flags = m.msg_flags & ~MSG_TRUNC;
	msg->msg_controllen = m.msg_controllen;
	if (copied < plen)
		msg->msg_flags |= MSG_TRUNC;
	udp_source(&src, st->u.udp.relay.ss_family, msg);
	return (flags & MSG_TRUNC) ? (ssize_t)plen : (ssize_t)copied;
}
