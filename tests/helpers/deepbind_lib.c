/* SPDX-License-Identifier: MIT */
/*
 * deepbind_lib: the shared library tests/helpers/deepbind_main.c loads
 * with dlopen(RTLD_DEEPBIND) (as PHP loads its extensions). Its calls to
 * getaddrinfo() and connect() bind to libc's own, ahead of a preloaded
 * libsocksify.so: only the backstop sees them. Standalone: no project
 * headers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The connect() this library's calls reach. */
void *
deep_connect_fn(void)
{
	return (void *)connect;
}

/*
 * GET /file from host:port (a name or an address, looked up with
 * getaddrinfo()), the body to stdout. 0, or -1 with a line on stderr.
 */
int
deep_get(const char *host, const char *port)
{
	static const char req[] = "GET /file HTTP/1.0\r\nHost: x\r\n\r\n";
	struct addrinfo hints, *ai;
	static char buf[1 << 17];
	size_t have = 0;
	ssize_t n;
	char *body;
	int fd, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "deep_get: getaddrinfo %s: %s\n", host,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "deep_get: connect %s: %s\n", host,
		    strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		fprintf(stderr, "deep_get: write: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	while (have < sizeof(buf) &&
	    (n = read(fd, buf + have, sizeof(buf) - have)) > 0)
		have += (size_t)n;
	close(fd);
	body = memmem(buf, have, "\r\n\r\n", 4);
	if (body == NULL) {
		fprintf(stderr, "deep_get: no HTTP response from %s\n", host);
		return -1;
	}
	body += 4;
	fwrite(body, 1, have - (size_t)(body - buf), stdout);
	return 0;
}
