/* SPDX-License-Identifier: MIT */
/*
 * Remote-DNS name map: host name <-> placeholder slot, kept entirely inside
 * one caller-supplied region (offsets and indices only, no pointers), so it
 * can be shared across fork/exec at different addresses.  No syscalls.
 */
#ifndef SOCKSIFY_CORE_NAMEMAP_H
#define SOCKSIFY_CORE_NAMEMAP_H

#include <stddef.h>
#include <stdint.h>

#define NAMEMAP_NAME_MAX	255		/* bytes, without the NUL */
#define NAMEMAP_SLOTS_MAX	(1u << 24)	/* largest accepted n_slots */
#define NAMEMAP_V4_SLOTS_CAP	(1u << 22)	/* slots_for_prefix_v4 cap */

/*
 * Locking: every function taking a region assumes the caller holds the
 * lock that guards that region (the runtime uses a process-shared robust
 * mutex) for the whole call, readers included.  Updates are not atomic
 * against a crash: if the lock owner died (EOWNERDEAD), rebuild the map
 * with namemap_init() rather than trusting it.  The region must be 8-byte
 * aligned.  Slot 0 is reserved and never assigned (it maps to the range's
 * network address), so a map of n slots holds at most n - 1 names.
 *
 * Names are canonicalised before use: ASCII letters lowercased (no locale),
 * one trailing dot removed.  The canonical form must be 1..255 bytes.
 */

/*
 * Bytes needed for a map of n_slots slots (slot i <-> placeholder offset i):
 * 64 + 284 * n_slots.  Returns 0 if n_slots < 2, n_slots > NAMEMAP_SLOTS_MAX
 * or the size does not fit in size_t.
 */
size_t namemap_region_size(uint32_t n_slots);

/*
 * Initialise region (zeroed or garbage, size >= namemap_region_size(n_slots))
 * as an empty map.  Writes the header and zeroes the per-slot metadata (about
 * 10% of the region); the name area is only written when names are stored.
 * Returns 0, or -EINVAL (n_slots out of range, size too small, misaligned).
 */
int namemap_init(void *region, size_t size, uint32_t n_slots);

/*
 * The same for a region already all zero (a fresh memfd or anonymous
 * mapping): only the header is written, O(1), so no page of the region is
 * touched before a name needs it.
 */
int namemap_init_zeroed(void *region, size_t size, uint32_t n_slots);

/*
 * Is region (size bytes, e.g. inherited from a parent) a map made by
 * namemap_init() with this build's layout?  Checks magic, version, record
 * sizes, n_slots, the recorded size against size, and that the header's
 * counters and list heads are in range.  O(1): slot links are not walked.
 * Returns 0 or -EINVAL.
 */
int namemap_check(const void *region, size_t size);

/*
 * Name -> slot.  The same canonical name gets the same slot while it stays
 * in the map.  A new name prefers slot 1 + fnv1a(name) % (n_slots - 1) and
 * probes the next few slots (wrapping, skipping 0); failing that it takes
 * any free slot, and when none is free it recycles the least recently used
 * unpinned entry.  Found and new entries become most recently used.
 * O(1) average.  Returns 0 and sets *index (1..n_slots-1), or -EINVAL (NULL,
 * empty or too long name), -ENOSPC (map full and every entry pinned),
 * -EIO (corrupted hash chain detected).
 */
int namemap_assign(void *region, const char *name, uint32_t *index);

/*
 * Lookup only, never inserts.  Refreshes recency like namemap_assign().
 * Returns 0 and sets *index, -ENOENT (not in the map), -EINVAL (bad name),
 * -EIO (corrupted hash chain).
 */
int namemap_find(void *region, const char *name, uint32_t *index);

/*
 * Slot -> canonical name, copied NUL-terminated into out[0..cap).  Does not
 * touch recency.  Returns the name length (> 0), -ENOENT (slot free, slot 0
 * included), -EINVAL (index >= n_slots), -ENOSPC (cap <= length; out is
 * left untouched).
 */
int namemap_name(const void *region, uint32_t index, char *out, size_t cap);

/*
 * Pin / unpin the entry in slot index while a live socket uses it.  Pins
 * count; a pinned entry is never recycled.  Unpinning an unpinned entry is
 * a no-op; the last unpin makes the entry most recently used.  Returns 0,
 * -ENOENT (slot free), -EINVAL (index >= n_slots), -EOVERFLOW (pin count
 * saturated; nothing changed).
 */
int namemap_pin(void *region, uint32_t index);
int namemap_unpin(void *region, uint32_t index);

/* Number of slots holding a name (0..n_slots-1). */
uint32_t namemap_count(const void *region);

/*
 * Placeholder addresses.  Pure arithmetic, no region, addresses in network
 * byte order.  base is the first address of the range and should have its
 * host bits zero; the range must hold at least n_slots addresses (the
 * runtime sizes the map with namemap_slots_for_prefix_v4 or its v6 cap).
 */

/* 2^(32 - prefix), capped at NAMEMAP_V4_SLOTS_CAP; 0 if prefix > 32. */
uint32_t namemap_slots_for_prefix_v4(uint8_t prefix);

/* out = base + index (32-bit wrap-around).  out may alias base. */
void namemap_index_to_v4(const uint8_t base[static 4], uint32_t index,
    uint8_t out[static 4]);

/*
 * Inverse of namemap_index_to_v4: *index = addr - base.  Returns 0,
 * -ENOENT if addr is outside base/prefix or below base, -EINVAL if
 * prefix > 32.  The caller still checks *index < n_slots.
 */
int namemap_v4_to_index(const uint8_t base[static 4], uint8_t prefix,
    const uint8_t addr[static 4], uint32_t *index);

/*
 * IPv6: bytes 0..11 from base, low 32 bits = low 32 bits of base + index
 * (no carry into byte 11; with a /96 base this is just the index).
 */
void namemap_index_to_v6(const uint8_t base[static 16], uint32_t index,
    uint8_t out[static 16]);

/*
 * Inverse of namemap_index_to_v6.  addr must match base in its first
 * max(prefix, 96) bits and its low 32 bits must not be below base's.
 * Returns 0, -ENOENT (outside), -EINVAL (prefix > 128).
 */
int namemap_v6_to_index(const uint8_t base[static 16], uint8_t prefix,
    const uint8_t addr[static 16], uint32_t *index);

#endif /* SOCKSIFY_CORE_NAMEMAP_H */
