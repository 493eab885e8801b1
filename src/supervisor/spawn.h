/* SPDX-License-Identifier: MIT */
/* Starting the command under the filter: the child installs it, hands us
 * the listener, and execs only once we know we can serve it. */
#ifndef SOCKSIFY_SUPERVISOR_SPAWN_H
#define SOCKSIFY_SUPERVISOR_SPAWN_H

#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct spawn_args {
	char *const *argv;		/* the command; NULL: a probe only */
	const char *preload;		/* LD_PRELOAD for it, or NULL */
	const struct sock_fprog *prog;	/* filter_build() */
	uint64_t cookie;		/* the filter's exemption */
	bool want_killable;		/* ask for WAIT_KILLABLE_RECV */
	const sigset_t *mask;		/* the mask the command starts with */
	bool chld_ignored;		/* it inherited SIGCHLD = SIG_IGN */
};

struct spawn {
	pid_t pid;		/* the child */
	int listener;		/* its filter's notification fd */
	int sock;		/* our end of the hand-over socket */
	bool killable;		/* WAIT_KILLABLE_RECV is in effect */
	bool nnp;		/* the child had to set no_new_privs */
};

/*
 * Fork the child. It resets the signal mask, sets LD_PRELOAD, installs
 * the filter (filter_install()), sends the listener over a socketpair and
 * waits. We then prove we can do what serving it needs: pidfd_open,
 * process_vm_readv of a value in its memory, pidfd_getfd of one of its
 * descriptors. On success 0, the child waiting for spawn_go(). On failure
 * a negative errno, a one-line reason in why ("seccomp: Invalid argument"
 * style, with a hint), and the child killed and reaped.
 */
int spawn_start(struct spawn *s, const struct spawn_args *a, char *why,
    size_t whycap);

/*
 * Let the waiting child go on: exec the command (go = true), or exit 0
 * (a probe). The child exits 127 when the command is not found, 126 when
 * it cannot be executed, as shells do. 0 or a negative errno.
 */
int spawn_go(struct spawn *s, bool go);

#endif
