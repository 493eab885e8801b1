/* SPDX-License-Identifier: MIT */
/* Visibility: the library is built with -fvisibility=hidden; only the
 * interposed libc entry points carry SX_EXPORT. */
#ifndef SOCKSIFY_RUNTIME_EXPORT_H
#define SOCKSIFY_RUNTIME_EXPORT_H

#define SX_EXPORT __attribute__((visibility("default")))

#endif
