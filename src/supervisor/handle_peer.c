/* SPDX-License-Identifier: MIT */
/* getpeername() on a socket the supervisor connected through the proxy
 * reports what the program asked for, as the library does. Any other
 * socket: let through. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervisor/handle.h"
#include "supervisor/peers.h"

/* Still connected to the proxy we connected it to (not disconnected and
 * reconnected elsewhere since)? */
static bool
handle_same_peer(int fd, const struct peers_entry *e)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	return len == e->vialen && memcmp(&ss, &e->via, len) == 0;
}

enum loop_verdict
handle_getpeername(struct loop *l, const struct seccomp_notif *req,
    struct target_reply *r)
{
	pid_t pid = (pid_t)req->pid;
	struct peers_entry *e;
	socklen_t cap, n;
	int fd;

	if (req->data.args[1] == 0 || req->data.args[2] == 0)
		return LOOP_REPLY;
	fd = handle_take_fd(l, req, (int)req->data.args[0], r);
	if (fd < 0)
		return LOOP_REPLY;
	e = peers_find(handle_sock_cookie(fd));
	if (e == NULL || !handle_same_peer(fd, e)) {
		(void)close(fd);
		return LOOP_REPLY;
	}
	(void)close(fd);
	if (target_read(pid, req->data.args[2], &cap, sizeof(cap)) < 0)
		return LOOP_REPLY;	/* the kernel says EFAULT */
	n = cap < e->destlen ? cap : e->destlen;
	if (target_valid(l->listener, req->id) < 0 ||
	    target_write(pid, req->data.args[1], &e->dest, n) < 0 ||
	    target_write(pid, req->data.args[2], &e->destlen,
	    sizeof(e->destlen)) < 0)
		return LOOP_REPLY;
	r->cont = false;
	r->error = 0;
	r->val = 0;
	return LOOP_REPLY;
}
