/* SPDX-License-Identifier: MIT */
/* The effective configuration: which file, then environment overrides.
 * Shared by the preloaded library and the socksify-ctl helper. */
#ifndef SOCKSIFY_RUNTIME_SETTINGS_H
#define SOCKSIFY_RUNTIME_SETTINGS_H

#include <stddef.h>

#include "core/config.h"

/* Proxy used when neither a file nor the environment names one. */
#define SETTINGS_DEFAULT_PROXY "socks5://127.0.0.1:1080"

/*
 * Fill *c with the effective configuration. Lookup order for the file:
 * $SOCKSIFY_CONF (set by `socksify -c FILE`; must exist), then
 * ${XDG_CONFIG_HOME:-$HOME/.config}/socksify/socksify.conf, then
 * SYSCONFDIR/socksify.conf; no file at all means built-in defaults.
 * Then the environment: SOCKSIFY_PROXY replaces the file's proxy,
 * SOCKSIFY_LOG the log level; with no proxy from either, ALL_PROXY (or
 * all_proxy) names it, else SETTINGS_DEFAULT_PROXY. NO_PROXY/no_proxy
 * entries are added to the direct networks and local domains. The file used (or "(built-in defaults)")
 * is copied to source.
 * Returns 0, or -EINVAL with a one-line "WHERE: what is wrong" in err.
 */
int settings_load(struct config *c, char *source, size_t sourcecap,
    char *err, size_t errcap);

/* After settings_load(): 1 and a one-line warning in out when the file
 * (source) holds a password and is readable by group or others; else 0. */
int settings_warning(const char *source, char *out, size_t cap);

/* After settings_load(): where the proxy came from, in words (the file
 * name is the source buffer given to settings_load()). */
const char *settings_proxy_source(void);

#endif
