/* SPDX-License-Identifier: MIT */
/* The supervisor as a transparent parent: signals relayed to the
 * command, job control, the command's exit status as our own, and the
 * continuation that serves what the command left running. */
#ifndef SOCKSIFY_SUPERVISOR_JOBS_H
#define SOCKSIFY_SUPERVISOR_JOBS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "supervisor/loop.h"

struct jobs {
	pid_t child;		/* the command */
	bool reaped;		/* it exited; status is its wait status */
	int status;
	bool relay;		/* false in the continuation */
	bool chld_ignored;	/* SIGCHLD was SIG_IGN when we started */
	sigset_t orig_mask;	/* the mask the command gets */
	sigset_t set;		/* what the signalfd reads */
	struct loop_source src;	/* the signalfd */
	struct loop *loop;
};

/*
 * Before the fork: block the signals we read through a signalfd (all but
 * SIGKILL, SIGSTOP, the synchronous faults, SIGTTIN and SIGTTOU) and
 * remember the original mask and SIGCHLD disposition for the command.
 * 0 or a negative errno.
 */
int jobs_prepare(struct jobs *j);

/*
 * After the fork: the signalfd joins l's loop, SIGTTIN/SIGTTOU are
 * ignored (we never read the terminal; our log lines must not stop us).
 * From then on: signals sent to us with kill()/sigqueue() are relayed to
 * the child (those the terminal generated reached it already, being in
 * our process group); when the child stops we stop with the same signal
 * so the shell sees the job stopped, and continue it when we continue.
 * When the child exits and no other process uses the filter, l->stop is
 * set; if some still do, a continuation (setsid, no relaying) is forked
 * to serve them until the last one ends, and the original exits like the
 * child (jobs_exit()). 0 or a negative errno.
 */
int jobs_start(struct jobs *j, struct loop *l, pid_t child);

/* l->on_hup: the last task using the filter is gone. */
void jobs_on_hup(struct loop *l);

/*
 * Exit as the child did: its exit code, or the signal that killed it
 * raised on ourselves with the default action (no core file of ours), so
 * the shell reports "Killed" and $? is 128 + N. The continuation exits 0.
 */
void jobs_exit(const struct jobs *j) __attribute__((noreturn));

#endif
