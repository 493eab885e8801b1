/* SPDX-License-Identifier: MIT */
/*
 * Serving the DNS answerer (runtime/dnsanswer.c) on sockets of our own:
 * datagrams answered back to their sender, DNS over TCP answered frame by
 * frame (RFC 1035 4.2.2). Never blocks: a question that needs I/O (a
 * forward through the proxy, a local lookup) is answered by a short-lived
 * thread with all signals blocked. Used by the in-process port-53 code
 * (runtime/dnsport.c) and by the supervisor's answerer sockets.
 */
#ifndef SOCKSIFY_RUNTIME_DNSSERVE_H
#define SOCKSIFY_RUNTIME_DNSSERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "runtime/init.h"

/* Answer the datagram q[0..n): the response goes from our UDP socket fd
 * to dest. */
void dnsserve_datagram(const struct runtime *rt, int fd, const uint8_t *q,
    size_t n, const struct sockaddr *dest, socklen_t destlen);

/* Answer every datagram waiting on our UDP socket fd, each back to its
 * sender (at most a few dozen per call). */
void dnsserve_udp(const struct runtime *rt, int fd);

/* Answer every complete query waiting on our end fd of a DNS-over-TCP
 * connection. 0, or -1 when the connection must be closed (EOF, or bytes
 * that are no DNS framing; for the latter it is shut down, so the other
 * end sees EOF). */
int dnsserve_stream(const struct runtime *rt, int fd);

/* A socket of ours for serving: `type` (SOCK_DGRAM, or SOCK_STREAM
 * listening) on the loopback address of `family` (IPv6 ones take
 * v4-mapped peers too), port from the kernel, close-on-exec and
 * non-blocking. The descriptor, its address in *ss, or a negative errno. */
int dnsserve_loopback(int family, int type, struct sockaddr_storage *ss,
    socklen_t *len);

#endif
