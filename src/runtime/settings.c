/* SPDX-License-Identifier: MIT */
/* Reads the config file chosen by the lookup order and applies the
 * SOCKSIFY_* environment on top. File I/O lives here, parsing in core. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rules.h"
#include "runtime/real.h"
#include "runtime/settings.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define SETTINGS_MAX_FILE (1024 * 1024)

/* The file held a password others can read (for a warning). */
static bool settings_insecure;
/* Where the proxy came from (for `socksify --check`): a copy, never a
 * pointer into a caller's buffer. */
static char settings_proxy_from[4096 + 16];

/* Read the whole file into a malloc'd buffer. 0, -ENOENT or -errno. */
static int
settings_read_file(const char *path, char **text, size_t *len, mode_t *mode)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	*mode = st.st_mode;
	if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out;
	}
	if (st.st_size > SETTINGS_MAX_FILE) {
		rc = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (have < (size_t)st.st_size) {
		n = real_read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	*text = buf;
	*len = have;
	buf = NULL;
out:
	free(buf);
	(void)real_close(fd);
	return rc;
}

static int
settings_parse_file(struct config *c, const char *path, bool must_exist,
    char *err, size_t errcap)
{
	char *text = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int rc;

	rc = settings_read_file(path, &text, &len, &mode);
	if (rc == -ENOENT && !must_exist)
		return -ENOENT;
	if (rc < 0) {
		snprintf(err, errcap, "%s: cannot read config file: %s", path,
		    strerror(-rc));
		return -EINVAL;
	}
	rc = config_parse(c, text, len, path, err, errcap);
	free(text);
	if (rc < 0)
		return -EINVAL;
	if (c->has_proxy && c->proxy.has_auth && c->proxy.pass[0] != '\0' &&
	    (mode & (S_IRGRP | S_IROTH)))
		settings_insecure = true;
	return 0;
}

static int
settings_find_file(struct config *c, char *source, size_t sourcecap,
    char *err, size_t errcap)
{
	char path[4096];
	const char *env, *home;
	int rc;

	env = getenv("SOCKSIFY_CONF");
	if (env != NULL && *env != '\0') {
		snprintf(source, sourcecap, "%s", env);
		return settings_parse_file(c, env, true, err, errcap);
	}
	env = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	path[0] = '\0';
	if (env != NULL && *env == '/')
		snprintf(path, sizeof(path), "%s/socksify/socksify.conf", env);
	else if (home != NULL && *home == '/')
		snprintf(path, sizeof(path),
		    "%s/.config/socksify/socksify.conf", home);
	if (path[0] != '\0') {
		rc = settings_parse_file(c, path, false, err, errcap);
		if (rc != -ENOENT) {
			snprintf(source, sourcecap, "%s", path);
			return rc;
		}
	}
	rc = settings_parse_file(c, SYSCONFDIR "/socksify.conf", false, err,
	    errcap);
	if (rc != -ENOENT) {
		snprintf(source, sourcecap, "%s", SYSCONFDIR "/socksify.conf");
		return rc;
	}
	snprintf(source, sourcecap, "(built-in defaults)");
	return 0;
}

/* NO_PROXY / no_proxy: "host,.domain,10.0.0.0/8,1.2.3.4,[::1]:80".
 * Addresses and networks become `local`, names `local_domain` (a name
 * covers its subdomains, as curl and wget read it). "*" would switch
 * socksify off; it is ignored rather than silently sending everything
 * direct. Entries we cannot use are skipped: other tools share them. */
static void
settings_no_proxy(struct config *c, const char *list)
{
	char item[300], pat[302], err[256], *p, *colon;
	struct rules_net net;
	size_t n;

	while (*list != '\0') {
		n = strcspn(list, ", \t");
		if (n > 0 && n < sizeof(item) - 1) {
			memcpy(item, list, n);
			item[n] = '\0';
			p = item;
			if (*p == '[') {		/* [v6]:port */
				p++;
				p[strcspn(p, "]")] = '\0';
			} else if ((colon = strchr(p, ':')) != NULL &&
			    strchr(colon + 1, ':') == NULL) {
				*colon = '\0';		/* host:port */
			}
			if (strcmp(p, "*") == 0 || *p == '\0')
				;
			else if (rules_parse_cidr(p, &net) == 0)
				(void)config_set(c, "local", p, "NO_PROXY",
				    err, sizeof(err));
			else {
				if (*p == '*')		/* "*.example.com" */
					p++;
				snprintf(pat, sizeof(pat), "%s%s",
				    *p == '.' ? "" : ".", p);
				(void)config_set(c, "local_domain", pat,
				    "NO_PROXY", err, sizeof(err));
			}
		}
		list += n;
		list += strspn(list, ", \t");
	}
}

static const char *
settings_env2(const char *upper, const char *lower)
{
	const char *v = getenv(lower);

	if (v == NULL || *v == '\0')
		v = getenv(upper);
	return v != NULL && *v != '\0' ? v : NULL;
}

static void
settings_from(const char *what)
{
	snprintf(settings_proxy_from, sizeof(settings_proxy_from), "%s",
	    what);
}

int
settings_load(struct config *c, char *source, size_t sourcecap, char *err,
    size_t errcap)
{
	const char *env;
	int rc;

	config_defaults(c);
	settings_insecure = false;
	rc = settings_find_file(c, source, sourcecap, err, errcap);
	if (rc < 0)
		return rc;
	env = getenv("SOCKSIFY_PROXY");
	settings_from(c->has_proxy ? source : "");
	if (env != NULL && *env != '\0') {
		c->has_proxy = false;
		if (config_set(c, "proxy", env, "SOCKSIFY_PROXY", err,
		    errcap) < 0)
			return -EINVAL;
		settings_from("environment SOCKSIFY_PROXY");
	}
	env = getenv("SOCKSIFY_LOG");
	if (env != NULL && *env != '\0' &&
	    config_set(c, "log_level", env, "SOCKSIFY_LOG", err, errcap) < 0)
		return -EINVAL;
	env = settings_env2("ALL_PROXY", "all_proxy");
	if (!c->has_proxy && env != NULL) {
		if (config_set(c, "proxy", env, "ALL_PROXY", err, errcap) < 0)
			return -EINVAL;
		settings_from("environment ALL_PROXY/all_proxy");
	}
	if (!c->has_proxy) {
		if (config_set(c, "proxy", SETTINGS_DEFAULT_PROXY, "default",
		    err, errcap) < 0)
			return -EINVAL;
		settings_from("the built-in default");
	}
	env = settings_env2("NO_PROXY", "no_proxy");
	if (env != NULL)
		settings_no_proxy(c, env);
	return 0;
}

int
settings_warning(const char *source, char *out, size_t cap)
{
	if (!settings_insecure)
		return 0;
	snprintf(out, cap, "%s holds a proxy password and is readable by "
	    "other users (chmod 600 %s)", source, source);
	return 1;
}

const char *
settings_proxy_source(void)
{
	return settings_proxy_from;
}
