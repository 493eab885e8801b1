/* SPDX-License-Identifier: MIT */
/*
 * Name map inside one flat region: header, per-slot metadata, name area.
 * Links are slot indices with 0 as "none" (slot 0 is never used).  No syscalls.
 */
#include "core/namemap.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define NM_MAGIC	0x4e4d4150u	/* "NMAP" */
#define NM_VERSION	2
#define NM_HDR_SIZE	64
#define NM_NAME_SIZE	(NAMEMAP_NAME_MAX + 1)
#define NM_PROBE	8	/* slots tried after the preferred one */
#define NM_NIL		0u

/*
 * Region layout: [hdr, NM_HDR_SIZE][meta x n_slots][name x n_slots].  The
 * metadata is kept apart from the names so namemap_init() only has to
 * write ~10% of the region and chain walks stay in a dense array.
 */
struct nm_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t meta_size;	/* sizeof(struct nm_meta) */
	uint32_t name_size;	/* NM_NAME_SIZE */
	uint32_t n_slots;
	uint32_t count;		/* slots in use */
	uint32_t lru_head;	/* most recently used unpinned entry */
	uint32_t lru_tail;	/* least recently used: recycled first */
	uint32_t fresh;		/* lowest slot that may still be free: every
				 * slot below it is in use (slots are never
				 * freed, only recycled) */
	uint64_t size;		/* namemap_region_size(n_slots) */
};

/*
 * A used slot is on the LRU list iff pins == 0; a free slot is on the free
 * list.  Both lists use prev/next.  bucket is the head of the hash chain of
 * names whose preferred slot is this one; chain links that chain.
 */
struct nm_meta {
	uint32_t hash;		/* fnv1a of the canonical name */
	uint32_t prev;
	uint32_t next;
	uint32_t chain;
	uint32_t bucket;
	uint32_t pins;
	uint16_t len;		/* name length; 0 = slot free */
	uint16_t spare;
};

_Static_assert(sizeof(struct nm_hdr) <= NM_HDR_SIZE, "header too big");
_Static_assert(sizeof(struct nm_meta) == 28, "meta layout changed");

/* Canonical name being looked up. */
struct nm_key {
	char name[NM_NAME_SIZE];
	uint16_t len;
	uint32_t hash;
};

static struct nm_meta *
nm_meta(const struct nm_hdr *h)
{
	return (struct nm_meta *)((uintptr_t)h + NM_HDR_SIZE);
}

static char *
nm_name(const struct nm_hdr *h, uint32_t i)
{
	uintptr_t names = (uintptr_t)h + NM_HDR_SIZE +
	    (uintptr_t)h->n_slots * sizeof(struct nm_meta);

	return (char *)(names + (uintptr_t)i * NM_NAME_SIZE);
}

/* Lowercase (ASCII only), drop one trailing dot, hash (FNV-1a 32-bit). */
static int
nm_key_make(const char *name, struct nm_key *k)
{
	size_t len, i;
	uint32_t hash = 2166136261u;

	if (name == NULL)
		return -EINVAL;
	len = strnlen(name, NM_NAME_SIZE + 1);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > NAMEMAP_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		k->name[i] = (char)c;
		hash = (hash ^ c) * 16777619u;
	}
	k->name[len] = '\0';
	k->len = (uint16_t)len;
	k->hash = hash;
	return 0;
}

static uint32_t
nm_preferred(const struct nm_hdr *h, uint32_t hash)
{
	return 1 + hash % (h->n_slots - 1);
}

/* Unlink i from the doubly linked list whose head/tail are given. */
static void
nm_list_del(struct nm_meta *m, uint32_t *head, uint32_t *tail, uint32_t i)
{
	if (m[i].prev != NM_NIL)
		m[m[i].prev].next = m[i].next;
	else
		*head = m[i].next;
	if (m[i].next != NM_NIL)
		m[m[i].next].prev = m[i].prev;
	else if (tail != NULL)
		*tail = m[i].prev;
	m[i].prev = m[i].next = NM_NIL;
}

static void
nm_lru_push(struct nm_hdr *h, struct nm_meta *m, uint32_t i)
{
	m[i].prev = NM_NIL;
	m[i].next = h->lru_head;
	if (h->lru_head != NM_NIL)
		m[h->lru_head].prev = i;
	else
		h->lru_tail = i;
	h->lru_head = i;
}

/* Make a used entry most recently used (pinned entries are off the list). */
static void
nm_touch(struct nm_hdr *h, struct nm_meta *m, uint32_t i)
{
	if (m[i].pins != 0 || h->lru_head == i)
		return;
	nm_list_del(m, &h->lru_head, &h->lru_tail, i);
	nm_lru_push(h, m, i);
}

/*
 * Walk the chain of k's preferred slot.  Returns 0 and *at on a match,
 * -ENOENT, or -EIO when a link is out of range or the walk is longer than
 * the map (a cycle): a corrupted region must not hang every process.
 */
static int
nm_lookup(const struct nm_hdr *h, const struct nm_key *k, uint32_t *at)
{
	const struct nm_meta *m = nm_meta(h);
	uint32_t i, steps = 0;

	for (i = m[nm_preferred(h, k->hash)].bucket; i != NM_NIL;
	    i = m[i].chain) {
		if (i >= h->n_slots || ++steps >= h->n_slots)
			return -EIO;
		if (m[i].hash == k->hash && m[i].len == k->len &&
		    memcmp(nm_name(h, i), k->name, k->len) == 0) {
			*at = i;
			return 0;
		}
	}
	return -ENOENT;
}

/* Remove used slot i from its hash chain (the walk was bounded by lookup). */
static int
nm_chain_del(struct nm_hdr *h, struct nm_meta *m, uint32_t i)
{
	uint32_t *link = &m[nm_preferred(h, m[i].hash)].bucket;
	uint32_t steps = 0;

	while (*link != i) {
		if (*link == NM_NIL || *link >= h->n_slots ||
		    ++steps >= h->n_slots)
			return -EIO;
		link = &m[*link].chain;
	}
	*link = m[i].chain;
	m[i].chain = NM_NIL;
	return 0;
}

/* -EINVAL for an index past the map, -ENOENT for a free slot, else 0. */
static int
nm_used(const struct nm_hdr *h, uint32_t index)
{
	if (index >= h->n_slots)
		return -EINVAL;
	return nm_meta(h)[index].len == 0 ? -ENOENT : 0;
}

/* Pick the slot for a new name; unlinks it from whatever list holds it. */
static int
nm_take_slot(struct nm_hdr *h, struct nm_meta *m, uint32_t pref,
    uint32_t *out)
{
	uint32_t i = pref, n;
	int rc;

	if (h->count < h->n_slots - 1) {
		/* A free slot exists: near the preferred one if possible
		 * (stable addresses), else the lowest free one. */
		for (n = 0; n <= NM_PROBE; n++) {
			if (m[i].len == 0)
				break;
			i = i + 1 < h->n_slots ? i + 1 : 1;
		}
		if (n > NM_PROBE) {
			while (h->fresh < h->n_slots && m[h->fresh].len != 0)
				h->fresh++;
			if (h->fresh >= h->n_slots)
				return -EIO;	/* count lied: corrupted */
			i = h->fresh;
		}
		h->count++;
	} else {
		i = h->lru_tail;
		if (i == NM_NIL)
			return -ENOSPC;	/* every entry pinned */
		rc = nm_chain_del(h, m, i);
		if (rc < 0)
			return rc;
		nm_list_del(m, &h->lru_head, &h->lru_tail, i);
	}
	*out = i;
	return 0;
}

size_t
namemap_region_size(uint32_t n_slots)
{
	const size_t per = sizeof(struct nm_meta) + NM_NAME_SIZE;

	if (n_slots < 2 || n_slots > NAMEMAP_SLOTS_MAX)
		return 0;
	if (n_slots > (SIZE_MAX - NM_HDR_SIZE) / per)
		return 0;
	return NM_HDR_SIZE + per * n_slots;
}

static int
nm_init(void *region, size_t size, uint32_t n_slots, bool zeroed)
{
	struct nm_hdr *h = region;
	struct nm_meta *m;
	size_t need = namemap_region_size(n_slots);

	if (region == NULL || need == 0 || size < need ||
	    (uintptr_t)region % 8 != 0)
		return -EINVAL;
	memset(h, 0, NM_HDR_SIZE);
	h->magic = NM_MAGIC;
	h->version = NM_VERSION;
	h->meta_size = sizeof(struct nm_meta);
	h->name_size = NM_NAME_SIZE;
	h->n_slots = n_slots;
	h->size = need;
	if (!zeroed) {
		m = nm_meta(h);
		memset(m, 0, (size_t)n_slots * sizeof(*m));
	}
	/* All-zero metadata is an empty map: 0 is the nil link (slot 0 is
	 * never used), len 0 marks a free slot. */
	h->fresh = 1;
	return 0;
}

int
namemap_init(void *region, size_t size, uint32_t n_slots)
{
	return nm_init(region, size, n_slots, false);
}

int
namemap_init_zeroed(void *region, size_t size, uint32_t n_slots)
{
	return nm_init(region, size, n_slots, true);
}

int
namemap_check(const void *region, size_t size)
{
	const struct nm_hdr *h = region;
	size_t need;

	if (region == NULL || size < NM_HDR_SIZE ||
	    (uintptr_t)region % 8 != 0)
		return -EINVAL;
	if (h->magic != NM_MAGIC || h->version != NM_VERSION ||
	    h->meta_size != sizeof(struct nm_meta) ||
	    h->name_size != NM_NAME_SIZE)
		return -EINVAL;
	need = namemap_region_size(h->n_slots);
	if (need == 0 || h->size != need || size < need)
		return -EINVAL;
	if (h->count >= h->n_slots || h->lru_head >= h->n_slots ||
	    h->lru_tail >= h->n_slots || h->fresh == 0 ||
	    h->fresh > h->n_slots)
		return -EINVAL;
	return 0;
}

int
namemap_assign(void *region, const char *name, uint32_t *index)
{
	struct nm_hdr *h = region;
	struct nm_meta *m = nm_meta(h);
	struct nm_key k;
	uint32_t i, pref;
	int rc;

	if ((rc = nm_key_make(name, &k)) < 0)
		return rc;
	rc = nm_lookup(h, &k, &i);
	if (rc == 0) {
		nm_touch(h, m, i);
		*index = i;
		return 0;
	}
	if (rc != -ENOENT)
		return rc;
	pref = nm_preferred(h, k.hash);
	if ((rc = nm_take_slot(h, m, pref, &i)) < 0)
		return rc;
	memcpy(nm_name(h, i), k.name, (size_t)k.len + 1);
	m[i].len = k.len;
	m[i].hash = k.hash;
	m[i].pins = 0;
	m[i].chain = m[pref].bucket;
	m[pref].bucket = i;
	nm_lru_push(h, m, i);
	*index = i;
	return 0;
}

int
namemap_find(void *region, const char *name, uint32_t *index)
{
	struct nm_hdr *h = region;
	struct nm_key k;
	uint32_t i;
	int rc;

	if ((rc = nm_key_make(name, &k)) < 0)
		return rc;
	if ((rc = nm_lookup(h, &k, &i)) < 0)
		return rc;
	nm_touch(h, nm_meta(h), i);
	*index = i;
	return 0;
}

int
namemap_name(const void *region, uint32_t index, char *out, size_t cap)
{
	const struct nm_hdr *h = region;
	const struct nm_meta *m = nm_meta(h);
	int rc;

	if ((rc = nm_used(h, index)) < 0)
		return rc;
	if (out == NULL || cap <= m[index].len)
		return -ENOSPC;
	memcpy(out, nm_name(h, index), m[index].len);
	out[m[index].len] = '\0';
	return m[index].len;
}

int
namemap_pin(void *region, uint32_t index)
{
	struct nm_hdr *h = region;
	struct nm_meta *m = nm_meta(h);
	int rc;

	if ((rc = nm_used(h, index)) < 0)
		return rc;
	if (m[index].pins == UINT32_MAX)
		return -EOVERFLOW;
	if (m[index].pins++ == 0)
		nm_list_del(m, &h->lru_head, &h->lru_tail, index);
	return 0;
}

int
namemap_unpin(void *region, uint32_t index)
{
	struct nm_hdr *h = region;
	struct nm_meta *m = nm_meta(h);
	int rc;

	if ((rc = nm_used(h, index)) < 0)
		return rc;
	if (m[index].pins == 0)
		return 0;
	if (--m[index].pins == 0)
		nm_lru_push(h, m, index);
	return 0;
}

uint32_t
namemap_count(const void *region)
{
	const struct nm_hdr *h = region;

	return h->count;
}
