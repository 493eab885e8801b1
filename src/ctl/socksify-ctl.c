/* SPDX-License-Identifier: MIT */
/* socksify-ctl: the wrapper's helper. Validates the effective config
 * (FILE:LINE errors), warns about commands LD_PRELOAD cannot reach, and
 * tells the wrapper whether to start the backstop (ctl/backstop.c). */
#include <stdio.h>
#include <string.h>
#include <stdbool.h>

#include "core/config.h"
#include "ctl/ctl.h"
#include "runtime/real.h"

/* Print on stdout what the wrapper must do: "backstop" (exec the
 * supervisor) or "preload" (LD_PRELOAD only). */
static int
ctl_check_config(const enum ctl_backstop *b, const char *path)
{
	bool backstop = false;
	int rc = ctl_preflight(b, path, &backstop);

	if (rc == 0 && b != NULL)
		printf("%s\n", backstop ? "backstop" : "preload");
	return rc;
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
