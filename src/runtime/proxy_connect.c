/* SPDX-License-Identifier: MIT */
/* The blocking connection driver: socket flags and one deadline, the TCP
 * connect to the first hop, the handshake engine (core/handshake.c) fed
 * through runtime/io.c, fallbacks. No protocol byte is known here. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
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

/* Run h over fd until it is done, failed or bound. *connecting: the TCP
 * connection to the first hop is not proven yet; the first write proves
 * it (a poll() and a getsockopt(SO_ERROR) fewer per connection). */
static enum handshake_status
pc_drive(struct handshake *h, int fd, uint64_t deadline, bool *connecting)
{
	uint8_t buf[HTTP_CONNECT_MAX_HEAD];
	struct handshake_io io;
	enum handshake_status st;
	ssize_t n;
	size_t take;
	int rc = 0;

	for (;;) {
		st = handshake_next(h, &io);
		if (st == HANDSHAKE_SEND) {
			rc = io_write_all(fd, io.out, io.len, deadline);
			if (rc < 0)
				break;
			*connecting = false;
			handshake_sent(h, io.len);
		} else if (st == HANDSHAKE_RECV && !io.peek) {
			rc = io_read_exact(fd, buf, io.want, deadline);
			if (rc < 0)
				break;
			(void)handshake_feed(h, buf, io.want);
		} else if (st == HANDSHAKE_RECV) {
			/* The head's length is not known: peek, let the
			 * engine say how much of it is its own. */
			n = io_peek(fd, buf, io.want, deadline);
			if (n < 0) {
				rc = (int)n;
				break;
			}
			take = handshake_feed(h, buf, (size_t)n);
			rc = io_read_exact(fd, buf, take, deadline);
			if (rc < 0)
				break;
		} else {
			break;
		}
	}
	if (rc < 0) {
		handshake_io_error(h, -rc, *connecting);
		return HANDSHAKE_FAIL;
	}
	if (st == HANDSHAKE_DONE && *connecting) {
		/* Nothing was sent (a SOCKS4 probe): wait for the TCP
		 * connection itself. */
		rc = io_wait_connected(fd, deadline);
		if (rc < 0) {
			handshake_io_error(h, -rc, true);
			return HANDSHAKE_FAIL;
		}
		*connecting = false;
	}
	return st;
}

/* Start the TCP connect to the first hop; a connect still in progress is
 * left to the first write. 0, or a negative errno with h failed. */
static int
pc_connect_first(struct handshake *h, const struct hop *hop, int fd,
    int family)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (proxy_hop_addr(hop, family, &ss, &len) < 0) {
		handshake_fail(h, EAFNOSUPPORT, "the proxy has an IPv6 "
		    "address and the program's socket is IPv4");
		return -EAFNOSUPPORT;
	}
	if (real_connect(fd, (struct sockaddr *)&ss, len) == 0 ||
	    errno == EINPROGRESS || errno == EINTR)
		return 0;
	handshake_io_error(h, errno, true);
	return -h->err;
}

/* Connect and walk one path. *reached: the first hop accepted the TCP
 * connection at all (a fallback is for a proxy that is down). */
static int
pc_path(struct proxy_op *op, const struct path *path)
{
	struct handshake_hop hops[HANDSHAKE_MAX_HOPS];
	struct handshake *h = &op->hs;
	bool connecting = true;
	enum handshake_status st;

	proxy_path_hops(path, hops);
	handshake_start(h, hops, path->n, op->cmd, op->target, op->pipeline);
	op->path = path;
	op->reached = false;
	if (pc_connect_first(h, path->hop[0], op->fd, op->family) < 0)
		return -h->err;
	st = pc_drive(h, op->fd, op->deadline, &connecting);
	op->reached = !connecting;
	if (st == HANDSHAKE_DONE || st == HANDSHAKE_BOUND)
		return 0;
	return -h->err;
}

static void
pc_log_fail(const struct proxy_op *op)
{
	const struct hop *hop = op->path->hop[op->hs.hop < op->path->n ?
	    op->hs.hop : 0];

	log_error("%s via %s: %s", op->what, hop->text, op->hs.why);
}

static void
pc_disconnect(int fd)
{
	/* AF_UNSPEC disconnects a TCP socket on Linux: the program may
	 * retry on this fd, and a fallback can use it. */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	(void)real_connect(fd, &unspec, sizeof(unspec));
}

int
proxy_run(const struct runtime *rt, const struct path *path,
    struct proxy_op *op)
{
	struct path one;
	uint64_t start;
	int flags, rc;
	size_t i;

	if (op->target == NULL)
		snprintf(op->what, sizeof(op->what), "handshake");
	else if (op->cmd == SOCKS5_CMD_UDP_ASSOCIATE)
		snprintf(op->what, sizeof(op->what), "UDP association");
	else {
		char where[SOCKS5_ADDR_STRLEN];

		snprintf(op->what, sizeof(op->what), "%s %s",
		    op->cmd == SOCKS5_CMD_BIND ? "bind for" : "connect",
		    socks5_addr_format(op->target, where, sizeof(where)));
	}
	if (rt->status < 0) {
		log_error("%s: refused, socksify is not configured (%s)",
		    op->what, rt->error);
		return rt->status;
	}
	flags = fcntl(op->fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if (!(flags & O_NONBLOCK) &&
	    fcntl(op->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	op->pipeline = rt->cfg.pipeline;
	start = io_now_ms();
	op->deadline = start + rt->cfg.timeout_ms;
	rc = pc_path(op, path);
	if (rc < 0)
		pc_log_fail(op);
	for (i = 0; rc < 0 && !op->reached && path->may_fall_back &&
	    i < rt->n_fallback; i++) {
		pc_disconnect(op->fd);
		log_info("%s: trying fallback proxy %s", op->what,
		    rt->fallback[i].text);
		proxy_single_path(&rt->fallback[i], &one);
		rc = pc_path(op, &one);
		if (rc < 0)
			pc_log_fail(op);
	}
	if (rc < 0)
		pc_disconnect(op->fd);
	if (!(flags & O_NONBLOCK))
		(void)fcntl(op->fd, F_SETFL, flags);
	if (rc == 0)
		log_info("%s via %s%s: ok (%llu ms)", op->what,
		    op->path->hop[op->path->n - 1]->text,
		    op->path->n > 1 ? " (chain)" : "",
		    (unsigned long long)(io_now_ms() - start));
	return rc;
}

int
proxy_handshake(const struct runtime *rt, const struct path *path, int fd,
    int family, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd)
{
	struct proxy_op op = { .fd = fd, .family = family, .cmd = cmd,
	    .target = target };
	int rc;

	rc = proxy_run(rt, path, &op);
	if (rc == 0 && bnd != NULL)
		*bnd = op.hs.bnd;
	return rc;
}

int
proxy_connect(const struct runtime *rt, const struct path *path, int fd,
    int family, const struct socks5_addr *target)
{
	return proxy_handshake(rt, path, fd, family, SOCKS5_CMD_CONNECT,
	    target, NULL);
}
