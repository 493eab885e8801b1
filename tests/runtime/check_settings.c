/* SPDX-License-Identifier: MIT */
/*
 * Runtime tests of runtime/settings: which proxy wins (SOCKSIFY_PROXY >
 * the file's proxy > ALL_PROXY/all_proxy > the built-in default), what
 * settings_proxy_source() says about it, and that nothing it returns
 * points into the caller's buffers. Linked with the runtime, no preload.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "runtime/real.h"
#include "runtime/settings.h"

static char dir[PATH_MAX];
static char file_with_proxy[PATH_MAX + 32];
static char file_without_proxy[PATH_MAX + 32];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	static const char *vars[] = { "SOCKSIFY_CONF", "SOCKSIFY_PROXY",
	    "SOCKSIFY_LOG", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
	    NULL };
	size_t i;

	ck_assert_int_eq(real_init(), 0);	/* settings reads with real_read */
	for (i = 0; vars[i] != NULL; i++)
		unsetenv(vars[i]);
	snprintf(dir, sizeof(dir), "%s/sx-settings-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(file_with_proxy, sizeof(file_with_proxy), "%s/with.conf", dir);
	snprintf(file_without_proxy, sizeof(file_without_proxy),
	    "%s/without.conf", dir);
	write_file(file_with_proxy, "proxy = socks5://10.0.0.1:1111\n");
	write_file(file_without_proxy, "timeout = 5\n");
}

static void
teardown(void)
{
	(void)unlink(file_with_proxy);
	(void)unlink(file_without_proxy);
	(void)rmdir(dir);
}

/* settings_load() with a source buffer that is scribbled over afterwards
 * (as a caller's stack buffer is once it returns). Asserts success. */
static char source[4096];

static void
load(struct config *c)
{
	char err[512];

	err[0] = '\0';
	ck_assert_msg(settings_load(c, source, sizeof(source), err,
	    sizeof(err)) == 0, "settings_load: %s", err);
	memset(source, 'X', sizeof(source) - 1);
	source[sizeof(source) - 1] = '\0';
}

static void
assert_proxy(const struct config *c, const char *host, unsigned port,
    const char *from)
{
	ck_assert_str_eq(c->proxy.host, host);
	ck_assert_uint_eq(c->proxy.port, port);
	ck_assert_str_eq(settings_proxy_source(), from);
}

START_TEST(socksify_proxy_beats_file_and_all_proxy)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_with_proxy, 1);
	setenv("SOCKSIFY_PROXY", "socks5://10.0.0.2:2222", 1);
	setenv("ALL_PROXY", "socks5://10.0.0.3:3333", 1);
	load(&c);
	assert_proxy(&c, "10.0.0.2", 2222, "environment SOCKSIFY_PROXY");
}
END_TEST

START_TEST(file_beats_all_proxy)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_with_proxy, 1);
	setenv("ALL_PROXY", "socks5://10.0.0.3:3333", 1);
	setenv("all_proxy", "socks5://10.0.0.4:4444", 1);
	load(&c);
	/* The source names the file even after the caller's buffer went. */
	assert_proxy(&c, "10.0.0.1", 1111, file_with_proxy);
}
END_TEST

START_TEST(all_proxy_beats_default)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_without_proxy, 1);
	setenv("ALL_PROXY", "socks5://10.0.0.3:3333", 1);
	load(&c);
	assert_proxy(&c, "10.0.0.3", 3333, "environment ALL_PROXY/all_proxy");
}
END_TEST

START_TEST(lower_all_proxy_first)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_without_proxy, 1);
	setenv("ALL_PROXY", "socks5://10.0.0.3:3333", 1);
	setenv("all_proxy", "socks5://10.0.0.4:4444", 1);
	load(&c);
	assert_proxy(&c, "10.0.0.4", 4444, "environment ALL_PROXY/all_proxy");
}
END_TEST

START_TEST(socksify_proxy_beats_all_proxy)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_without_proxy, 1);
	setenv("SOCKSIFY_PROXY", "socks5://10.0.0.2:2222", 1);
	setenv("ALL_PROXY", "socks5://10.0.0.3:3333", 1);
	load(&c);
	assert_proxy(&c, "10.0.0.2", 2222, "environment SOCKSIFY_PROXY");
}
END_TEST

START_TEST(default_last)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_without_proxy, 1);
	load(&c);
	assert_proxy(&c, "127.0.0.1", 1080, "the built-in default");
}
END_TEST

START_TEST(empty_variables_do_not_count)
{
	struct config c;

	setenv("SOCKSIFY_CONF", file_with_proxy, 1);
	setenv("SOCKSIFY_PROXY", "", 1);
	load(&c);
	assert_proxy(&c, "10.0.0.1", 1111, file_with_proxy);
}
END_TEST

START_TEST(missing_conf_file_is_an_error)
{
	char err[512];
	struct config c;

	setenv("SOCKSIFY_CONF", "/nonexistent/socksify.conf", 1);
	setenv("SOCKSIFY_PROXY", "socks5://10.0.0.2:2222", 1);
	ck_assert_int_lt(settings_load(&c, source, sizeof(source), err,
	    sizeof(err)), 0);
	ck_assert_msg(strstr(err, "/nonexistent/socksify.conf") != NULL &&
	    strstr(err, "cannot read config file") != NULL, "error: %s", err);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("runtime settings");
	TCase *tc = tcase_create("precedence");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, socksify_proxy_beats_file_and_all_proxy);
	tcase_add_test(tc, file_beats_all_proxy);
	tcase_add_test(tc, all_proxy_beats_default);
	tcase_add_test(tc, lower_all_proxy_first);
	tcase_add_test(tc, socksify_proxy_beats_all_proxy);
	tcase_add_test(tc, default_last);
	tcase_add_test(tc, empty_variables_do_not_count);
	tcase_add_test(tc, missing_conf_file_is_an_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
