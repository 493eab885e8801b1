/* SPDX-License-Identifier: MIT */
/* The wrapper's preflight, shared by socksify-ctl and the supervisor (which
 * runs it itself, sparing the wrapper a process): the configuration
 * checked (FILE:LINE errors), the warnings about commands LD_PRELOAD
 * cannot reach, and whether the backstop is to be used. */
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

int
ctl_preflight(const enum ctl_backstop *b, const char *path, bool *backstop)
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
	*backstop = eff == CTL_BACKSTOP_ON;
	return 0;
}

