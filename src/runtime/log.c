/* SPDX-License-Identifier: MIT */
/* Logging: format into a stack buffer, emit with a single write(2). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/log.h"
#include "runtime/ownfd.h"
#include "runtime/real.h"

static volatile enum log_level log_level = LOG_LEVEL_ERROR;
static __thread char log_last[512];
static atomic_int log_file_fd = -1;

/* The program dup2()ed over the log file: it moved to `to` (or is lost,
 * and stderr takes over). */
static void
log_moved(int from, int to, intptr_t arg)
{
	(void)from;
	(void)arg;
	atomic_store(&log_file_fd, to);
}

void
log_open_file(const char *path)
{
	int saved = errno;
	int fd, own;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		errno = saved;
		return;
	}
	/* Never at a number the program may use as its own. */
	own = ownfd_adopt(fd, true, log_moved, 0);
	if (own < ownfd_floor()) {
		if (own >= 0)
			ownfd_release(own);
		(void)real_close(own >= 0 ? own : fd);
		log_error("log file %s: no free descriptor at %d or above; "
		    "logging to standard error", path, ownfd_floor());
		errno = saved;
		return;
	}
	atomic_store(&log_file_fd, own);
	errno = saved;
}

/* "2026-11-25T18:10:00.123 curl[1234] " for log-file lines. */
static size_t
log_stamp(char *buf, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	size_t n;
	int rc;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	rc = snprintf(buf + n, cap - n, ".%03ldZ %s[%ld] ",
	    ts.tv_nsec / 1000000, program_invocation_short_name,
	    (long)getpid());
	return rc > 0 && (size_t)rc < cap - n ? n + (size_t)rc : n;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	int saved = errno;
	size_t n;
	int rc, fd;
	va_list ap;

	if (level == LOG_LEVEL_ERROR) {
		va_start(ap, fmt);
		(void)vsnprintf(log_last, sizeof(log_last), fmt, ap);
		va_end(ap);
	}
	if (level > log_level || level == LOG_LEVEL_QUIET) {
		errno = saved;
		return;
	}
	if (log_level >= LOG_LEVEL_DEBUG)
		rc = snprintf(line, sizeof(line), "socksify[%ld]: ",
		    (long)getpid());
	else
		rc = snprintf(line, sizeof(line), "socksify: ");
	n = rc > 0 ? (size_t)rc : 0;
	va_start(ap, fmt);
	rc = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (rc > 0)
		n += (size_t)rc < sizeof(line) - n - 1 ? (size_t)rc :
		    sizeof(line) - n - 2;
	line[n++] = '\n';
	/* A short or failed write of a log line is not worth more than
	 * trying. With a log file, it gets every line (stamped); stderr
	 * keeps the errors. */
	fd = atomic_load(&log_file_fd);
	if (fd >= 0 && !ownfd_owns(fd)) {
		/* Closed where no hook saw it: the number is not ours. */
		(void)atomic_compare_exchange_strong(&log_file_fd, &fd, -1);
		fd = -1;
	}
	if (fd >= 0 && real_write != NULL) {
		char stamped[1100];
		size_t m = log_stamp(stamped, sizeof(stamped));

		if (m + n <= sizeof(stamped)) {
			memcpy(stamped + m, line, n);
			(void)real_write(fd, stamped, m + n);
		}
	}
	if ((fd < 0 || level == LOG_LEVEL_ERROR) && real_write != NULL)
		(void)real_write(STDERR_FILENO, line, n);
	errno = saved;
}

const char *
log_last_error(void)
{
	return log_last;
}
