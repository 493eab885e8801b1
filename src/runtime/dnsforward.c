/* SPDX-License-Identifier: MIT */
/*
 * Asking a resolver on the DNS answerer's behalf: dns_server over TCP
 * through the proxy (RFC 1035 §4.2.2 framing, RFC 7766), or libc's
 * resolver for local names; then the answer copied into our reply.
 */
#include <errno.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/dnsforward.h"
#include "runtime/io.h"
#include "runtime/log.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"

/* The query we send: as the program's, with an ID of our own. */
struct fwd {
	const struct runtime *rt;
	const struct dns_query *q;
	uint16_t id;
	uint8_t msg[2 + DNS_HEADER_LEN + DNS_NAME_MAX + 4 + DNS_OPT_LEN];
	size_t len;		/* the message at msg + 2 */
	char what[DNS_TEXT_MAX + 32];	/* "NAME type N", for log lines */
};

static uint16_t
fwd_random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == (ssize_t)sizeof(id))
		return id;
	return (uint16_t)((io_now_ms() * 2654435761u) >> 7);
}

/* dns_server through the proxy: one TCP exchange. The response goes to
 * *resp (malloc'd, the caller frees); its length or a negative errno. */
static ssize_t
fwd_dns_server(struct fwd *f, uint8_t **resp)
{
	const struct runtime *rt = f->rt;
	uint64_t deadline = io_now_ms() + rt->cfg.timeout_ms;
	char server[SOCKS5_ADDR_STRLEN];
	uint8_t hdr[2];
	struct path p;
	size_t n;
	int fd, family, rc;

	socks5_addr_format(&rt->cfg.dns_server, server, sizeof(server));
	proxy_default_path(rt, &p);
	family = p.hop[0]->addr.ss_family;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* proxy_connect() restores the flags: the socket stays non-blocking,
	 * so every read and write below obeys the deadline. */
	rc = proxy_connect(rt, &p, fd, family, &rt->cfg.dns_server);
	if (rc < 0)
		goto out;		/* proxy_connect() said why */
	(void)dns_tcp_put_length(f->msg, 2, f->len);
	rc = io_write_all(fd, f->msg, 2 + f->len, deadline);
	if (rc == 0)
		rc = io_read_exact(fd, hdr, 2, deadline);
	if (rc < 0)
		goto fail;
	n = (size_t)hdr[0] << 8 | hdr[1];
	*resp = malloc(n > 0 ? n : 1);
	if (*resp == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = io_read_exact(fd, *resp, n, deadline);
	if (rc < 0)
		goto fail;
	(void)real_close(fd);
	return (ssize_t)n;
fail:
	log_error("dns %s: no answer from dns_server %s: %s", f->what, server,
	    strerror(-rc));
out:
	if (fd >= 0)
		(void)real_close(fd);
	return rc;
}

/* libc's resolver, as the program would have used it without socksify
 * (resolv.conf servers, its retries, TCP after TC). */
static ssize_t
fwd_local(struct fwd *f, uint8_t **resp)
{
	struct __res_state st;
	int n;

	if (real_resolver_init() < 0) {
		log_error("dns %s: libc has no resolver to ask", f->what);
		return -ENOSYS;
	}
	*resp = malloc(DNS_MSG_MAX);
	if (*resp == NULL)
		return -ENOMEM;
	memset(&st, 0, sizeof(st));
	if (real_res_ninit(&st) != 0) {
		log_error("dns %s: cannot set up libc's resolver", f->what);
		return -EIO;
	}
	/* Its per-try wait (RES_TIMEOUT, resolv.conf's timeout:) no longer
	 * than socksify's own timeout. */
	if ((unsigned)st.retrans * 1000u > f->rt->cfg.timeout_ms)
		st.retrans = (int)(f->rt->cfg.timeout_ms + 999u) / 1000;
	n = real_res_nsend(&st, f->msg + 2, (int)f->len, *resp, DNS_MSG_MAX);
	real_res_nclose(&st);
	if (n < 0) {
		log_error("dns %s: no answer from the local resolver", f->what);
		return -ETIMEDOUT;
	}
	return n;
}

/* The resolver's answer as our reply to the program's query. */
static ssize_t
fwd_relay(const struct fwd *f, const uint8_t *resp, size_t len,
    uint8_t *out, size_t cap, size_t limit)
{
	const struct dns_query *q = f->q;
	struct dns_response rs;
	struct dns_reply r;
	struct dns_rr rr;
	ssize_t off;
	unsigned s, i;
	int rc;

	if (dns_parse_response(resp, len, &rs) < 0 || rs.id != f->id ||
	    DNS_OPCODE(rs.flags) != DNS_OPCODE_QUERY ||
	    !dns_name_equal(&rs.q.name, &q->q.name) ||
	    rs.q.type != q->q.type || rs.q.class != q->q.class) {
		log_error("dns %s: the resolver's response is malformed or "
		    "not for our query", f->what);
		return -EBADMSG;
	}
	rc = dns_reply_start(&r, out, cap, limit, q, DNS_RCODE(rs.flags), 0);
	if (rc < 0)
		return rc;
	off = (ssize_t)rs.rr;
	for (s = 0; s < 3; s++) {
		for (i = 0; i < rs.count[s]; i++) {
			off = dns_parse_rr(resp, len, (size_t)off, &rr);
			if (off < 0)
				return -EBADMSG;	/* checked: cannot be */
			if (s == DNS_SECTION_ADDITIONAL &&
			    rr.type == DNS_TYPE_OPT)
				continue;
			rc = dns_reply_copy_rr(&r, (enum dns_section)s, resp,
			    len, &rr);
			if (rc == -EBADMSG || rc == -EINVAL) {
				log_error("dns %s: malformed record (type %u) "
				    "in the resolver's response", f->what,
				    rr.type);
				return -EBADMSG;
			}
		}
	}
	return (ssize_t)dns_reply_finish(&r);
}

ssize_t
dnsforward_answer(const struct runtime *rt, const struct dns_query *q,
    enum dnsforward_to to, uint8_t *out, size_t cap, size_t limit)
{
	struct fwd f;
	uint8_t *resp = NULL;
	char name[DNS_TEXT_MAX];
	ssize_t n;

	memset(&f, 0, sizeof(f));
	f.rt = rt;
	f.q = q;
	f.id = fwd_random_id();
	if (dns_name_to_text(&q->q.name, name, sizeof(name)) < 0)
		name[0] = '\0';
	(void)snprintf(f.what, sizeof(f.what), "%s type %u",
	    name[0] != '\0' ? name : ".", q->q.type);
	n = dns_build_query(f.msg + 2, sizeof(f.msg) - 2, f.id, &q->q,
	    (q->flags & DNS_FLAG_CD) != 0, q->edns, q->edns_do);
	if (n < 0)
		return n;
	f.len = (size_t)n;
	if (to == DNSFORWARD_LOCAL)
		n = fwd_local(&f, &resp);
	else
		n = fwd_dns_server(&f, &resp);
	if (n >= 0)
		n = fwd_relay(&f, resp, (size_t)n, out, cap, limit);
	free(resp);
	return n;
}
