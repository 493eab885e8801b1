/* SPDX-License-Identifier: MIT */
/* Safe access to a trapped program ("the target"): its memory, its
 * descriptors, the answer to its system call. */
#ifndef SOCKSIFY_SUPERVISOR_TARGET_H
#define SOCKSIFY_SUPERVISOR_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Copy len bytes at addr in task tid's memory into buf (process_vm_readv).
 * 0, -EFAULT when the range is not (wholly) mapped, or the errno of the
 * refusal (-EPERM: not allowed to read that process, -ESRCH: gone).
 * What was read is only trustworthy after target_valid() says the
 * notification is still pending (the task could have been replaced).
 */
int target_read(pid_t tid, uint64_t addr, void *buf, size_t len);

/* The same in the other direction (process_vm_writev). */
int target_write(pid_t tid, uint64_t addr, const void *buf, size_t len);

/* 0 while notification id of listener is still pending, else -ENOENT. */
int target_valid(int listener, uint64_t id);

/*
 * A pidfd for the process task tid belongs to: PIDFD_THREAD where the
 * kernel has it (Linux >= 6.9), else the thread group leader found in
 * /proc/TID/status. Close-on-exec. The fd or a negative errno. Check
 * target_valid() afterwards: only then is it the trapped task's process.
 */
int target_pidfd(pid_t tid);

/*
 * Our own copy of descriptor fd of that process (pidfd_getfd): the same
 * open file description, so connecting it connects the program's socket.
 * Close-on-exec. The new fd or a negative errno.
 */
int target_getfd(int pidfd, int fd);

/* How to answer a notification. */
struct target_reply {
	bool cont;	/* let the kernel run the call as it is */
	int error;	/* positive errno, or 0 */
	int64_t val;	/* the return value when error == 0 */
};

/*
 * Send the answer (SECCOMP_IOCTL_NOTIF_SEND). 0, or -ENOENT when the
 * target no longer waits for it (killed, or interrupted by a signal
 * before we answered: the kernel then restarts or fails the call itself).
 */
int target_reply(int listener, uint64_t id, const struct target_reply *r);

#endif
