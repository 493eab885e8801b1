/* SPDX-License-Identifier: MIT */
/* Remote-DNS state: the shared name map (a memfd mapped MAP_SHARED, found
 * by exec'd children through SOCKSIFY_NAMEMAP), the hosts file, and the
 * policy of which names stay local. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hosts.h"
#include "core/namemap.h"
#include "core/rules.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/real.h"

#define NAMES_ENV "SOCKSIFY_NAMEMAP"
#define NAMES_HEADER 4096	/* lock page; the map starts after it */
#define NAMES_FD_FLOOR 512	/* where the memfd is moved at load */

struct names_header {
	pthread_mutex_t lock;	/* process-shared, robust */
	uint32_t slots;		/* 0 until the first user sizes the map */
};

static int names_memfd = -1;		/* inherited or created at load */
static struct names_header *names_hdr;	/* whole mapping (header + map) */
static void *names_map;			/* namemap region inside it */
static uint32_t names_slots;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static int names_status;
static char *names_hosts;		/* hosts file text, read once */
static size_t names_hosts_len;
static char *names_hosts_lower;		/* the same, lowercased: a quick
					 * "is the name in there at all" */

/* ---- load time ------------------------------------------------------- */

static bool
names_inherited(void)
{
	const char *env = getenv(NAMES_ENV);
	unsigned long long dev, ino;
	struct stat st;
	int fd;

	if (env == NULL || sscanf(env, "%d:%llu:%llu", &fd, &dev, &ino) != 3)
		return false;
	if (fstat(fd, &st) != 0 || (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino)
		return false;
	names_memfd = fd;
	return true;
}

static void
names_init_header(struct names_header *h)
{
	pthread_mutexattr_t a;

	(void)pthread_mutexattr_init(&a);
	(void)pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	(void)pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	(void)pthread_mutex_init(&h->lock, &a);
	(void)pthread_mutexattr_destroy(&a);
}

/* Load time: libc's close() without entering our hook, and without
 * resolving every real symbol (that waits for the first hooked call). */
static void
names_close_fd(int fd)
{
	int (*libc_close)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");

	if (libc_close != NULL)
		(void)libc_close(fd);
}

void
names_preinit(void)
{
	char env[96];
	struct names_header *hdr;
	struct stat st;
	int fd, high;

	if (names_inherited())
		return;
#ifdef HAVE_MEMFD_CREATE
	fd = memfd_create("socksify-names", 0);
#else
	fd = -1;
#endif
	if (fd < 0)
		return;	/* fallback: an anonymous shared map at first use */
	/* Move it out of the way of programs that expect low numbers (a
	 * limit below 513 descriptors keeps it where it is). */
	high = fcntl(fd, F_DUPFD, NAMES_FD_FLOOR);
	if (high >= 0) {
		names_close_fd(fd);
		fd = high;
	}
	if (ftruncate(fd, NAMES_HEADER) != 0 || fstat(fd, &st) != 0)
		goto fail;
	/* The lock exists before anyone can share the memfd. */
	hdr = mmap(NULL, NAMES_HEADER, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (hdr == MAP_FAILED)
		goto fail;
	names_init_header(hdr);
	snprintf(env, sizeof(env), "%d:%llu:%llu", fd,
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	if (setenv(NAMES_ENV, env, 1) != 0) {
		(void)munmap(hdr, NAMES_HEADER);
		goto fail;
	}
	names_hdr = hdr;
	names_memfd = fd;
	return;
fail:
	names_close_fd(fd);
}

int
names_fd(void)
{
	return names_memfd;
}

/* ---- first use --------------------------------------------------------- */

static int
names_lock(void)
{
	int rc = pthread_mutex_lock(&names_hdr->lock);

	if (rc == EOWNERDEAD) {
		/* A holder died mid-update: start from an empty map. */
		(void)pthread_mutex_consistent(&names_hdr->lock);
		(void)namemap_init(names_map,
		    namemap_region_size(names_slots), names_slots);
		return 0;
	}
	return rc == 0 ? 0 : -rc;
}

static void
names_unlock(void)
{
	(void)pthread_mutex_unlock(&names_hdr->lock);
}


static void
names_read_hosts(const struct runtime *rt)
{
	FILE *f;
	long len;

	if (rt->cfg.hosts_file[0] == '\0')
		return;
	f = fopen(rt->cfg.hosts_file, "re");
	if (f == NULL)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    len < 16 * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0) {
		names_hosts = malloc((size_t)len);
		names_hosts_lower = malloc((size_t)len);
		if (names_hosts != NULL && names_hosts_lower != NULL)
			names_hosts_len = fread(names_hosts, 1, (size_t)len, f);
		for (size_t i = 0; i < names_hosts_len; i++)
			names_hosts_lower[i] = (char)tolower(
			    (unsigned char)names_hosts[i]);
	}
	(void)fclose(f);
}

/* Attach to (or create) the shared map. The creator of the memfd only
 * made the lock page; the first user sizes and initialises the rest. */
static int
names_attach(const struct runtime *rt)
{
	uint32_t slots = namemap_slots_for_prefix_v4(rt->cfg.placeholder_v4.prefix);
	bool dead, fresh;
	size_t total;
	void *p;
	int rc;

	if (names_memfd < 0) {
		/* No memfd: share with forked children only. */
		total = NAMES_HEADER + namemap_region_size(slots);
		p = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		names_hdr = p;
		names_init_header(names_hdr);
		names_hdr->slots = slots;
		names_slots = slots;
		names_map = (char *)p + NAMES_HEADER;
		return namemap_init_zeroed(names_map,
		    namemap_region_size(slots), slots);
	}
	if (names_hdr == NULL) {
		p = mmap(NULL, NAMES_HEADER, PROT_READ | PROT_WRITE,
		    MAP_SHARED, names_memfd, 0);
		if (p == MAP_FAILED)
			return -errno;
		names_hdr = p;
	}
	rc = pthread_mutex_lock(&names_hdr->lock);
	if (rc != 0 && rc != EOWNERDEAD)
		return -rc;
	dead = rc == EOWNERDEAD;	/* a holder died mid-update */
	if (dead)
		(void)pthread_mutex_consistent(&names_hdr->lock);
	fresh = names_hdr->slots == 0;
	if (!fresh)
		slots = names_hdr->slots;
	total = NAMES_HEADER + namemap_region_size(slots);
	if (fresh && ftruncate(names_memfd, (off_t)total) != 0) {
		rc = -errno;
		goto unlock;
	}
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED,
	    names_memfd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto unlock;
	}
	names_map = (char *)p + NAMES_HEADER;
	names_slots = slots;
	rc = 0;
	if (fresh) {
		/* Just grown from the lock page: all zero, so O(1). */
		rc = namemap_init_zeroed(names_map, namemap_region_size(slots),
		    slots);
		if (rc == 0)
			names_hdr->slots = slots;
	} else if (dead ||
	    namemap_check(names_map, namemap_region_size(slots)) != 0) {
		rc = namemap_init(names_map, namemap_region_size(slots), slots);
	}
	/* Unlock through the mapping we locked through, then switch. */
	(void)pthread_mutex_unlock(&names_hdr->lock);
	(void)munmap(names_hdr, NAMES_HEADER);
	names_hdr = p;
	return rc;
unlock:
	(void)pthread_mutex_unlock(&names_hdr->lock);
	return rc;
}

static void
names_setup(void)
{
	const struct runtime *rt = runtime_get();
	int rc;

	if (rt == NULL || rt->status < 0) {
		names_status = -EACCES;
		return;
	}
	names_read_hosts(rt);
	rc = names_attach(rt);
	if (rc < 0) {
		names_status = rc;
		log_error("cannot set up the name map: %s; names that would "
		    "be resolved by the proxy fail", strerror(-rc));
	}
}

static int
names_ready(void)
{
	(void)pthread_once(&names_once, names_setup);
	return names_status;
}

/* ---- policy ---------------------------------------------------------- */

static bool
names_is_numeric(const char *name)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_aton(name, &a4) != 0 ||
	    inet_pton(AF_INET6, name, &a6) == 1 || strchr(name, '%') != NULL;
}

static bool
names_is_localhost(const char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	return (n == 9 && strncasecmp(name, "localhost", 9) == 0) ||
	    (n > 10 && strncasecmp(name + n - 10, ".localhost", 10) == 0);
}

/* Could name be in the hosts file? A lowercase substring search: cheap,
 * and it spares the line-by-line parse for nearly every name. */
static bool
names_in_hosts(const char *name)
{
	char low[NAMEMAP_NAME_MAX + 1];
	size_t i, n = strnlen(name, sizeof(low) - 1);

	if (n > 0 && name[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	return n > 0 && memmem(names_hosts_lower, names_hosts_len, low, n) !=
	    NULL;
}

static void
names_add(struct names_result *r, int family, const void *addr)
{
	if (r->n >= NAMES_MAX_ADDRS)
		return;
	r->family[r->n] = family;
	memset(r->addr[r->n], 0, 16);
	memcpy(r->addr[r->n], addr, family == AF_INET ? 4 : 16);
	r->n++;
}

static int
names_placeholder(const struct runtime *rt, const char *name, int family,
    struct names_result *r)
{
	uint8_t a[16];
	uint32_t index;
	int rc;

	rc = names_ready();
	if (rc < 0)
		return rc;
	rc = names_lock();
	if (rc < 0)
		return rc;
	rc = namemap_assign(names_map, name, &index);
	names_unlock();
	if (rc < 0)
		return rc == -ENOSPC ? -EAGAIN : rc;
	/* AF_UNSPEC gets both, IPv4 first: programs that try the list in
	 * order use IPv4, and `curl -6` still finds an IPv6 entry. */
	if (family != AF_INET6) {
		namemap_index_to_v4(rt->cfg.placeholder_v4.addr, index, a);
		names_add(r, AF_INET, a);
	}
	if (family != AF_INET) {
		namemap_index_to_v6(rt->cfg.placeholder_v6.addr, index, a);
		names_add(r, AF_INET6, a);
	}
	return 0;
}

enum names_how
names_resolve(const struct runtime *rt, const char *name, int family,
    struct names_result *r, int *err)
{
	static const uint8_t lo4[4] = { 127, 0, 0, 1 };
	static const uint8_t lo6[16] = { [15] = 1 };
	int fam[NAMES_MAX_ADDRS];
	uint8_t addr[NAMES_MAX_ADDRS][16];
	size_t i, n, any = 0;
	int rc;

	if (rt->bootstrap || name == NULL || *name == '\0' ||
	    names_is_numeric(name))
		return NAMES_REAL;
	if (rt->status < 0) {
		/* Fail closed: with no usable config we cannot know that a
		 * local lookup is allowed. */
		log_error("resolve %s: refused, socksify is not configured "
		    "(%s)", name, rt->error);
		*err = -EACCES;
		return NAMES_ERROR;
	}
	if (rt->cfg.dns == DNS_LOCAL)
		return NAMES_REAL;
	for (i = 0; i < rt->cfg.n_local_domains; i++)
		if (rules_domain_match(rt->cfg.local_domains[i], name))
			return NAMES_REAL;
	/* A rule sending this name direct means it resolves here too. */
	rc = rules_first_match(rt->cfg.rules, rt->cfg.n_rules, name, NULL, 0);
	if (rc >= 0 && rt->cfg.rules[rc].action == RULE_DIRECT)
		return NAMES_REAL;
	memset(r, 0, sizeof(*r));
	n = strnlen(name, sizeof(r->canon) - 1);
	memcpy(r->canon, name, n);
	r->canon[n] = '\0';
	(void)names_ready();
	if (names_hosts != NULL && names_in_hosts(name)) {
		n = hosts_lookup(names_hosts, names_hosts_len, name, family,
		    fam, addr, NAMES_MAX_ADDRS, &any);
		for (i = 0; i < n; i++)
			names_add(r, fam[i], addr[i]);
		if (n > 0)
			return NAMES_ANSWER;
		if (any > 0) {
			*err = -ENOENT;
			return NAMES_ERROR;
		}
	}
	if (names_is_localhost(name)) {
		if (family != AF_INET6)
			names_add(r, AF_INET, lo4);
		if (family != AF_INET)
			names_add(r, AF_INET6, lo6);
		return NAMES_ANSWER;
	}
	rc = names_placeholder(rt, name, family, r);
	if (rc < 0) {
		log_error("resolve %s: no placeholder address: %s", name,
		    rc == -EAGAIN ? "every placeholder is in use by a live "
		    "socket" : strerror(-rc));
		*err = rc;
		return NAMES_ERROR;
	}
	log_debug("resolve %s: placeholder for the proxy to resolve", name);
	return NAMES_ANSWER;
}

/* Slot of a placeholder address, or -ENOENT when addr is not one. */
static int
names_slot_of(const struct runtime *rt, int family, const uint8_t *addr,
    uint32_t *slot)
{
	const struct rules_net *p4 = &rt->cfg.placeholder_v4;
	const struct rules_net *p6 = &rt->cfg.placeholder_v6;
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint32_t max = namemap_slots_for_prefix_v4(p4->prefix);
	int rc;

	if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		family = AF_INET;
		addr += 12;
	}
	if (family == AF_INET)
		rc = namemap_v4_to_index(p4->addr, p4->prefix, addr, slot);
	else if (family == AF_INET6)
		rc = namemap_v6_to_index(p6->addr, p6->prefix, addr, slot);
	else
		return -ENOENT;
	if (rc < 0 || *slot >= max || *slot == 0)
		return -ENOENT;
	return 0;
}

static int
names_slot_name(uint32_t slot, char *out, size_t cap)
{
	int rc;

	rc = names_ready();
	if (rc < 0)
		return rc;
	if (slot >= names_slots)
		return -ENOENT;
	rc = names_lock();
	if (rc < 0)
		return rc;
	rc = namemap_name(names_map, slot, out, cap);
	names_unlock();
	return rc < 0 ? rc : 0;
}

int
names_reverse(const struct runtime *rt, int family, const void *addr,
    char *out, size_t cap)
{
	uint32_t slot;
	int rc;

	if (rt->status < 0)
		return -ENOENT;
	if (rt->cfg.dns == DNS_REMOTE &&
	    names_slot_of(rt, family, addr, &slot) == 0) {
		rc = names_slot_name(slot, out, cap);
		if (rc != -ENOENT)
			return rc;
	}
	(void)names_ready();
	if (names_hosts == NULL)
		return -ENOENT;
	return hosts_reverse(names_hosts, names_hosts_len, family, addr, out,
	    cap);
}

int
names_placeholder_name(const struct runtime *rt, const struct sockaddr *sa,
    char *out, size_t cap, uint32_t *slot)
{
	const void *addr;
	int rc;

	if (rt->cfg.dns != DNS_REMOTE)
		return 0;
	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	else
		return 0;
	if (names_slot_of(rt, sa->sa_family, addr, slot) < 0)
		return 0;
	rc = names_slot_name(*slot, out, cap);
	return rc < 0 ? -EHOSTUNREACH : 1;
}

void
names_pin(uint32_t slot)
{
	if (names_ready() < 0 || names_lock() < 0)
		return;
	(void)namemap_pin(names_map, slot);
	names_unlock();
}

void
names_unpin(uint32_t slot)
{
	if (names_ready() < 0 || names_lock() < 0)
		return;
	(void)namemap_unpin(names_map, slot);
	names_unlock();
}
