/* SPDX-License-Identifier: MIT */
/* One-line diagnostics on stderr: "socksify: ...". One write(2) per line,
 * no stdio, no allocation, errno preserved. */
#ifndef SOCKSIFY_RUNTIME_LOG_H
#define SOCKSIFY_RUNTIME_LOG_H

#include "core/config.h"

/* Set the threshold (from the config, at init). Default LOG_LEVEL_ERROR. */
void log_set_level(enum log_level level);

/* The threshold, for callers that would build a costly line. */
enum log_level log_get_level(void);

/* Print "socksify: <message>\n" when level <= threshold. Never changes errno. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Also write every line, stamped with time, program and pid, to path
 * (created 0600, appended, close-on-exec); stderr then keeps the errors
 * only. The descriptor is an own one (runtime/ownfd.h): at a high number,
 * moved when the program dup2()s over it, checked before every line.
 * Failure to open is silent (stderr stays); no free high number is said
 * on stderr. */
void log_open_file(const char *path);

/* The calling thread's last error message (without the prefix), kept
 * whatever the level, for `socksify --check`. "" if none. */
const char *log_last_error(void);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
