/* SPDX-License-Identifier: MIT */
/*
 * Descriptor-bookkeeping cases for tests/integration/descriptors.sh, run
 * under socksify against real servers. Each case prints "ok CASE" and
 * exits 0, or prints "FAIL CASE: why" and exits 1 (2: bad usage).
 *
 *   fdcases fclose HOST PORT      proxied TCP socket fclose()d, then a
 *                                 direct loopback socket at its number
 *   fdcases fclose-udp HOST PORT  UDP socket with an association
 *                                 fclose()d, then a regular file there
 *   fdcases reconnect HOST PORT   connect() again on a proxied socket:
 *                                 EISCONN, the tunnel unharmed
 *   fdcases dup2 HOST PORT FILE   connect, dup2() FILE over 3..63,
 *                                 connect again, write FILE
 *   fdcases forkpin NAME PORT     forked child closes its copy; the
 *                                 parent's name keeps its placeholder
 *   fdcases vforkpin NAME PORT    the same with a vfork child
 *
 * TCP servers are line echo servers (one line, echoed, then closed); the
 * UDP server answers each datagram with a line and the datagram.
 * Standalone: no project headers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cname = "?";

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", cname);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static struct addrinfo *
lookup(const char *host, const char *port, int type)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = type };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc != 0)
		fail("getaddrinfo %s: %s", host, gai_strerror(rc));
	return res;
}

static int
connect_tcp(const char *host, const char *port, struct sockaddr_in *where)
{
	struct addrinfo *ai = lookup(host, port, SOCK_STREAM);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, ai->ai_addr, ai->ai_addrlen) != 0)
		fail("connect %s:%s: %s", host, port, strerror(errno));
	if (where != NULL)
		memcpy(where, ai->ai_addr, sizeof(*where));
	freeaddrinfo(ai);
	return s;
}

static void
send_all(int s, const char *text)
{
	size_t len = strlen(text);

	if (send(s, text, len, MSG_NOSIGNAL) != (ssize_t)len)
		fail("send: %s", strerror(errno));
}

/* Read up to the first newline (the echo server then closes). */
static void
expect_line(int s, const char *want)
{
	char buf[256];
	size_t have = 0;
	ssize_t n;

	while (have < sizeof(buf) - 1 && memchr(buf, '\n', have) == NULL) {
		n = recv(s, buf + have, sizeof(buf) - 1 - have, 0);
		if (n <= 0)
			fail("echo: %s", n == 0 ? "connection closed" :
			    strerror(errno));
		have += (size_t)n;
	}
	buf[have] = '\0';
	if (strcmp(buf, want) != 0)
		fail("echo was [%s], not [%s]", buf, want);
}

static int
listen_loopback(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)sin, sizeof(*sin)) != 0 ||
	    listen(l, 4) != 0 ||
	    getsockname(l, (struct sockaddr *)sin, &len) != 0)
		fail("loopback listener: %s", strerror(errno));
	return l;
}

static void
case_fclose(const char *host, const char *port)
{
	struct sockaddr_in lo, got;
	socklen_t len = sizeof(got);
	int l = listen_loopback(&lo), s, d;
	FILE *f;

	s = connect_tcp(host, port, NULL);
	send_all(s, "fclose case\n");
	expect_line(s, "fclose case\n");
	f = fdopen(s, "r+");
	if (f == NULL || fclose(f) != 0)
		fail("fdopen/fclose: %s", strerror(errno));
	d = socket(AF_INET, SOCK_STREAM, 0);
	if (d != s)
		fail("new socket at %d, not the freed %d", d, s);
	if (connect(d, (struct sockaddr *)&lo, sizeof(lo)) != 0)
		fail("direct loopback connect: %s", strerror(errno));
	if (getpeername(d, (struct sockaddr *)&got, &len) != 0)
		fail("getpeername: %s", strerror(errno));
	if (got.sin_addr.s_addr != lo.sin_addr.s_addr ||
	    got.sin_port != lo.sin_port)
		fail("getpeername reports %s:%u, not the loopback listener",
		    inet_ntoa(got.sin_addr), ntohs(got.sin_port));
	close(d);
	close(l);
}

static void
case_fclose_udp(const char *host, const char *port)
{
	struct addrinfo *ai = lookup(host, port, SOCK_DGRAM);
	char buf[512], path[] = "/tmp/sx-fdcases-XXXXXX";
	int u, fd;
	FILE *f;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (u < 0 || sendto(u, "ping", 4, 0, ai->ai_addr, ai->ai_addrlen) != 4)
		fail("sendto %s:%s: %s", host, port, strerror(errno));
	freeaddrinfo(ai);
	if (recv(u, buf, sizeof(buf), 0) <= 0)
		fail("recv: %s", strerror(errno));
	f = fdopen(u, "r+");
	if (f == NULL || fclose(f) != 0)
		fail("fdopen/fclose: %s", strerror(errno));
	fd = mkstemp(path);
	if (fd != u)
		fail("file at %d, not the freed %d", fd, u);
	(void)unlink(path);
	if (write(fd, "data", 4) != 4)
		fail("write to a regular file: %s", strerror(errno));
	if (lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, sizeof(buf)) != 4 ||
	    memcmp(buf, "data", 4) != 0)
		fail("read back from a regular file: %s", strerror(errno));
	close(fd);
}

static void
case_reconnect(const char *host, const char *port)
{
	struct sockaddr_in dst, other;
	int s = connect_tcp(host, port, &dst);

	send_all(s, "one");
	errno = 0;
	if (connect(s, (struct sockaddr *)&dst, sizeof(dst)) != -1 ||
	    errno != EISCONN)
		fail("second connect(): %s, not EISCONN", strerror(errno));
	other = dst;
	other.sin_port = htons(ntohs(dst.sin_port) + 1);
	errno = 0;
	if (connect(s, (struct sockaddr *)&other, sizeof(other)) != -1 ||
	    errno != EISCONN)
		fail("connect() elsewhere: %s, not EISCONN", strerror(errno));
	send_all(s, "two\n");
	expect_line(s, "onetwo\n");
	close(s);
}

static void
case_dup2(const char *host, const char *port, const char *file)
{
	int s, data, fd;

	s = connect_tcp(host, port, NULL);
	close(s);
	data = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (data < 0)
		fail("open %s: %s", file, strerror(errno));
	for (fd = 3; fd < 64; fd++)
		if (fd != data && dup2(data, fd) != fd)
			fail("dup2 %d: %s", fd, strerror(errno));
	s = connect_tcp(host, port, NULL);
	send_all(s, "after dup2\n");
	expect_line(s, "after dup2\n");
	if (write(data, "program data\n", 13) != 13)
		fail("write %s: %s", file, strerror(errno));
	close(s);
}

static const char *
name_of(const struct sockaddr_in *sin)
{
	static char host[NI_MAXHOST];

	if (getnameinfo((const struct sockaddr *)sin, sizeof(*sin), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) != 0)
		return "";
	return host;
}

static void
case_forkpin(const char *name, const char *port, int use_vfork)
{
	struct sockaddr_in ph;
	char other[64], line[128];
	struct addrinfo *ai;
	int s, i, status;
	pid_t pid;

	s = connect_tcp(name, port, &ph);
	pid = use_vfork ? vfork() : fork();
	if (pid == 0) {
		close(s);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		fail("child: %s", strerror(errno));
	/* Many new names: every slot that is not pinned gets recycled. */
	for (i = 0; i < 16; i++) {
		snprintf(other, sizeof(other), "churn%d.%s", i, name);
		ai = lookup(other, port, SOCK_STREAM);
		freeaddrinfo(ai);
	}
	if (strcmp(name_of(&ph), name) != 0)
		fail("the live socket's placeholder now means [%s]",
		    name_of(&ph));
	snprintf(line, sizeof(line), "%s still connected\n", cname);
	send_all(s, line);
	expect_line(s, line);
	close(s);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 4)
		goto usage;
	cname = argv[1];
	if (strcmp(cname, "fclose") == 0)
		case_fclose(argv[2], argv[3]);
	else if (strcmp(cname, "fclose-udp") == 0)
		case_fclose_udp(argv[2], argv[3]);
	else if (strcmp(cname, "reconnect") == 0)
		case_reconnect(argv[2], argv[3]);
	else if (strcmp(cname, "dup2") == 0 && argc == 5)
		case_dup2(argv[2], argv[3], argv[4]);
	else if (strcmp(cname, "forkpin") == 0)
		case_forkpin(argv[2], argv[3], 0);
	else if (strcmp(cname, "vforkpin") == 0)
		case_forkpin(argv[2], argv[3], 1);
	else
		goto usage;
	printf("ok %s\n", cname);
	return 0;
usage:
	fprintf(stderr, "usage: fdcases fclose|fclose-udp|reconnect|forkpin|"
	    "vforkpin HOST PORT | fdcases dup2 HOST PORT FILE\n");
	return 2;
}
