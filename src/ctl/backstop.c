/* SPDX-License-Identifier: MIT */
/* What the wrapper does about the backstop, and what it tells the user:
 * whether the supervisor runs the command, the warnings for programs
 * LD_PRELOAD cannot reach (static, setuid), and `--check`'s probe. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ctl/ctl.h"

int
ctl_backstop_arg(const char *arg, enum ctl_backstop *b)
{
	if (strcmp(arg, "--backstop=yes") == 0)
		*b = CTL_BACKSTOP_ON;
	else if (strcmp(arg, "--backstop=off") == 0)
		*b = CTL_BACKSTOP_FLAG_OFF;
	else if (strcmp(arg, "--backstop=no") == 0)
		*b = CTL_BACKSTOP_NOT_BUILT;
	else
		return -EINVAL;
	return 0;
}

enum ctl_backstop
ctl_backstop_effective(enum ctl_backstop b, const struct config *c)
{
	if (b == CTL_BACKSTOP_ON && !c->backstop)
		return CTL_BACKSTOP_CONF_OFF;
	return b;
}

void
ctl_backstop_warn_off(enum ctl_backstop b, const char *source)
{
	if (b == CTL_BACKSTOP_FLAG_OFF)
		fprintf(stderr, "socksify: warning: the backstop is off "
		    "(--no-backstop): programs LD_PRELOAD cannot reach "
		    "(static, Go, setuid) are not covered, their traffic is "
		    "NOT proxied\n");
	else if (b == CTL_BACKSTOP_CONF_OFF)
		fprintf(stderr, "socksify: warning: the backstop is off "
		    "('backstop = off' in %s): programs LD_PRELOAD cannot "
		    "reach (static, Go, setuid) are not covered, their "
		    "traffic is NOT proxied\n", source);
}

/* The owner's name for a message ("uid 1000" when unknown). */
static const char *
ctl_user(uid_t uid)
{
	static char buf[64];
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		return pw->pw_name;
	snprintf(buf, sizeof(buf), "uid %ld", (long)uid);
	return buf;
}

/*
 * What running PATH does to privileges: setuid/setgid bits that change
 * our ids, or file capabilities (either makes the loader run it in secure
 * mode, ignoring LD_PRELOAD). 0 when nothing changes.
 */
static int
ctl_privileged(const char *path, const struct stat *st, char *what,
    size_t cap)
{
	bool suid = (st->st_mode & S_ISUID) && st->st_uid != geteuid();
	bool sgid = (st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) &&
	    st->st_gid != getegid();
	bool fcaps = getxattr(path, "security.capability", NULL, 0) > 0 &&
	    geteuid() != 0;

	if (suid)
		snprintf(what, cap, "setuid %s", ctl_user(st->st_uid));
	else if (sgid)
		snprintf(what, cap, "setgid");
	else if (fcaps)
		snprintf(what, cap, "has file capabilities");
	else
		return 0;
	return 1;
}

void
ctl_backstop_warn_command(enum ctl_backstop b, const char *path,
    int is_static)
{
	bool on = b == CTL_BACKSTOP_ON;
	struct stat st;
	char what[96];

	if (stat(path, &st) == 0 && ctl_privileged(path, &st, what,
	    sizeof(what))) {
		if (on && geteuid() != 0)
			fprintf(stderr, "socksify: warning: %s is %s: under "
			    "the backstop (no_new_privs) it runs WITHOUT "
			    "those privileges, as you; its traffic is "
			    "proxied\n", path, what);
		else if (on)
			fprintf(stderr, "socksify: warning: %s is %s: it "
			    "keeps its privileges (you are root), LD_PRELOAD "
			    "does not reach it, only the backstop covers "
			    "its traffic\n", path, what);
		else
			fprintf(stderr, "socksify: warning: %s is %s: the "
			    "dynamic loader ignores LD_PRELOAD for it, so "
			    "its traffic is NOT proxied\n", path, what);
	}
	if (is_static && !on)
		fprintf(stderr, "socksify: warning: %s is statically linked: "
		    "LD_PRELOAD cannot reach it, so its traffic is NOT "
		    "proxied\n", path);
}

int
ctl_backstop_probe(char *out, size_t cap)
{
	const char *sup = getenv("SOCKSIFY_SUPERVISE");
	int p[2], st;
	ssize_t n;
	size_t have = 0;
	pid_t pid;

	snprintf(out, cap, "unavailable: the supervisor program is missing");
	if (sup == NULL || access(sup, X_OK) != 0)
		return -ENOENT;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		(void)dup2(p[1], STDOUT_FILENO);
		execl(sup, sup, "--probe", (char *)NULL);
		_exit(127);
	}
	(void)close(p[1]);
	while (have + 1 < cap &&
	    (n = read(p[0], out + have, cap - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
	out[strcspn(out, "\n")] = '\0';
	(void)close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (have == 0)
		snprintf(out, cap, "unavailable: %s --probe said nothing",
		    sup);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EACCES;
}
