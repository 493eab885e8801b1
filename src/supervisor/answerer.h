/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's side of DNS: the answerer (runtime/dnsanswer.c) served
 * on loopback sockets of ours in the loop, and the trapped DNS calls of
 * the tree pointed at them — a connect() to port 53 is made to our UDP
 * socket or TCP listener instead (so Go's resolver, static glibc and
 * RTLD_DEEPBIND code get placeholders from the tree's one name map), a
 * datagram sent to port 53 is answered to the sender's own address.
 * Also the sink: a UDP socket that takes (and drops) what a program the
 * library cannot reach sends to a destination that would need the
 * proxy's UDP relay, so nothing leaves and a route probe (Go connects UDP
 * sockets to sort addresses) still works.
 */
#ifndef SOCKSIFY_SUPERVISOR_ANSWERER_H
#define SOCKSIFY_SUPERVISOR_ANSWERER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "supervisor/loop.h"

/* Serve the answerer in l: its sockets (IPv4 and IPv6 loopback) are
 * opened and watched on first use. 0. */
int answerer_init(struct loop *l);

/*
 * Point fd (our copy of the program's socket, of socktype) at the
 * answerer: connect it to our UDP socket or TCP listener of its family.
 * dest is what the program asked for: getpeername() reports it. 0 or a
 * negative errno.
 */
int answerer_connect(struct loop *l, int fd, int socktype,
    const struct sockaddr *dest, socklen_t len);

/* A datagram q[0..n) the program sent to port 53 on fd: answered, the
 * response sent to fd's own address (fd is bound first if it was not).
 * 0 or a negative errno. */
int answerer_datagram(struct loop *l, int fd, const uint8_t *q, size_t n);

/* Connect fd (UDP) of process pid to the sink instead of dest
 * (remembered for getpeername()). What it sends there is dropped, with
 * one line per socket naming dest and pid's program. 0 or a negative
 * errno. */
int answerer_sink(struct loop *l, int fd, const struct sockaddr *dest,
    socklen_t len, pid_t pid);

#endif
