/* SPDX-License-Identifier: MIT */
/* The shared name map's storage (see namestore.c): created at load, shared
 * with forked and exec'd children, locked per operation. */
#ifndef SOCKSIFY_RUNTIME_NAMESTORE_H
#define SOCKSIFY_RUNTIME_NAMESTORE_H

#include <stddef.h>
#include <stdint.h>

/* Load time (library constructor): in a process that did not inherit a
 * map, create the memfd and export SOCKSIFY_NAMEMAP so that exec'd
 * children find it. A few syscalls, nothing mapped but the lock page. The
 * memfd is an own descriptor (runtime/ownfd.h): high, inherited across
 * exec; when a program dup2()s over it, it moves and SOCKSIFY_NAMEMAP
 * follows. */
void namestore_preinit(void);

/* At init, once the configuration is known: the map's size in slots for
 * a process that creates it (0, or never called: socksify is not
 * configured and every operation fails with -EACCES). */
void namestore_configure(uint32_t slots);

/* Attach at first use (once, thread-safe): 0 or a negative errno. */
int namestore_ready(void);

/* namemap_assign()/namemap_name()/pin/unpin under the map's lock. */
int namestore_assign(const char *name, uint32_t *slot);
int namestore_name(uint32_t slot, char *out, size_t cap);
void namestore_pin(uint32_t slot);
void namestore_unpin(uint32_t slot);

#endif
