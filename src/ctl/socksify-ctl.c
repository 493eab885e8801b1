/* SPDX-License-Identifier: MIT */
/* socksify-ctl: the wrapper's helper. Validates the effective config
 * (FILE:LINE errors), warns about commands LD_PRELOAD cannot reach, and
 * tells the wrapper whether to start the backstop (ctl/backstop.c). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "ctl/ctl.h"
#include "runtime/real.h"
#include "runtime/settings.h"

/* 1 if path is an ELF executable without PT_INTERP (static), 0 if dynamic
 * or not ELF (scripts), -1 if unreadable. */
static int
ctl_is_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, rc = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		rc = 0;	/* a script or a foreign ELF: not our business */
		goto out;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		off_t off = (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize;

		if (pread(fd, &ph, sizeof(ph), off) != (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP) {
			rc = 0;
			break;
		}
	}
out:
	(void)real_close(fd);
	return rc;
}

/*
 * Validate the configuration; with a backstop setting (b != NULL), warn
 * when it is off and print on stdout what the wrapper must do: "backstop"
 * (exec the supervisor) or "preload" (LD_PRELOAD only). path is the
 * command when known, for the warnings about programs LD_PRELOAD cannot
 * reach.
 */
static int
ctl_check_config(const enum ctl_backstop *b, const char *path)
{
	struct config cfg;
	char source[4096], err[1024];
	enum ctl_backstop eff;

	if (settings_load(&cfg, source, sizeof(source), err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "socksify: %s\n", err);
		return 1;
	}
	if (settings_warning(source, err, sizeof(err)))
		fprintf(stderr, "socksify: warning: %s\n", err);
	eff = ctl_backstop_effective(b != NULL ? *b : CTL_BACKSTOP_NOT_BUILT,
	    &cfg);
	if (b != NULL)
		ctl_backstop_warn_off(eff, source);
	if (path != NULL)
		ctl_backstop_warn_command(eff, path,
		    ctl_is_static_elf(path) == 1);
	if (b != NULL)
		printf("%s\n", eff == CTL_BACKSTOP_ON ? "backstop" : "preload");
	return 0;
}

static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: socksify-ctl check-config [--backstop=yes|off|no]\n"
	    "       socksify-ctl preflight [--backstop=yes|off|no] "
	    "COMMAND-PATH\n"
	    "       socksify-ctl check [--backstop=yes|off|no] [HOST:PORT]\n");
}

int
main(int argc, char **argv)
{
	enum ctl_backstop b = CTL_BACKSTOP_NOT_BUILT;
	bool have_b = false;
	int i = 2;

	if (real_init() < 0) {
		fprintf(stderr, "socksify-ctl: libc symbols not found\n");
		return 1;
	}
	if (argc >= 3 && ctl_backstop_arg(argv[2], &b) == 0) {
		have_b = true;
		i = 3;
	}
	if (argc == i && strcmp(argv[1], "check-config") == 0)
		return ctl_check_config(have_b ? &b : NULL, NULL);
	if (argc == i + 1 && strcmp(argv[1], "preflight") == 0)
		return ctl_check_config(have_b ? &b : NULL, argv[i]);
	if ((argc == i || argc == i + 1) && strcmp(argv[1], "check") == 0)
		return ctl_check(argc == i + 1 ? argv[i] : NULL, b);
	ctl_usage(stderr);
	return 2;
}
