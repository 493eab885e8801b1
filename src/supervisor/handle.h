/* SPDX-License-Identifier: MIT */
/* The handlers of the trapped system calls, and what they share. */
#ifndef SOCKSIFY_SUPERVISOR_HANDLE_H
#define SOCKSIFY_SUPERVISOR_HANDLE_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/socket.h>

#include "supervisor/loop.h"

/* The handler for system call nr (the loop's handler table), or NULL:
 * the call is let through. */
loop_handler handle_for(int nr);

enum loop_verdict handle_connect(struct loop *l,
    const struct seccomp_notif *req, struct target_reply *r);
enum loop_verdict handle_sendto(struct loop *l,
    const struct seccomp_notif *req, struct target_reply *r);
enum loop_verdict handle_sendmsg(struct loop *l,
    const struct seccomp_notif *req, struct target_reply *r);
enum loop_verdict handle_sendmmsg(struct loop *l,
    const struct seccomp_notif *req, struct target_reply *r);
enum loop_verdict handle_getpeername(struct loop *l,
    const struct seccomp_notif *req, struct target_reply *r);

/*
 * Read the sockaddr a trapped call passes (addr, len) into *ss. 1 when it
 * is AF_INET or AF_INET6 (ours to judge); 0 when the kernel may handle
 * the call as it is (another family, a NULL or bad pointer, a length the
 * kernel rejects itself); a negative errno when the target's memory
 * cannot be read (then *r is set to refuse the call, and it is logged).
 */
int handle_sockaddr(const struct seccomp_notif *req, uint64_t addr,
    uint64_t len, struct sockaddr_storage *ss, struct target_reply *r);

/* Fail closed when the target's memory cannot be read (err): one line,
 * and *r refuses the call with EACCES; it is never let by. */
void handle_refuse_unreadable(const struct seccomp_notif *req, int err,
    struct target_reply *r);

/*
 * Our copy of the target's descriptor fd, checked to belong to the task
 * still waiting in req. The fd, or a negative errno: -EBADF when it is no
 * descriptor of the target, -ENOENT when the call is gone, else access
 * refused (logged, *r set to refuse).
 */
int handle_take_fd(struct loop *l, const struct seccomp_notif *req, int fd,
    struct target_reply *r);

/* SO_COOKIE of our socket fd, or 0. */
uint64_t handle_sock_cookie(int fd);

/* SO_DOMAIN of our socket fd (AF_INET, ...), or -1. */
int handle_sock_domain(int fd);

/* "1.2.3.4:80" / "[::1]:80" for log lines (static buffer). */
const char *handle_fmt(const struct sockaddr *sa);

/* The trapped program, "NAME[PID]" for thread id pid: PID is its process
 * (Tgid), for log lines (static buffer). */
const char *handle_who(pid_t pid);

#endif
