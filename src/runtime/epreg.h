/* SPDX-License-Identifier: MIT */
/*
 * The program's epoll registrations of sockets, so that a socket whose
 * proxy handshake is still running can be held out of the program's
 * epoll sets and put back when the tunnel is up (EPOLL_CTL_ADD makes the
 * kernel evaluate readiness again, which wakes level-, edge-triggered,
 * one-shot and exclusive waiters alike). Registrations are found by the
 * socket's SO_COOKIE, so a dup()ed descriptor in another set is held as
 * well. One mutex, never held across anything that can block (epoll_ctl
 * and getsockopt do not); lock order: after runtime/async.c's.
 */
#ifndef SOCKSIFY_RUNTIME_EPREG_H
#define SOCKSIFY_RUNTIME_EPREG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

/*
 * The program's epoll_ctl(epfd, op, fd, ev). For a socket that is held,
 * answered here as the kernel would (0, -EEXIST, -ENOENT, -EINVAL,
 * -EFAULT; an ADD is first checked by the kernel with no events asked
 * for, then taken out again), the change kept for epreg_release().
 * Otherwise the real call, then the registration remembered (ADD, MOD)
 * or forgotten (DEL). Returns 0 or -errno.
 */
int epreg_ctl(int epfd, int op, int fd, struct epoll_event *ev);

/*
 * Take every registration of the socket `cookie` out of the kernel's
 * epoll sets (EPOLL_CTL_DEL), keeping them, and answer the program's
 * epoll_ctl calls for it here until epreg_release(cookie). Holds nest
 * not: one per socket (the asynchronous engine's pending connect).
 */
void epreg_hold(uint64_t cookie);

/* Put them back (EPOLL_CTL_ADD with the program's events and data, on
 * each descriptor that still is that socket) and end the hold. */
void epreg_release(uint64_t cookie);

/* The program closed fd: forget its registrations (and, if fd was an
 * epoll instance, everything registered in it). Lock-free when fd never
 * took part in a registration. */
void epreg_forget(int fd);

/* The highest descriptor that ever took part in one (-1: none), for
 * close_range() walks. */
int epreg_highest(void);

/* fork() safety (registered by init.c). The child keeps the registrations
 * (its epoll instances are the parent's kernel objects, shared) but not
 * the holds: those are the parent's handshakes. */
void epreg_atfork_prepare(void);
void epreg_atfork_parent(void);
void epreg_atfork_child(void);

#endif
