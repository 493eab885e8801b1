/* SPDX-License-Identifier: MIT */
/* Commands of the socksify-ctl helper. */
#ifndef SOCKSIFY_CTL_CTL_H
#define SOCKSIFY_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* Whether the command runs under the backstop (the seccomp supervisor). */
enum ctl_backstop {
	CTL_BACKSTOP_ON,	/* built, not turned off */
	CTL_BACKSTOP_FLAG_OFF,	/* socksify --no-backstop */
	CTL_BACKSTOP_CONF_OFF,	/* backstop = off in the configuration */
	CTL_BACKSTOP_NOT_BUILT,	/* configure found no libseccomp */
};

/* `socksify --check [HOST:PORT]`: exit status 0 when the proxy works
 * (and the backstop can be set up, unless it is off). */
int ctl_check(const char *target, enum ctl_backstop b);

/* "--backstop=yes|off|no" from the wrapper: 0, or -EINVAL. */
int ctl_backstop_arg(const char *arg, enum ctl_backstop *b);

/* The wrapper's setting combined with the `backstop` key. */
enum ctl_backstop ctl_backstop_effective(enum ctl_backstop b,
    const struct config *c);

/* One warning line when the backstop was turned off (flag or key). */
void ctl_backstop_warn_off(enum ctl_backstop b, const char *source);

/*
 * Warnings for a command LD_PRELOAD cannot reach, by what really happens
 * (b is the effective setting): setuid/setgid/file capabilities (as root
 * it keeps them and only the backstop covers it; as a user under the
 * backstop it runs without them, proxied; without the backstop, not
 * proxied), statically linked without the backstop (not proxied).
 */
void ctl_backstop_warn_command(enum ctl_backstop b, const char *path,
    int is_static);

/*
 * Run "$SOCKSIFY_SUPERVISE --probe": its one line ("available: ..." or
 * "unavailable: why") in out. 0 when the backstop can be set up here,
 * else a negative errno.
 */
int ctl_backstop_probe(char *out, size_t cap);

/*
 * The preflight: validate the configuration (1 and one line on stderr
 * when it is broken); with a backstop setting (b != NULL), warn when it
 * is off, and say in *backstop whether the command runs under it; path
 * is the command when known (NULL: a shell builtin), for the warnings
 * about programs LD_PRELOAD cannot reach. 0 when the command may run.
 */
int ctl_preflight(const enum ctl_backstop *b, const char *path,
    bool *backstop);

#endif
