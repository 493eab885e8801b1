#!/bin/bash
# SPDX-License-Identifier: MIT
# UDP and io_uring from a static program (tests/helpers/backstop_udp.c,
# gcc -static with liburing) under the backstop, which does not relay UDP:
#   - udp = proxy (the default): sendto(), sendmsg() and sendmmsg() with an
#     address -> EACCES and exactly one line naming the destination and the
#     program; a connect()ed socket is pointed at the supervisor's sink:
#     connect and getpeername work (route probes), write/send/sendto
#     without an address/sendmsg without one "succeed", nothing leaves,
#     one line says the datagrams were dropped
#   - udp = block: the same sends -> EACCES with the library's line, once
#     per call; connect() -> EACCES
#   - udp = direct: the datagram is let through (counted leaving: the
#     supervisor follows the configuration)
#   - io_uring: io_uring_setup -> ENOSYS from liburing, so the ring's
#     connect never happens; without socksify the same program's ring
#     connects around the proxy (the counter moves)
# Every UDP datagram and TCP packet leaving the client is counted (table
# sxudp); without socksify the program's datagram leaves (counted).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks cc
sx_require_backstop
[ -e /usr/include/liburing.h ] || sx_skip "liburing-dev not installed"
bu=$SX_TMP/backstop_udp
cc -std=gnu11 -O2 -Wall -Wextra -static -no-pie -o "$bu" \
    "$SX_HELPERS/backstop_udp.c" -luring >&2 ||
    sx_error "cannot build $SX_HELPERS/backstop_udp.c (static, -luring)"
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
sx_udp_counters
for u in proxy block direct; do
	sx_conf "$SX_TMP/$u.conf" "proxy = socks5://$SX_PROXY4:$proxy_port" \
	    "timeout = 5" "udp = $u"
done

# run TAG UDP ARGS...: socksify -c $UDP.conf backstop_udp ARGS in the
# client namespace; output in $SX_TMP/TAG.{out,err}, status in $rc.
run()
{
	local tag=$1 u=$2
	shift 2
	udp_reset
	sx_run -c "$SX_TMP/$u.conf" "$bu" "$@" >"$SX_TMP/$tag.out" \
	    2>"$SX_TMP/$tag.err"
	rc=$?
}

# has TAG ERE: a line of TAG's stdout matches ERE.
# shellcheck disable=SC2317	# called through sx_check
has() { grep -Eq -- "$2" "$SX_TMP/$1.out"; }

# lines TAG ERE: how many socksify lines of TAG's stderr match ERE.
lines() { grep -Ec -- "^socksify(\[[0-9]+\])?: .*$2" "$SX_TMP/$1.err"; }

nothing_left()
{
	local a l d
	a=$(udp_count any)
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing left the client (sent $a, leak $l, dns $d)" \
	    test "$a" -eq 0 -a "$l" -eq 0 -a "$d" -eq 0
}

# --- the counters work ------------------------------------------------------
udp_reset
sx_client "$bu" sendto "$SX_SERVER4" 9 >"$SX_TMP/plain.out" 2>&1
sx_check "without socksify the static program's datagram leaves (udp $(udp_count udp))" \
    test "$(udp_count udp)" -gt 0

# --- udp = proxy: refused with an address, sunk when connected ---------------
for m in sendto sendmsg sendmmsg; do
	run "proxy-$m" proxy "$m" "$SX_SERVER4" 9
	sx_check "udp = proxy: $m with an address -> EACCES" \
	    has "proxy-$m" "^ERR EACCES $m\$"
	sx_check "udp = proxy: $m: exactly one line naming the destination and the program" \
	    test "$(lines "proxy-$m" "UDP to $SX_SERVER4:9 refused for backstop_udp\[[0-9]+\]: the backstop does not relay UDP")" -eq 1 -a \
	    "$(grep -c . "$SX_TMP/proxy-$m.err")" -eq 1
	nothing_left "udp = proxy: $m"
done
run proxy-v6 proxy sendto "$SX_SERVER6" 9
sx_check "udp = proxy: sendto an IPv6 destination -> EACCES" \
    has proxy-v6 '^ERR EACCES sendto$'
nothing_left "udp = proxy: IPv6 sendto"

run proxy-conn proxy connected "$SX_SERVER4" 9
sx_check "udp = proxy, connected socket: every step ok (status $rc)" \
    test "$rc" -eq 0 -a "$(grep -c '^ok ' "$SX_TMP/proxy-conn.out")" -eq 7
sx_check "udp = proxy, connected: getpeername() reports the destination" \
    has proxy-conn '^ok getpeername 0$'
sx_check "udp = proxy, connected: write/send/sendto/sendmsg 'sent' (the sink took them)" \
    test "$(grep -Ec '^ok (write|send|sendto-null|sendmsg-noname) 10$' "$SX_TMP/proxy-conn.out")" -eq 4
sx_check "udp = proxy, connected: one line says the datagrams were dropped, naming them" \
    test "$(lines proxy-conn "UDP to $SX_SERVER4:9 dropped for backstop_udp\[[0-9]+\]: the backstop does not relay UDP")" -eq 1 -a \
    "$(grep -c . "$SX_TMP/proxy-conn.err")" -eq 1
nothing_left "udp = proxy: connected socket"

# --- udp = block ----------------------------------------------------------------
for m in sendto sendmsg sendmmsg; do
	run "block-$m" block "$m" "$SX_SERVER4" 9
	sx_check "udp = block: $m -> EACCES" has "block-$m" "^ERR EACCES $m\$"
	sx_check "udp = block: $m: exactly one line, the library's" \
	    test "$(lines "block-$m" "UDP to $SX_SERVER4 refused: udp = block in the configuration")" -eq 1 -a \
	    "$(grep -c . "$SX_TMP/block-$m.err")" -eq 1
	nothing_left "udp = block: $m"
done
run block-conn block connected "$SX_SERVER4" 9
sx_check "udp = block: connect() -> EACCES" has block-conn '^ERR EACCES connect$'
sx_check "udp = block: connect: the library's line" \
    test "$(lines block-conn "UDP to $SX_SERVER4 refused: udp = block")" -eq 1
nothing_left "udp = block: connect"

# --- udp = direct: the configuration is followed --------------------------------
run direct direct sendto "$SX_SERVER4" 9
sx_check "udp = direct: the datagram is let through (udp $(udp_count udp))" \
    test "$(udp_count udp)" -gt 0

# --- io_uring ---------------------------------------------------------------------
run uring proxy uring "$SX_SERVER4" "$http_port"
sx_check "liburing: io_uring_setup -> ENOSYS" \
    has uring '^ERR ENOSYS io_uring_setup$'
sx_check "liburing: no ring, so no ring connect" \
    sx_lacks "$SX_TMP/uring.out" 'uring-connect'
nothing_left "io_uring"
udp_reset
sx_client "$bu" uring "$SX_SERVER4" "$http_port" >"$SX_TMP/plain-uring.out" 2>&1
sx_check "without socksify the ring is set up and its connect goes out (leak $(leak_count))" \
    test -n "$(grep '^ok io_uring_setup' "$SX_TMP/plain-uring.out")" -a \
    -n "$(grep 'uring-connect' "$SX_TMP/plain-uring.out")" -a \
    "$(leak_count)" -gt 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in proxy-sendmmsg proxy-conn block-sendmmsg uring; do
		sx_show "$f stdout" "$SX_TMP/$f.out"
		sx_show "$f stderr" "$SX_TMP/$f.err"
	done
}
sx_done
