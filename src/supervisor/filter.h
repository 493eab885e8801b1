/* SPDX-License-Identifier: MIT */
/* The seccomp filter a socksified tree runs under: which calls go to the
 * supervisor, which are refused outright, and how it is installed. */
#ifndef SOCKSIFY_SUPERVISOR_FILTER_H
#define SOCKSIFY_SUPERVISOR_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Build the filter (libseccomp, native ABI only) into *prog:
 *   notified: connect, sendmsg, getpeername unless arg 3 == cookie;
 *             sendmmsg unless arg 4 == cookie; sendto when arg 4 (the
 *             address) is not NULL. The library's own calls carry the
 *             cookie in an argument the kernel ignores.
 *   refused:  io_uring_setup (ENOSYS); socket(AF_PACKET) and raw or
 *             SOCK_PACKET AF_INET/AF_INET6 sockets (EPERM); every call of
 *             another ABI (i386 int 0x80, x32) (ENOSYS).
 * Everything else is allowed. cookie must not be 0. Returns 0, or a
 * negative errno with a one-line reason in err. Free with filter_free().
 */
int filter_build(uint64_t cookie, struct sock_fprog *prog, char *err,
    size_t errcap);

void filter_free(struct sock_fprog *prog);

/* How filter_install() went. */
struct filter_installed {
	bool killable;	/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV took */
	bool nnp;	/* no_new_privs had to be set (no CAP_SYS_ADMIN) */
};

/*
 * Install prog on the calling (single-threaded) process with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, plus WAIT_KILLABLE_RECV when
 * want_killable and the kernel knows it (Linux >= 5.19). no_new_privs is
 * set only when the kernel refuses the filter without it (EACCES: the
 * caller lacks CAP_SYS_ADMIN), so root keeps setuid programs' privileges.
 * Returns the listener (close-on-exec) or a negative errno.
 */
int filter_install(const struct sock_fprog *prog, bool want_killable,
    struct filter_installed *how);

#endif
