/* SPDX-License-Identifier: MIT */
/* The descriptors socksify owns (the log file, the name map's memfd, UDP
 * control connections, and whatever later modules open): kept at high
 * numbers, out of the program's close()/close_range()/closefrom(), moved
 * away before a program's dup2() lands on one. Membership is a lock-free
 * test; changes take one mutex, never held across I/O or a callback.
 * Depends on nothing but libc (real.h): owners register callbacks. */
#ifndef SOCKSIFY_RUNTIME_OWNFD_H
#define SOCKSIFY_RUNTIME_OWNFD_H

#include <stdbool.h>
#include <stdint.h>

/* Told that an own descriptor moved from `from` to `to` (already open;
 * `from` is closed right after), or to -1 when it could not be moved and
 * is lost to the program's dup2(). Called without any lock held, in the
 * thread that made the program's call. */
typedef void (*ownfd_moved_fn)(int from, int to, intptr_t arg);

/*
 * The lowest number own descriptors are moved to: 512, or half the soft
 * RLIMIT_NOFILE when that is lower (read once).
 */
int ownfd_floor(void);

/*
 * Take fd into the registry: move it to the lowest free number >= the
 * floor (the original number is closed), close-on-exec when cloexec,
 * remember its identity (device and inode) and the callback. When it
 * cannot be moved (no free number up there) it is registered where it
 * is. Returns the number it is registered at, or -ENOMEM / -errno (fstat)
 * with fd untouched and not registered. Thread-safe.
 */
int ownfd_adopt(int fd, bool cloexec, ownfd_moved_fn moved, intptr_t arg);

/* The library is about to close its own fd: forget it. */
void ownfd_release(int fd);

/*
 * Is fd one of ours? Lock-free and syscall-free for every fd that is not
 * registered; a registered one is checked against its identity (one
 * fstat) and forgotten if it is no longer the same file (closed behind
 * our back and the number reused).
 */
bool ownfd_owns(int fd);

/* The highest registered number, or -1: range walks stop there. */
int ownfd_highest(void);

/*
 * Before the program's dup2()/dup3() onto fd: when fd is ours, move it
 * (as ownfd_adopt) and tell its owner; when it cannot be moved, tell the
 * owner it is lost (to = -1) and forget it. Either way fd's number is
 * then free of ours. Does nothing in a vfork child (the registry is the
 * parent's memory). Returns 0 if fd was not ours, 1 if it was.
 */
int ownfd_evacuate(int fd);

/* pthread_atfork handlers (registered once at load by init.c): the child
 * becomes the registry's owner. */
void ownfd_atfork_prepare(void);
void ownfd_atfork_parent(void);
void ownfd_atfork_child(void);

#endif
