/* SPDX-License-Identifier: MIT */
/* The tree's seccomp filter, built with libseccomp (which also rejects
 * calls of foreign ABIs, x32 included) and loaded with seccomp(2) itself:
 * libseccomp 2.5 knows neither WAIT_KILLABLE_RECV nor "no_new_privs only
 * if needed". */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/filter.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV	(1UL << 5)
#endif
#ifndef SOCK_PACKET
#define SOCK_PACKET	10
#endif
#define FILTER_SOCK_TYPE_MASK	0xf	/* the kernel's SOCK_TYPE_MASK */

struct filter_rule {
	const char *what;
	uint32_t action;
	int nr;
	unsigned n;
	struct scmp_arg_cmp arg[2];
};

static int
filter_rules(scmp_filter_ctx ctx, uint64_t cookie, char *err, size_t errcap)
{
	const struct filter_rule rules[] = {
		{ "connect", SCMP_ACT_NOTIFY, SCMP_SYS(connect), 1,
		  { SCMP_A3_64(SCMP_CMP_NE, cookie) } },
		{ "sendmsg", SCMP_ACT_NOTIFY, SCMP_SYS(sendmsg), 1,
		  { SCMP_A3_64(SCMP_CMP_NE, cookie) } },
		{ "sendmmsg", SCMP_ACT_NOTIFY, SCMP_SYS(sendmmsg), 1,
		  { SCMP_A4_64(SCMP_CMP_NE, cookie) } },
		{ "getpeername", SCMP_ACT_NOTIFY, SCMP_SYS(getpeername), 1,
		  { SCMP_A3_64(SCMP_CMP_NE, cookie) } },
		/* sendto without an address is TCP data: never trapped. */
		{ "sendto", SCMP_ACT_NOTIFY, SCMP_SYS(sendto), 1,
		  { SCMP_A4_64(SCMP_CMP_NE, 0) } },
		/* Rings submit connect/sendmsg where no filter sees them. */
		{ "io_uring_setup", SCMP_ACT_ERRNO(ENOSYS),
		  SCMP_SYS(io_uring_setup), 0, { { 0 } } },
		/* int arguments: compare the low 32 bits only, as the kernel
		 * reads them. */
		{ "socket(AF_PACKET)", SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket),
		  1, { SCMP_A0_32(SCMP_CMP_EQ, AF_PACKET) } },
		{ "socket(AF_INET, SOCK_RAW)", SCMP_ACT_ERRNO(EPERM),
		  SCMP_SYS(socket), 2, { SCMP_A0_32(SCMP_CMP_EQ, AF_INET),
		  SCMP_A1_32(SCMP_CMP_MASKED_EQ, FILTER_SOCK_TYPE_MASK,
		  SOCK_RAW) } },
		{ "socket(AF_INET6, SOCK_RAW)", SCMP_ACT_ERRNO(EPERM),
		  SCMP_SYS(socket), 2, { SCMP_A0_32(SCMP_CMP_EQ, AF_INET6),
		  SCMP_A1_32(SCMP_CMP_MASKED_EQ, FILTER_SOCK_TYPE_MASK,
		  SOCK_RAW) } },
		{ "socket(AF_INET, SOCK_PACKET)", SCMP_ACT_ERRNO(EPERM),
		  SCMP_SYS(socket), 2, { SCMP_A0_32(SCMP_CMP_EQ, AF_INET),
		  SCMP_A1_32(SCMP_CMP_MASKED_EQ, FILTER_SOCK_TYPE_MASK,
		  SOCK_PACKET) } },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		rc = seccomp_rule_add_array(ctx, rules[i].action, rules[i].nr,
		    rules[i].n, rules[i].arg);
		if (rc < 0) {
			snprintf(err, errcap, "seccomp rule for %s: %s",
			    rules[i].what, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The BPF program libseccomp generated, read back from a memfd. */
static int
filter_export(scmp_filter_ctx ctx, struct sock_fprog *prog, char *err,
    size_t errcap)
{
	struct stat st;
	void *insns;
	ssize_t n;
	int fd, rc;

	fd = memfd_create("socksify-filter", MFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errcap, "memfd_create: %s", strerror(errno));
		return rc;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		snprintf(err, errcap, "seccomp_export_bpf: %s", strerror(-rc));
		goto out;
	}
	if (fstat(fd, &st) != 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = -EINVAL;
		snprintf(err, errcap, "libseccomp produced no usable filter");
		goto out;
	}
	insns = malloc((size_t)st.st_size);
	if (insns == NULL) {
		rc = -ENOMEM;
		snprintf(err, errcap, "out of memory");
		goto out;
	}
	n = pread(fd, insns, (size_t)st.st_size, 0);
	if (n != (ssize_t)st.st_size) {
		free(insns);
		rc = -EIO;
		snprintf(err, errcap, "reading the filter back failed");
		goto out;
	}
	prog->filter = insns;
	prog->len = (unsigned short)(st.st_size /
	    (off_t)sizeof(struct sock_filter));
	rc = 0;
out:
	(void)close(fd);
	return rc;
}

int
filter_build(uint64_t cookie, struct sock_fprog *prog, char *err,
    size_t errcap)
{
	scmp_filter_ctx ctx;
	int rc;

	prog->filter = NULL;
	prog->len = 0;
	if (cookie == 0) {
		snprintf(err, errcap, "the cookie must not be 0");
		return -EINVAL;
	}
	/* libseccomp learns what the kernel supports by calling seccomp(2);
	 * where that is refused it would reject SCMP_ACT_NOTIFY with a
	 * misleading EINVAL. Assume user notification: loading the filter
	 * then fails with the kernel's own reason. */
	if (seccomp_api_get() < 5)
		(void)seccomp_api_set(5);
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		snprintf(err, errcap, "seccomp_init failed");
		return -ENOMEM;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_ERRNO(ENOSYS));
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		snprintf(err, errcap, "seccomp_attr_set: %s", strerror(-rc));
	if (rc == 0)
		rc = filter_rules(ctx, cookie, err, errcap);
	if (rc == 0)
		rc = filter_export(ctx, prog, err, errcap);
	seccomp_release(ctx);
	return rc;
}

void
filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int
filter_install(const struct sock_fprog *prog, bool want_killable,
    struct filter_installed *how)
{
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	long fd;

	how->killable = false;
	how->nnp = false;
	if (want_killable)
		flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	for (;;) {
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
		if (fd >= 0)
			break;
		if (errno == EINVAL &&
		    (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
			/* Before Linux 5.19: signals may cancel a
			 * notification we already hold (see loop.c). */
			flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
			continue;
		}
		if (errno == EACCES && !how->nnp) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
				return -EACCES;
			how->nnp = true;
			continue;
		}
		return -errno;
	}
	how->killable = (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0;
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) != 0) {
		int e = errno;

		(void)close((int)fd);
		return -e;
	}
	return (int)fd;
}
