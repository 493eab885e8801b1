/* SPDX-License-Identifier: MIT */
/* The real libc functions behind our hooks, found once with
 * dlsym(RTLD_NEXT). Internal code calls real_*, never the bare names. */
#ifndef SOCKSIFY_RUNTIME_REAL_H
#define SOCKSIFY_RUNTIME_REAL_H

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

struct hostent;

extern int (*real_connect)(int, const struct sockaddr *, socklen_t);
extern int (*real_close)(int);
extern int (*real_getpeername)(int, struct sockaddr *, socklen_t *);
extern ssize_t (*real_sendto)(int, const void *, size_t, int,
    const struct sockaddr *, socklen_t);
extern ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
extern int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);
extern ssize_t (*real_send)(int, const void *, size_t, int);
extern ssize_t (*real_write)(int, const void *, size_t);
extern ssize_t (*real_writev)(int, const struct iovec *, int);
extern ssize_t (*real_readv)(int, const struct iovec *, int);
extern ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *,
    socklen_t *);
extern ssize_t (*real_recvmsg)(int, struct msghdr *, int);
extern ssize_t (*real_recv)(int, void *, size_t, int);
extern ssize_t (*real_read)(int, void *, size_t);
extern int (*real_recvmmsg)(int, struct mmsghdr *, unsigned int, int,
    struct timespec *);
extern long (*real_syscall)(long, ...);
extern int (*real_getaddrinfo)(const char *, const char *,
    const struct addrinfo *, struct addrinfo **);
extern void (*real_freeaddrinfo)(struct addrinfo *);
extern int (*real_getnameinfo)(const struct sockaddr *, socklen_t, char *,
    socklen_t, char *, socklen_t, int);
extern struct hostent *(*real_gethostbyname)(const char *);
extern struct hostent *(*real_gethostbyname2)(const char *, int);
extern int (*real_gethostbyname_r)(const char *, struct hostent *, char *,
    size_t, struct hostent **, int *);
extern int (*real_gethostbyname2_r)(const char *, int, struct hostent *,
    char *, size_t, struct hostent **, int *);
extern struct hostent *(*real_gethostbyaddr)(const void *, socklen_t, int);
extern int (*real_gethostbyaddr_r)(const void *, socklen_t, int,
    struct hostent *, char *, size_t, struct hostent **, int *);
extern int (*real_dup2)(int, int);
extern int (*real_dup3)(int, int, int);
extern int (*real_close_range)(unsigned int, unsigned int, int);
/* The resolver library on a private state, for the DNS answerer's local
 * names: NULL until real_resolver_init(), and after it when libc has no
 * resolver of its own (before glibc 2.34, without libresolv loaded). */
struct __res_state;	/* <resolv.h>, whose macros (p_type...) stay out */
extern int (*real_res_ninit)(struct __res_state *);
extern void (*real_res_nclose)(struct __res_state *);
extern int (*real_res_nsend)(struct __res_state *, const unsigned char *,
    int, unsigned char *, int);
extern int (*real_res_send)(const unsigned char *, int, unsigned char *,
    int);
extern int (*real_res_nquery)(struct __res_state *, const char *, int, int,
    unsigned char *, int);
extern int (*real_res_query)(const char *, int, int, unsigned char *, int);
extern int (*real_bind)(int, const struct sockaddr *, socklen_t);
extern int (*real_listen)(int, int);
extern int (*real_accept)(int, struct sockaddr *, socklen_t *);
extern int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
extern int (*real_getsockname)(int, struct sockaddr *, socklen_t *);

extern int (*real_fclose)(FILE *);

/* The readiness and socket-option calls (asynchronous connect). */
extern int (*real_getsockopt)(int, int, int, void *, socklen_t *);
extern int (*real_poll)(struct pollfd *, nfds_t, int);
extern int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *,
    const sigset_t *);
extern int (*real_poll_chk)(struct pollfd *, nfds_t, int, size_t);
extern int (*real_ppoll_chk)(struct pollfd *, nfds_t,
    const struct timespec *, const sigset_t *, size_t);
extern int (*real_select)(int, fd_set *, fd_set *, fd_set *,
    struct timeval *);
extern int (*real_pselect)(int, fd_set *, fd_set *, fd_set *,
    const struct timespec *, const sigset_t *);
extern int (*real_epoll_ctl)(int, int, int, struct epoll_event *);
extern ssize_t (*real_readv)(int, const struct iovec *, int);
extern ssize_t (*real_writev)(int, const struct iovec *, int);

/*
 * libc's close() for code that may run before real_init() (the library
 * constructor): resolves that one symbol on its own, once. Returns what
 * close() returns.
 */
int real_close_early(int fd);

/*
 * Resolve every real_* pointer. Thread-safe and idempotent (pthread_once).
 * Returns 0, or -ENOSYS when a mandatory symbol (connect, close) is missing;
 * optional ones (close_range, the fortified __poll_chk/__ppoll_chk on old
 * libcs) are left NULL.
 */
int real_init(void);

/*
 * Resolve the real_res_* pointers, on first use only (thread-safe,
 * idempotent): a symbol dlsym() does not find makes it allocate an error
 * message, which deadlocks when the first hooked call comes from inside a
 * malloc's own initialisation (jemalloc calls syscall(), which we hook),
 * so real_init() must only look up what every libc has.  0, or -ENOSYS
 * when one of them is missing.
 */
int real_resolver_init(void);

#endif
