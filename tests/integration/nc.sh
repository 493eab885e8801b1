#!/bin/bash
# SPDX-License-Identifier: MIT
# OpenBSD nc through socksify: a line goes to an echo server in the server
# namespace, arrives, and comes back; over IPv4 and IPv6 to the target, and
# to a plain listening nc.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup nc microsocks

start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5"

# echo_exchange ADDR TAG: nc via socksify to an echo server at ADDR.
echo_exchange()
{
	local addr=$1 tag=$2 line rc
	line="client line $tag $$ $RANDOM"
	start_echo "$SX_NS_S" "$addr"
	printf '%s\n' "$line" | sx_run -c "$conf" nc "$addr" "$SX_LAST_PORT" \
	    >"$SX_TMP/reply.$tag" 2>"$SX_TMP/err.$tag"
	rc=$?
	sx_check "$tag: nc exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$tag: the line arrived at the server" \
	    test "$(cat "$SX_TMP/echo.$addr.data" 2>/dev/null)" = "$line"
	sx_check "$tag: the server saw the proxy" \
	    grep -q "^from $3 " "$SX_TMP/echo.$addr.log"
	sx_check "$tag: the line came back" \
	    test "$(cat "$SX_TMP/reply.$tag")" = "$line"
	[ "$SX_FAILED" -eq 0 ] || sx_show "nc stderr ($tag)" "$SX_TMP/err.$tag"
}

sx_client nc -z -w 2 "$SX_SERVER4" 9 2>/dev/null
sx_check "plain nc cannot reach the server" test $? -ne 0
leak_reset

echo_exchange "$SX_SERVER4" ipv4 "$SX_PROXY_OUT4"
echo_exchange "$SX_SERVER6" ipv6 "$SX_PROXY_OUT6"

# A listening nc as the server: wait for it to exit, then look at the file.
line="to a listening nc $$"
# shellcheck disable=SC2016	# $1, $2 are for the inner sh
sx_bg_listen "nc listener" "$SX_NS_S" "$SX_TMP/ncl.log" \
    sh -c 'exec nc -l "$1" 0 >"$2"' sh "$SX_SERVER4" "$SX_TMP/ncl.recv"
ncl_pid=$SX_LAST_PID
printf '%s\n' "$line" | sx_run -c "$conf" nc -N "$SX_SERVER4" "$SX_LAST_PORT" \
    2>"$SX_TMP/err.ncl"
rc=$?
sx_check "listener: nc exits 0 (got $rc)" test "$rc" -eq 0
for ((i = 0; i < 50; i++)); do
	kill -0 "$ncl_pid" 2>/dev/null || break
	sleep 0.1
done
sx_check "listener: the line arrived" \
    test "$(cat "$SX_TMP/ncl.recv")" = "$line"

sx_check "leak counter is 0" test "$(leak_count)" -eq 0
sx_done
