/* SPDX-License-Identifier: MIT */
/*
 * SOCKS4/4a codec: one request encoder, one reply decoder, CD tables.
 * Memory and string functions only; the handshake loop lives in runtime/.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/socks4.h"

/* The DSTIP a SOCKS4a request carries when a name follows: 0.0.0.1. */
static const uint8_t socks4a_marker[4] = { 0, 0, 0, 1 };

ssize_t
socks4_encode_connect(uint8_t *out, size_t cap,
    const struct socks5_addr *target, const char *userid)
{
	const uint8_t *ip;
	size_t ulen, nlen, total, n = 0;

	if (target == NULL)
		return -EINVAL;
	ulen = userid != NULL ? strnlen(userid, SOCKS4_MAX_USERID + 1) : 0;
	if (ulen > SOCKS4_MAX_USERID)
		return -EINVAL;
	switch (target->atyp) {
	case SOCKS5_ATYP_IPV4:
		/*
		 * 0.0.0.x (x != 0) is how SOCKS4a says "name follows"; sent
		 * as a plain address a 4a server would wait for a name.
		 */
		if (target->len != 4 || (target->addr[0] == 0 &&
		    target->addr[1] == 0 && target->addr[2] == 0 &&
		    target->addr[3] != 0))
			return -EINVAL;
		ip = target->addr;
		nlen = 0;
		break;
	case SOCKS5_ATYP_DOMAIN:
		/* The name goes NUL-terminated on the wire: none inside. */
		if (target->len == 0 ||
		    memchr(target->addr, '\0', target->len) != NULL)
			return -EINVAL;
		ip = socks4a_marker;
		nlen = target->len;
		break;
	case SOCKS5_ATYP_IPV6:
		return -EAFNOSUPPORT;
	default:
		return -EINVAL;
	}
	total = 8 + ulen + 1 + (nlen > 0 ? nlen + 1 : 0);
	if (cap < total)
		return -ENOSPC;
	out[n++] = SOCKS4_VERSION;
	out[n++] = SOCKS4_CMD_CONNECT;
	out[n++] = (uint8_t)(target->port >> 8);	/* network order */
	out[n++] = (uint8_t)(target->port & 0xff);
	memcpy(out + n, ip, 4);
	n += 4;
	if (ulen > 0)
		memcpy(out + n, userid, ulen);
	n += ulen;
	out[n++] = '\0';
	if (nlen > 0) {
		memcpy(out + n, target->addr, nlen);
		n += nlen;
		out[n++] = '\0';
	}
	return (ssize_t)n;
}

ssize_t
socks4_decode_reply(const uint8_t *in, size_t len, uint8_t *status,
    size_t *need)
{
	/* VN is 0 by the spec; 4 is an echo of the request some servers send */
	if (len >= 1 && in[0] != SOCKS4_REPLY_VERSION &&
	    in[0] != SOCKS4_VERSION)
		return -EBADMSG;
	if (len < SOCKS4_REPLY_LEN) {
		if (need != NULL)
			*need = SOCKS4_REPLY_LEN;
		return 0;
	}
	if (status != NULL)
		*status = in[1];
	return SOCKS4_REPLY_LEN;
}

static const struct {
	int err;
	const char *str;
} cd_table[] = {
	{ 0, "request granted" },
	{ ECONNREFUSED, "request rejected or failed" },
	{ EACCES, "request rejected: identd not reachable on the client" },
	{ EACCES, "request rejected: identd user id mismatch" },
};

#define CD_COUNT	(sizeof(cd_table) / sizeof(cd_table[0]))

static bool
cd_known(uint8_t cd)
{
	return cd >= SOCKS4_CD_GRANTED &&
	    (size_t)(cd - SOCKS4_CD_GRANTED) < CD_COUNT;
}

int
socks4_status_errno(uint8_t cd)
{
	return cd_known(cd) ? cd_table[cd - SOCKS4_CD_GRANTED].err : EPROTO;
}

const char *
socks4_status_str(uint8_t cd)
{
	return cd_known(cd) ? cd_table[cd - SOCKS4_CD_GRANTED].str :
	    "unknown reply code";
}
