/* SPDX-License-Identifier: MIT */
/*
 * deepbind_main: a dynamic program that loads tests/helpers/deepbind_lib.c
 * (built as a shared library) with dlopen(RTLD_NOW | RTLD_DEEPBIND) and
 * has it GET /file from HOST:PORT. Standalone: no project headers.
 *
 *   deepbind_main LIB HOST PORT
 *
 * First line on stderr: "deepbind: the library's connect is libc's" or
 * "... is the program's" (what a preloaded libsocksify.so would be), so
 * the test knows the preload is bypassed. The body goes to stdout; exit
 * 0 on success.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	int (*get)(const char *, const char *);
	void *(*fn)(void);
	void *lib, *libc, *real;

	if (argc != 4) {
		fprintf(stderr, "usage: deepbind_main LIB HOST PORT\n");
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_DEEPBIND);
	if (lib == NULL) {
		fprintf(stderr, "deepbind: %s\n", dlerror());
		return 1;
	}
	fn = (void *(*)(void))dlsym(lib, "deep_connect_fn");
	get = (int (*)(const char *, const char *))dlsym(lib, "deep_get");
	libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	real = libc != NULL ? dlsym(libc, "connect") : NULL;
	if (fn == NULL || get == NULL || real == NULL) {
		fprintf(stderr, "deepbind: symbols missing\n");
		return 1;
	}
	fprintf(stderr, "deepbind: the library's connect is %s\n",
	    fn() == real ? "libc's" : "the program's");
	return get(argv[2], argv[3]) == 0 ? 0 : 1;
}
