/* SPDX-License-Identifier: MIT */
/*
 * Placeholder addresses <-> name-map slots: pure arithmetic on network-order
 * bytes (the map itself is namemap.c).  No syscalls.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/namemap.h"

static uint32_t
nm_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
nm_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Network mask of the first bits (0..32) bits of a 32-bit word. */
static uint32_t
nm_mask32(unsigned bits)
{
	return bits == 0 ? 0 : UINT32_MAX << (32 - bits);
}

uint32_t
namemap_slots_for_prefix_v4(uint8_t prefix)
{
	if (prefix > 32)
		return 0;
	if (32 - prefix >= 22)
		return NAMEMAP_V4_SLOTS_CAP;
	return 1u << (32 - prefix);
}

void
namemap_index_to_v4(const uint8_t base[static 4], uint32_t index,
    uint8_t out[static 4])
{
	nm_put_be32(out, nm_be32(base) + index);
}

int
namemap_v4_to_index(const uint8_t base[static 4], uint8_t prefix,
    const uint8_t addr[static 4], uint32_t *index)
{
	uint32_t a, b;

	if (prefix > 32)
		return -EINVAL;
	a = nm_be32(addr);
	b = nm_be32(base);
	if (((a ^ b) & nm_mask32(prefix)) != 0 || a < b)
		return -ENOENT;
	*index = a - b;
	return 0;
}

void
namemap_index_to_v6(const uint8_t base[static 16], uint32_t index,
    uint8_t out[static 16])
{
	uint32_t low = nm_be32(base + 12) + index;

	memmove(out, base, 12);
	nm_put_be32(out + 12, low);
}

int
namemap_v6_to_index(const uint8_t base[static 16], uint8_t prefix,
    const uint8_t addr[static 16], uint32_t *index)
{
	uint32_t a, b;

	if (prefix > 128)
		return -EINVAL;
	/* Only the low 32 bits vary: the first 96 always match base. */
	a = nm_be32(addr + 12);
	b = nm_be32(base + 12);
	if (memcmp(addr, base, 12) != 0 ||
	    ((a ^ b) & nm_mask32(prefix > 96 ? prefix - 96u : 0)) != 0 || a < b)
		return -ENOENT;
	*index = a - b;
	return 0;
}
