/* SPDX-License-Identifier: MIT */
/*
 * SOCKS5 REP tables (RFC 1928 §6).  Data only; no syscalls.
 */
#include <errno.h>

#include "core/errmap.h"
#include "core/socks5.h"

static const struct {
	int err;
	const char *str;
} rep_table[] = {
	[SOCKS5_REP_SUCCEEDED] = { 0, "succeeded" },
	[SOCKS5_REP_GENERAL_FAILURE] =
	    { ECONNREFUSED, "general SOCKS server failure" },
	[SOCKS5_REP_NOT_ALLOWED] =
	    { EACCES, "connection not allowed by ruleset" },
	[SOCKS5_REP_NET_UNREACH] = { ENETUNREACH, "network unreachable" },
	[SOCKS5_REP_HOST_UNREACH] = { EHOSTUNREACH, "host unreachable" },
	[SOCKS5_REP_CONN_REFUSED] = { ECONNREFUSED, "connection refused" },
	[SOCKS5_REP_TTL_EXPIRED] = { ETIMEDOUT, "TTL expired" },
	[SOCKS5_REP_CMD_UNSUPPORTED] = { EOPNOTSUPP, "command not supported" },
	[SOCKS5_REP_ATYP_UNSUPPORTED] =
	    { EAFNOSUPPORT, "address type not supported" },
};

#define REP_COUNT	(sizeof(rep_table) / sizeof(rep_table[0]))

int
errmap_socks5_rep(uint8_t rep)
{
	return rep < REP_COUNT ? rep_table[rep].err : EPROTO;
}

const char *
errmap_socks5_rep_str(uint8_t rep)
{
	return rep < REP_COUNT ? rep_table[rep].str : "unknown reply code";
}
