/* SPDX-License-Identifier: MIT */
/* The hooks' own entry points, hidden (the library is built with
 * -fvisibility=hidden): one hook that needs another's behaviour calls
 * sx_NAME, never the exported NAME, so a call of ours cannot be
 * intercepted by another preloaded library or go through the PLT. Each
 * exported hook is a thin wrapper with libc's contract (-1 and errno). */
#ifndef SOCKSIFY_HOOKS_HOOKS_H
#define SOCKSIFY_HOOKS_HOOKS_H

#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

int sx_connect(int fd, const struct sockaddr *addr, socklen_t len);
ssize_t sx_sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen);
ssize_t sx_sendmsg(int fd, const struct msghdr *msg, int flags);
int sx_sendmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags);
ssize_t sx_recvfrom(int fd, void *buf, size_t len, int flags,
    struct sockaddr *from, socklen_t *fromlen);
ssize_t sx_recvmsg(int fd, struct msghdr *msg, int flags);
int sx_recvmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags,
    struct timespec *timeout);
int sx_close(int fd);
int sx_close_range(unsigned int first, unsigned int last, int flags);
int sx_dup2(int oldfd, int newfd);
int sx_dup3(int oldfd, int newfd, int flags);
int sx_bind(int fd, const struct sockaddr *addr, socklen_t len);
int sx_listen(int fd, int backlog);
int sx_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int sx_getsockname(int fd, struct sockaddr *addr, socklen_t *len);

/* Exported names that libc's headers no longer declare: glibc before 2.34
 * had programs call the resolver through these (hooks/resolv.c). */
struct __res_state;
int __res_nquery(struct __res_state *, const char *, int, int,
    unsigned char *, int);
int __res_query(const char *, int, int, unsigned char *, int);
int __res_nsearch(struct __res_state *, const char *, int, int,
    unsigned char *, int);
int __res_search(const char *, int, int, unsigned char *, int);
int __res_nquerydomain(struct __res_state *, const char *, const char *, int,
    int, unsigned char *, int);
int __res_querydomain(const char *, const char *, int, int, unsigned char *,
    int);
int __res_nsend(struct __res_state *, const unsigned char *, int,
    unsigned char *, int);
int __res_send(const unsigned char *, int, unsigned char *, int);
struct epoll_event;
int sx_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);

#endif
