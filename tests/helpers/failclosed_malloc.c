/* SPDX-License-Identifier: MIT */
/*
 * failclosed_malloc: an LD_PRELOAD shim that makes malloc(), calloc(),
 * realloc() (and so strdup() and friends, which call them) fail with
 * ENOMEM on demand. Preloaded after libsocksify.so, it still interposes
 * every allocation in the process (libsocksify defines none). Standalone.
 *
 * Armed three ways:
 *   - FAILCLOSED_MALLOC_AFTER=N in the environment: from the start of the
 *     process, N allocations succeed and every later one fails (for
 *     failures during socksify's first-use initialisation).
 *   - FAILCLOSED_MALLOC_NTH=N in the environment: only the N-th allocation
 *     of the process (counting from 0) fails; the others succeed.
 *   - failclosed_malloc_arm(N), found by the program with dlsym(): the
 *     next N allocations succeed, then all fail until
 *     failclosed_malloc_arm(-1) disarms it. failclosed_malloc_failed()
 *     returns how many calls failed since the last arm(N >= 0).
 * The real allocator is reached through glibc's __libc_* entry points
 * (dlsym would allocate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

extern char **environ;
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_long fm_left = -1;	/* < 0: disarmed */
static atomic_long fm_nth = -1;		/* < 0: none */
static atomic_long fm_count;		/* allocations so far */
static atomic_long fm_failed;
static atomic_int fm_env_done;

/* Read FAILCLOSED_MALLOC_AFTER once, before the first decision. getenv()
 * does not allocate. */
static void
fm_env(void)
{
	const char *v;
	char *end;
	long n;

	if (atomic_load_explicit(&fm_env_done, memory_order_acquire) ||
	    environ == NULL)	/* too early: ask again next time */
		return;
	v = getenv("FAILCLOSED_MALLOC_AFTER");
	if (v != NULL && *v != '\0') {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= 0)
			atomic_store(&fm_left, n);
	}
	v = getenv("FAILCLOSED_MALLOC_NTH");
	if (v != NULL && *v != '\0') {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= 0)
			atomic_store(&fm_nth, n);
	}
	atomic_store_explicit(&fm_env_done, 1, memory_order_release);
}

/* true: let this allocation through. */
static int
fm_allow(void)
{
	long left;

	fm_env();
	if (atomic_fetch_add(&fm_count, 1) == atomic_load(&fm_nth)) {
		atomic_fetch_add(&fm_failed, 1);
		return 0;
	}
	left = atomic_load(&fm_left);
	while (left > 0) {
		if (atomic_compare_exchange_weak(&fm_left, &left, left - 1))
			return 1;
	}
	if (left < 0)
		return 1;
	atomic_fetch_add(&fm_failed, 1);
	return 0;
}

void
failclosed_malloc_arm(long n)
{
	atomic_store(&fm_env_done, 1);
	if (n >= 0)
		atomic_store(&fm_failed, 0);
	atomic_store(&fm_left, n);
}

long
failclosed_malloc_failed(void)
{
	return atomic_load(&fm_failed);
}

void *
malloc(size_t n)
{
	if (!fm_allow()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	if (!fm_allow()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (!fm_allow()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}
