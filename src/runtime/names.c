/* SPDX-License-Identifier: MIT */
/* Remote-DNS policy: which names stay local (numeric, localhost, the hosts
 * file, local domains, rules, dns = local) and the placeholder addresses
 * of the others, whose names live in the shared map (namestore.c). */
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hosts.h"
#include "core/namemap.h"
#include "core/rules.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/namestore.h"
#include "runtime/real.h"

static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static char *names_hosts;		/* hosts file text, read once */
static size_t names_hosts_len;
static char *names_hosts_lower;		/* the same, lowercased: a quick
					 * "is the name in there at all" */

/* ---- the hosts file, read once ------------------------------------ */

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
	(void)real_fclose(f);
}

static void
names_setup(void)
{
	const struct runtime *rt = runtime_get();

	if (rt != NULL && rt->status == 0)
		names_read_hosts(rt);
}

/* Read the hosts file once; the map itself attaches on its own. */
static void
names_ready(void)
{
	(void)pthread_once(&names_once, names_setup);
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

	rc = namestore_assign(name, &index);
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

static bool
names_same_host(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (n > 0 && b[n - 1] == '.')
		n--;
	return strncasecmp(a, b, n) == 0 && (a[n] == '\0' ||
	    (a[n] == '.' && a[n + 1] == '\0'));
}

/* Is name the host of a configured proxy (any hop of any path)? */
static bool
names_is_hop(const struct runtime *rt, const char *name)
{
	const struct config *c = &rt->cfg;
	size_t i;

	if (names_same_host(name, c->proxy.host))
		return true;
	for (i = 0; i < c->n_chain; i++)
		if (names_same_host(name, c->chain[i].host))
			return true;
	for (i = 0; i < c->n_fallback; i++)
		if (names_same_host(name, c->fallback[i].host))
			return true;
	for (i = 0; i < c->n_upstream; i++)
		if (names_same_host(name, c->upstream[i].url.host))
			return true;
	return false;
}

bool
names_local(const struct runtime *rt, const char *name)
{
	size_t i;
	int rc;

	if (rt->bootstrap || name == NULL || *name == '\0' ||
	    names_is_numeric(name))
		return true;
	if (rt->status < 0)
		return false;
	if (rt->cfg.dns == DNS_LOCAL)
		return true;
	for (i = 0; i < rt->cfg.n_local_domains; i++)
		if (rules_domain_match(rt->cfg.local_domains[i], name))
			return true;
	/* The proxies' own names: socksify resolves them here to reach
	 * them (under the backstop that lookup reaches the answerer). */
	if (names_is_hop(rt, name))
		return true;
	/* A rule sending this name direct means it resolves here too. */
	rc = rules_first_match(rt->cfg.rules, rt->cfg.n_rules, name, NULL, 0);
	return rc >= 0 && rt->cfg.rules[rc].action == RULE_DIRECT;
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
	if (names_local(rt, name))
		return NAMES_REAL;
	memset(r, 0, sizeof(*r));
	n = strnlen(name, sizeof(r->canon) - 1);
	memcpy(r->canon, name, n);
	r->canon[n] = '\0';
	names_ready();
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
		rc = namestore_name(slot, out, cap);
		if (rc != -ENOENT)
			return rc;
	}
	names_ready();
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
	rc = namestore_name(*slot, out, cap);
	return rc < 0 ? -EHOSTUNREACH : 1;
}


static bool names_have_v4, names_have_v6;
static pthread_once_t names_if_once = PTHREAD_ONCE_INIT;

static void
names_read_interfaces(void)
{
	struct ifaddrs *ifs, *i;
	const uint8_t *a6;

	if (getifaddrs(&ifs) != 0) {
		names_have_v4 = names_have_v6 = true;	/* do not guess */
		return;
	}
	for (i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET &&
		    !rules_is_loopback(i->ifa_addr))
			names_have_v4 = true;
		if (i->ifa_addr->sa_family == AF_INET6) {
			a6 = ((const struct sockaddr_in6 *)i->ifa_addr)->
			    sin6_addr.s6_addr;
			if (!rules_is_loopback(i->ifa_addr) &&
			    !(a6[0] == 0xfe && (a6[1] & 0xc0) == 0x80))
				names_have_v6 = true;
		}
	}
	freeifaddrs(ifs);
}

void
names_addrconfig(struct names_result *r)
{
	size_t i, out = 0;

	(void)pthread_once(&names_if_once, names_read_interfaces);
	for (i = 0; i < r->n; i++) {
		if ((r->family[i] == AF_INET && !names_have_v4) ||
		    (r->family[i] == AF_INET6 && !names_have_v6))
			continue;
		r->family[out] = r->family[i];
		memcpy(r->addr[out], r->addr[i], 16);
		out++;
	}
	r->n = out;
}
