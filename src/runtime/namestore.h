/* SPDX-License-Identifier: MIT */
/* The shared name map's storage (see namestore.c): created at load, shared
 * with forked and exec'd children, locked per operation. */
#ifndef SOCKSIFY_RUNTIME_NAMESTORE_H
#define SOCKSIFY_RUNTIME_NAMESTORE_H

#include <stddef.h>
#include <stdint.h>

/* Load time (library constructor): in a process that did not inherit a
 * map, create the memfd and export SOCKSIFY_NAMEMAP so that exec'd
 * children find it. A few syscalls, nothing mapped but the lock page. */
void namestore_preinit(void);

/* The map's descriptor, or -1 (close() must not close it). */
int namestore_fd(void);

/* Attach at first use (once, thread-safe): 0 or a negative errno. */
int namestore_ready(void);

/* Slots in the map (0 when it is not usable). */
uint32_t namestore_slots(void);

/* namemap_assign()/namemap_name()/pin/unpin under the map's lock. */
int namestore_assign(const char *name, uint32_t *slot);
int namestore_name(uint32_t slot, char *out, size_t cap);
void namestore_pin(uint32_t slot);
void namestore_unpin(uint32_t slot);

#endif
