/* SPDX-License-Identifier: MIT */
/*
 * Port-53 traffic answered inside the program (dns = remote): a DNS
 * message a program sends itself, over UDP or TCP, to any address, goes
 * to the answerer (runtime/dnsanswer.c) instead of the network, and the
 * response arrives on that socket as a real datagram or stream data, so
 * poll/select/epoll see it. Nothing is sent but to our own loopback
 * sockets.
 *
 * UDP: the response is sent to the program's socket from a private
 * loopback socket of ours (bound first if the program had not bound
 * it); a connected socket is connected to that private socket instead of
 * the server, so the kernel accepts our datagrams and nothing the program
 * sends by a path we do not see can leave. Receives rewrite the source
 * back to the server the program asked. TCP: the socket is connected to
 * a private loopback listener; what the program writes is read from our
 * end, answered, and the framed responses written back.
 */
#ifndef SOCKSIFY_RUNTIME_DNSPORT_H
#define SOCKSIFY_RUNTIME_DNSPORT_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "runtime/fdstate.h"
#include "runtime/init.h"

/*
 * connect(fd, sa) where the routing decision said ROUTE_DNS; socktype is
 * fd's. 0 (or -EINPROGRESS for a non-blocking TCP socket, as the kernel
 * would say) or a negative errno.
 */
int dnsport_connect(const struct runtime *rt, int fd, int socktype,
    const struct sockaddr *sa, socklen_t len);

/*
 * A datagram on UDP socket fd: to the server `to` (NULL: the server fd is
 * connected to, from its record). The payload is msg's iovecs; it is
 * answered and the response delivered before this returns. Returns the
 * payload length (as a send would) or a negative errno.
 */
ssize_t dnsport_send(const struct runtime *rt, int fd,
    const struct sockaddr *to, socklen_t tolen, const struct msghdr *msg);

/*
 * Before a receive (and after a write) on a socket with an FDSTATE_DNS
 * record: answer what is waiting — the TCP queries written so far, and
 * datagrams the program sent by a path no hook sees (they reach our
 * private socket). Never blocks.
 */
void dnsport_pump(const struct runtime *rt, int fd, const struct fdstate *st);

/*
 * After a receive of n bytes (the payload first in buf) into msg on a
 * UDP socket with record st: a datagram from our private socket is shown
 * as coming from the server it answers.
 */
void dnsport_fix_source(const struct fdstate *st, struct msghdr *msg,
    const void *buf, size_t n);

#endif
