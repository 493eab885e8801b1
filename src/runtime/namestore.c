/* SPDX-License-Identifier: MIT */
/* The shared name map's storage: a memfd created at load time by the first
 * process of a tree (found by exec'd children through SOCKSIFY_NAMEMAP),
 * mapped MAP_SHARED at first use, every operation under a process-shared
 * robust mutex that is never held across I/O. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/namemap.h"
#include "runtime/log.h"
#include "runtime/namestore.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

#define STORE_ENV "SOCKSIFY_NAMEMAP"
#define STORE_HEADER 4096	/* lock page; the map starts after it */

struct store_header {
	pthread_mutex_t lock;	/* process-shared, robust */
	uint32_t slots;		/* 0 until the first user sizes the map */
};

static atomic_int store_memfd = -1;	/* inherited or created at load */
static struct store_header *store_hdr;	/* whole mapping (header + map) */
static void *store_map;			/* namemap region inside it */
static uint32_t store_slots;
static uint32_t store_want;		/* from namestore_configure() */
static pthread_once_t store_once = PTHREAD_ONCE_INIT;
static int store_status;

/* ---- load time ------------------------------------------------------- */

/* SOCKSIFY_NAMEMAP=fd:dev:ino for exec'd children; 0 or -errno. */
static int
store_export(int fd)
{
	char env[96];
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	snprintf(env, sizeof(env), "%d:%llu:%llu", fd,
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	return setenv(STORE_ENV, env, 1) == 0 ? 0 : -errno;
}

/* The program dup2()ed over the memfd: it was moved to `to` (or lost). */
static void
store_moved(int from, int to, intptr_t arg)
{
	(void)from;
	(void)arg;
	atomic_store(&store_memfd, to);
	if (to < 0 || store_export(to) < 0)
		(void)unsetenv(STORE_ENV);
}

/* The memfd becomes an own descriptor (high, inherited across exec). */
static int
store_own(int fd)
{
	int rc = ownfd_adopt(fd, false, store_moved, 0);

	if (rc >= 0)
		fd = rc;
	atomic_store(&store_memfd, fd);
	return fd;
}

static bool
store_inherited(void)
{
	const char *env = getenv(STORE_ENV);
	unsigned long long dev, ino;
	struct stat st;
	int fd;

	if (env == NULL || sscanf(env, "%d:%llu:%llu", &fd, &dev, &ino) != 3)
		return false;
	if (fstat(fd, &st) != 0 || (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino)
		return false;
	/* Moved only if the parent kept it low: then say where it is now. */
	if (store_own(fd) != fd)
		(void)store_export(atomic_load(&store_memfd));
	return true;
}

static void
store_init_header(struct store_header *h)
{
	pthread_mutexattr_t a;

	(void)pthread_mutexattr_init(&a);
	(void)pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	(void)pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	(void)pthread_mutex_init(&h->lock, &a);
	(void)pthread_mutexattr_destroy(&a);
}

void
namestore_preinit(void)
{
	struct store_header *hdr;
	int fd;

	if (store_inherited())
		return;
#ifdef HAVE_MEMFD_CREATE
	fd = memfd_create("socksify-names", 0);
#else
	fd = -1;
#endif
	if (fd < 0)
		return;	/* fallback: an anonymous shared map at first use */
	/* Out of the way of programs that expect low numbers. */
	fd = store_own(fd);
	if (ftruncate(fd, STORE_HEADER) != 0)
		goto fail;
	/* The lock exists before anyone can share the memfd. */
	hdr = mmap(NULL, STORE_HEADER, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (hdr == MAP_FAILED)
		goto fail;
	store_init_header(hdr);
	if (store_export(fd) < 0) {
		(void)munmap(hdr, STORE_HEADER);
		goto fail;
	}
	store_hdr = hdr;
	return;
fail:
	ownfd_release(fd);
	(void)real_close_early(fd);
	atomic_store(&store_memfd, -1);
}

/* ---- first use ---------------------------------------------------------- */

static int
store_lock(void)
{
	int rc = pthread_mutex_lock(&store_hdr->lock);

	if (rc == EOWNERDEAD) {
		/* A holder died mid-update: start from an empty map. */
		(void)pthread_mutex_consistent(&store_hdr->lock);
		(void)namemap_init(store_map,
		    namemap_region_size(store_slots), store_slots);
		return 0;
	}
	return rc == 0 ? 0 : -rc;
}

static void
store_unlock(void)
{
	(void)pthread_mutex_unlock(&store_hdr->lock);
}


/* Attach to (or create) the shared map. The creator of the memfd only
 * made the lock page; the first user sizes and initialises the rest. */
static int
store_attach(uint32_t slots)
{
	int memfd = atomic_load(&store_memfd);
	bool dead, fresh;
	size_t total;
	void *p;
	int rc;

	if (memfd < 0) {
		/* No memfd: share with forked children only. */
		total = STORE_HEADER + namemap_region_size(slots);
		p = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		store_hdr = p;
		store_init_header(store_hdr);
		store_hdr->slots = slots;
		store_slots = slots;
		store_map = (char *)p + STORE_HEADER;
		return namemap_init_zeroed(store_map,
		    namemap_region_size(slots), slots);
	}
	if (store_hdr == NULL) {
		p = mmap(NULL, STORE_HEADER, PROT_READ | PROT_WRITE,
		    MAP_SHARED, memfd, 0);
		if (p == MAP_FAILED)
			return -errno;
		store_hdr = p;
	}
	rc = pthread_mutex_lock(&store_hdr->lock);
	if (rc != 0 && rc != EOWNERDEAD)
		return -rc;
	dead = rc == EOWNERDEAD;	/* a holder died mid-update */
	if (dead)
		(void)pthread_mutex_consistent(&store_hdr->lock);
	fresh = store_hdr->slots == 0;
	if (!fresh)
		slots = store_hdr->slots;
	total = STORE_HEADER + namemap_region_size(slots);
	if (fresh && ftruncate(memfd, (off_t)total) != 0) {
		rc = -errno;
		goto unlock;
	}
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED,
	    memfd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto unlock;
	}
	store_map = (char *)p + STORE_HEADER;
	store_slots = slots;
	rc = 0;
	if (fresh) {
		/* Just grown from the lock page: all zero, so O(1). */
		rc = namemap_init_zeroed(store_map, namemap_region_size(slots),
		    slots);
		if (rc == 0)
			store_hdr->slots = slots;
	} else if (dead ||
	    namemap_check(store_map, namemap_region_size(slots)) != 0) {
		rc = namemap_init(store_map, namemap_region_size(slots), slots);
	}
	/* Unlock through the mapping we locked through, then switch. */
	(void)pthread_mutex_unlock(&store_hdr->lock);
	(void)munmap(store_hdr, STORE_HEADER);
	store_hdr = p;
	return rc;
unlock:
	(void)pthread_mutex_unlock(&store_hdr->lock);
	return rc;
}

void
namestore_configure(uint32_t slots)
{
	store_want = slots;
}

static void
store_setup(void)
{
	int rc;

	if (store_want == 0) {
		store_status = -EACCES;	/* socksify is not configured */
		return;
	}
	rc = store_attach(store_want);
	if (rc < 0) {
		store_status = rc;
		log_error("cannot set up the name map: %s; names that would "
		    "be resolved by the proxy fail", strerror(-rc));
	}
}

int
namestore_ready(void)
{
	(void)pthread_once(&store_once, store_setup);
	return store_status;
}

int
namestore_assign(const char *name, uint32_t *slot)
{
	int rc = namestore_ready();

	if (rc < 0)
		return rc;
	rc = store_lock();
	if (rc < 0)
		return rc;
	rc = namemap_assign(store_map, name, slot);
	store_unlock();
	return rc;
}

int
namestore_name(uint32_t slot, char *out, size_t cap)
{
	int rc = namestore_ready();

	if (rc < 0)
		return rc;
	if (slot >= store_slots)
		return -ENOENT;
	rc = store_lock();
	if (rc < 0)
		return rc;
	rc = namemap_name(store_map, slot, out, cap);
	store_unlock();
	return rc < 0 ? rc : 0;
}

void
namestore_pin(uint32_t slot)
{
	if (namestore_ready() < 0 || store_lock() < 0)
		return;
	(void)namemap_pin(store_map, slot);
	store_unlock();
}

void
namestore_unpin(uint32_t slot)
{
	if (namestore_ready() < 0 || store_lock() < 0)
		return;
	(void)namemap_unpin(store_map, slot);
	store_unlock();
}
