#!/bin/bash
# SPDX-License-Identifier: MIT
# What stays direct: loopback always (works with the proxy down), and the
# networks listed in "local =" (the packet leaves the client on its own, so
# the client's nft counter sees it and the proxy never does).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks

# 1. Loopback with the proxy down (nothing listens at its address).
sx_allow_proxy "$SX_PROXY4" 1080
dead=$SX_TMP/dead.conf
sx_conf "$dead" "proxy = socks5://$SX_PROXY4:1080" "timeout = 2"
declare -A lo_port
for lo in 127.0.0.1 ::1; do
	start_http "$SX_NS_C" "$lo"
	lo_port[$lo]=$SX_LAST_PORT
done
leak_reset	# http.server looked up its own name (getfqdn): DNS packets
for lo in 127.0.0.1 ::1; do
	port=${lo_port[$lo]}
	host=$lo
	rm -f "$SX_TMP/lo.got"
	case $lo in *:*) host="[$lo]" ;; esac
	sx_run -c "$dead" curl -gsS --max-time 5 -o "$SX_TMP/lo.got" \
	    "http://$host:$port/file" 2>"$SX_TMP/lo.err"
	rc=$?
	sx_check "$lo: curl exits 0 with the proxy down (got $rc)" \
	    test "$rc" -eq 0
	sx_check "$lo: file content is exact" \
	    cmp -s "$SX_HTTP_FILE" "$SX_TMP/lo.got"
	sx_check "$lo: no socksify line" sx_no_line "$SX_TMP/lo.err"
	sx_run -c "$dead" "${SX_PY[@]}" aget "$lo" "$port" >"$SX_TMP/lo.py" \
	    2>&1
	sx_check "$lo: asyncio fetch works with the proxy down" \
	    grep -q '^OK ' "$SX_TMP/lo.py"
	sx_check "$lo: the server saw the client itself" http_saw "$lo" "$lo"
done
sx_check "loopback: leak counter is 0" test "$(leak_count)" -eq 0

# 2. "local =" a network: direct, although the proxy is up and could reach
# the server. Control first: without the rule the same connect is proxied.
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy=socks5://$SX_PROXY4:$SX_LAST_PORT
via=$SX_TMP/via.conf
direct=$SX_TMP/direct.conf
sx_conf "$via" "proxy = $proxy" "timeout = 2" "log_level = info"
sx_conf "$direct" "proxy = $proxy" "timeout = 2" "log_level = info" \
    "local = 192.0.2.0/24, 10.$SX_X.2.0/24"

leak_reset
sx_run -c "$via" "${SX_PY[@]}" get "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/via.out" 2>"$SX_TMP/via.err"
sx_check "control: fetch via the proxy works" grep -q '^OK ' "$SX_TMP/via.out"
sx_check "control: info level logs the proxied connection" \
    sx_has_line "$SX_TMP/via.err" "$SX_SERVER4"
sx_check "control: leak counter is 0" test "$(leak_count)" -eq 0

sx_run -c "$direct" "${SX_PY[@]}" get "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/direct.out" 2>"$SX_TMP/direct.err"
sx_check "local: fetch fails (no way around the proxy)" \
    grep -q '^ERR ' "$SX_TMP/direct.out"
sx_check "local: the SYN left the client directly (leak counter > 0)" \
    test "$(leak_count)" -gt 0
sx_check "local: no socksify line names the proxy" \
    sx_no_line "$SX_TMP/direct.err" "$SX_PROXY4"
sx_check "server saw one GET, the control one, from the proxy" \
    test "$(grep -c '"GET ' "$SX_TMP/http.$SX_SERVER4.log")" -eq 1 -a \
    "$(grep -c "^$SX_PROXY_OUT4 - " "$SX_TMP/http.$SX_SERVER4.log")" -eq 1

[ "$SX_FAILED" -eq 0 ] || {
	for f in lo.err lo.py via.out via.err direct.out direct.err; do
		sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
