/* SPDX-License-Identifier: MIT */
/* UDP through the proxy (RFC 1928 section 7): one UDP ASSOCIATE control
 * connection per program socket, datagrams wrapped and unwrapped on the
 * program's own socket. */
#ifndef SOCKSIFY_RUNTIME_UDP_H
#define SOCKSIFY_RUNTIME_UDP_H

#include <sys/socket.h>
#include <sys/types.h>

#include "core/socks5.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/proxy_connect.h"

/*
 * Make sure UDP socket fd (of address family `family`) has an association,
 * creating it on first use through the one proxy of path (UDP cannot cross
 * a chain: -EOPNOTSUPP): a new TCP control socket to the proxy (an own
 * descriptor, runtime/ownfd.h: high, close-on-exec), UDP ASSOCIATE, the
 * relay address from the reply. *st receives the record; dropping the
 * record (runtime/fdstate.c) closes the control socket. Thread-safe:
 * racing callers end up sharing one association.
 * 0 or a negative errno (already logged).
 */
int udp_ensure(const struct runtime *rt, const struct path *path, int fd,
    int family, struct fdstate *st);

/*
 * Send one datagram, the payload in msg's iovecs, to target through the
 * relay (msg->msg_name is ignored; control data is passed on). Fails with
 * -ECONNRESET once the control connection is gone. Returns the payload
 * bytes sent or a negative errno.
 */
ssize_t udp_send(int fd, const struct fdstate *st,
    const struct socks5_addr *target, const struct msghdr *msg, int flags);

/*
 * Receive one datagram from the relay into msg (iovecs, name, flags as
 * recvmsg(2)), reporting the remote peer as its source. Datagrams not from
 * the relay, fragmented (FRAG != 0) or malformed are dropped. Returns the
 * payload length (the full length with MSG_TRUNC) or a negative errno.
 */
ssize_t udp_recv(int fd, const struct fdstate *st, struct msghdr *msg,
    int flags);

#endif
