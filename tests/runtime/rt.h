/* SPDX-License-Identifier: MIT */
/* Root-free runtime tests: the built libsocksify.so preloaded into a Check
 * program, an in-process fake SOCKS5 peer on 127.0.0.1 (TCP CONNECT with
 * an echo behind it, UDP ASSOCIATE with a relay that echoes datagrams,
 * BIND with a listener of its own on 127.0.0.1 and a relay behind it).
 * Programs connect to TEST-NET addresses (192.0.2.0/24): those are
 * proxied, while the peer's loopback address is direct. No project
 * headers: the tests see the library only through libc's API. */
#ifndef SOCKSIFY_TESTS_RT_H
#define SOCKSIFY_TESTS_RT_H

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RT_TARGET "192.0.2.7"	/* proxied destination (TEST-NET-1) */
#define RT_TARGET_PORT 80
#define RT_DATA_MAX 8192

/* How the peer answers BIND (rt_peer.bind_mode). */
enum rt_bind_mode {
	RT_BIND_OK = 0,		/* BND 127.0.0.1:P, then the first connection
				 * to P: second reply, relay both ways */
	RT_BIND_UNSPEC,		/* the same with BND.ADDR 0.0.0.0 */
	RT_BIND_REFUSE,		/* REP 7, command not supported */
	RT_BIND_CLOSE,		/* the first reply, then close */
};

/* BND of the CONNECT reply with rt_peer.connect_bnd set. */
#define RT_CONNECT_BND "192.0.2.99"
#define RT_CONNECT_BND_PORT 4242

struct rt_peer {
	int lfd;			/* TCP listener, 127.0.0.1 */
	uint16_t port;
	pthread_t thread;
	pthread_mutex_t mu;
	unsigned connects;		/* CONNECT requests answered */
	unsigned associates;		/* UDP ASSOCIATE requests answered */
	unsigned ended;			/* ... whose control connection closed */
	unsigned datagrams;		/* datagrams the relay got */
	unsigned bad;			/* malformed requests seen */
	char last_target[300];		/* "HOST:PORT" of the last request */
	size_t data_len;		/* tunnel bytes, all connections */
	unsigned char data[RT_DATA_MAX];
	size_t udp_len;			/* last datagram's payload */
	unsigned char udp[RT_DATA_MAX];
	char udp_target[300];		/* its DST, "HOST:PORT" */
	/* set after rt_peer_start(), under mu */
	enum rt_bind_mode bind_mode;
	bool connect_bnd;		/* CONNECT replies name RT_CONNECT_BND */
	/* BIND */
	unsigned binds;			/* BIND requests */
	char bind_target[300];		/* DST of the last, "HOST:PORT" */
	uint16_t bind_port;		/* its BND.PORT */
	unsigned bind_peers;		/* second replies sent */
	/* Slow and failing peers (set under mu; rt_peer_hold): */
	bool hold;			/* wait before the method reply */
	unsigned gated;			/* greetings that reached that wait */
	bool silent;			/* ... and then never answer */
	unsigned rep;			/* CONNECT reply code (0: success) */
	unsigned early;			/* connections where bytes beyond the
					   protocol came before our reply */
	pthread_cond_t cv;
};

/* Hold (or let go) every connection's method reply. */
void rt_peer_hold(struct rt_peer *p, bool hold);

/*
 * Call first in main(): re-executes the program with the library
 * preloaded ($SAN_PRELOAD then $SOCKSIFY_LIB in LD_PRELOAD) unless that
 * is already done, in an environment without proxy variables, HOME and
 * XDG_CONFIG_HOME in a fresh directory. Exits 99 when SOCKSIFY_LIB is not
 * set or the library is not loaded after all: a runtime test cannot pass
 * without the thing it tests.
 */
void rt_preload(char **argv);

/* The end of main(): run the suite (Check's runner, CK_NORMAL), remove
 * the scratch directory (RT_KEEP=1 keeps it); the exit status, 0 when
 * every test passed. */
int rt_run(Suite *s);

/* Start the peer (a thread; call in the process that uses it: Check's
 * forked test). Aborts the test on failure. */
void rt_peer_start(struct rt_peer *p);

/* A copy of what the peer recorded, taken under its lock. */
void rt_peer_snapshot(struct rt_peer *p, struct rt_peer *out);

/* Set how the peer answers BIND, and whether CONNECT replies name an
 * address (under its lock). */
void rt_peer_set(struct rt_peer *p, enum rt_bind_mode mode, bool connect_bnd);

/* Wait (up to 5 s) until p->ended reaches n; true if it did. */
bool rt_peer_wait_ended(struct rt_peer *p, unsigned n);

/* Wait (up to 5 s) until p->gated reaches n: the peer has accepted those
 * connections and makes no descriptor until the hold is let go. */
bool rt_peer_wait_gated(struct rt_peer *p, unsigned n);

/*
 * Write a config file in the test's directory with "proxy =
 * socks5://127.0.0.1:PORT" and the extra lines given (NULL-terminated),
 * and point SOCKSIFY_CONF at it. Returns the file's path (static).
 */
const char *rt_config(const struct rt_peer *p, ...);

/* A scratch directory for this process (created once). */
const char *rt_dir(void);

/* sockaddr_in for "A.B.C.D", port. */
struct sockaddr_in rt_sin(const char *ip, uint16_t port);

/* A TCP listener on 127.0.0.1:0; its port in *port. */
int rt_listen_loopback(uint16_t *port);

/* socket() + connect() to RT_TARGET:RT_TARGET_PORT (through the peer);
 * returns the socket, aborts the test on failure. */
int rt_connect_proxied(void);

/* The same without Check's assertions (for a child that closed Check's
 * descriptors): the socket or -1. */
int rt_try_connect_proxied(void);

/* Write all of s, read back exactly strlen(s) bytes and compare (the
 * peer echoes). true when the echo came back whole. */
bool rt_echo(int fd, const char *s);

/* Close fd with the kernel's close system call, bypassing libc and every
 * hook (what a statically linked library or inline assembly would do). */
long rt_raw_close(int fd);

/* Put descriptor fd at number `at` (a free number) with raw system calls,
 * closing fd: a new socket lands exactly where an old one was, whatever
 * other threads opened or closed meanwhile. Returns at, or -1. */
int rt_place(int fd, int at);

/* The descriptor number whose /proc/self/fd link is path, or -1 (no
 * Check assertion inside). */
int rt_fd_of(const char *path);

/* Whole file into buf (NUL-terminated, truncated to cap - 1). Length or
 * -1. */
ssize_t rt_slurp(const char *path, char *buf, size_t cap);

#endif
