/* SPDX-License-Identifier: MIT */
/* Shared by the parts of check_dns: the captured queries of
 * tests/unit/fixtures/dns (read from $srcdir; a missing one fails). */
#ifndef SOCKSIFY_CHECK_DNS_H
#define SOCKSIFY_CHECK_DNS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_FIXTURE_MAX	4096

/* File names, NULL-terminated. */
extern const char *const dns_fixtures[];

/* Read fixture name into buf (DNS_FIXTURE_MAX); its length (> 0). */
size_t dns_fixture(const char *name, uint8_t *buf);

/* Part 2 (check_dns_build.c): the builder's test cases. */
void dns_add_build_tcases(Suite *s);

#endif
