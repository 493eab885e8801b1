/* SPDX-License-Identifier: MIT */
/* The connection driver: the TCP connect to the first hop, the handshake
 * engine (core/handshake.c) stepped over a socket without ever waiting,
 * fallbacks; and the blocking loop around it, bounded by one deadline. No
 * protocol byte is known here. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/handshake.h"
#include "runtime/io.h"
#include "runtime/log.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"

void
proxy_default_path(const struct runtime *rt, struct path *p)
{
	size_t i;

	for (i = 0; i < rt->n_chain; i++)
		p->hop[i] = &rt->chain[i];
	p->hop[i] = &rt->proxy;
	p->n = i + 1;
	p->may_fall_back = true;
}

void
proxy_single_path(const struct hop *h, struct path *p)
{
	p->hop[0] = h;
	p->n = 1;
	p->may_fall_back = false;
}

int
proxy_hop_addr(const struct hop *h, int family, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct socks5_addr a;

	if (h->addr.ss_family == family) {	/* keeps an IPv6 scope id */
		memcpy(ss, &h->addr, h->len);
		*len = h->len;
		return 0;
	}
	/* An IPv4 proxy from an AF_INET6 socket: v4-mapped. */
	if (socks5_addr_from_sockaddr(&a, (const struct sockaddr *)&h->addr,
	    h->len) < 0)
		return -EAFNOSUPPORT;
	return socks5_addr_to_sockaddr(&a, family, ss, len);
}

void
proxy_path_hops(const struct path *path, struct handshake_hop *hops)
{
	const struct hop *next;
	size_t i;

	for (i = 0; i < path->n; i++) {
		hops[i].url = path->hop[i]->url;
		if (i == 0)
			continue;
		/* How hop i-1 is asked to reach hop i: its address as
		 * resolved here, else its name. */
		next = path->hop[i];
		if (socks5_addr_from_sockaddr(&hops[i].via,
		    (const struct sockaddr *)&next->addr, next->len) < 0)
			(void)socks5_addr_from_name(&hops[i].via,
			    next->url->host, next->url->port);
	}
}

static void
op_disconnect(int fd)
{
	/* AF_UNSPEC disconnects a TCP socket on Linux: the program may
	 * retry on this fd, and a fallback can use it. */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	(void)real_connect(fd, &unspec, sizeof(unspec));
}

/* Begin the handshake over op->path and the TCP connect to its first hop,
 * without waiting for it (the first write does; that spares a poll() and
 * a getsockopt(SO_ERROR) per connection). A blocking socket is made
 * non-blocking for the connect() call only: the rest uses MSG_DONTWAIT. */
static void
op_begin(struct proxy_op *op)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int flags, rc;

	proxy_path_hops(op->path, op->hops);
	handshake_start(&op->hs, op->hops, op->path->n, op->cmd,
	    op->has_target ? &op->target : NULL, op->rt->cfg.pipeline);
	op->connecting = true;
	if (proxy_hop_addr(op->path->hop[0], op->family, &ss, &len) < 0) {
		handshake_fail(&op->hs, EAFNOSUPPORT, "the proxy has an IPv6 "
		    "address and the program's socket is IPv4");
		return;
	}
	if (op->flags < 0)
		op->flags = fcntl(op->fd, F_GETFL);
	flags = op->flags;
	if (flags >= 0 && !(flags & O_NONBLOCK))
		(void)fcntl(op->fd, F_SETFL, flags | O_NONBLOCK);
	rc = real_connect(op->fd, (struct sockaddr *)&ss, len);
	if (rc < 0 && errno != EINPROGRESS && errno != EINTR)
		handshake_io_error(&op->hs, errno, true);
	if (flags >= 0 && !(flags & O_NONBLOCK))
		(void)fcntl(op->fd, F_SETFL, flags);
}

void
proxy_op_start(struct proxy_op *op, const struct runtime *rt,
    const struct path *path, int fd, int family, uint8_t cmd,
    const struct socks5_addr *target, int flags)
{
	char where[SOCKS5_ADDR_STRLEN];
	const char *label;

	op->rt = rt;
	op->fd = fd;
	op->flags = flags;
	op->family = family;
	op->cmd = cmd;
	op->has_target = target != NULL;
	if (target != NULL)
		op->target = *target;
	op->first = *path;
	op->path = &op->first;
	op->next_fallback = 0;
	op->start = io_now_ms();
	op->deadline = op->start + rt->cfg.timeout_ms;
	/*
	 * One snprintf with the label as an argument: given a constant
	 * string, the compiler stores it with immediate moves in 8-byte
	 * pieces, which shows up as the word "handshak" in the binary's
	 * strings (lintian's spelling check reads them).
	 */
	if (target == NULL)
		label = "handshake";
	else if (cmd == SOCKS5_CMD_UDP_ASSOCIATE)
		label = "UDP association";
	else
		label = cmd == SOCKS5_CMD_BIND ? "bind for " : "connect ";
	snprintf(op->what, sizeof(op->what), "%s%s", label,
	    target != NULL && cmd != SOCKS5_CMD_UDP_ASSOCIATE ?
	    socks5_addr_format(target, where, sizeof(where)) : "");
	op_begin(op);
}

/* The handshake failed: say why, then try the next fallback when the
 * first hop never answered; else disconnect. 1: a fallback is under way. */
static int
op_failed(struct proxy_op *op)
{
	const struct runtime *rt = op->rt;
	size_t hop = op->hs.hop < op->path->n ? op->hs.hop : 0;

	log_error("%s via %s: %s", op->what, op->path->hop[hop]->text,
	    op->hs.why);
	op_disconnect(op->fd);
	if (!op->connecting || !op->first.may_fall_back ||
	    op->next_fallback >= rt->n_fallback)
		return 0;
	log_info("%s: trying fallback proxy %s", op->what,
	    rt->fallback[op->next_fallback].text);
	proxy_single_path(&rt->fallback[op->next_fallback++], &op->one);
	op->path = &op->one;
	op_begin(op);
	return 1;
}

/* A SOCKS4 probe sends nothing: the connection itself is the answer. */
static int
op_confirm(struct proxy_op *op)
{
	struct pollfd pfd = { .fd = op->fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (real_poll(&pfd, 1, 0) == 0)
		return POLLOUT;
	if (real_getsockopt(op->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		handshake_io_error(&op->hs, err, true);
		return -1;
	}
	op->connecting = false;
	return 0;
}

int
proxy_op_step(struct proxy_op *op)
{
	uint8_t buf[HTTP_CONNECT_MAX_HEAD];
	struct handshake_io io;
	ssize_t n;
	size_t take;
	int rc;

	for (;;) {
		switch (handshake_next(&op->hs, &io)) {
		case HANDSHAKE_SEND:
			n = real_send(op->fd, io.out, io.len,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				op->connecting = false;
				handshake_sent(&op->hs, (size_t)n);
				continue;
			}
			break;
		case HANDSHAKE_RECV:
			n = real_recv(op->fd, buf, io.want, MSG_DONTWAIT |
			    (io.peek ? MSG_PEEK : 0));
			if (n == 0) {
				handshake_io_error(&op->hs, ECONNRESET, false);
				continue;
			}
			if (n < 0)
				break;
			take = handshake_feed(&op->hs, buf, (size_t)n);
			/* Peeked: remove exactly the engine's part (it is
			 * in the socket already, so this cannot block). */
			if (io.peek)
				(void)real_recv(op->fd, buf, take, MSG_DONTWAIT);
			continue;
		case HANDSHAKE_DONE:
			if (op->connecting) {
				rc = op_confirm(op);
				if (rc != 0 && rc != POLLOUT)
					continue;
				if (rc == POLLOUT)
					return POLLOUT;
			}
			log_info("%s via %s%s: ok (%llu ms)", op->what,
			    op->path->hop[op->path->n - 1]->text,
			    op->path->n > 1 ? " (chain)" : "",
			    (unsigned long long)(io_now_ms() - op->start));
			return 0;
		case HANDSHAKE_BOUND:
			return 0;
		case HANDSHAKE_FAIL:
			if (op_failed(op))
				continue;
			return -op->hs.err;
		}
		/* A send or receive did not go through. */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return io.len > 0 ? POLLOUT : POLLIN;
		handshake_io_error(&op->hs, errno, op->connecting);
	}
}

int
proxy_op_expire(struct proxy_op *op)
{
	handshake_io_error(&op->hs, ETIMEDOUT, op->connecting);
	return proxy_op_step(op);
}

bool
proxy_signals_restart(void)
{
	struct sigaction sa;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		/* The faults' signals come from the thread's own faults,
		 * never while it waits (crash handlers, sanitizers and
		 * runtimes install them without SA_RESTART). */
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV ||
		    sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
		    sig == SIGTRAP || sig == SIGSYS ||
		    sigaction(sig, NULL, &sa) != 0)
			continue;
		if (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN &&
		    !(sa.sa_flags & SA_RESTART))
			return false;
	}
	return true;
}

int
proxy_run(struct proxy_op *op, bool may_intr)
{
	int rc, w;

	while ((rc = proxy_op_step(op)) > 0) {
		while ((w = io_wait_intr(op->fd, (short)rc,
		    op->deadline)) == -EINTR)
			if (may_intr && !proxy_signals_restart())
				return -EINTR;
		if (w == -ETIMEDOUT)
			rc = proxy_op_expire(op);
		else if (w < 0)
			handshake_io_error(&op->hs, -w, op->connecting);
		if (rc <= 0)
			break;
	}
	return rc;
}

/* proxy_handshake(), also copying the path that carried it to *used. */
static int
proxy_handshake_via(const struct runtime *rt, const struct path *path,
    int fd, int family, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd, struct path *used)
{
	struct proxy_op op;
	int rc;

	if (rt->status < 0) {
		log_error("%s: refused, socksify is not configured (%s)",
		    cmd == SOCKS5_CMD_UDP_ASSOCIATE ? "UDP association" :
		    "connect", rt->error);
		return rt->status;
	}
	proxy_op_start(&op, rt, path, fd, family, cmd, target, -1);
	rc = proxy_run(&op, false);
	if (rc == 0 && bnd != NULL)
		*bnd = op.hs.bnd;
	if (rc == 0 && used != NULL)
		*used = *op.path;
	return rc;
}

int
proxy_handshake(const struct runtime *rt, const struct path *path, int fd,
    int family, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd)
{
	return proxy_handshake_via(rt, path, fd, family, cmd, target, bnd,
	    NULL);
}

int
proxy_connect(const struct runtime *rt, const struct path *path, int fd,
    int family, const struct socks5_addr *target)
{
	return proxy_handshake(rt, path, fd, family, SOCKS5_CMD_CONNECT,
	    target, NULL);
}

int
proxy_connect_via(const struct runtime *rt, const struct path *path, int fd,
    int family, const struct socks5_addr *target, struct path *used,
    struct socks5_addr *bnd)
{
	return proxy_handshake_via(rt, path, fd, family, SOCKS5_CMD_CONNECT,
	    target, bnd, used);
}
