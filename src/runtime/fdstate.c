/* SPDX-License-Identifier: MIT */
/* Two-level table indexed by fd: chunks of FDSTATE_CHUNK records allocated
 * on first use. A per-fd "used" flag read atomically keeps close() cheap. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/fdstate.h"

#define FDSTATE_CHUNK 1024
#define FDSTATE_CHUNKS 1024	/* fds up to 1M */

struct fdstate_slot {
	_Atomic unsigned char used;	/* 0, or the record's kind */
	struct fdstate st;
};

static struct fdstate_slot *_Atomic fdstate_table[FDSTATE_CHUNKS];
static pthread_mutex_t fdstate_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int fdstate_max = -1;

/* Called with fdstate_lock held. */
static void
fdstate_note(int fd)
{
	if (fd > atomic_load_explicit(&fdstate_max, memory_order_relaxed))
		atomic_store_explicit(&fdstate_max, fd, memory_order_relaxed);
}

int
fdstate_highest(void)
{
	return atomic_load_explicit(&fdstate_max, memory_order_relaxed);
}

void
fdstate_atfork_prepare(void)
{
	pthread_mutex_lock(&fdstate_lock);
}

void
fdstate_atfork_release(void)
{
	pthread_mutex_unlock(&fdstate_lock);
}

static struct fdstate_slot *
fdstate_slot(int fd, bool create)
{
	struct fdstate_slot *chunk;
	unsigned int c;

	if (fd < 0 || fd >= FDSTATE_CHUNK * FDSTATE_CHUNKS)
		return NULL;
	c = (unsigned int)fd / FDSTATE_CHUNK;
	chunk = atomic_load_explicit(&fdstate_table[c], memory_order_acquire);
	if (chunk == NULL && create) {
		/* Called with fdstate_lock held. */
		chunk = calloc(FDSTATE_CHUNK, sizeof(*chunk));
		if (chunk == NULL)
			return NULL;
		atomic_store_explicit(&fdstate_table[c], chunk,
		    memory_order_release);
	}
	return chunk == NULL ? NULL : &chunk[fd % FDSTATE_CHUNK];
}

/* Store *st for fd; with only_if_absent, an existing record of the same
 * kind wins and is copied back to *st (-EEXIST). */
static int
fdstate_store(int fd, struct fdstate *st, bool only_if_absent)
{
	struct fdstate_slot *slot;
	int rc = 0;

	if (fd < 0 || fd >= FDSTATE_CHUNK * FDSTATE_CHUNKS)
		return -EBADF;
	pthread_mutex_lock(&fdstate_lock);
	slot = fdstate_slot(fd, true);
	if (slot == NULL) {
		rc = -ENOMEM;
	} else if (only_if_absent && atomic_load_explicit(&slot->used,
	    memory_order_relaxed) == (unsigned char)st->kind) {
		*st = slot->st;
		rc = -EEXIST;
	} else {
		slot->st = *st;
		atomic_store_explicit(&slot->used, (unsigned char)st->kind,
		    memory_order_release);
		fdstate_note(fd);
	}
	pthread_mutex_unlock(&fdstate_lock);
	return rc;
}

/* Copy fd's record to *out (may be NULL) and, with remove, drop it. */
static bool
fdstate_read(int fd, struct fdstate *out, bool remove)
{
	struct fdstate_slot *slot = fdstate_slot(fd, false);
	bool found = false;

	if (slot == NULL ||
	    !atomic_load_explicit(&slot->used, memory_order_acquire))
		return false;
	pthread_mutex_lock(&fdstate_lock);
	if (atomic_load_explicit(&slot->used, memory_order_relaxed)) {
		if (out != NULL)
			*out = slot->st;
		if (remove) {
			memset(&slot->st, 0, sizeof(slot->st));
			atomic_store_explicit(&slot->used, 0,
			    memory_order_release);
		}
		found = true;
	}
	pthread_mutex_unlock(&fdstate_lock);
	return found;
}

int
fdstate_set(int fd, const struct fdstate *st)
{
	struct fdstate copy = *st;

	return fdstate_store(fd, &copy, false);
}

bool
fdstate_get(int fd, struct fdstate *st)
{
	return fdstate_read(fd, st, false);
}

bool
fdstate_take(int fd, struct fdstate *old)
{
	return fdstate_read(fd, old, true);
}

enum fdstate_kind
fdstate_kind(int fd)
{
	struct fdstate_slot *slot = fdstate_slot(fd, false);

	if (slot == NULL)
		return FDSTATE_NONE;
	return (enum fdstate_kind)atomic_load_explicit(&slot->used,
	    memory_order_acquire);
}

int
fdstate_add(int fd, struct fdstate *st)
{
	return fdstate_store(fd, st, true);
}
