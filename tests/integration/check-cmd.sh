#!/bin/bash
# SPDX-License-Identifier: MIT
# socksify --check against real servers: a good proxy says OK (exit 0); a
# wrong password (dante with username authentication), a dead proxy and a
# wrong port (the HTTP server instead of the proxy) each end in one clear
# FAIL line (exit 1); "--check HOST:PORT" to a closed port gives the SOCKS
# reply's reason.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks danted

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_http "$SX_NS_P" "$SX_PROXY4"	# "wrong port": a web server, not SOCKS
web_port=$SX_LAST_PORT
sx_allow_proxy "$SX_PROXY4" "$web_port"
start_banner "$SX_NS_P" "$SX_PROXY4"	# "wrong port": a server that talks first
talk_port=$SX_LAST_PORT
sx_allow_proxy "$SX_PROXY4" "$talk_port"
start_microsocks "$SX_NS_P" "$SX_PROXY4"
ms=$SX_PROXY4:$SX_LAST_PORT
start_danted "$SX_NS_P" "$SX_PROXY4" 1080
dante=$SX_PROXY4:$SX_LAST_PORT
sx_allow_proxy "$SX_PROXY4" 9		# nothing listens there
c=$SX_TMP
sx_conf "$c/good.conf" "proxy = socks5://$ms" "timeout = 3"
sx_conf "$c/auth.conf" \
    "proxy = socks5://$SX_DANTE_USER:$SX_DANTE_PASS@$dante" "timeout = 3"
sx_conf "$c/badpw.conf" \
    "proxy = socks5://$SX_DANTE_USER:wrong$SX_DANTE_PASS@$dante" \
    "timeout = 3"
sx_conf "$c/dead.conf" "proxy = socks5://$SX_PROXY4:9" "timeout = 3"
sx_conf "$c/wrongport.conf" "proxy = socks5://$SX_PROXY4:$web_port" \
    "timeout = 3"
sx_conf "$c/talker.conf" "proxy = socks5://$SX_PROXY4:$talk_port" \
    "timeout = 3"
leak_reset

# check TAG CONF [HOST:PORT]: socksify --check; rc, TAG.out (stdout and
# stderr together: the verdict must be clear whatever the stream).
check()
{
	local tag=$1 conf=$2
	shift 2
	sx_run -c "$c/$conf.conf" --check "$@" >"$c/$tag.out" 2>&1
	rc=$?
}
# last TAG: the last line of TAG.out.
last() { tail -n 1 "$c/$1.out"; }
# one_fail TAG ERE: exactly one FAIL line, the last, matching ERE.
# shellcheck disable=SC2317	# called through sx_check
one_fail()
{
	[ "$(grep -c '^FAIL' "$c/$1.out")" -eq 1 ] &&
	    last "$1" | grep -Eiq "^FAIL: .*$2"
}

check good good
sx_check "good proxy: exit 0 (got $rc)" test "$rc" -eq 0
sx_check "good proxy: last line is OK" test "$(last good)" = OK
sx_check "good proxy: the configuration is shown, with its source" \
    grep -q "socks5://$ms.*$c/good.conf" "$c/good.out"
check goodauth auth
sx_check "good password (dante): exit 0 (got $rc)" test "$rc" -eq 0
sx_check "good password: last line is OK" test "$(last goodauth)" = OK
sx_check "good password: the password is not printed" \
    sx_lacks "$c/goodauth.out" "$SX_DANTE_PASS" -F
check goodtarget good "$SX_SERVER4:$http_port"
sx_check "good proxy, --check to an open port: exit 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "good proxy, --check to an open port: OK" \
    test "$(last goodtarget)" = OK

check badpw badpw
sx_check "wrong password: exit 1 (got $rc)" test "$rc" -eq 1
sx_check "wrong password: one FAIL line, it mentions authentication" \
    one_fail badpw "authentication"
sx_check "wrong password: the password is not printed" \
    sx_lacks "$c/badpw.out" "$SX_DANTE_PASS" -F

check dead dead
sx_check "dead proxy: exit 1 (got $rc)" test "$rc" -eq 1
sx_check "dead proxy: one FAIL line, 'proxy unreachable'" \
    one_fail dead "proxy unreachable"

check wrongport wrongport
sx_check "wrong port (a web server): exit 1 (got $rc)" test "$rc" -eq 1
sx_check "wrong port: one FAIL line, 'not a SOCKS5 proxy'" \
    one_fail wrongport "not a SOCKS5 proxy"
check talker talker
sx_check "wrong port (a server that talks first): exit 1 (got $rc)" \
    test "$rc" -eq 1
sx_check "wrong port (talks first): one FAIL line, 'not a SOCKS5 proxy'" \
    one_fail talker "not a SOCKS5 proxy"

check closed good "$SX_SERVER4:9"
sx_check "--check to a closed port: exit 1 (got $rc)" test "$rc" -eq 1
sx_check "--check to a closed port: the proxy itself is fine" \
    grep -q '^proxy: .*reachable' "$c/closed.out"
sx_check "--check to a closed port: one FAIL line with the SOCKS reply" \
    one_fail closed "connection refused.*SOCKS reply 5"
check closedauth auth "$SX_SERVER4:9"
sx_check "--check through dante to a closed port: FAIL with a SOCKS reply" \
    one_fail closedauth "SOCKS reply [0-9]"

sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in good goodauth goodtarget badpw dead wrongport talker \
	    closed closedauth; do
		sx_show "$f.out" "$c/$f.out"
	done
}
sx_done
