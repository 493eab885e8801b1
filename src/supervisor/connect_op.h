/* SPDX-License-Identifier: MIT */
/* A trapped connect() (or sendto(MSG_FASTOPEN)) that goes through the
 * proxy: an operation of the loop on our copy of the program's socket. */
#ifndef SOCKSIFY_SUPERVISOR_CONNECT_OP_H
#define SOCKSIFY_SUPERVISOR_CONNECT_OP_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/socket.h>

#include "supervisor/loop.h"
#include "supervisor/policy.h"

/* Data to send once the tunnel is up (sendto with MSG_FASTOPEN). */
struct connect_payload {
	uint64_t addr;		/* in the target's memory */
	uint64_t len;
};

/*
 * Connect fd (ours; the op owns it from now on, even on failure) to the
 * first hop of d->path and run the handshake (runtime/proxy_connect) to d->target,
 * bounded by the configured timeout. dest (len bytes) is what the program
 * asked for: getpeername() will report it. On success the reply is 0 (or
 * the payload bytes sent); on failure the mapped errno, the reason in one
 * line, and the socket disconnected (the program may retry on it).
 * LOOP_PENDING, or LOOP_REPLY with *r set when it failed at once.
 */
enum loop_verdict connect_op_start(struct loop *l,
    const struct seccomp_notif *req, int fd, const struct sockaddr *dest,
    socklen_t len, const struct policy_decision *d,
    const struct connect_payload *payload, struct target_reply *r);

#endif
