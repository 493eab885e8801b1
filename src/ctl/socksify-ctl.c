/* SPDX-License-Identifier: MIT */
/* socksify-ctl: the wrapper's helper. Validates the effective config
 * (FILE:LINE errors) and warns about commands LD_PRELOAD cannot reach. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

static int
ctl_check_config(void)
{
	struct config cfg;
	char source[4096], err[1024];

	if (settings_load(&cfg, source, sizeof(source), err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "socksify: %s\n", err);
		return 1;
	}
	if (settings_warning(source, err, sizeof(err)))
		fprintf(stderr, "socksify: warning: %s\n", err);
	return 0;
}

static void
ctl_check_command(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)) &&
	    geteuid() != 0)
		fprintf(stderr, "socksify: warning: %s is setuid/setgid: the "
		    "dynamic loader ignores LD_PRELOAD for it, so its "
		    "traffic is NOT proxied\n", path);
	if (ctl_is_static_elf(path) == 1)
		fprintf(stderr, "socksify: warning: %s is statically linked: "
		    "LD_PRELOAD cannot reach it, so its traffic is NOT "
		    "proxied\n", path);
}

static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: socksify-ctl check-config\n"
	    "       socksify-ctl preflight COMMAND-PATH\n"
	    "       socksify-ctl check [HOST:PORT]\n");
}

int
main(int argc, char **argv)
{
	int rc;

	if (real_init() < 0) {
		fprintf(stderr, "socksify-ctl: libc symbols not found\n");
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "check-config") == 0)
		return ctl_check_config();
	if (argc == 3 && strcmp(argv[1], "preflight") == 0) {
		rc = ctl_check_config();
		if (rc == 0)
			ctl_check_command(argv[2]);
		return rc;
	}
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "check") == 0)
		return ctl_check(argc == 3 ? argv[2] : NULL);
	ctl_usage(stderr);
	return 2;
}
