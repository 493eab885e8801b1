/* SPDX-License-Identifier: MIT */
/*
 * Inbound connections through the proxy (SOCKS5 BIND, RFC 1928 sec. 4).
 * When the trigger (core/listen.h) says so, a socket the program listens
 * on is served by the proxy, through the path of the process's most
 * recent live proxied connection: the BIND is made at listen(), or at an
 * earlier getsockname() (programs read their port before listening); at
 * listen() the BIND's control connection takes the program's descriptor
 * (dup3 over it), so the descriptor is readable when the peer has
 * connected (the second reply), and accept() hands out that connection.
 * getsockname() answers the proxy's addresses: BND of the BIND for the
 * listener, BND of the CONNECT reply for a proxied connection (so the
 * address a program advertises, in PORT/EPRT, is never the client's).
 * Records are FDSTATE_BIND (runtime/fdstate.h). Lock order: inbound (re-
 * entrant in its thread: a stale record met under it frees its
 * handshake), then fdstate.
 */
#ifndef SOCKSIFY_RUNTIME_INBOUND_H
#define SOCKSIFY_RUNTIME_INBOUND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/socks5.h"
#include "runtime/fdstate.h"
#include "runtime/init.h"
#include "runtime/proxy_connect.h"

/* A BIND whose second reply has not been read: the handshake, owned by
 * the FDSTATE_BIND record that points to it. */
struct inbound_wait {
	struct proxy_op op;		/* op.fd: the control connection */
	int own;			/* RESERVED: op.fd, an own descriptor
					 * (runtime/ownfd.h); else -1 */
	uint64_t own_cookie;		/* its SO_COOKIE */
};

/*
 * A TCP connection fd (its socket's cookie) now goes through the proxy:
 * remember its destination as asked (name or address), the path that
 * carries it and the address it reports as its own (self, self_len; 0:
 * its real one), for a later BIND. The most recent few are kept; a
 * closed one is skipped when met (its record is gone). Thread-safe.
 */
void inbound_note(int fd, uint64_t cookie, const struct socks5_addr *target,
    const struct path *path, const struct sockaddr_storage *self,
    socklen_t self_len);

/* Has a connection of this process gone through the proxy (lock-free)?
 * Until one has, every listener is local and the hooks need not build
 * the runtime state (runtime_get()) for bind() or listen(). */
bool inbound_active(void);

/*
 * The address a proxied TCP socket of `family` reports as its own: the
 * CONNECT reply's BND.ADDR:BND.PORT (where the proxy connects from),
 * into *ss. false (report the real one) under `listen = local`, or when
 * the proxy left BND unspecified or gave a name.
 */
bool inbound_self(const struct runtime *rt, const struct socks5_addr *bnd,
    int family, struct sockaddr_storage *ss, socklen_t *len);

/*
 * Before bind(): port 0 of an address a live proxied connection reports
 * as its own (not a local address: a program binding next to its
 * connection, as FTP clients do) is bound on that connection's real
 * local address instead, into *ss. Returns the address to bind (addr, or
 * ss with *sslen set).
 */
const struct sockaddr *inbound_bind_addr(const struct runtime *rt,
    const struct sockaddr *addr, socklen_t len, struct sockaddr_storage *ss,
    socklen_t *sslen);

/*
 * bind() of fd to addr succeeded: when that is port 0 of an AF_INET or
 * AF_INET6 stream socket, remember that the program left the port to the
 * kernel (a record; listen() decides). Keeps errno.
 */
void inbound_bound(int fd, const struct sockaddr *addr, socklen_t len);

/*
 * listen() on fd: decide (core/listen.h); listen here (the real call), or
 * BIND through the proxy (bounded by `timeout`) unless getsockname()
 * did already, and make fd the control connection (O_NONBLOCK and
 * close-on-exec kept). 0, or a negative errno: the real listen()'s, or
 * the BIND's (logged in one line: EOPNOTSUPP for a proxy or a last hop
 * that cannot BIND, ETIMEDOUT, ...). After a failed BIND getsockname()
 * on fd fails with the same errno, so the program never learns an
 * address a server could connect to directly.
 */
int inbound_listen(const struct runtime *rt, int fd, int backlog);

/*
 * getsockname() of fd with record *st (FDSTATE_BIND or
 * FDSTATE_TCP_PROXIED). A socket bound to port 0 next to a proxied
 * connection (its local address, as FTP clients do) that the trigger
 * sends through the proxy is BINDed now (see inbound_listen()). addr and len
 * are not NULL. Answers BND in the socket's family (truncated to *len as
 * the kernel does), or a proxied connection's reported address; -errno
 * of a failed BIND (*addr is then the unspecified address, for programs
 * that ignore the error); or 1: not answered here (call the real one).
 */
int inbound_sockname(const struct runtime *rt, int fd,
    const struct fdstate *st, struct sockaddr *addr, socklen_t *len);

/*
 * connect() on fd with FDSTATE_BIND record *st: a socket that was bound
 * (and perhaps BINDed for getsockname()) but never listened on is an
 * ordinary socket again (record dropped, a reserved BIND ended): 0, go
 * on. A listener: -EISCONN, as the kernel says for a listening socket.
 */
int inbound_connecting(int fd, const struct fdstate *st);

/*
 * accept4() on fd, which has (or had) an FDSTATE_BIND record: read the
 * second reply, exactly; non-blocking fd: -EAGAIN until it is there;
 * blocking: wait as long as it takes (-EINTR when a signal interrupts the
 * wait). Then the connection gets the lowest free descriptor (flags as
 * accept4: SOCK_NONBLOCK, SOCK_CLOEXEC), recorded as proxied with the
 * peer from the reply (also in *addr), and fd becomes an idle listener
 * on loopback that nobody connects to (getsockname still answers BND).
 * A proxy that closes the BIND connection or refuses the peer:
 * -ECONNABORTED (logged), and fd is an idle listener from then on. A fd
 * without a waiting BIND: the real accept4(). Returns the new descriptor
 * or a negative errno.
 */
int inbound_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/* The record owning w is gone: close a reserved control connection,
 * free w (takes the inbound lock). */
void inbound_wait_free(struct inbound_wait *w);

/* pthread_atfork handlers (init.c), taken before fdstate's. */
void inbound_atfork_prepare(void);
void inbound_atfork_parent(void);
void inbound_atfork_child(void);

/* ---- for inbound*.c only ---------------------------------------------- */

/* The inbound lock: the recent connections, every BIND's handshake. */
void inbound_lock(void);
void inbound_unlock(void);

/* A recent proxied connection. */
struct inbound_recent {
	int fd;
	uint64_t cookie;
	struct socks5_addr target;	/* as the program asked: name or IP */
	struct path path;		/* the path that carried it */
	struct sockaddr_storage self;	/* what it reports as its own */
	socklen_t self_len;		/* 0: its real address */
};

/*
 * The trigger for fd (rec: fd has an FDSTATE_BIND record, so its port 0
 * was the program's choice; early: asked by getsockname() before
 * listen()). true: BIND through *e (the socket's family in *family);
 * false: listen here.
 */
bool inbound_decide(const struct runtime *rt, int fd, bool rec, bool early,
    struct inbound_recent *e, int *family);

#endif
