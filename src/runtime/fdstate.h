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
#include <sys/socket.h>
#include <sys/types.h>

#include "core/socks5.h"

enum fdstate_kind {
	FDSTATE_NONE = 0,
	FDSTATE_TCP_PROXIED,	/* connected through the proxy */
	FDSTATE_UDP,		/* UDP socket with a SOCKS5 association */
	FDSTATE_TCP_PENDING,	/* asynchronous connect: handshake running
				   (runtime/async.c); u.tcp */
	FDSTATE_TCP_FAILED,	/* ... which failed: u.tcp.err is reported
				   once, then the record goes */
	/* Next: a socket answered by the DNS answerer, a BIND listener:
	 * one member of the union each. */
};

struct fdstate_tcp {
	struct sockaddr_storage peer;	/* what the program connected to */
	socklen_t peer_len;
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

struct fdstate {
	enum fdstate_kind kind;
	uint64_t cookie;		/* the socket's SO_COOKIE */
	pid_t owner;			/* the process that made the record */
	union {
		struct fdstate_tcp tcp;
		struct fdstate_udp udp;
	} u;
};

/* fd's SO_COOKIE: 0, or -errno (-ENOTSOCK for anything not a socket). */
int fdstate_cookie(int fd, uint64_t *cookie);

/*
 * Record st->kind/st->u for socket fd, replacing any record (one that
 * belonged to an earlier socket at that number is released). Takes the
 * socket's cookie and the calling process as owner into st. 0, -EBADF
 * (fd out of range), -ENOMEM, -errno of getsockopt, or -EPERM in a vfork
 * child (the table is the parent's; nothing is recorded).
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
 * holds (name-map pin, the UDP association's control connection). In a
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
