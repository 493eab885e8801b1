/* SPDX-License-Identifier: MIT */
/* Two-level table indexed by fd: chunks of FDTABLE_CHUNK records allocated
 * on first use. A per-fd "used" byte read atomically keeps the common case
 * (a descriptor without a record) free of locks and syscalls; a record is
 * believed only after its socket's SO_COOKIE matched. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/fdstate.h"
#include "runtime/fdtable.h"
#include "runtime/inbound.h"
#include "runtime/namestore.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"


struct fdstate_slot {
	_Atomic unsigned char used;	/* 0, or the record's kind */
	struct fdstate st;
};

static struct fdtable fdstate_table;
static pthread_mutex_t fdstate_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int fdstate_max = -1;
static atomic_int fdstate_pid;		/* the table's process */
static void (*fdstate_pending_drop)(uint64_t cookie);

int
fdstate_cookie(int fd, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	if (real_getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &len) != 0)
		return -errno;
	return len == sizeof(*cookie) ? 0 : -EPROTO;
}

int
fdstate_highest(void)
{
	return atomic_load_explicit(&fdstate_max, memory_order_relaxed);
}

void
fdstate_init_owner(void)
{
	atomic_store_explicit(&fdstate_pid, (int)getpid(),
	    memory_order_relaxed);
}

static struct fdstate_slot *
fdstate_slot(int fd, bool create)
{
	return fdtable_entry(&fdstate_table, sizeof(struct fdstate_slot), fd,
	    create);
}

/* What a dropped record held: its name-map pin, the association's control
 * connection (closed only if that number is still our socket), a BIND
 * listener's handshake. Called without fdstate_lock. */
static void
fdstate_release(const struct fdstate *old)
{
	uint64_t c;

	if ((old->kind == FDSTATE_TCP_PROXIED ||
	    old->kind == FDSTATE_TCP_PENDING ||
	    old->kind == FDSTATE_TCP_FAILED) && old->u.tcp.pinned)
		namestore_unpin(old->u.tcp.name_index);
	if (old->kind == FDSTATE_TCP_PENDING && fdstate_pending_drop != NULL)
		fdstate_pending_drop(old->cookie);
	if (old->kind == FDSTATE_UDP && old->u.udp.ctl_fd >= 0 &&
	    fdstate_cookie(old->u.udp.ctl_fd, &c) == 0 &&
	    c == old->u.udp.ctl_cookie) {
		ownfd_release(old->u.udp.ctl_fd);
		(void)real_close(old->u.udp.ctl_fd);
	}
	if (old->kind == FDSTATE_DNS && old->u.dns.peer_fd >= 0 &&
	    fdstate_cookie(old->u.dns.peer_fd, &c) == 0 &&
	    c == old->u.dns.peer_cookie) {
		ownfd_release(old->u.dns.peer_fd);
		(void)real_close(old->u.dns.peer_fd);
	}
	if (old->kind == FDSTATE_BIND && old->u.bind.wait != NULL)
		inbound_wait_free(old->u.bind.wait);
}

/* Called with fdstate_lock held: empty the slot, keeping a copy. */
static void
fdstate_clear(struct fdstate_slot *slot, struct fdstate *old)
{
	*old = slot->st;
	memset(&slot->st, 0, sizeof(slot->st));
	atomic_store_explicit(&slot->used, 0, memory_order_release);
}

/* Store *st for fd; with only_if_absent, an existing record of the same
 * kind and socket wins and is copied back to *st (-EEXIST). */
static int
fdstate_store(int fd, struct fdstate *st, bool only_if_absent)
{
	struct fdstate_slot *slot;
	struct fdstate old = { .kind = FDSTATE_NONE };
	int rc;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	rc = fdstate_cookie(fd, &st->cookie);
	if (rc < 0)
		return rc;
	/* The owner is this process as the fork handlers know it (no
	 * getpid() per record: a vfork child, which shares this memory,
	 * only execs or exits; one that closes is caught by the getpid()
	 * of the drop path). */
	st->owner = (pid_t)atomic_load_explicit(&fdstate_pid,
	    memory_order_relaxed);
	pthread_mutex_lock(&fdstate_lock);
	slot = fdstate_slot(fd, true);
	if (slot == NULL) {
		rc = -ENOMEM;
	} else if (atomic_load_explicit(&slot->used, memory_order_relaxed) &&
	    slot->st.cookie == st->cookie) {
		/* The same socket: an update (or the race's loser). */
		if (only_if_absent && slot->st.kind == st->kind) {
			*st = slot->st;
			rc = -EEXIST;
		} else {
			slot->st = *st;
			atomic_store_explicit(&slot->used,
			    (unsigned char)st->kind, memory_order_release);
		}
	} else {
		if (atomic_load_explicit(&slot->used, memory_order_relaxed))
			old = slot->st;	/* an earlier socket's, stale */
		slot->st = *st;
		atomic_store_explicit(&slot->used, (unsigned char)st->kind,
		    memory_order_release);
		if (fd > atomic_load_explicit(&fdstate_max,
		    memory_order_relaxed))
			atomic_store_explicit(&fdstate_max, fd,
			    memory_order_relaxed);
	}
	pthread_mutex_unlock(&fdstate_lock);
	if (old.kind != FDSTATE_NONE)
		fdstate_release(&old);
	return rc;
}

int
fdstate_set(int fd, struct fdstate *st)
{
	return fdstate_store(fd, st, false);
}

int
fdstate_add(int fd, struct fdstate *st)
{
	return fdstate_store(fd, st, true);
}

/* Copy fd's record, unchecked. */
static bool
fdstate_peek(int fd, struct fdstate *out)
{
	struct fdstate_slot *slot = fdstate_slot(fd, false);
	bool found = false;

	if (slot == NULL ||
	    !atomic_load_explicit(&slot->used, memory_order_acquire))
		return false;
	pthread_mutex_lock(&fdstate_lock);
	if (atomic_load_explicit(&slot->used, memory_order_relaxed)) {
		*out = slot->st;
		found = true;
	}
	pthread_mutex_unlock(&fdstate_lock);
	return found;
}

/* Drop fd's record if it is still the one in *seen (and ours). */
static bool
fdstate_drop(int fd, const struct fdstate *seen)
{
	struct fdstate_slot *slot = fdstate_slot(fd, false);
	struct fdstate old;
	bool took = false;

	if (slot == NULL || getpid() != seen->owner)
		return false;
	pthread_mutex_lock(&fdstate_lock);
	if (atomic_load_explicit(&slot->used, memory_order_relaxed) &&
	    slot->st.cookie == seen->cookie && slot->st.owner == seen->owner) {
		fdstate_clear(slot, &old);
		took = true;
	}
	pthread_mutex_unlock(&fdstate_lock);
	if (took)
		fdstate_release(&old);
	return took;
}

bool
fdstate_get(int fd, struct fdstate *st)
{
	uint64_t c;

	if (!fdstate_peek(fd, st))
		return false;
	if (fdstate_cookie(fd, &c) == 0 && c == st->cookie)
		return true;
	/* Closed behind our back; the number is something else now. */
	(void)fdstate_drop(fd, st);
	return false;
}

int
fdstate_update(int fd, const struct fdstate *st)
{
	return fdstate_rekind(fd, st, st->kind);
}

int
fdstate_rekind(int fd, const struct fdstate *st, enum fdstate_kind from)
{
	struct fdstate_slot *slot = fdstate_slot(fd, false);
	int rc = -ESTALE;

	if (slot == NULL)
		return rc;
	pthread_mutex_lock(&fdstate_lock);
	if (atomic_load_explicit(&slot->used, memory_order_relaxed) &&
	    slot->st.cookie == st->cookie && slot->st.kind == from &&
	    slot->st.owner == st->owner) {
		slot->st = *st;
		atomic_store_explicit(&slot->used, (unsigned char)st->kind,
		    memory_order_release);
		rc = 0;
	}
	pthread_mutex_unlock(&fdstate_lock);
	return rc;
}

void
fdstate_on_pending_drop(void (*fn)(uint64_t cookie))
{
	fdstate_pending_drop = fn;
}

bool
fdstate_forget_record(int fd, const struct fdstate *st)
{
	return fdstate_drop(fd, st);
}

bool
fdstate_forget(int fd)
{
	struct fdstate seen;

	if (fdstate_kind(fd) == FDSTATE_NONE || !fdstate_peek(fd, &seen))
		return false;
	return fdstate_drop(fd, &seen);
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

void
fdstate_atfork_prepare(void)
{
	pthread_mutex_lock(&fdstate_lock);
}

void
fdstate_atfork_parent(void)
{
	pthread_mutex_unlock(&fdstate_lock);
}

/* Every record with fdstate_lock held (fork handlers, exit). */
static void
fdstate_each(void (*fn)(struct fdstate_slot *, pid_t), pid_t pid)
{
	struct fdstate_slot *slot;
	int fd, top = fdstate_highest();

	for (fd = 0; fd <= top; fd++) {
		slot = fdstate_slot(fd, false);
		if (slot == NULL) {
			fd |= FDTABLE_CHUNK - 1;	/* skip the chunk */
			continue;
		}
		if (atomic_load_explicit(&slot->used, memory_order_relaxed))
			fn(slot, pid);
	}
}

static void
fdstate_reown(struct fdstate_slot *slot, pid_t pid)
{
	struct fdstate *st = &slot->st;

	if (st->kind == FDSTATE_TCP_PENDING) {
		/* The parent's handshake: its pin stays the parent's. */
		memset(st, 0, sizeof(*st));
		atomic_store_explicit(&slot->used, 0, memory_order_relaxed);
		return;
	}
	st->owner = pid;
	if ((st->kind == FDSTATE_TCP_PROXIED || st->kind ==
	    FDSTATE_TCP_FAILED) && st->u.tcp.pinned)
		namestore_pin(st->u.tcp.name_index);
}

void
fdstate_atfork_child(void)
{
	pid_t pid = getpid();

	atomic_store_explicit(&fdstate_pid, (int)pid, memory_order_relaxed);
	fdstate_each(fdstate_reown, pid);
	pthread_mutex_unlock(&fdstate_lock);
}

static void
fdstate_unpin(struct fdstate_slot *slot, pid_t pid)
{
	struct fdstate *st = &slot->st;

	if (st->owner == pid && (st->kind == FDSTATE_TCP_PROXIED ||
	    st->kind == FDSTATE_TCP_PENDING ||
	    st->kind == FDSTATE_TCP_FAILED) && st->u.tcp.pinned) {
		namestore_unpin(st->u.tcp.name_index);
		st->u.tcp.pinned = false;
	}
}

void
fdstate_exit(void)
{
	pthread_mutex_lock(&fdstate_lock);
	fdstate_each(fdstate_unpin, getpid());
	pthread_mutex_unlock(&fdstate_lock);
}
