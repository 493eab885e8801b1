/* SPDX-License-Identifier: MIT */
/* Registry of the library's own descriptors: a two-level table indexed by
 * fd (chunks allocated on first use), a "used" byte read atomically for
 * the lock-free test, identity (st_dev, st_ino) checked on every use. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/fdtable.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

#define OWNFD_FLOOR_MAX 512

struct ownfd_slot {
	_Atomic unsigned char used;
	bool cloexec;
	dev_t dev;
	ino_t ino;
	ownfd_moved_fn moved;
	intptr_t arg;
};

static struct fdtable ownfd_table;
static pthread_mutex_t ownfd_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int ownfd_max = -1;
static atomic_int ownfd_pid;		/* the registry's process, 0 = unset */
static pthread_once_t ownfd_floor_once = PTHREAD_ONCE_INIT;
static int ownfd_floor_value = OWNFD_FLOOR_MAX;

static void
ownfd_floor_init(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < OWNFD_FLOOR_MAX)
		ownfd_floor_value = rl.rlim_cur / 2 < 3 ? 3 :
		    (int)(rl.rlim_cur / 2);
}

int
ownfd_floor(void)
{
	(void)pthread_once(&ownfd_floor_once, ownfd_floor_init);
	return ownfd_floor_value;
}

static struct ownfd_slot *
ownfd_slot(int fd, bool create)
{
	return fdtable_entry(&ownfd_table, sizeof(struct ownfd_slot), fd,
	    create);
}

/* Called with ownfd_lock held. */
static int
ownfd_store(int fd, const struct stat *st, bool cloexec, ownfd_moved_fn moved,
    intptr_t arg)
{
	struct ownfd_slot *slot = ownfd_slot(fd, true);

	if (slot == NULL)
		return -ENOMEM;
	slot->cloexec = cloexec;
	slot->dev = st->st_dev;
	slot->ino = st->st_ino;
	slot->moved = moved;
	slot->arg = arg;
	atomic_store_explicit(&slot->used, 1, memory_order_release);
	if (fd > atomic_load_explicit(&ownfd_max, memory_order_relaxed))
		atomic_store_explicit(&ownfd_max, fd, memory_order_relaxed);
	return fd;
}

/* A copy of fd at a high number, or -errno. */
static int
ownfd_dup_high(int fd, bool cloexec)
{
	int high = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
	    ownfd_floor());

	return high < 0 ? -errno : high;
}

int
ownfd_adopt(int fd, bool cloexec, ownfd_moved_fn moved, intptr_t arg)
{
	struct stat st;
	int high, rc;

	if (fstat(fd, &st) != 0)
		return -errno;
	high = fd < ownfd_floor() ? ownfd_dup_high(fd, cloexec) : -1;
	if (high >= 0) {
		(void)real_close_early(fd);
		fd = high;
	} else if (cloexec) {
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_lock(&ownfd_lock);
	if (atomic_load_explicit(&ownfd_pid, memory_order_relaxed) == 0)
		atomic_store_explicit(&ownfd_pid, (int)getpid(),
		    memory_order_relaxed);
	rc = ownfd_store(fd, &st, cloexec, moved, arg);
	pthread_mutex_unlock(&ownfd_lock);
	return rc;
}

/* Called with ownfd_lock held. */
static void
ownfd_clear(struct ownfd_slot *slot)
{
	atomic_store_explicit(&slot->used, 0, memory_order_release);
	slot->moved = NULL;
}

void
ownfd_release(int fd)
{
	struct ownfd_slot *slot = ownfd_slot(fd, false);

	if (slot == NULL ||
	    !atomic_load_explicit(&slot->used, memory_order_acquire))
		return;
	pthread_mutex_lock(&ownfd_lock);
	ownfd_clear(slot);
	pthread_mutex_unlock(&ownfd_lock);
}

int
ownfd_highest(void)
{
	return atomic_load_explicit(&ownfd_max, memory_order_relaxed);
}

/* Registered and still the same file: a copy of the entry in *out. */
static bool
ownfd_lookup(int fd, struct ownfd_slot *out)
{
	struct ownfd_slot *slot;
	struct stat st;
	bool same;

	if (fd < 0 || fd > atomic_load_explicit(&ownfd_max,
	    memory_order_relaxed))
		return false;
	slot = ownfd_slot(fd, false);
	if (slot == NULL ||
	    !atomic_load_explicit(&slot->used, memory_order_acquire))
		return false;
	pthread_mutex_lock(&ownfd_lock);
	*out = *slot;
	pthread_mutex_unlock(&ownfd_lock);
	if (!atomic_load_explicit(&out->used, memory_order_relaxed))
		return false;
	same = fstat(fd, &st) == 0 && st.st_dev == out->dev &&
	    st.st_ino == out->ino;
	if (!same && (int)getpid() == atomic_load_explicit(&ownfd_pid,
	    memory_order_relaxed)) {
		/* Closed behind our back; the number is the program's now. */
		pthread_mutex_lock(&ownfd_lock);
		if (slot->dev == out->dev && slot->ino == out->ino)
			ownfd_clear(slot);
		pthread_mutex_unlock(&ownfd_lock);
	}
	return same;
}

bool
ownfd_owns(int fd)
{
	struct ownfd_slot e;

	return ownfd_lookup(fd, &e);
}

int
ownfd_evacuate(int fd)
{
	struct ownfd_slot e, *slot;
	struct stat st;
	int high, rc;

	if (!ownfd_lookup(fd, &e))
		return 0;
	if ((int)getpid() != atomic_load_explicit(&ownfd_pid,
	    memory_order_relaxed))
		return 0;	/* vfork child: the registry is the parent's */
	high = ownfd_dup_high(fd, e.cloexec);
	st.st_dev = e.dev;
	st.st_ino = e.ino;
	pthread_mutex_lock(&ownfd_lock);
	slot = ownfd_slot(fd, false);
	if (slot != NULL)
		ownfd_clear(slot);
	rc = high >= 0 ? ownfd_store(high, &st, e.cloexec, e.moved, e.arg) :
	    -1;
	pthread_mutex_unlock(&ownfd_lock);
	if (rc < 0 && high >= 0) {
		(void)real_close_early(high);
		high = -1;
	}
	if (e.moved != NULL)
		e.moved(fd, high, e.arg);
	(void)real_close_early(fd);
	return 1;
}

void
ownfd_atfork_prepare(void)
{
	pthread_mutex_lock(&ownfd_lock);
}

void
ownfd_atfork_parent(void)
{
	pthread_mutex_unlock(&ownfd_lock);
}

void
ownfd_atfork_child(void)
{
	if (atomic_load_explicit(&ownfd_pid, memory_order_relaxed) != 0)
		atomic_store_explicit(&ownfd_pid, (int)getpid(),
		    memory_order_relaxed);
	pthread_mutex_unlock(&ownfd_lock);
}
