/* SPDX-License-Identifier: MIT */
/* Connects the program's own socket to the proxy and runs the SOCKS5
 * CONNECT handshake on it, bounded by the configured timeout. */
#ifndef SOCKSIFY_RUNTIME_PROXY_CONNECT_H
#define SOCKSIFY_RUNTIME_PROXY_CONNECT_H

#include "core/socks5.h"
#include "runtime/init.h"

/*
 * Connect fd (an AF_INET/AF_INET6 stream socket of family `family`) to
 * the proxy of rt and ask it for target. Works on blocking and
 * non-blocking sockets alike: the socket is switched to O_NONBLOCK for the
 * handshake (so the whole exchange obeys one deadline) and its flags are
 * restored before returning, so a non-blocking caller sees connect()
 * succeed at once instead of EINPROGRESS. Every failure is logged in one
 * line naming the target and the proxy.
 * Returns 0 or a negative errno (see core/errmap.h for the table).
 */
int proxy_connect(const struct runtime *rt, int fd, int family,
    const struct socks5_addr *target);

/*
 * The same for any command: CONNECT, or UDP ASSOCIATE on a control
 * connection (target = the address the program will send from, or
 * 0.0.0.0:0). The reply's BND.ADDR/BND.PORT is copied to *bnd if non-NULL.
 * A NULL target stops after method selection and authentication (used by
 * `socksify --check` to test the proxy without asking it for anything).
 */
int proxy_handshake(const struct runtime *rt, int fd, int family, uint8_t cmd,
    const struct socks5_addr *target, struct socks5_addr *bnd);

#endif
