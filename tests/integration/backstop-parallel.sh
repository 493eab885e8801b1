#!/bin/bash
# SPDX-License-Identifier: MIT
# The backstop never waits for one call while others are pending: 50
# static-program GETs at once through a proxy 200 ms away (a relay that
# holds every chunk 100 ms each way in front of microsocks) finish in
# about the time of one, not fifty. And signals during handshakes: a
# thread sending SIGURG every millisecond (as Go's preemption does), with
# and without SA_RESTART, against the slow proxy, with WAIT_KILLABLE_RECV
# and without it (the supervisor's --no-wait-killable: the path of
# kernels before 5.19, where a signal cancels a notification we hold):
# every GET correct, no second handshake on a socket, nothing leaked.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks
sx_require_backstop
bc=$(sx_build_static backstop_client) || exit 99
start_http_many "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" 127.0.0.1
socks_port=$SX_LAST_PORT
delay_ms=100
start_delay_relay "$SX_NS_P" "$SX_PROXY4" 127.0.0.1 "$socks_port" "$delay_ms"
relay_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$relay_port" "timeout = 20"
export SOCKSIFY_CONF=$conf
SX_CLIENT_TIMEOUT=60

# ms TAG: the time a "parallel" run printed.
ms() { sed -n 's/^ok [0-9]* \([0-9]*\) ms$/\1/p' "$SX_TMP/$1.out"; }

leak_reset
sx_run "$bc" parallel 1 "$SX_SERVER4" "$http_port" >"$SX_TMP/one.out" \
    2>"$SX_TMP/one.err"
rc=$?
one=$(ms one)
sx_check "one GET through the slow proxy (got $rc, ${one:-?} ms)" \
    test "$rc" -eq 0 -a -n "$one"
sx_run "$bc" parallel 50 "$SX_SERVER4" "$http_port" >"$SX_TMP/fifty.out" \
    2>"$SX_TMP/fifty.err"
rc=$?
fifty=$(ms fifty)
sx_check "50 parallel GETs all succeed (got $rc, ${fifty:-?} ms)" \
    test "$rc" -eq 0 -a -n "$fifty"
if [ -n "$one" ] && [ -n "$fifty" ]; then
	sx_log "one GET: $one ms; 50 parallel GETs: $fifty ms"
	sx_check "50 parallel GETs take under 2x one ($fifty ms vs $one ms)" \
	    test "$fifty" -lt $((2 * one))
fi
l=$(leak_count)
sx_check "parallel: nothing around the proxy (leak $l)" test "$l" -eq 0

# Signal storms: 3 GETs each, through the slow proxy.
storm()
{
	local tag=$1
	shift
	leak_reset
	sx_client "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	rc=$?
	sx_check "$tag: every GET correct (got $rc: $(head -c 80 "$SX_TMP/$tag.out"))" \
	    grep -Eq '^ok 3 signals [1-9][0-9]*$' "$SX_TMP/$tag.out"
	l=$(leak_count)
	sx_check "$tag: nothing around the proxy (leak $l)" test "$l" -eq 0
}
gets_before=$(grep -c '"GET /file' "$SX_TMP/http.$SX_SERVER4.log")
storm storm-killable "$SX" "$bc" storm 3 "$SX_SERVER4" "$http_port"
storm storm-killable-eintr "$SX" "$bc" storm 3 "$SX_SERVER4" "$http_port" \
    norestart
storm storm-restart "$SX_SUPERVISE" --no-wait-killable -- \
    "$bc" storm 3 "$SX_SERVER4" "$http_port"
storm storm-eintr "$SX_SUPERVISE" --no-wait-killable -- \
    "$bc" storm 3 "$SX_SERVER4" "$http_port" norestart
sleep 0.3
gets=$(($(grep -c '"GET /file' "$SX_TMP/http.$SX_SERVER4.log") - gets_before))
sx_check "the server saw exactly 12 GETs, no garbage (got $gets)" \
    test "$gets" -eq 12
sx_check "the server answered no malformed request" \
    sx_not grep -q 'code 400' "$SX_TMP/http.$SX_SERVER4.log"

[ "$SX_FAILED" -eq 0 ] || {
	sx_show "fifty stderr" "$SX_TMP/fifty.err"
	for t in storm-killable storm-killable-eintr storm-restart storm-eintr; do
		sx_show "$t stderr" "$SX_TMP/$t.err"
	done
}
sx_done
