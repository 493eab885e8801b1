/* SPDX-License-Identifier: MIT */
/* Per-descriptor records for sockets socksify has touched: the destination
 * the program asked for (getpeername) and the name-map pin to drop at close.
 * Readers are lock-free; writers take one mutex (no lock is held across I/O). */
#ifndef SOCKSIFY_RUNTIME_FDSTATE_H
#define SOCKSIFY_RUNTIME_FDSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/socks5.h"

enum fdstate_kind {
	FDSTATE_NONE = 0,
	FDSTATE_TCP_PROXIED,	/* connected through the proxy */
	FDSTATE_UDP,		/* UDP socket with a SOCKS5 association */
	FDSTATE_UDP_CTL,	/* the control connection of an association */
};

struct fdstate {
	enum fdstate_kind kind;
	struct sockaddr_storage peer;	/* what the program connected to */
	socklen_t peer_len;
	bool pinned;			/* holds a name-map pin */
	uint32_t name_index;		/* valid when pinned */
	/* FDSTATE_UDP */
	int ctl_fd;			/* control connection (TCP to proxy) */
	struct sockaddr_storage relay;	/* where datagrams go, socket family */
	socklen_t relay_len;
	bool udp_connected;		/* connect()ed: send() goes to target */
	struct socks5_addr target;	/* the connected destination */
	/* FDSTATE_UDP_CTL */
	int owner_fd;			/* the UDP socket it serves */
};

/* Record st for fd (replacing any record). 0, -EBADF (fd out of range) or
 * -ENOMEM. */
int fdstate_set(int fd, const struct fdstate *st);

/* Copy fd's record into *st. true if fd has one. Lock-free fast path for
 * fds that never had one. */
bool fdstate_get(int fd, struct fdstate *st);

/* Remove fd's record, copying it to *old (may be NULL). true if there was
 * one. Called from close()/dup2() before the descriptor goes away. */
bool fdstate_take(int fd, struct fdstate *old);

/* fd's kind without copying the record: lock-free, for the hot paths
 * (read(), write(), recv(), send() of every descriptor). */
enum fdstate_kind fdstate_kind(int fd);

/* The highest descriptor that ever had a record (-1: none), so that
 * close_range() walks only what can matter. */
int fdstate_highest(void);

/* fork() safety: hold the table lock across fork so the child never
 * inherits it locked (registered with pthread_atfork at load). */
void fdstate_atfork_prepare(void);
void fdstate_atfork_release(void);

/* Record st for fd only if fd has no record of that kind yet; otherwise
 * copy the existing one to *st and return -EEXIST. */
int fdstate_add(int fd, struct fdstate *st);

#endif
