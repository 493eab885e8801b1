/* SPDX-License-Identifier: MIT */
/*
 * A table indexed by descriptor number, in chunks allocated on first use
 * and never freed (fdstate, ownfd and epreg each keep one). Lookups are
 * lock-free; a chunk is created only under the owner's lock.
 */
#ifndef SOCKSIFY_RUNTIME_FDTABLE_H
#define SOCKSIFY_RUNTIME_FDTABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#define FDTABLE_CHUNK	1024
#define FDTABLE_CHUNKS	1024	/* descriptors up to 1M */
#define FDTABLE_MAX	(FDTABLE_CHUNK * FDTABLE_CHUNKS)

struct fdtable {
	void *_Atomic chunk[FDTABLE_CHUNKS];
};

/*
 * The entry (of `size` bytes, zeroed when new) of descriptor fd; NULL when
 * fd is out of range, or its chunk does not exist and create is false (or
 * cannot be allocated). create only with the owner's lock held.
 */
static inline void *
fdtable_entry(struct fdtable *t, size_t size, int fd, bool create)
{
	unsigned int i;
	char *c;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return NULL;
	i = (unsigned int)fd / FDTABLE_CHUNK;
	c = atomic_load_explicit(&t->chunk[i], memory_order_acquire);
	if (c == NULL && create) {
		c = calloc(FDTABLE_CHUNK, size);
		if (c == NULL)
			return NULL;
		atomic_store_explicit(&t->chunk[i], c, memory_order_release);
	}
	return c == NULL ? NULL : c + (size_t)(fd % FDTABLE_CHUNK) * size;
}

#endif
