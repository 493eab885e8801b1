/* SPDX-License-Identifier: MIT */
/* Internal to the config parser (config.c, config_route.c,
 * config_text.c): the error context, text helpers and the key setters.
 * Not for the rest of socksify. */
#ifndef SOCKSIFY_CORE_CONFIG_PARSE_H
#define SOCKSIFY_CORE_CONFIG_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* Where a message points: "where:line: " or "where: " when line is 0. */
struct config_ctx {
	const char *where;
	size_t line;
	char *err;
	size_t errcap;
};

/* Write "WHERE:LINE: <message>" into x->err; always returns -EINVAL. */
int cfg_err(const struct config_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool cfg_is_space(char c);
/* Trim s in place; returns the first non-space character. */
char *cfg_trim(char *s);
char cfg_lower(char c);
/* ASCII case-insensitive equality; word is lower case. */
bool cfg_word_ieq(const char *s, const char *word);
/* Next token of a comma/space separated list; NULL at the end. */
char *cfg_next_token(char **cursor);

/* Setters of the routing keys (config_route.c): 0 or -EINVAL via cfg_err. */
int config_set_proxy(struct config *c, const char *key, char *v,
    const struct config_ctx *x);
int config_set_hop(struct config *c, const char *key, char *v,
    const struct config_ctx *x);
int config_set_upstream(struct config *c, const char *key, char *v,
    const struct config_ctx *x);
int config_set_rule(struct config *c, const char *key, char *v,
    const struct config_ctx *x);
int config_set_dns_server(struct config *c, const char *key, char *v,
    const struct config_ctx *x);

#endif
