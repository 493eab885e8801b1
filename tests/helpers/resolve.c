/* SPDX-License-Identifier: MIT */
/*
 * Test helper: one resolver call, its results on stdout.  Usage:
 *   resolve MODE NAME
 * MODE gai, gai4, gai6 (getaddrinfo, AF_UNSPEC/INET/INET6, AI_CANONNAME),
 * ghbn (gethostbyname), ghbn2_6 (gethostbyname2 AF_INET6), ghbn_r
 * (gethostbyname_r from a 16-byte buffer, doubled on ERANGE): one address
 * per line, then "canon NAME".  gni, gni_nr (getnameinfo of the numeric
 * address NAME, "fe80::1%eth0" allowed; gni_nr adds NI_NAMEREQD): the host
 * on one line.  ghba (gethostbyaddr of NAME): addresses, then "canon NAME".
 * Exit 0 on success, 2 when the call fails (reason on stderr), 1 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int
print_addr(int family, const void *addr)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(family, addr, text, sizeof(text)) == NULL)
		return -1;
	printf("%s\n", text);
	return 0;
}

static int
run_gai(const char *name, int family)
{
	struct addrinfo hints, *res, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "resolve: getaddrinfo %s: %s\n", name,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return 2;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			(void)print_addr(AF_INET, &((struct sockaddr_in *)
			    (void *)ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6)
			(void)print_addr(AF_INET6, &((struct sockaddr_in6 *)
			    (void *)ai->ai_addr)->sin6_addr);
	}
	if (res->ai_canonname != NULL)
		printf("canon %s\n", res->ai_canonname);
	freeaddrinfo(res);
	return 0;
}

static int
print_hostent(const char *what, const char *name, const struct hostent *he,
    int herr)
{
	char **a;

	if (he == NULL) {
		fprintf(stderr, "resolve: %s %s: %s\n", what, name,
		    herr == NETDB_INTERNAL ? strerror(errno) : hstrerror(herr));
		return 2;
	}
	for (a = he->h_addr_list; *a != NULL; a++)
		if (print_addr(he->h_addrtype, *a) != 0)
			return 2;
	printf("canon %s\n", he->h_name);
	return 0;
}

static int
run_ghbn_r(const char *name)
{
	struct hostent he, *res = NULL;
	size_t cap = 16;
	char *buf = NULL;
	int herr = 0, rc, status;

	for (;;) {
		free(buf);
		buf = malloc(cap);
		if (buf == NULL)
			return 2;
		rc = gethostbyname_r(name, &he, buf, cap, &res, &herr);
		if (rc != ERANGE || cap >= 1u << 20)
			break;
		cap *= 2;
	}
	if (rc != 0 && res == NULL && herr == NETDB_INTERNAL)
		errno = rc;
	status = print_hostent("gethostbyname_r", name, res, herr);
	free(buf);
	return status;
}

/* Numeric "addr" or "addr%scope" -> sockaddr; 0 or -1. */
static int
parse_sockaddr(const char *text, struct sockaddr_storage *ss, socklen_t *len,
    int *family, void **addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		*family = AF_INET;
		*addr = &sin->sin_addr;
		return 0;
	}
	pct = strchr(buf, '%');
	if (pct != NULL)
		*pct++ = '\0';
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return -1;
	sin6->sin6_family = AF_INET6;
	if (pct != NULL) {
		sin6->sin6_scope_id = if_nametoindex(pct);
		if (sin6->sin6_scope_id == 0)
			sin6->sin6_scope_id = (uint32_t)strtoul(pct, NULL, 10);
	}
	*len = sizeof(*sin6);
	*family = AF_INET6;
	*addr = &sin6->sin6_addr;
	return 0;
}

static int
run_reverse(const char *text, const char *mode)
{
	struct sockaddr_storage ss;
	struct hostent *he;
	char host[NI_MAXHOST];
	socklen_t len;
	void *addr;
	int family, rc;

	if (parse_sockaddr(text, &ss, &len, &family, &addr) != 0) {
		fprintf(stderr, "resolve: %s: not a numeric address\n", text);
		return 1;
	}
	if (strcmp(mode, "ghba") == 0) {
		he = gethostbyaddr(addr, family == AF_INET ? 4 : 16, family);
		return print_hostent("gethostbyaddr", text, he, h_errno);
	}
	rc = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
	    NULL, 0, strcmp(mode, "gni_nr") == 0 ? NI_NAMEREQD : 0);
	if (rc != 0) {
		fprintf(stderr, "resolve: getnameinfo %s: %s\n", text,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return 2;
	}
	printf("%s\n", host);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode, *name;
	struct hostent *he;

	if (argc != 3) {
		fprintf(stderr, "usage: resolve MODE NAME\n");
		return 1;
	}
	mode = argv[1];
	name = argv[2];
	if (strcmp(mode, "gai") == 0)
		return run_gai(name, AF_UNSPEC);
	if (strcmp(mode, "gai4") == 0)
		return run_gai(name, AF_INET);
	if (strcmp(mode, "gai6") == 0)
		return run_gai(name, AF_INET6);
	if (strcmp(mode, "ghbn") == 0) {
		/* Read h_errno only after the call. */
		he = gethostbyname(name);
		return print_hostent("gethostbyname", name, he, h_errno);
	}
	if (strcmp(mode, "ghbn2_6") == 0) {
		he = gethostbyname2(name, AF_INET6);
		return print_hostent("gethostbyname2", name, he, h_errno);
	}
	if (strcmp(mode, "ghbn_r") == 0)
		return run_ghbn_r(name);
	if (strcmp(mode, "gni") == 0 || strcmp(mode, "gni_nr") == 0 ||
	    strcmp(mode, "ghba") == 0)
		return run_reverse(name, mode);
	fprintf(stderr, "resolve: unknown mode %s\n", mode);
	return 1;
}
