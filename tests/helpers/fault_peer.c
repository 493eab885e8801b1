/* SPDX-License-Identifier: MIT */
/*
 * fault_peer: a scriptable, misbehaving SOCKS5 server for the fail-closed
 * integration scenarios. Standalone: no project headers.
 *
 *   fault_peer -l ADDR [-p PORT] [-P PORTFILE] -m MODE[,MODE...]
 *       [-n CONNECTIONS] [-d DELAY_MS] [-t IDLE_S]
 *
 * Connection i (from 0) gets the i-th mode of the list; the last one repeats.
 * The port (0: the kernel picks) is written to PORTFILE (atomically) and to
 * stdout. Bounded: exits after CONNECTIONS connections have been served, or
 * after IDLE_S seconds (default 30) without a new connection; every read in
 * a connection is bounded by IDLE_S too.
 *
 * Modes:
 *   refuse            bind but never listen: connecting gets ECONNREFUSED
 *                     (whole run only, not in a list)
 *   rst               accept, then reset the connection at once
 *   silent            read everything, never answer
 *   close-method-N    close after N bytes (0, 1) of the method reply
 *   close-after-N     close after N bytes (0..9) of the CONNECT reply
 *   trickle           valid handshake written one byte per write, DELAY_MS
 *                     (default 20) apart, then echo
 *   bad-version       method reply 04 00
 *   garbage           an HTTP error page instead of a method reply
 *   method-ff         method reply 05 ff (no acceptable method)
 *   method-unknown    method reply 05 80 (a method nobody offered)
 *   auth-fail         select 02 (username/password), answer 01 01
 *   auth-ok           select 02, answer 01 00, success, then echo
 *   rep-N             CONNECT reply with REP = N (1..255), then close
 *   bad-atyp          CONNECT reply with ATYP 07
 *   domain-0          success, BND.ADDR a domain name of length 0, then echo
 *   domain-255        success, BND.ADDR a domain name of length 255, echo
 *   extra             success reply and "EXTRA-DATA" in the same write, echo
 *   rst-mid           half of the CONNECT reply, then a reset (SO_LINGER 0)
 *   bind-close        one success reply (the first of a BIND), then, DELAY_MS
 *                     (default 20) later, close without the second
 *   slow              DELAY_MS before the method reply and again before
 *                     the CONNECT reply (a proxy far away), then echo
 *   ok                success, then echo
 * Echo: whatever arrives after the reply is sent back until EOF.
 * Before each reply the peer looks whether bytes beyond the protocol are
 * already there (the client wrote before its tunnel was up) and logs
 * "EARLY: N byte(s) before the ... reply" if so.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FP_MAX_MODES	64
#define FP_EXTRA	"EXTRA-DATA"

enum fp_kind {
	FP_REFUSE, FP_RST, FP_SILENT, FP_CLOSE_METHOD, FP_CLOSE_AFTER,
	FP_TRICKLE, FP_BAD_VERSION, FP_GARBAGE, FP_METHOD_FF,
	FP_METHOD_UNKNOWN, FP_AUTH_FAIL, FP_AUTH_OK, FP_REP, FP_BAD_ATYP,
	FP_DOMAIN0, FP_DOMAIN255, FP_EXTRA_DATA, FP_RST_MID, FP_BIND_CLOSE,
	FP_SLOW, FP_OK
};

struct fp_mode {
	enum fp_kind kind;
	int arg;
	char name[32];
};

static const struct {
	const char *name;
	enum fp_kind kind;
} fp_plain[] = {
	{ "refuse", FP_REFUSE }, { "rst", FP_RST }, { "silent", FP_SILENT },
	{ "trickle", FP_TRICKLE }, { "bad-version", FP_BAD_VERSION },
	{ "garbage", FP_GARBAGE }, { "method-ff", FP_METHOD_FF },
	{ "method-unknown", FP_METHOD_UNKNOWN },
	{ "auth-fail", FP_AUTH_FAIL }, { "auth-ok", FP_AUTH_OK },
	{ "bad-atyp", FP_BAD_ATYP }, { "domain-0", FP_DOMAIN0 },
	{ "domain-255", FP_DOMAIN255 }, { "extra", FP_EXTRA_DATA },
	{ "rst-mid", FP_RST_MID }, { "bind-close", FP_BIND_CLOSE },
	{ "slow", FP_SLOW }, { "ok", FP_OK },
};

static int fp_idle_ms = 30000;
static int fp_delay_ms = 20;
static unsigned fp_conn_no;
static const char *fp_conn_mode = "-";

static void fp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fp_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "fault_peer[%ld] conn %u (%s): %s\n",
	    (long)getpid(), fp_conn_no, fp_conn_mode, line);
}

static void
fp_usage(void)
{
	(void)fprintf(stderr, "usage: fault_peer -l ADDR [-p PORT] "
	    "[-P PORTFILE] -m MODE[,MODE...] [-n CONNECTIONS] "
	    "[-d DELAY_MS] [-t IDLE_S]\n");
	exit(2);
}

/* "prefix-N" with lo <= N <= hi; returns N or -1. */
static int
fp_suffix_num(const char *s, const char *prefix, int lo, int hi)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(s, prefix, n) != 0 || s[n] == '\0')
		return -1;
	errno = 0;
	v = strtol(s + n, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	return (int)v;
}

static int
fp_parse_mode(const char *s, struct fp_mode *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	(void)snprintf(m->name, sizeof(m->name), "%s", s);
	for (i = 0; i < sizeof(fp_plain) / sizeof(fp_plain[0]); i++) {
		if (strcmp(s, fp_plain[i].name) == 0) {
			m->kind = fp_plain[i].kind;
			return 0;
		}
	}
	if ((m->arg = fp_suffix_num(s, "close-method-", 0, 1)) >= 0)
		m->kind = FP_CLOSE_METHOD;
	else if ((m->arg = fp_suffix_num(s, "close-after-", 0, 9)) >= 0)
		m->kind = FP_CLOSE_AFTER;
	else if ((m->arg = fp_suffix_num(s, "rep-", 1, 255)) >= 0)
		m->kind = FP_REP;
	else
		return -1;
	return 0;
}

static void
fp_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Wait for input; 0 ready, -1 on timeout or error. */
static int
fp_wait_in(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&pfd, 1, fp_idle_ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -1;
}

static int
fp_read_exact(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		if (fp_wait_in(fd) < 0) {
			fp_log("read: idle timeout");
			return -1;
		}
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fp_log("read: %s", n == 0 ? "EOF" : strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fp_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fp_log("write: %s", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One byte per write, fp_delay_ms apart (TCP_NODELAY is set on the socket,
 * so each byte is its own segment). */
static int
fp_write_trickle(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i > 0)
			fp_sleep_ms(fp_delay_ms);
		if (fp_write_all(fd, p + i, 1) < 0)
			return -1;
	}
	return 0;
}

/* Read and discard until EOF or the idle timeout. */
static void
fp_drain(int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (fp_wait_in(fd) < 0)
			return;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
	}
}

static void
fp_echo(int fd)
{
	char buf[4096];
	unsigned long long total = 0;
	ssize_t n;

	for (;;) {
		if (fp_wait_in(fd) < 0)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || fp_write_all(fd, buf, (size_t)n) < 0)
			break;
		total += (unsigned long long)n;
	}
	fp_log("echoed %llu bytes", total);
}

/* Close with a reset instead of a FIN. */
static void
fp_rst_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	(void)close(fd);
}

/* Orderly close: FIN after everything written. */
static void
fp_fin_close(int fd)
{
	(void)shutdown(fd, SHUT_WR);
	fp_drain(fd);
	(void)close(fd);
}

static int
fp_read_greeting(int fd)
{
	unsigned char hdr[2], methods[255];

	if (fp_read_exact(fd, hdr, 2) < 0)
		return -1;
	if (hdr[0] != 5)
		fp_log("greeting: version %u, not 5", hdr[0]);
	if (fp_read_exact(fd, methods, hdr[1]) < 0)
		return -1;
	return 0;
}

/* RFC 1929: VER ULEN UNAME PLEN PASSWD. */
static int
fp_read_userpass(int fd)
{
	unsigned char hdr[2], buf[256];

	if (fp_read_exact(fd, hdr, 2) < 0 ||
	    fp_read_exact(fd, buf, hdr[1]) < 0 ||
	    fp_read_exact(fd, hdr, 1) < 0 ||
	    fp_read_exact(fd, buf, hdr[0]) < 0)
		return -1;
	return 0;
}

static int
fp_read_request(int fd)
{
	unsigned char hdr[4], buf[260];
	size_t alen;

	if (fp_read_exact(fd, hdr, 4) < 0)
		return -1;
	switch (hdr[3]) {
	case 1:
		alen = 4;
		break;
	case 4:
		alen = 16;
		break;
	case 3:
		if (fp_read_exact(fd, buf, 1) < 0)
			return -1;
		alen = buf[0];
		break;
	default:
		fp_log("request: unknown ATYP %u", hdr[3]);
		return -1;
	}
	if (fp_read_exact(fd, buf, alen + 2) < 0)
		return -1;
	return 0;
}

/* A CONNECT reply: REP, then BND.ADDR 0.0.0.0 port 0. */
static size_t
fp_reply_v4(unsigned char *out, unsigned rep)
{
	static const unsigned char tmpl[10] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };

	memcpy(out, tmpl, sizeof(tmpl));
	out[1] = (unsigned char)rep;
	return sizeof(tmpl);
}

static size_t
fp_reply_domain(unsigned char *out, size_t namelen)
{
	size_t n = 0;

	out[n++] = 5;
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 3;
	out[n++] = (unsigned char)namelen;
	memset(out + n, 'a', namelen);
	n += namelen;
	out[n++] = 0x1f;	/* port 8080 */
	out[n++] = 0x90;
	return n;
}

/* Bytes waiting beyond what the protocol has sent so far: the client did
 * not wait for its tunnel. */
static void
fp_check_early(int fd, const char *before)
{
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

	if (n > 0)
		fp_log("EARLY: %zd byte(s) before the %s reply", n, before);
}

static void
fp_serve(int fd, const struct fp_mode *m)
{
	static const char garbage[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
	unsigned char method[2] = { 5, 0 };
	unsigned char reply[300];
	size_t rlen;

	if (m->kind == FP_RST) {
		fp_log("reset");
		fp_rst_close(fd);
		return;
	}
	if (fp_read_greeting(fd) < 0) {
		(void)close(fd);
		return;
	}
	if (m->kind == FP_SLOW)
		fp_sleep_ms(fp_delay_ms);
	fp_check_early(fd, "method");

	/* The method reply. */
	switch (m->kind) {
	case FP_SILENT:
		fp_log("greeting read, staying silent");
		fp_drain(fd);
		(void)close(fd);
		return;
	case FP_CLOSE_METHOD:
		if (m->arg > 0)
			(void)fp_write_all(fd, method, (size_t)m->arg);
		fp_log("closing after %d byte(s) of the method reply", m->arg);
		fp_fin_close(fd);
		return;
	case FP_BAD_VERSION:
		method[0] = 4;
		break;
	case FP_GARBAGE:
		(void)fp_write_all(fd, garbage, sizeof(garbage) - 1);
		fp_drain(fd);
		(void)close(fd);
		return;
	case FP_METHOD_FF:
		method[1] = 0xff;
		break;
	case FP_METHOD_UNKNOWN:
		method[1] = 0x80;
		break;
	case FP_AUTH_FAIL:
	case FP_AUTH_OK:
		method[1] = 2;
		break;
	default:
		break;
	}
	if ((m->kind == FP_TRICKLE ? fp_write_trickle(fd, method, 2) :
	    fp_write_all(fd, method, 2)) < 0) {
		(void)close(fd);
		return;
	}
	if (method[0] != 5 || method[1] == 0xff || method[1] == 0x80) {
		fp_drain(fd);
		(void)close(fd);
		return;
	}
	if (method[1] == 2) {
		static const unsigned char fail[2] = { 1, 1 };
		static const unsigned char good[2] = { 1, 0 };

		if (fp_read_userpass(fd) < 0) {
			(void)close(fd);
			return;
		}
		if (m->kind == FP_AUTH_FAIL) {
			(void)fp_write_all(fd, fail, 2);
			fp_drain(fd);
			(void)close(fd);
			return;
		}
		if (fp_write_all(fd, good, 2) < 0) {
			(void)close(fd);
			return;
		}
	}

	/* The CONNECT request and its reply. */
	if (fp_read_request(fd) < 0) {
		(void)close(fd);
		return;
	}
	if (m->kind == FP_SLOW)
		fp_sleep_ms(fp_delay_ms);
	fp_check_early(fd, "CONNECT");
	switch (m->kind) {
	case FP_CLOSE_AFTER:
		rlen = fp_reply_v4(reply, 0);
		if (m->arg > 0)
			(void)fp_write_all(fd, reply, (size_t)m->arg);
		fp_log("closing after %d byte(s) of the CONNECT reply",
		    m->arg);
		fp_fin_close(fd);
		return;
	case FP_REP:
		rlen = fp_reply_v4(reply, (unsigned)m->arg);
		(void)fp_write_all(fd, reply, rlen);
		fp_log("sent REP %d, closing", m->arg);
		fp_fin_close(fd);
		return;
	case FP_BIND_CLOSE:
		rlen = fp_reply_v4(reply, 0);
		(void)fp_write_all(fd, reply, rlen);
		fp_sleep_ms(fp_delay_ms);
		fp_log("sent one reply, closing without a second");
		fp_fin_close(fd);
		return;
	case FP_BAD_ATYP:
		rlen = fp_reply_v4(reply, 0);
		reply[3] = 7;
		(void)fp_write_all(fd, reply, rlen);
		fp_drain(fd);
		(void)close(fd);
		return;
	case FP_RST_MID:
		rlen = fp_reply_v4(reply, 0);
		(void)fp_write_all(fd, reply, rlen / 2);
		fp_sleep_ms(50);
		fp_log("sent %zu of %zu reply bytes, resetting", rlen / 2,
		    rlen);
		fp_rst_close(fd);
		return;
	case FP_DOMAIN0:
		rlen = fp_reply_domain(reply, 0);
		break;
	case FP_DOMAIN255:
		rlen = fp_reply_domain(reply, 255);
		break;
	case FP_EXTRA_DATA:
		rlen = fp_reply_v4(reply, 0);
		memcpy(reply + rlen, FP_EXTRA, sizeof(FP_EXTRA) - 1);
		rlen += sizeof(FP_EXTRA) - 1;
		break;
	default:
		rlen = fp_reply_v4(reply, 0);
		break;
	}
	if ((m->kind == FP_TRICKLE ? fp_write_trickle(fd, reply, rlen) :
	    fp_write_all(fd, reply, rlen)) < 0) {
		(void)close(fd);
		return;
	}
	fp_log("handshake done, echoing");
	fp_echo(fd);
	(void)close(fd);
}

static int
fp_write_portfile(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	(void)fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

static void
fp_reap(int block)
{
	while (waitpid(-1, NULL, block ? 0 : WNOHANG) > 0)
		;
}

int
main(int argc, char **argv)
{
	struct fp_mode modes[FP_MAX_MODES];
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t slen;
	const char *addr = NULL, *portfile = NULL, *modelist = NULL;
	char *list, *tok, *save;
	long port = 0, maxconn = -1, served = 0;
	int nmodes = 0, c, lfd, one = 1, listening;
	unsigned got_port;

	while ((c = getopt(argc, argv, "l:p:P:m:n:d:t:")) != -1) {
		switch (c) {
		case 'l':
			addr = optarg;
			break;
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'm':
			modelist = optarg;
			break;
		case 'n':
			maxconn = strtol(optarg, NULL, 10);
			break;
		case 'd':
			fp_delay_ms = (int)strtol(optarg, NULL, 10);
			break;
		case 't':
			fp_idle_ms = (int)strtol(optarg, NULL, 10) * 1000;
			break;
		default:
			fp_usage();
		}
	}
	if (addr == NULL || modelist == NULL || optind != argc ||
	    port < 0 || port > 65535 || fp_delay_ms < 0 || fp_idle_ms <= 0)
		fp_usage();
	list = strdup(modelist);
	if (list == NULL)
		return 1;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (nmodes == FP_MAX_MODES ||
		    fp_parse_mode(tok, &modes[nmodes]) < 0) {
			(void)fprintf(stderr, "fault_peer: bad or too many "
			    "modes at '%s'\n", tok);
			return 2;
		}
		nmodes++;
	}
	if (nmodes == 0)
		fp_usage();
	listening = !(nmodes == 1 && modes[0].kind == FP_REFUSE);
	for (c = 0; c < nmodes; c++) {
		if (modes[c].kind == FP_REFUSE && listening) {
			(void)fprintf(stderr, "fault_peer: refuse must be the "
			    "only mode\n");
			return 2;
		}
	}

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		slen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		slen = sizeof(*s6);
	} else {
		(void)fprintf(stderr, "fault_peer: bad address %s\n", addr);
		return 2;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&ss, slen) < 0 ||
	    (listening && listen(lfd, 64) < 0) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &slen) < 0) {
		perror("fault_peer: socket");
		return 1;
	}
	got_port = ntohs(ss.ss_family == AF_INET ? s4->sin_port :
	    s6->sin6_port);
	if (portfile != NULL && fp_write_portfile(portfile, got_port) < 0) {
		perror("fault_peer: port file");
		return 1;
	}
	(void)printf("%u\n", got_port);
	(void)fflush(stdout);

	if (!listening) {
		/* Bound, not listening: SYNs are answered with a reset. */
		fp_conn_mode = "refuse";
		fp_log("bound to port %u, not listening", got_port);
		fp_sleep_ms(fp_idle_ms);
		return 0;
	}
	while (maxconn < 0 || served < maxconn) {
		const struct fp_mode *m;
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		pid_t pid;
		int fd, rc;

		do
			rc = poll(&pfd, 1, fp_idle_ms);
		while (rc < 0 && errno == EINTR);
		fp_reap(0);
		if (rc == 0) {
			fp_log("no connection for %d s, exiting",
			    fp_idle_ms / 1000);
			break;
		}
		if (rc < 0)
			break;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		m = &modes[served < nmodes ? served : nmodes - 1];
		served++;
		pid = fork();
		if (pid == 0) {
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			(void)close(lfd);
			fp_conn_no = (unsigned)served;
			fp_conn_mode = m->name;
			fp_log("accepted");
			fp_serve(fd, m);
			_exit(0);
		}
		if (pid < 0)
			perror("fault_peer: fork");
		(void)close(fd);
	}
	(void)close(lfd);
	fp_reap(1);
	free(list);
	return 0;
}
