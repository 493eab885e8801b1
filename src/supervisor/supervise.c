/* SPDX-License-Identifier: MIT */
/*
 * socksify-supervise: the backstop. The wrapper execs it (so it keeps the
 * wrapper's PID) as `socksify-supervise --preload LIST -- COMMAND...`; it
 * forks COMMAND under a seccomp filter whose trapped calls it answers
 * with socksify's policy, and exits as COMMAND does. `--probe` says
 * whether that can work here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "runtime/init.h"
#include "runtime/real.h"
#include "runtime/log.h"
#include "supervisor/answerer.h"
#include "supervisor/filter.h"
#include "supervisor/handle.h"
#include "supervisor/jobs.h"
#include "supervisor/loop.h"
#include "supervisor/spawn.h"

#define SUP_ENV_COOKIE	"SOCKSIFY_BACKSTOP"

struct sup_opts {
	const char *preload;
	const char *preflight;	/* the command's path: the wrapper's checks */
	enum ctl_backstop backstop;	/* the wrapper's setting */
	bool probe;
	bool no_killable;	/* test the pre-5.19 path */
	char **argv;
};

static void
sup_usage(void)
{
	fprintf(stderr, "usage: socksify-supervise [--preload LIST] "
	    "[--backstop=yes|off|no --preflight PATH] [--no-wait-killable] "
	    "-- COMMAND [ARGS...]\n"
	    "       socksify-supervise --probe\n");
	exit(2);
}

static void
sup_args(int argc, char **argv, struct sup_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->backstop = CTL_BACKSTOP_ON;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--preload") == 0 && i + 1 < argc)
			o->preload = argv[++i];
		else if (strcmp(argv[i], "--preflight") == 0 && i + 1 < argc)
			o->preflight = argv[++i];
		else if (strncmp(argv[i], "--backstop=", 11) == 0 &&
		    ctl_backstop_arg(argv[i], &o->backstop) == 0)
			;
		else if (strcmp(argv[i], "--probe") == 0)
			o->probe = true;
		else if (strcmp(argv[i], "--no-wait-killable") == 0)
			o->no_killable = true;
		else if (strcmp(argv[i], "--") == 0)
			break;
		else
			sup_usage();
	}
	if (o->probe)
		return;
	if (i + 1 >= argc)
		sup_usage();
	o->argv = argv + i + 1;
}

/* Inside a socksified tree already: its supervisor serves us (a second
 * listener would fail with EBUSY anyway). */
static bool
sup_nested(void)
{
	const char *c = getenv(SUP_ENV_COOKIE);
	char buf[4096], *p;
	ssize_t n;
	int fd;

	if (c == NULL || *c == '\0')
		return false;
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "\nSeccomp:");
	return p != NULL && strtol(p + 9, NULL, 10) == 2;	/* filter */
}

/* Run the command in this process, as the wrapper would without us. */
static void __attribute__((noreturn))
sup_exec(const struct sup_opts *o)
{
	int e;

	if (o->preload != NULL && setenv("LD_PRELOAD", o->preload, 1) != 0)
		exit(1);
	execvp(o->argv[0], o->argv);
	e = errno;
	if (e == ENOENT)
		fprintf(stderr, "socksify: %s: command not found\n",
		    o->argv[0]);
	else
		fprintf(stderr, "socksify: %s: %s\n", o->argv[0], strerror(e));
	exit(e == ENOENT ? 127 : 126);
}

/* 64 random bits, not 0, exported for the tree: the library passes it
 * to be exempt from the filter; a nested socksify sees a supervisor. */
static int
sup_cookie(uint64_t *cookie)
{
	char hex[17];

	do {
		if (getrandom(cookie, sizeof(*cookie), 0) !=
		    (ssize_t)sizeof(*cookie))
			return -errno;
	} while (*cookie == 0);
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)*cookie);
	return setenv(SUP_ENV_COOKIE, hex, 1) == 0 ? 0 : -errno;
}

static int
sup_prepare(uint64_t *cookie, struct sock_fprog *prog, char *why,
    size_t cap)
{
	int rc = sup_cookie(cookie);

	if (rc < 0) {
		snprintf(why, cap, "no random cookie: %s", strerror(-rc));
		return rc;
	}
	return filter_build(*cookie, prog, why, cap);
}

static int
sup_probe(void)
{
	struct spawn_args a = { 0 };
	struct sock_fprog prog;
	struct spawn s;
	char why[512];
	sigset_t mask;
	int rc;

	if (sup_nested()) {
		printf("available: this runs inside a socksify tree, whose "
		    "backstop is used\n");
		return 0;
	}
	(void)sigprocmask(SIG_SETMASK, NULL, &mask);
	a.mask = &mask;
	a.want_killable = true;
	rc = sup_prepare(&a.cookie, &prog, why, sizeof(why));
	a.prog = &prog;
	if (rc == 0)
		rc = spawn_start(&s, &a, why, sizeof(why));
	filter_free(&prog);
	if (rc < 0) {
		printf("unavailable: %s\n", why);
		return 1;
	}
	(void)spawn_go(&s, false);
	while (waitpid(s.pid, NULL, 0) < 0 && errno == EINTR)
		;
	(void)close(s.listener);
	printf("available: seccomp user notification%s; pidfd_getfd and "
	    "process_vm_readv allowed%s\n", s.killable ? " (wait-killable)" :
	    " (without wait-killable: Linux < 5.19)", s.nnp ? "; as this "
	    "user, no_new_privs: setuid programs run without their "
	    "privileges" : "");
	return 0;
}

/* Every pending call holds a descriptor of ours: raise our own soft
 * limit (after the fork: the command keeps the one it was given). */
static void
sup_more_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	const struct runtime *rt;
	struct spawn_args a = { 0 };
	struct sup_opts o;
	struct sock_fprog prog;
	struct jobs j;
	struct loop l;
	struct spawn s;
	char why[512];
	int rc;

	sup_args(argc, argv, &o);
	if (o.probe)
		return sup_probe();
	if (o.preflight != NULL) {
		/* The wrapper's checks, here rather than in a process of
		 * their own: the configuration, the warnings, on or off. */
		bool use = false;

		if (real_init() < 0 ||
		    ctl_preflight(&o.backstop, o.preflight, &use) != 0)
			return 1;
		if (!use)
			sup_exec(&o);
	}
	if (sup_nested())
		sup_exec(&o);
	rt = runtime_get();
	if (rt == NULL) {
		fprintf(stderr, "socksify: libc symbols not found\n");
		return 1;
	}
	if (!rt->cfg.backstop)
		sup_exec(&o);	/* the wrapper said so already */
	rc = sup_prepare(&a.cookie, &prog, why, sizeof(why));
	if (rc == 0)
		rc = jobs_prepare(&j);
	if (rc == 0) {
		a.argv = o.argv;
		a.preload = o.preload;
		a.prog = &prog;
		a.want_killable = !o.no_killable;
		a.mask = &j.orig_mask;
		a.chld_ignored = j.chld_ignored;
		rc = spawn_start(&s, &a, why, sizeof(why));
	}
	if (rc < 0) {
		fprintf(stderr, "socksify: cannot set up the backstop: %s. "
		    "Without it, programs LD_PRELOAD cannot reach (static, "
		    "Go) would go around the proxy; to run anyway, use "
		    "--no-backstop or 'backstop = off'\n", why);
		return 1;
	}
	filter_free(&prog);
	sup_more_fds();
	memset(&l, 0, sizeof(l));
	rc = loop_init(&l, s.listener, rt, s.killable);
	if (rc == 0)
		rc = answerer_init(&l);
	if (rc == 0) {
		l.handler = handle_for;
		rc = jobs_start(&j, &l, s.pid);
	}
	if (rc == 0)
		rc = spawn_go(&s, true);
	if (rc < 0) {
		fprintf(stderr, "socksify: cannot set up the backstop: %s\n",
		    strerror(-rc));
		(void)kill(s.pid, SIGKILL);
		return 1;
	}
	rc = loop_run(&l);
	if (rc < 0) {
		/* Fail closed: with the listener gone, the tree's trapped
		 * calls fail (ENOSYS); its exit status is still ours. */
		log_error("backstop: event loop failed: %s; the program's "
		    "connections will fail from now on", strerror(-rc));
		(void)close(l.listener);
		while (!j.reaped && waitpid(s.pid, &j.status, 0) < 0 &&
		    errno == EINTR)
			;
		j.reaped = true;
	}
	jobs_exit(&j);
}
