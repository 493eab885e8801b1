/* SPDX-License-Identifier: MIT */
/* Text helpers shared by the config parser's files (config.c,
 * config_route.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/config_parse.h"

int
cfg_err(const struct config_ctx *x, const char *fmt, ...)
{
	const char *where = x->where != NULL ? x->where : "<config>";
	va_list ap;
	int n;

	if (x->err == NULL || x->errcap == 0)
		return -EINVAL;
	if (x->line > 0)
		n = snprintf(x->err, x->errcap, "%s:%zu: ", where, x->line);
	else
		n = snprintf(x->err, x->errcap, "%s: ", where);
	if (n >= 0 && (size_t)n < x->errcap) {
		va_start(ap, fmt);
		(void)vsnprintf(x->err + n, x->errcap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

bool
cfg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim s in place; returns the first non-space character. */
char *
cfg_trim(char *s)
{
	size_t len;

	while (cfg_is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && cfg_is_space(s[len - 1]))
		s[--len] = '\0';
	return s;
}

char
cfg_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality; word is lower case. */
bool
cfg_word_ieq(const char *s, const char *word)
{
	for (; *s != '\0' && *word != '\0'; s++, word++)
		if (cfg_lower(*s) != *word)
			return false;
	return *s == *word;
}

/* Next token of a comma/space separated list; NULL at the end. */
char *
cfg_next_token(char **cursor)
{
	char *s = *cursor, *tok;

	while (*s == ',' || cfg_is_space(*s))
		s++;
	if (*s == '\0')
		return NULL;
	tok = s;
	while (*s != '\0' && *s != ',' && !cfg_is_space(*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*cursor = s;
	return tok;
}

