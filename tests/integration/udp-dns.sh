#!/bin/bash
# SPDX-License-Identifier: MIT
# DNS over UDP through SOCKS5 UDP ASSOCIATE: dig, host and nslookup ask a
# dnsmasq that only the proxy (dante-server) can reach, and get its answer;
# the queries travel to the proxy's relay, never to port 53 of anything
# else. Without socksify the query is counted, rejected and unanswered.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup danted dnsmasq dig host nslookup
sx_udp_counters

name=udp.sx.test
answer=10.1.2.3
start_dnsmasq "$SX_NS_S" "$SX_SERVER4" "$name" "$answer"
start_danted_noauth "$SX_NS_P" "$SX_PROXY4" 1081
conf=$SX_TMP/socksify.conf
# dns_direct: this server's port-53 traffic is not answered in process
# (the escape hatch); it is ordinary UDP then, through the proxy's relay.
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5" \
    "dns_direct = $SX_SERVER4"
SHOW=()

# dns_try NAME CONF|- CMD...: run CMD in the client namespace, through
# socksify with CONF (or without it for "-"); $SX_TMP/NAME.out and .err.
dns_try()
{
	local name=$1 conf=$2
	shift 2
	SHOW+=("$name.out" "$name.err")
	if [ "$conf" = - ]; then
		sx_client "$@" >"$SX_TMP/$name.out" 2>"$SX_TMP/$name.err"
	else
		sx_run -c "$conf" "$@" >"$SX_TMP/$name.out" 2>"$SX_TMP/$name.err"
	fi
}

# shellcheck disable=SC2317	# called through sx_check
# out_is NAME TEXT: the command printed exactly TEXT.
out_is() { [ "$(cat "$SX_TMP/$1.out")" = "$2" ]; }
# shellcheck disable=SC2317
out_has() { grep -Eq -- "$2" "$SX_TMP/$1.out"; }
# shellcheck disable=SC2317
no_sx_line() { sx_no_line "$SX_TMP/$1.err"; }
# shellcheck disable=SC2317
dnsmasq_saw() { grep -Fq "query[A] $name from $1" "$SX_TMP/dnsmasq.log"; }

# Without socksify: the query leaves, is counted as DNS and rejected.
dns_try plain - dig +short +time=2 +tries=1 "@$SX_SERVER4" "$name"
rc=$?
sx_check "without socksify: dig fails (exit 9, got $rc)" test "$rc" -eq 9
sx_check "without socksify: no answer" sx_lacks "$SX_TMP/plain.out" \
    "$answer" -F
sx_check "without socksify: the query was counted on port 53" \
    test "$(dns_count)" -gt 0
udp_reset

# A plain sendto()/recvfrom() DNS client (python) through the proxy.
dns_try py "$conf" "${SX_UDP[@]}" dns "$SX_SERVER4" 53 --qname "$name"
sx_check "python DNS query gets $answer from $SX_SERVER4:53" \
    out_has py "^OK mode=dns from=$SX_SERVER4,53 answer=$answer\$"

# The BIND tools send with libuv, which may call sendmmsg() through
# syscall(2) (libuv < 1.45): the library must still wrap those datagrams.
dns_try dig "$conf" dig +short +time=2 +tries=1 "@$SX_SERVER4" "$name"
rc=$?
sx_check "dig exits 0 (got $rc)" test "$rc" -eq 0
sx_check "dig gets $answer" out_is dig "$answer"
sx_check "dig: no socksify: line" no_sx_line dig

dns_try dig.full "$conf" dig +time=2 +tries=1 "@$SX_SERVER4" "$name"
sx_check "dig reports the server it asked ($SX_SERVER4#53)" \
    out_has dig.full "^;; SERVER: $SX_SERVER4#53"

dns_try host "$conf" host -t A -W 2 -R 1 "$name" "$SX_SERVER4"
rc=$?
sx_check "host exits 0 (got $rc)" test "$rc" -eq 0
sx_check "host gets $answer" out_has host "^$name has address $answer\$"

dns_try nslookup "$conf" nslookup -type=A -timeout=2 -retry=1 \
    "$name" "$SX_SERVER4"
rc=$?
sx_check "nslookup exits 0 (got $rc)" test "$rc" -eq 0
sx_check "nslookup gets $answer" out_has nslookup "^Address: $answer\$"

# DNS over TCP is an ordinary proxied connection.
dns_try dig.tcp "$conf" dig +tcp +short +time=2 +tries=1 \
    "@$SX_SERVER4" "$name"
sx_check "dig +tcp gets $answer" out_is dig.tcp "$answer"

sx_check "dnsmasq got the queries from the proxy ($SX_PROXY_OUT4)" \
    dnsmasq_saw "$SX_PROXY_OUT4"
sx_check "dnsmasq never heard from the client ($SX_CLIENT4)" \
    sx_none dnsmasq_saw "$SX_CLIENT4"
sx_check "the queries went to the proxy's relay (udp_proxy > 0)" \
    test "$(udp_count udp_proxy)" -gt 0
sx_check "every UDP datagram that left went to the proxy" \
    test "$(udp_count udp)" -eq "$(udp_count udp_proxy)"
sx_check "dns counter (port 53 around the proxy) is 0" \
    test "$(dns_count)" -eq 0
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}" dnsmasq.log danted-noauth.log; do
		[ -e "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
