/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/namemap: stability, LRU recycling, pins, relocation,
 * threads and fork sharing, placeholder address arithmetic.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/namemap.h"

/*
 * Perf sanity (not asserted): 1,000,000 namemap_assign() calls of distinct
 * names into a 131072-slot map, i.e. ~870k LRU recycles, take ~0.3 s at
 * -O2 on a laptop-class x86-64.
 */

static void *
map_new(uint32_t n)
{
	size_t size = namemap_region_size(n);
	void *r = malloc(size);

	ck_assert_ptr_nonnull(r);
	memset(r, 0xa5, size);		/* garbage: init must cope */
	ck_assert_int_eq(namemap_init(r, size, n), 0);
	return r;
}

static uint32_t
must_assign(void *r, const char *name)
{
	uint32_t i = 0;

	ck_assert_int_eq(namemap_assign(r, name, &i), 0);
	return i;
}

static int
has(void *r, const char *name)
{
	uint32_t i;

	return namemap_find(r, name, &i) == 0;
}

/* The documented preferred-slot hash, written independently. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

START_TEST(region_size_bounds)
{
	ck_assert_uint_eq(namemap_region_size(0), 0);
	ck_assert_uint_eq(namemap_region_size(1), 0);
	ck_assert_uint_gt(namemap_region_size(2), 2 * 256);
	ck_assert_uint_lt(namemap_region_size(131072), 40u << 20);
	ck_assert_uint_eq(namemap_region_size(NAMEMAP_SLOTS_MAX + 1), 0);
}
END_TEST

START_TEST(init_bad_args)
{
	size_t size = namemap_region_size(8);
	char *r = malloc(size + 8);

	ck_assert_int_eq(namemap_init(NULL, size, 8), -EINVAL);
	ck_assert_int_eq(namemap_init(r, size - 1, 8), -EINVAL);
	ck_assert_int_eq(namemap_init(r, size, 1), -EINVAL);
	ck_assert_int_eq(namemap_init(r + 4, size, 8), -EINVAL);
	ck_assert_int_eq(namemap_init(r, size + 8, 8), 0);
	free(r);
}
END_TEST

START_TEST(init_garbage_region)
{
	void *r = map_new(16);
	char buf[8];
	uint32_t i;

	ck_assert_uint_eq(namemap_count(r), 0);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(namemap_name(r, i, buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(namemap_find(r, "a.example", &i), -ENOENT);
	free(r);
}
END_TEST

START_TEST(check_good_and_corrupt)
{
	size_t size = namemap_region_size(64);
	uint32_t *r = calloc(1, size), save;
	unsigned w;

	ck_assert_int_eq(namemap_check(r, size), -EINVAL);	/* zeroed */
	ck_assert_int_eq(namemap_init(r, size, 64), 0);
	must_assign(r, "example.com");
	ck_assert_int_eq(namemap_check(r, size), 0);
	ck_assert_int_eq(namemap_check(r, size + 100), 0);
	ck_assert_int_eq(namemap_check(r, size - 1), -EINVAL);
	ck_assert_int_eq(namemap_check(r, 10), -EINVAL);
	ck_assert_int_eq(namemap_check(NULL, size), -EINVAL);
	/* Flip each header word in turn: every one is validated. */
	for (w = 0; w < 10; w++) {
		save = r[w];
		r[w] ^= 0x01000100u;
		ck_assert_msg(namemap_check(r, size) == -EINVAL, "word %u", w);
		r[w] = save;
	}
	ck_assert_int_eq(namemap_check(r, size), 0);
	free(r);
}
END_TEST

START_TEST(assign_same_name_same_index)
{
	void *r = map_new(1024);
	uint32_t a = must_assign(r, "example.com");

	ck_assert_uint_ge(a, 1);
	ck_assert_uint_lt(a, 1024);
	ck_assert_uint_eq(must_assign(r, "other.example"), must_assign(r,
	    "other.example"));
	ck_assert_uint_eq(must_assign(r, "example.com"), a);
	ck_assert_uint_eq(must_assign(r, "EXAMPLE.Com"), a);
	ck_assert_uint_eq(must_assign(r, "example.com."), a);
	ck_assert_uint_eq(must_assign(r, "Example.COM."), a);
	ck_assert_uint_eq(namemap_count(r), 2);
	free(r);
}
END_TEST

START_TEST(assign_invalid_names)
{
	void *r = map_new(8);
	uint32_t i = 77;

	ck_assert_int_eq(namemap_assign(r, "", &i), -EINVAL);
	ck_assert_int_eq(namemap_assign(r, ".", &i), -EINVAL);
	ck_assert_int_eq(namemap_assign(r, NULL, &i), -EINVAL);
	ck_assert_uint_eq(i, 77);
	ck_assert_uint_eq(namemap_count(r), 0);
	free(r);
}
END_TEST

START_TEST(assign_name_length_limits)
{
	void *r = map_new(8);
	char name[300], out[300];
	uint32_t i;

	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	i = must_assign(r, name);
	ck_assert_int_eq(namemap_name(r, i, out, 256), 255);
	ck_assert_str_eq(out, name);
	name[255] = '.';			/* 255 + trailing dot: fine */
	name[256] = '\0';
	ck_assert_uint_eq(must_assign(r, name), i);
	name[255] = 'a';			/* 256 bytes: too long */
	ck_assert_int_eq(namemap_assign(r, name, &i), -EINVAL);
	ck_assert_int_eq(namemap_find(r, name, &i), -EINVAL);
	name[299] = '\0';
	ck_assert_int_eq(namemap_assign(r, name, &i), -EINVAL);
	free(r);
}
END_TEST

START_TEST(assign_deterministic_fresh_maps)
{
	void *a = map_new(4096), *b = map_new(4096);
	char name[64];
	int k;

	/* No collision in a fresh map: the documented preferred slot. */
	ck_assert_uint_eq(must_assign(a, "Example.COM"),
	    1 + fnv1a("example.com") % 4095);
	ck_assert_uint_eq(must_assign(b, "example.com."),
	    1 + fnv1a("example.com") % 4095);
	for (k = 0; k < 3000; k++) {
		snprintf(name, sizeof(name), "host%d.example", k);
		ck_assert_uint_eq(must_assign(a, name), must_assign(b, name));
	}
	free(a);
	free(b);
}
END_TEST

START_TEST(assign_collisions_small_map)
{
	void *r = map_new(8);
	char name[32], out[32];
	uint32_t idx[7], i;
	int k, j, moved = 0;

	for (k = 0; k < 7; k++) {
		snprintf(name, sizeof(name), "n%d", k);
		idx[k] = must_assign(r, name);
		moved += idx[k] != 1 + fnv1a(name) % 7;
		ck_assert_uint_ge(idx[k], 1);
		ck_assert_uint_le(idx[k], 7);
		for (j = 0; j < k; j++)
			ck_assert_uint_ne(idx[j], idx[k]);
	}
	ck_assert_int_gt(moved, 0);	/* some name really was probed */
	/* Full: keep cycling, only the 7 most recent names survive. */
	for (k = 7; k < 200; k++) {
		snprintf(name, sizeof(name), "n%d", k);
		i = must_assign(r, name);
		ck_assert_uint_ge(i, 1);
		ck_assert_int_eq(namemap_name(r, i, out, sizeof(out)),
		    (int)strlen(name));
		ck_assert_str_eq(out, name);
		ck_assert_uint_eq(namemap_count(r), 7);
	}
	for (k = 0; k < 200; k++) {
		snprintf(name, sizeof(name), "n%d", k);
		ck_assert_int_eq(has(r, name), k >= 193);
	}
	free(r);
}
END_TEST

START_TEST(assign_lru_recycling_order)
{
	void *r = map_new(5);		/* 4 usable slots */
	uint32_t a = must_assign(r, "a"), b = must_assign(r, "b");
	uint32_t c = must_assign(r, "c");

	must_assign(r, "d");
	must_assign(r, "a");		/* assign of a known name refreshes */
	ck_assert_uint_eq(must_assign(r, "e"), b);
	ck_assert(!has(r, "b"));
	ck_assert_uint_eq(must_assign(r, "f"), c);
	ck_assert(!has(r, "c"));
	ck_assert(has(r, "a") && has(r, "d") && has(r, "e") && has(r, "f"));
	ck_assert_uint_eq(must_assign(r, "a"), a);
	free(r);
}
END_TEST

START_TEST(assign_pinned_never_recycled)
{
	void *r = map_new(4);		/* 3 usable slots */
	uint32_t a = must_assign(r, "a");
	char name[16];
	int k;

	ck_assert_int_eq(namemap_pin(r, a), 0);
	for (k = 0; k < 100; k++) {
		snprintf(name, sizeof(name), "x%d", k);
		ck_assert_uint_ne(must_assign(r, name), a);
	}
	ck_assert(has(r, "a"));
	free(r);
}
END_TEST

START_TEST(assign_all_pinned_enospc)
{
	void *r = map_new(4);
	uint32_t a = must_assign(r, "a"), i = 99;

	ck_assert_int_eq(namemap_pin(r, a), 0);
	ck_assert_int_eq(namemap_pin(r, must_assign(r, "b")), 0);
	ck_assert_int_eq(namemap_pin(r, must_assign(r, "c")), 0);
	ck_assert_int_eq(namemap_assign(r, "d", &i), -ENOSPC);
	ck_assert_uint_eq(i, 99);
	ck_assert_uint_eq(must_assign(r, "b"), must_assign(r, "b"));
	ck_assert_int_eq(namemap_unpin(r, a), 0);
	ck_assert_uint_eq(must_assign(r, "d"), a);
	ck_assert(!has(r, "a"));
	free(r);
}
END_TEST

START_TEST(assign_relocated_region)
{
	size_t size = namemap_region_size(64);
	void *a = map_new(64), *b = malloc(size);
	char name[16], out[16];
	uint32_t idx[40], i;
	int k;

	for (k = 0; k < 40; k++) {
		snprintf(name, sizeof(name), "r%d", k);
		idx[k] = must_assign(a, name);
	}
	memcpy(b, a, size);
	memset(a, 0xee, size);		/* any pointer into a would now break */
	free(a);
	ck_assert_int_eq(namemap_check(b, size), 0);
	for (k = 0; k < 40; k++) {
		snprintf(name, sizeof(name), "r%d", k);
		ck_assert_int_eq(namemap_find(b, name, &i), 0);
		ck_assert_uint_eq(i, idx[k]);
		ck_assert_int_ge(namemap_name(b, i, out, sizeof(out)), 2);
		ck_assert_str_eq(out, name);
	}
	for (k = 40; k < 200; k++) {	/* keep growing and recycling */
		snprintf(name, sizeof(name), "r%d", k);
		must_assign(b, name);
	}
	ck_assert_uint_eq(namemap_count(b), 63);
	free(b);
}
END_TEST

#define TH_N	4
#define TH_NAMES 2000

struct th_arg {
	void *map;
	pthread_mutex_t *mu;
	int start;
	uint32_t idx[TH_NAMES];
};

static void *
th_main(void *p)
{
	struct th_arg *a = p;
	char name[32];
	int k, n;

	for (k = 0; k < TH_NAMES; k++) {
		n = (a->start + k) % TH_NAMES;
		snprintf(name, sizeof(name), "Host-%d.Example.", n);
		pthread_mutex_lock(a->mu);
		if (namemap_assign(a->map, name, &a->idx[n]) != 0)
			a->idx[n] = 0;
		pthread_mutex_unlock(a->mu);
	}
	return NULL;
}

START_TEST(assign_threads_consistent)
{
	static struct th_arg args[TH_N];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_t t[TH_N];
	void *r = map_new(8192);
	char want[32], out[32];
	int k;

	for (k = 0; k < TH_N; k++) {
		args[k] = (struct th_arg){ .map = r, .mu = &mu,
		    .start = k * (TH_NAMES / TH_N) };
		ck_assert_int_eq(pthread_create(&t[k], NULL, th_main,
		    &args[k]), 0);
	}
	for (k = 0; k < TH_N; k++)
		ck_assert_int_eq(pthread_join(t[k], NULL), 0);
	ck_assert_uint_eq(namemap_count(r), TH_NAMES);
	for (k = 0; k < TH_NAMES; k++) {
		ck_assert_uint_ne(args[0].idx[k], 0);
		ck_assert_uint_eq(args[1].idx[k], args[0].idx[k]);
		ck_assert_uint_eq(args[2].idx[k], args[0].idx[k]);
		ck_assert_uint_eq(args[3].idx[k], args[0].idx[k]);
		snprintf(want, sizeof(want), "host-%d.example", k);
		ck_assert_int_gt(namemap_name(r, args[0].idx[k], out,
		    sizeof(out)), 0);
		ck_assert_str_eq(out, want);
	}
	free(r);
}
END_TEST

START_TEST(assign_fork_shared)
{
	size_t size = namemap_region_size(1024);
	void *r = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint32_t p, i;
	char name[32];
	int k, status;
	pid_t pid;

	ck_assert(r != MAP_FAILED);
	ck_assert_int_eq(namemap_init(r, size, 1024), 0);
	p = must_assign(r, "parent.example");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (namemap_check(r, size) != 0 ||
		    namemap_find(r, "parent.example", &i) != 0 || i != p)
			_exit(2);
		for (k = 0; k < 100; k++) {
			snprintf(name, sizeof(name), "child%d.example", k);
			if (namemap_assign(r, name, &i) != 0)
				_exit(3);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_uint_eq(namemap_count(r), 101);
	for (k = 0; k < 100; k++) {
		snprintf(name, sizeof(name), "child%d.example", k);
		ck_assert(has(r, name));
	}
	ck_assert_int_eq(munmap(r, size), 0);
}
END_TEST

START_TEST(assign_corrupt_chain_eio)
{
	void *r = map_new(2);		/* one usable slot: all hash to 1 */
	uint32_t *meta1 = (uint32_t *)((char *)r + 64 + 28);
	uint32_t i;

	ck_assert_uint_eq(must_assign(r, "a"), 1);
	meta1[3] = 1;			/* chain of slot 1 -> itself: a cycle */
	ck_assert_int_eq(namemap_find(r, "b", &i), -EIO);
	ck_assert_int_eq(namemap_assign(r, "b", &i), -EIO);
	free(r);
}
END_TEST

START_TEST(find_missing_and_no_insert)
{
	void *r = map_new(16);
	uint32_t i = 5;

	ck_assert_int_eq(namemap_find(r, "nope.example", &i), -ENOENT);
	ck_assert_int_eq(namemap_find(r, "", &i), -EINVAL);
	ck_assert_uint_eq(i, 5);
	ck_assert_uint_eq(namemap_count(r), 0);
	i = must_assign(r, "yes.example");
	ck_assert_int_eq(namemap_find(r, "YES.example.", &i), 0);
	ck_assert_uint_eq(i, must_assign(r, "yes.example"));
	free(r);
}
END_TEST

START_TEST(find_refreshes_recency)
{
	void *r = map_new(4);
	uint32_t a = must_assign(r, "a"), b = must_assign(r, "b"), i;

	must_assign(r, "c");
	ck_assert_int_eq(namemap_find(r, "a", &i), 0);
	ck_assert_uint_eq(must_assign(r, "d"), b);	/* b was LRU, not a */
	ck_assert(has(r, "a"));
	ck_assert_int_eq(namemap_find(r, "a", &i), 0);
	ck_assert_uint_ne(must_assign(r, "e"), a);
	free(r);
}
END_TEST

START_TEST(name_reverse_lookup)
{
	void *r = map_new(32);
	uint32_t i = must_assign(r, "WWW.Example.ORG.");
	char out[32];

	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(namemap_name(r, i, out, 16), 15);
	ck_assert_str_eq(out, "www.example.org");
	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(namemap_name(r, i, out, 15), -ENOSPC);
	ck_assert_int_eq(out[0], 'x');
	ck_assert_int_eq(namemap_name(r, i, NULL, 0), -ENOSPC);
	ck_assert_int_eq(namemap_name(r, 0, out, 32), -ENOENT);
	ck_assert_int_eq(namemap_name(r, 32, out, 32), -EINVAL);
	ck_assert_int_eq(namemap_name(r, UINT32_MAX, out, 32), -EINVAL);
	free(r);
}
END_TEST

START_TEST(pin_errors_and_counts)
{
	void *r = map_new(4);
	uint32_t a = must_assign(r, "a"), f = a % 3 + 1;

	ck_assert_int_eq(namemap_pin(r, f), -ENOENT);
	ck_assert_int_eq(namemap_pin(r, 0), -ENOENT);
	ck_assert_int_eq(namemap_pin(r, 4), -EINVAL);
	ck_assert_int_eq(namemap_pin(r, a), 0);
	ck_assert_int_eq(namemap_pin(r, a), 0);
	ck_assert_int_eq(namemap_unpin(r, a), 0);	/* still pinned once */
	must_assign(r, "b");
	must_assign(r, "c");
	ck_assert_uint_ne(must_assign(r, "d"), a);
	ck_assert_uint_ne(must_assign(r, "e"), a);
	ck_assert(has(r, "a"));
	free(r);
}
END_TEST

START_TEST(unpin_below_zero_and_recency)
{
	void *r = map_new(4);
	uint32_t a = must_assign(r, "a"), b = must_assign(r, "b");

	ck_assert_int_eq(namemap_unpin(r, a), 0);	/* ignored */
	ck_assert_int_eq(namemap_unpin(r, a), 0);
	ck_assert_int_eq(namemap_unpin(r, 6 - a - b), -ENOENT);
	ck_assert_int_eq(namemap_unpin(r, 9), -EINVAL);
	ck_assert_int_eq(namemap_pin(r, a), 0);	/* one unpin releases it */
	must_assign(r, "c");
	ck_assert_int_eq(namemap_unpin(r, a), 0);	/* a is now MRU */
	ck_assert_uint_eq(must_assign(r, "d"), b);
	ck_assert(has(r, "a"));
	free(r);
}
END_TEST

START_TEST(count_tracks_usage)
{
	void *r = map_new(4);
	uint32_t i;

	ck_assert_uint_eq(namemap_count(r), 0);
	must_assign(r, "a");
	must_assign(r, "a");
	(void)namemap_find(r, "zz", &i);	/* -ENOENT expected */
	ck_assert_uint_eq(namemap_count(r), 1);
	must_assign(r, "b");
	must_assign(r, "c");
	must_assign(r, "d");
	ck_assert_uint_eq(namemap_count(r), 3);
	free(r);
}
END_TEST

START_TEST(slots_for_prefix_v4_values)
{
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(15), 131072);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(24), 256);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(31), 2);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(32), 1);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(10), 1u << 22);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(9), 1u << 22);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(0), 1u << 22);
	ck_assert_uint_eq(namemap_slots_for_prefix_v4(33), 0);
}
END_TEST

static const uint8_t v4base[4] = { 198, 18, 0, 0 };

START_TEST(index_to_v4_edges)
{
	static const uint8_t top[4] = { 255, 255, 255, 255 };
	uint8_t out[4];

	namemap_index_to_v4(v4base, 0, out);
	ck_assert_mem_eq(out, ((uint8_t[]){ 198, 18, 0, 0 }), 4);
	namemap_index_to_v4(v4base, 256, out);
	ck_assert_mem_eq(out, ((uint8_t[]){ 198, 18, 1, 0 }), 4);
	namemap_index_to_v4(v4base, 131071, out);
	ck_assert_mem_eq(out, ((uint8_t[]){ 198, 19, 255, 255 }), 4);
	namemap_index_to_v4(top, 1, out);
	ck_assert_mem_eq(out, ((uint8_t[]){ 0, 0, 0, 0 }), 4);
}
END_TEST

START_TEST(v4_to_index_edges)
{
	uint8_t a[4];
	uint32_t i = 0, k;

	ck_assert_int_eq(namemap_v4_to_index(v4base, 15,
	    (uint8_t[]){ 198, 19, 255, 255 }, &i), 0);
	ck_assert_uint_eq(i, 131071);
	ck_assert_int_eq(namemap_v4_to_index(v4base, 15, v4base, &i), 0);
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(namemap_v4_to_index(v4base, 15,
	    (uint8_t[]){ 198, 20, 0, 0 }, &i), -ENOENT);
	ck_assert_int_eq(namemap_v4_to_index(v4base, 15,
	    (uint8_t[]){ 198, 17, 255, 255 }, &i), -ENOENT);
	ck_assert_int_eq(namemap_v4_to_index(v4base, 33, v4base, &i), -EINVAL);
	ck_assert_int_eq(namemap_v4_to_index(v4base, 32, v4base, &i), 0);
	ck_assert_int_eq(namemap_v4_to_index((uint8_t[]){ 0, 0, 0, 0 }, 0,
	    (uint8_t[]){ 255, 255, 255, 255 }, &i), 0);
	ck_assert_uint_eq(i, UINT32_MAX);
	for (k = 0; k < 131072; k += 4093) {
		namemap_index_to_v4(v4base, k, a);
		ck_assert_int_eq(namemap_v4_to_index(v4base, 15, a, &i), 0);
		ck_assert_uint_eq(i, k);
	}
}
END_TEST

static const uint8_t v6base[16] = { 0xfd, 0x00, 0x5c, 0x0c, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0 };

START_TEST(index_to_v6_edges)
{
	uint8_t out[16], want[16];

	memcpy(want, v6base, 16);
	namemap_index_to_v6(v6base, 0, out);
	ck_assert_mem_eq(out, want, 16);
	want[12] = 0x01; want[15] = 0x02;
	namemap_index_to_v6(v6base, 0x01000002u, out);
	ck_assert_mem_eq(out, want, 16);
	memset(want + 12, 0xff, 4);
	namemap_index_to_v6(v6base, UINT32_MAX, out);
	ck_assert_mem_eq(out, want, 16);
}
END_TEST

START_TEST(v6_to_index_edges)
{
	uint8_t a[16];
	uint32_t i = 0;

	namemap_index_to_v6(v6base, 131071, a);
	ck_assert_int_eq(namemap_v6_to_index(v6base, 96, a, &i), 0);
	ck_assert_uint_eq(i, 131071);
	memset(a + 12, 0xff, 4);
	ck_assert_int_eq(namemap_v6_to_index(v6base, 96, a, &i), 0);
	ck_assert_uint_eq(i, UINT32_MAX);
	a[11] = 1;			/* last prefix bit differs */
	ck_assert_int_eq(namemap_v6_to_index(v6base, 96, a, &i), -ENOENT);
	ck_assert_int_eq(namemap_v6_to_index(v6base, 64, a, &i), -ENOENT);
	ck_assert_int_eq(namemap_v6_to_index(v6base, 129, a, &i), -EINVAL);
	memcpy(a, v6base, 16);
	a[13] = 1;			/* /112: index must stay below 2^16 */
	ck_assert_int_eq(namemap_v6_to_index(v6base, 112, a, &i), -ENOENT);
	a[13] = 0; a[14] = 1;
	ck_assert_int_eq(namemap_v6_to_index(v6base, 112, a, &i), 0);
	ck_assert_uint_eq(i, 256);
}
END_TEST

/* One TCase per function, named after it; tests are NULL-terminated. */
#define TC(s, name, ...) \
	tc_add((s), (name), (const TTest *const []){ __VA_ARGS__, NULL })

static void
tc_add(Suite *s, const char *name, const TTest *const *tests)
{
	TCase *tc = tcase_create(name);

	while (*tests != NULL)
		tcase_add_test(tc, *tests++);
	suite_add_tcase(s, tc);
}

static Suite *
namemap_suite(void)
{
	Suite *s = suite_create("namemap");

	TC(s, "region_size", region_size_bounds);
	TC(s, "init", init_bad_args, init_garbage_region);
	TC(s, "check", check_good_and_corrupt);
	TC(s, "assign", assign_same_name_same_index, assign_invalid_names,
	    assign_name_length_limits, assign_deterministic_fresh_maps,
	    assign_collisions_small_map, assign_lru_recycling_order,
	    assign_pinned_never_recycled, assign_all_pinned_enospc,
	    assign_relocated_region, assign_threads_consistent,
	    assign_fork_shared, assign_corrupt_chain_eio);
	TC(s, "find", find_missing_and_no_insert, find_refreshes_recency);
	TC(s, "name", name_reverse_lookup);
	TC(s, "pin", pin_errors_and_counts);
	TC(s, "unpin", unpin_below_zero_and_recency);
	TC(s, "count", count_tracks_usage);
	TC(s, "slots_for_prefix_v4", slots_for_prefix_v4_values);
	TC(s, "index_to_v4", index_to_v4_edges);
	TC(s, "v4_to_index", v4_to_index_edges);
	TC(s, "index_to_v6", index_to_v6_edges);
	TC(s, "v6_to_index", v6_to_index_edges);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(namemap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
