/* SPDX-License-Identifier: MIT */
/* Logging: format into a stack buffer, emit with a single write(2). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/log.h"
#include "runtime/real.h"

static volatile enum log_level log_level = LOG_LEVEL_ERROR;
static __thread char log_last[512];

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	int saved = errno;
	size_t n;
	int rc;
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
	/* A short or failed write to stderr is not worth more than trying. */
	if (real_write != NULL)
		(void)real_write(STDERR_FILENO, line, n);
	errno = saved;
}

const char *
log_last_error(void)
{
	return log_last;
}
