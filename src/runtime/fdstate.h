/* SPDX-License-Identifier: MIT */
/* Per-descriptor records for sockets socksify has touched. A record
 * carries the identity of its socket (SO_COOKIE) and the process that owns
 * it; every use checks the identity, so a record outliving its socket
 * (closed where no hook sees it: fclose(), raw system calls) is dropped
 * instead of misdirecting whatever now has that number. The "might have a
 * record" test is lock-free and syscall-free; writers take one mutex,
 * never held across I/O. Lock order: fdstate, then the name map's. */
#ifndef SOCKSIFY_RUNTIME_FDSTATE_H
#define SOCKSIFY_RUNTIME_FDSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "core/socks5.h"

enum fdstate_kind {
	FDSTATE_NONE = 0,
	FDSTATE_TCP_PROXIED,	/* connected through the proxy */
	FDSTATE_UDP,		/* UDP socket with a SOCKS5 association */
	FDSTATE_DNS,		/* its port-53 traffic is answered in process
				 * (runtime/dnsport.c) */
	FDSTATE_BIND,		/* a listener served by the proxy (BIND):
				 * runtime/inbound.h */
	FDSTATE_TCP_PENDING,	/* asynchronous connect: handshake running
				   (runtime/async.c); u.tcp */
	FDSTATE_TCP_FAILED,	/* ... which failed: u.tcp.err is reported
				   once, then the record goes */
};

struct fdstate_tcp {
	struct sockaddr_storage peer;	/* what the program connected to */
	socklen_t peer_len;
	/* What getsockname() reports: the proxy's side of the connection
	 * (BND of the CONNECT reply, runtime/inbound.h), or self_len 0 for
	 * the socket's own address. */
	struct sockaddr_storage self;
	socklen_t self_len;
	bool pinned;			/* holds a name-map pin */
	uint32_t name_index;		/* valid when pinned */
	int err;			/* FDSTATE_TCP_FAILED: the errno */
	uint64_t deadline;		/* FDSTATE_TCP_PENDING: when the
					   handshake ends at the latest
					   (CLOCK_MONOTONIC ms) */
};

struct fdstate_udp {
	int ctl_fd;			/* control connection: an own fd */
	uint64_t ctl_cookie;		/* its SO_COOKIE */
	struct sockaddr_storage relay;	/* where datagrams go, socket family */
	socklen_t relay_len;
	bool connected;			/* connect()ed: send() goes to target */
	struct socks5_addr target;	/* the connected destination */
	struct sockaddr_storage peer;	/* ... as the program gave it */
	socklen_t peer_len;
};

#define FDSTATE_DNS_SENT	4

struct fdstate_dns {
	int type;			/* SOCK_DGRAM or SOCK_STREAM */
	bool connected;			/* connect()ed to a DNS server */
	struct sockaddr_storage server;	/* ... that one, as the program gave
					 * it (getpeername, the source of
					 * every answer) */
	socklen_t server_len;
	/* Unconnected UDP: the server each recent query (by ID) went to,
	 * so that its answer comes from there. */
	struct {
		uint16_t id;
		socklen_t len;		/* 0: unused */
		struct sockaddr_in6 to;	/* fits a sockaddr_in too */
	} sent[FDSTATE_DNS_SENT];
	unsigned next_sent;
	int peer_fd;			/* TCP: our end (an own fd), else -1 */
	uint64_t peer_cookie;
};

struct inbound_wait;		/* runtime/inbound.h */

enum fdstate_bind_state {
	FDSTATE_BIND_CANDIDATE,	/* bound to port 0, not listening yet */
	FDSTATE_BIND_RESERVED,	/* BIND done for getsockname() before
				 * listen(): the control connection is an
				 * own descriptor until listen() */
	FDSTATE_BIND_WAITING,	/* the BIND's control connection, waiting
				 * for the peer (the second reply) */
	FDSTATE_BIND_SPENT,	/* accepted (or aborted): an idle listener
				 * on loopback stands in */
	FDSTATE_BIND_FAILED,	/* the proxy refused: no address to give */
};

struct fdstate_bind {
	enum fdstate_bind_state state;
	int err;			/* FAILED: positive errno */
	struct sockaddr_storage bnd;	/* BND.ADDR:BND.PORT, socket family */
	socklen_t bnd_len;
	struct inbound_wait *wait;	/* RESERVED, WAITING: the handshake,
					 * owned by the record (freed, and a
					 * reserved control connection closed,
					 * with it) */
};

struct fdstate {
	enum fdstate_kind kind;
	uint64_t cookie;		/* the socket's SO_COOKIE */
	pid_t owner;			/* the process that made the record */
	union {
		struct fdstate_tcp tcp;
		struct fdstate_udp udp;
		struct fdstate_dns dns;
		struct fdstate_bind bind;
	} u;
};

/* fd's SO_COOKIE: 0, or -errno (-ENOTSOCK for anything not a socket). */
int fdstate_cookie(int fd, uint64_t *cookie);

/*
 * Record st->kind/st->u for socket fd, replacing any record (one that
 * belonged to an earlier socket at that number is released). Takes the
 * socket's cookie and the process the fork handlers last saw as owner
 * into st (no getpid(): a vfork child, sharing the table, execs or exits;
 * its closes are told apart by the drop path's getpid()). 0, -EBADF (fd
 * out of range), -ENOMEM or -errno of getsockopt.
 */
int fdstate_set(int fd, struct fdstate *st);

/*
 * As fdstate_set, but when fd already has a record of st->kind for this
 * same socket, that one wins: it is copied to *st and -EEXIST returned.
 */
int fdstate_add(int fd, struct fdstate *st);

/*
 * Copy fd's record into *st if fd is still the socket it was made for
 * (one getsockopt). A stale record is dropped and its resources released,
 * silently; false then, as for a descriptor that never had one. Lock-free
 * and syscall-free for descriptors without a record.
 */
bool fdstate_get(int fd, struct fdstate *st);

/* Write back a record read with fdstate_get (same socket, changed
 * fields). 0, or -ESTALE when fd's record is no longer that one. */
int fdstate_update(int fd, const struct fdstate *st);

/*
 * As fdstate_update, for a record that changes kind: fd's record must be
 * of kind `from` for st's socket (cookie and owner); it becomes *st (its
 * kind included). 0, or -ESTALE.
 */
int fdstate_rekind(int fd, const struct fdstate *st, enum fdstate_kind from);

/*
 * Who is told when an FDSTATE_TCP_PENDING record is dropped (closed,
 * replaced, found stale): the asynchronous engine cancels that socket's
 * handshake. Called with no fdstate lock held, never from inside
 * fdstate_rekind/fdstate_update. Set once at init.
 */
void fdstate_on_pending_drop(void (*fn)(uint64_t cookie));

/*
 * fd is being closed or replaced: drop its record and release what it
 * holds (name-map pin, the UDP association's control connection, a BIND
 * listener's handshake). In a
 * process that does not own the record (a vfork child) nothing changes.
 * Returns true if a record was dropped.
 */
bool fdstate_forget(int fd);

/* As fdstate_forget, only if fd's record is still *st's (same socket,
 * same owner): a newer socket's record at that number stays. */
bool fdstate_forget_record(int fd, const struct fdstate *st);

/* fd's kind without copying or checking the record: lock-free, for the
 * hot paths (read(), write(), recv(), send() of every descriptor). */
enum fdstate_kind fdstate_kind(int fd);

/* The highest descriptor that ever had a record (-1: none), so that
 * close_range() walks only what can matter. */
int fdstate_highest(void);

/* At load: the calling process owns the table. */
void fdstate_init_owner(void);

/* pthread_atfork handlers (registered once at load by init.c). The child
 * re-owns every record and takes its own name-map pin for each pinned
 * one, so that parent and child each drop their own; a pending
 * connect's record is dropped in the child (the handshake is the
 * parent's: the child's copy of the socket is left as it is, untracked). */
void fdstate_atfork_prepare(void);
void fdstate_atfork_parent(void);
void fdstate_atfork_child(void);

/* At exit: drop the pins this process still holds (its sockets close
 * with it). */
void fdstate_exit(void);

#endif
