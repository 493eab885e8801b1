/* SPDX-License-Identifier: MIT */
/*
 * failclosed_client: the program of the fail-closed scenarios. Every mode
 * prints one result per line and exits 0 when it ran to its end (the
 * results are for the script to judge), 2 on a usage or setup error.
 * Standalone: no project headers.
 *
 *   gai NAME                  getaddrinfo(NAME, AF_INET)
 *                             -> "GAI OK <addr>" | "GAI ERR <EAI_x> [ENAME]"
 *   connect HOST PORT         getaddrinfo + socket + connect, then one line
 *                             echoed back -> "CONN OK echo=exact|wrong" |
 *                             "CONN ERR <ENAME>" | "GAI ERR ..."
 *   udp HOST PORT             sendto() of one datagram -> "UDP OK <n>" |
 *                             "UDP ERR <ENAME>"
 *   hold PORT NEW NAME...     connect to every NAME and keep the sockets
 *                             ("HELD <n>"); look NEW up ("NEW GAI ...");
 *                             close the first one; look NEW up again and
 *                             connect to it ("AFTER GAI ...", "AFTER CONN
 *                             ...")
 *   nofile HOST PORT NAME [cold]
 *                             open a UDP and a TCP socket, look "localhost"
 *                             up (socksify sets itself up; not with "cold"),
 *                             then fill the descriptor table (RLIMIT_NOFILE
 *                             64) and try:
 *                             "UDP ..." (sendto HOST:PORT), "GAI ..." (NAME),
 *                             "CONN ..." (the TCP socket to HOST:PORT, which
 *                             needs no new descriptor); "FILLED <n>"
 *   oom DOMAIN PORT MAX       with tests/helpers/failclosed_malloc.c
 *                             preloaded: for n = 0..MAX, allocations after
 *                             the n-th fail during getaddrinfo of a fresh
 *                             name sn.DOMAIN ("OOMGAI n <result> failed=<k>"),
 *                             then during connect() to it ("OOMCONN n
 *                             <result>"); "SUMMARY gai_ok=.. gai_nomem=..
 *                             gai_other=.. conn_ok=.. conn_err=..
 *                             conn_bad=.."
 *   oompin PORT DOMAIN        with the shim preloaded and a 3-name map:
 *                             connect to s0.DOMAIN while every allocation
 *                             fails ("PIN0 CONN ..."), close it; connect to
 *                             s1 and s2 and hold them; then s3 must get the
 *                             slot s0 left ("PIN GAI ...")
 * Name lookups use AF_INET and SOCK_STREAM. The echo line is "fc <pid>
 * <tag>\n"; the answer must end with it (the stress echo server puts a
 * "SRV <addr>" line first).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define FC_IO_MS 10000

static void (*fc_arm)(long);
static long (*fc_failed)(void);

static const char *
fc_errname(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "E?";
}

static const char *
fc_gainame(int rc)
{
	switch (rc) {
	case EAI_AGAIN: return "EAI_AGAIN";
	case EAI_BADFLAGS: return "EAI_BADFLAGS";
	case EAI_FAIL: return "EAI_FAIL";
	case EAI_FAMILY: return "EAI_FAMILY";
	case EAI_MEMORY: return "EAI_MEMORY";
	case EAI_NONAME: return "EAI_NONAME";
	case EAI_SERVICE: return "EAI_SERVICE";
	case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
	case EAI_SYSTEM: return "EAI_SYSTEM";
	default: return "EAI_OTHER";
	}
}

/* getaddrinfo(host, port) for AF_INET stream sockets. 0 and *out, or the
 * EAI code (errno saved in *err for EAI_SYSTEM). */
static int
fc_resolve(const char *host, const char *port, struct sockaddr_in *out,
    int *err)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	errno = 0;
	rc = getaddrinfo(host, port, &hints, &res);
	*err = errno;
	if (rc != 0)
		return rc;
	memcpy(out, res->ai_addr, sizeof(*out));
	freeaddrinfo(res);
	return 0;
}

/* "OK <addr>" or "ERR <EAI> [ENAME]" into buf. */
static void
fc_gai_text(int rc, int err, const struct sockaddr_in *sin, char *buf,
    size_t cap)
{
	char a[INET_ADDRSTRLEN];

	if (rc == 0) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, cap, "OK %s", a);
	} else if (rc == EAI_SYSTEM) {
		snprintf(buf, cap, "ERR %s %s", fc_gainame(rc),
		    fc_errname(err));
	} else {
		snprintf(buf, cap, "ERR %s", fc_gainame(rc));
	}
}

static int
fc_wait(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int rc;

	do
		rc = poll(&p, 1, FC_IO_MS);
	while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -1;
}

/* Send one line on a connected socket and read the answer to EOF: true
 * when the answer ends with the line. */
static bool
fc_echo(int fd, const char *tag)
{
	char line[128], got[4096];
	size_t len, have = 0;
	ssize_t n;

	len = (size_t)snprintf(line, sizeof(line), "fc %ld %s\n",
	    (long)getpid(), tag);
	if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len)
		return false;
	while (have < sizeof(got)) {
		if (fc_wait(fd, POLLIN) < 0)
			return false;
		n = recv(fd, got + have, sizeof(got) - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	return have >= len && memcmp(got + have - len, line, len) == 0;
}

/* Connect fd to sin: 0 or errno. */
static int
fc_connect_fd(int fd, const struct sockaddr_in *sin)
{
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) == 0)
		return 0;
	return errno;
}

/* One "CONN ..." result for host:port on a new socket; returns the fd
 * (connected) when keep, else closes it. -1 on failure. */
static int
fc_conn(const char *prefix, const char *host, const char *port, bool echo,
    bool keep)
{
	struct sockaddr_in sin;
	char text[128];
	int fd, rc, err;

	rc = fc_resolve(host, port, &sin, &err);
	if (rc != 0) {
		fc_gai_text(rc, err, &sin, text, sizeof(text));
		printf("%sGAI %s\n", prefix, text);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("%sCONN ERR %s (socket)\n", prefix, fc_errname(errno));
		return -1;
	}
	err = fc_connect_fd(fd, &sin);
	if (err != 0) {
		printf("%sCONN ERR %s\n", prefix, fc_errname(err));
		close(fd);
		return -1;
	}
	if (echo)
		printf("%sCONN OK echo=%s\n", prefix, fc_echo(fd, host) ?
		    "exact" : "wrong");
	else
		printf("%sCONN OK\n", prefix);
	if (keep)
		return fd;
	close(fd);
	return -1;
}

static void
fc_gai(const char *prefix, const char *name)
{
	struct sockaddr_in sin;
	char text[128];
	int rc, err;

	rc = fc_resolve(name, NULL, &sin, &err);
	fc_gai_text(rc, err, &sin, text, sizeof(text));
	printf("%sGAI %s\n", prefix, text);
}

static void
fc_udp(const char *host, const char *port)
{
	struct sockaddr_in sin;
	ssize_t n;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		printf("UDP ERR bad-address\n");
		return;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("UDP ERR %s (socket)\n", fc_errname(errno));
		return;
	}
	n = sendto(fd, "ping\n", 5, 0, (struct sockaddr *)&sin, sizeof(sin));
	if (n < 0)
		printf("UDP ERR %s\n", fc_errname(errno));
	else
		printf("UDP OK %zd\n", n);
	close(fd);
}

static int
fc_hold(int argc, char **argv)
{
	int fds[64], n = 0, i, fd;
	const char *port, *newname;

	if (argc < 3)
		return 2;
	port = argv[0];
	newname = argv[1];
	for (i = 2; i < argc && n < 64; i++) {
		fd = fc_conn("HOLD ", argv[i], port, false, true);
		if (fd >= 0)
			fds[n++] = fd;
	}
	printf("HELD %d\n", n);
	fc_gai("NEW ", newname);
	if (n > 0)
		close(fds[0]);
	fc_gai("AFTER ", newname);
	(void)fc_conn("AFTER ", newname, port, true, false);
	for (i = 1; i < n; i++)
		close(fds[i]);
	return 0;
}

static int
fc_nofile(const char *host, const char *port, const char *name, bool cold)
{
	struct rlimit rl = { 64, 64 };
	struct sockaddr_in sin;
	int u, t, fd, filled = 0, err, first = -1;
	ssize_t n;

	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (u < 0 || t < 0 || setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		perror("failclosed_client nofile: setup");
		return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return 2;
	if (!cold)
		fc_gai("WARM ", "localhost");
	fflush(stdout);
	for (;;) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		if (first < 0)
			first = fd;
		filled++;
	}
	err = errno;
	n = sendto(u, "ping\n", 5, 0, (struct sockaddr *)&sin, sizeof(sin));
	if (n < 0)
		printf("UDP ERR %s\n", fc_errname(errno));
	else
		printf("UDP OK %zd\n", n);
	fc_gai("", name);
	err = fc_connect_fd(t, &sin);
	if (err != 0)
		printf("CONN ERR %s\n", fc_errname(err));
	else
		printf("CONN OK echo=%s\n", fc_echo(t, host) ? "exact" :
		    "wrong");
	printf("FILLED %d (then %s)\n", filled, fc_errname(EMFILE));
	if (first >= 0)
		(void)close_range((unsigned)first, ~0U, 0);
	close(t);
	close(u);
	return 0;
}

static int
fc_oom(const char *domain, const char *port, int max)
{
	struct sockaddr_in sin;
	char host[300], text[128];
	int n, rc, err, fd;
	int gai_ok = 0, gai_nomem = 0, gai_other = 0;
	int conn_ok = 0, conn_err = 0, conn_bad = 0;
	long failed;
	bool echo;

	*(void **)&fc_arm = dlsym(RTLD_DEFAULT, "failclosed_malloc_arm");
	*(void **)&fc_failed = dlsym(RTLD_DEFAULT, "failclosed_malloc_failed");
	if (fc_arm == NULL || fc_failed == NULL) {
		fprintf(stderr, "failclosed_client oom: failclosed_malloc.so "
		    "is not preloaded\n");
		return 2;
	}
	/* socksify's first-use set-up happens unarmed. */
	snprintf(host, sizeof(host), "warm.%s", domain);
	(void)fc_resolve(host, port, &sin, &err);
	for (n = 0; n <= max; n++) {
		snprintf(host, sizeof(host), "s%d.%s", n, domain);
		fflush(stdout);
		fc_arm(n);
		rc = fc_resolve(host, port, &sin, &err);
		fc_arm(-1);
		failed = fc_failed();
		fc_gai_text(rc, err, &sin, text, sizeof(text));
		printf("OOMGAI %d %s failed=%ld\n", n, text, failed);
		if (rc == 0)
			gai_ok++;
		else if (rc == EAI_MEMORY ||
		    (rc == EAI_SYSTEM && err == ENOMEM))
			gai_nomem++;
		else
			gai_other++;
		/* Now connect() with allocations failing. */
		if (rc != 0 && fc_resolve(host, port, &sin, &err) != 0) {
			printf("OOMCONN %d no address\n", n);
			conn_bad++;
			continue;
		}
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return 2;
		fc_arm(n);
		err = fc_connect_fd(fd, &sin);
		fc_arm(-1);
		if (err != 0) {
			printf("OOMCONN %d ERR %s\n", n, fc_errname(err));
			conn_err++;
		} else {
			echo = fc_echo(fd, host);
			printf("OOMCONN %d OK echo=%s\n", n, echo ? "exact" :
			    "wrong");
			if (echo)
				conn_ok++;
			else
				conn_bad++;
		}
		close(fd);
	}
	printf("SUMMARY gai_ok=%d gai_nomem=%d gai_other=%d conn_ok=%d "
	    "conn_err=%d conn_bad=%d\n", gai_ok, gai_nomem, gai_other,
	    conn_ok, conn_err, conn_bad);
	return 0;
}

static int
fc_oompin(const char *port, const char *domain)
{
	struct sockaddr_in sin;
	char host[300];
	int fd, a, b, err;

	*(void **)&fc_arm = dlsym(RTLD_DEFAULT, "failclosed_malloc_arm");
	if (fc_arm == NULL)
		return 2;
	snprintf(host, sizeof(host), "s0.%s", domain);
	if (fc_resolve(host, port, &sin, &err) != 0)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fc_arm(0);
	err = fc_connect_fd(fd, &sin);
	fc_arm(-1);
	if (err != 0)
		printf("PIN0 CONN ERR %s\n", fc_errname(err));
	else
		printf("PIN0 CONN OK echo=%s\n", fc_echo(fd, host) ? "exact" :
		    "wrong");
	close(fd);
	snprintf(host, sizeof(host), "s1.%s", domain);
	a = fc_conn("PIN1 ", host, port, false, true);
	snprintf(host, sizeof(host), "s2.%s", domain);
	b = fc_conn("PIN2 ", host, port, false, true);
	snprintf(host, sizeof(host), "s3.%s", domain);
	fc_gai("PIN ", host);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "gai") == 0) {
		fc_gai("", argv[2]);
		rc = 0;
	} else if (argc == 4 && strcmp(argv[1], "connect") == 0) {
		(void)fc_conn("", argv[2], argv[3], true, false);
		rc = 0;
	} else if (argc == 4 && strcmp(argv[1], "udp") == 0) {
		fc_udp(argv[2], argv[3]);
		rc = 0;
	} else if (argc >= 5 && strcmp(argv[1], "hold") == 0) {
		rc = fc_hold(argc - 2, argv + 2);
	} else if ((argc == 5 || (argc == 6 && strcmp(argv[5], "cold") == 0))
	    && strcmp(argv[1], "nofile") == 0) {
		rc = fc_nofile(argv[2], argv[3], argv[4], argc == 6);
	} else if (argc == 4 && strcmp(argv[1], "oompin") == 0) {
		rc = fc_oompin(argv[2], argv[3]);
	} else if (argc == 5 && strcmp(argv[1], "oom") == 0) {
		rc = fc_oom(argv[2], argv[3], atoi(argv[4]));
	} else {
		fprintf(stderr, "usage: failclosed_client gai NAME | connect "
		    "HOST PORT | udp HOST PORT |\n  hold PORT NEW NAME... | "
		    "nofile HOST PORT NAME [cold] | oom DOMAIN PORT MAX |\n  oompin "
		    "PORT DOMAIN\n");
	}
	return rc;
}
