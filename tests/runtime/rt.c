/* SPDX-License-Identifier: MIT */
/* Shared parts of the runtime tests: preloading, the fake SOCKS5 peer,
 * small socket helpers. See rt.h. */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt.h"

static const char *rt_unset[] = {
	"SOCKSIFY_CONF", "SOCKSIFY_PROXY", "SOCKSIFY_LOG", "SOCKSIFY_NAMEMAP",
	"ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", NULL,
};

void
rt_preload(char **argv)
{
	const char *lib = getenv("SOCKSIFY_LIB");
	const char *san = getenv("SAN_PRELOAD");
	char pre[2 * PATH_MAX + 2], home[PATH_MAX];
	size_t i;

	if (lib == NULL || *lib == '\0') {
		fprintf(stderr, "%s: SOCKSIFY_LIB is not set: nothing to "
		    "test\n", argv[0]);
		exit(99);
	}
	if (getenv("RT_PRELOADED") == NULL) {
		snprintf(pre, sizeof(pre), "%s%s%s", san != NULL ? san : "",
		    san != NULL && *san != '\0' ? " " : "", lib);
		snprintf(home, sizeof(home), "%s/sx-rt-home-XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(home) == NULL) {
			perror("mkdtemp");
			exit(99);
		}
		for (i = 0; rt_unset[i] != NULL; i++)
			unsetenv(rt_unset[i]);
		setenv("HOME", home, 1);
		setenv("XDG_CONFIG_HOME", home, 1);
		setenv("RT_DIR", home, 1);
		setenv("LD_PRELOAD", pre, 1);
		setenv("RT_PRELOADED", "1", 1);
		execv("/proc/self/exe", argv);
		perror("execv /proc/self/exe");
		exit(99);
	}
	if (dlopen(lib, RTLD_LAZY | RTLD_NOLOAD) == NULL) {
		fprintf(stderr, "%s: %s is not loaded (LD_PRELOAD=%s)\n",
		    argv[0], lib, getenv("LD_PRELOAD"));
		exit(99);
	}
}

static int
rt_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

int
rt_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	const char *d = getenv("RT_DIR");
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (d != NULL && getenv("RT_KEEP") == NULL)
		(void)nftw(d, rt_rm, 16, FTW_DEPTH | FTW_PHYS);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *
rt_dir(void)
{
	const char *d = getenv("RT_DIR");

	ck_assert_msg(d != NULL, "RT_DIR not set (rt_preload not called)");
	return d;
}

struct sockaddr_in
rt_sin(const char *ip, uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

int
rt_listen_loopback(uint16_t *port)
{
	struct sockaddr_in sin = rt_sin("127.0.0.1", 0);
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 64), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

const char *
rt_config(const struct rt_peer *p, ...)
{
	static char path[PATH_MAX];
	const char *line;
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rt-%ld.conf", rt_dir(),
	    (long)getpid());
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fprintf(f, "proxy = socks5://127.0.0.1:%u\ntimeout = 3s\n", p->port);
	va_start(ap, p);
	while ((line = va_arg(ap, const char *)) != NULL)
		fprintf(f, "%s\n", line);
	va_end(ap);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(setenv("SOCKSIFY_CONF", path, 1), 0);
	return path;
}

int
rt_try_connect_proxied(void)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(RT_TARGET_PORT);
	if (fd < 0 || inet_pton(AF_INET, RT_TARGET, &sin.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	return fd;
}

int
rt_connect_proxied(void)
{
	struct sockaddr_in sin = rt_sin(RT_TARGET, RT_TARGET_PORT);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "connect %s:%u through the fake peer: %s", RT_TARGET,
	    RT_TARGET_PORT, strerror(errno));
	return fd;
}

bool
rt_echo(int fd, const char *s)
{
	size_t len = strlen(s), have = 0;
	char buf[RT_DATA_MAX];
	ssize_t n;

	if (len > sizeof(buf) || send(fd, s, len, MSG_NOSIGNAL) !=
	    (ssize_t)len)
		return false;
	while (have < len) {
		n = recv(fd, buf + have, len - have, 0);
		if (n <= 0)
			return false;
		have += (size_t)n;
	}
	return memcmp(buf, s, len) == 0;
}

/* A system call with three arguments, straight to the kernel. */
static long
rt_raw_syscall3(long nr, long a, long b, long c)
{
	long rc;

#if defined(__x86_64__)
	register long r10 __asm__("r10") = 0;

	__asm__ volatile ("syscall" : "=a"(rc) : "0"(nr), "D"(a), "S"(b),
	    "d"(c), "r"(r10) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) :
	    "memory");
	rc = x0;
#else
#error "rt_raw_syscall3: no raw system call for this architecture"
#endif
	return rc;
}

long
rt_raw_close(int fd)
{
	return rt_raw_syscall3(SYS_close, fd, 0, 0);
}

int
rt_place(int fd, int at)
{
	if (fd == at)
		return fd;
	if (rt_raw_syscall3(SYS_dup3, fd, at, 0) != at)
		return -1;
	(void)rt_raw_close(fd);
	return at;
}

int
rt_fd_of(const char *path)
{
	char link[300], target[PATH_MAX];
	struct dirent *e;
	int fd, found = -1;
	ssize_t n;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL)
		return -1;
	while (found < 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			found = fd;
	}
	(void)closedir(d);
	return found;
}

ssize_t
rt_slurp(const char *path, char *buf, size_t cap)
{
	size_t have = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (have + 1 < cap && (n = read(fd, buf + have,
	    cap - 1 - have)) > 0)
		have += (size_t)n;
	buf[have] = '\0';
	(void)close(fd);
	return (ssize_t)have;
}
