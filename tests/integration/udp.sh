#!/bin/bash
# SPDX-License-Identifier: MIT
# UDP through SOCKS5 UDP ASSOCIATE (dante-server): a python client's datagrams
# reach a UDP echo server that only the proxy can reach, with every way of
# sending and receiving (sendto/recvfrom, connected send/recv, write/read,
# sendmsg/recvmsg, non-blocking + select/poll/epoll), IPv4 and IPv6, small
# and large datagrams, with and without authentication; the echo server sees
# the proxy, the client sees the server. Datagrams from strangers are
# dropped. A proxy without UDP (microsocks) and "udp = block" fail cleanly
# and send nothing around the proxy; "udp = direct" sends directly.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup danted microsocks
sx_udp_counters

start_udp_echo "$SX_NS_S"
echo_port=$SX_LAST_PORT
start_danted_noauth "$SX_NS_P" "$SX_PROXY4" 1081
noauth_port=$SX_LAST_PORT
start_danted "$SX_NS_P" "$SX_PROXY4" 1080
auth_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
micro_port=$SX_LAST_PORT

noauth=$SX_TMP/noauth.conf
auth=$SX_TMP/auth.conf
micro=$SX_TMP/micro.conf
block=$SX_TMP/block.conf
direct=$SX_TMP/direct.conf
sx_conf "$noauth" "proxy = socks5://$SX_PROXY4:$noauth_port" "timeout = 5"
sx_conf "$auth" "proxy = socks5://$SX_DANTE_USER:$SX_DANTE_PASS@$SX_PROXY4:$auth_port" \
    "timeout = 5"
sx_conf "$micro" "proxy = socks5://$SX_PROXY4:$micro_port" "timeout = 5"
sx_conf "$block" "proxy = socks5://$SX_PROXY4:$noauth_port" "timeout = 5" \
    "udp = block"
sx_conf "$direct" "proxy = socks5://$SX_PROXY4:$noauth_port" "timeout = 5" \
    "udp = direct"

SHOW=()

# udp_try NAME CONF|- MODE HOST [ARGS...]: one udpclient run, through
# socksify with CONF (or without it for "-"); output in $SX_TMP/NAME.out,
# stderr in $SX_TMP/NAME.err.
udp_try()
{
	local name=$1 conf=$2
	shift 2
	SHOW+=("$name.out" "$name.err")
	if [ "$conf" = - ]; then
		sx_client "${SX_UDP[@]}" "$@" >"$SX_TMP/$name.out" \
		    2>"$SX_TMP/$name.err"
	else
		sx_run -c "$conf" "${SX_UDP[@]}" "$@" >"$SX_TMP/$name.out" \
		    2>"$SX_TMP/$name.err"
	fi
}

# shellcheck disable=SC2317	# called through sx_check
# out_has NAME ERE: the client's one line matches ERE.
out_has() { grep -Eq -- "$2" "$SX_TMP/$1.out"; }

# sx_lines NAME: how many socksify: lines the run printed.
sx_lines() { grep -Ec '^socksify(\[[0-9]+\])?: ' "$SX_TMP/$1.err"; }

# Without socksify the server is out of reach: the datagram leaves, is
# counted and rejected (nft's reject makes sendto() fail with EPERM; with
# no firewall it would be a timeout), and no echo comes back.
udp_try plain - sendto "$SX_SERVER4" "$echo_port" --wait 2
sx_check "without socksify: no echo" \
    out_has plain '^ERR (PermissionError EPERM|Timeout ETIMEDOUT) '
sx_check "without socksify: the datagram was counted as a leak" \
    test "$(leak_count)" -gt 0
sx_check "without socksify: the echo server got nothing" \
    test "$(udp_echo_count)" -eq 0
udp_reset

# Every way of sending and receiving, through dante without authentication.
ok4="^OK mode=[a-z]+ from=$SX_SERVER4,$echo_port saw=$SX_PROXY_OUT4,[0-9]+ "
for mode in sendto connect rw recvmsg select poll epoll; do
	udp_try "$mode" "$noauth" "$mode" "$SX_SERVER4" "$echo_port"
	sx_check "$mode: echo from $SX_SERVER4:$echo_port, server saw the proxy" \
	    out_has "$mode" "$ok4"
	sx_check "$mode: no socksify: line" test "$(sx_lines "$mode")" -eq 0
done

# IPv6 socket and destination.
udp_try v6 "$noauth" sendto "$SX_SERVER6" "$echo_port"
sx_check "IPv6: echo from [$SX_SERVER6]:$echo_port, server saw the proxy" \
    out_has v6 "^OK mode=sendto from=$SX_SERVER6,$echo_port saw=$SX_PROXY_OUT6,[0-9]+ "

# Large datagrams come back whole (the client compares every byte).
for size in 1400 60000; do
	udp_try "size$size" "$noauth" sendto "$SX_SERVER4" "$echo_port" \
	    --size "$size"
	sx_check "$size-byte datagram round-trips intact" \
	    out_has "size$size" "${ok4}bytes=$size\$"
done

# Username/password dante.
for mode in sendto connect; do
	udp_try "auth.$mode" "$auth" "$mode" "$SX_SERVER4" "$echo_port"
	sx_check "user/pass dante: $mode gets its echo" \
	    out_has "auth.$mode" "$ok4"
done

sx_check "the echo server saw the proxy ($SX_PROXY_OUT4)" \
    udp_echo_saw "$SX_PROXY_OUT4"
sx_check "the echo server never saw the client ($SX_CLIENT4)" \
    sx_none udp_echo_saw "$SX_CLIENT4"
sx_check "datagrams went to the proxy's relay (udp_proxy > 0)" \
    test "$(udp_count udp_proxy)" -gt 0
sx_check "every UDP datagram that left went to the proxy" \
    test "$(udp_count udp)" -eq "$(udp_count udp_proxy)"
sx_check "proxied UDP: leak counter is 0" test "$(leak_count)" -eq 0
sx_check "proxied UDP: dns counter is 0" test "$(dns_count)" -eq 0

# A stranger (in the proxy namespace, from a port other than the relay's)
# sends junk and a well-formed but forged relay datagram to the client's
# UDP port: the client must see neither.
portfile=$SX_TMP/stranger.port
gofile=$SX_TMP/stranger.go
SHOW+=(stranger.out stranger.err)
sx_run -c "$noauth" "${SX_UDP[@]}" stranger "$SX_SERVER4" "$echo_port" \
    --portfile "$portfile" --gofile "$gofile" --wait 5 \
    >"$SX_TMP/stranger.out" 2>"$SX_TMP/stranger.err" &
stranger_pid=$!
for ((i = 0; i < SX_WAIT * 20; i++)); do
	[ -s "$portfile" ] && break
	kill -0 "$stranger_pid" 2>/dev/null || break
	sleep 0.05
done
if [ -s "$portfile" ]; then
	ip netns exec "$SX_NS_P" timeout 5 "$SX_PYTHON" -c '
import socket, struct, sys
client, port, server, sport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"JUNK", (client, port))
hdr = b"\0\0\0\x01" + socket.inet_aton(server) + struct.pack("!H", sport)
s.sendto(hdr + b"1.2.3.4 5\nFORGED", (client, port))' \
	    "$SX_CLIENT4" "$(cat "$portfile")" "$SX_SERVER4" "$echo_port"
	sleep 0.2
fi
touch "$gofile"
wait "$stranger_pid"
sx_check "stranger: junk and forged datagrams dropped, real echo received" \
    out_has stranger "${ok4}bytes=32 junk=dropped\$"

# microsocks has no UDP ASSOCIATE: a clean EOPNOTSUPP, one line, and no
# datagram leaves the client at all.
udp_reset
udp_try micro "$micro" sendto "$SX_SERVER4" "$echo_port"
sx_check "microsocks: OSError EOPNOTSUPP (errno 95)" \
    out_has micro '^ERR OSError [A-Z]+ errno=95$'
sx_check "microsocks: exactly one socksify: line" \
    test "$(sx_lines micro)" -eq 1
sx_check "microsocks: no UDP datagram left the client" \
    test "$(udp_count udp)" -eq 0
sx_check "microsocks: leak counter is 0" test "$(leak_count)" -eq 0
udp_try micro.c "$micro" connect "$SX_SERVER4" "$echo_port"
sx_check "microsocks: connected UDP gets EOPNOTSUPP too" \
    out_has micro.c '^ERR OSError [A-Z]+ errno=95$'
sx_check "microsocks, connected: no UDP datagram left the client" \
    test "$(udp_count udp)" -eq 0

# udp = block: EACCES before anything is sent, not even to the proxy.
udp_reset
udp_try block "$block" sendto "$SX_SERVER4" "$echo_port"
sx_check "udp = block: PermissionError EACCES (errno 13)" \
    out_has block '^ERR PermissionError EACCES errno=13$'
sx_check "udp = block: one socksify: line" test "$(sx_lines block)" -eq 1
sx_check "udp = block: nothing left the client (TCP or UDP)" \
    test "$(udp_count any)" -eq 0
udp_try block.c "$block" connect "$SX_SERVER4" "$echo_port"
sx_check "udp = block: connect() on a UDP socket gets EACCES" \
    out_has block.c '^ERR PermissionError EACCES errno=13$'
sx_check "udp = block, connected: nothing left the client" \
    test "$(udp_count any)" -eq 0

# udp = direct: the datagram goes straight to the server (and is counted
# and rejected here, which proves the setting took effect).
udp_reset
echoed=$(udp_echo_count)
udp_try direct "$direct" sendto "$SX_SERVER4" "$echo_port" --wait 2
sx_check "udp = direct: the datagram went direct (leak counter > 0)" \
    test "$(leak_count)" -gt 0
sx_check "udp = direct: nothing went to the proxy" \
    test "$(udp_count udp_proxy)" -eq 0
sx_check "udp = direct: no echo (the topology has no direct path)" \
    out_has direct '^ERR (PermissionError EPERM|Timeout ETIMEDOUT) '
sx_check "udp = direct: the echo server got nothing new" \
    test "$(udp_echo_count)" -eq "$echoed"

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}" udpecho.log danted-noauth.log danted.log; do
		[ -e "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
