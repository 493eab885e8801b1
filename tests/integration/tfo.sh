#!/bin/bash
# SPDX-License-Identifier: MIT
# TCP Fast Open through the proxy (microsocks): curl --tcp-fastopen fetches
# the file, and a python client that sends its request with
# sendto(MSG_FASTOPEN) on an unconnected TCP socket gets the response.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5"
url=http://$SX_SERVER4:$http_port/file
SHOW=()

# shellcheck disable=SC2317	# called through sx_check
out_has() { grep -Eq -- "$2" "$SX_TMP/$1"; }

# Without socksify the python TFO client cannot get there.
SHOW+=(plain.out)
sx_client "${SX_UDP[@]}" tfo "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/plain.out" 2>&1
sx_check "without socksify: sendto(MSG_FASTOPEN) fails" \
    out_has plain.out '^ERR '
leak_reset

SHOW+=(curl.err)
sx_run -c "$conf" curl -sS --tcp-fastopen --max-time 8 -o "$SX_TMP/got.curl" \
    "$url" 2>"$SX_TMP/curl.err"
rc=$?
sx_check "curl --tcp-fastopen exits 0 (got $rc)" test "$rc" -eq 0
sx_check "curl --tcp-fastopen: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/got.curl"

SHOW+=(py.out py.err)
sx_run -c "$conf" "${SX_UDP[@]}" tfo "$SX_SERVER4" "$http_port" \
    -o "$SX_TMP/got.py" >"$SX_TMP/py.out" 2>"$SX_TMP/py.err"
rc=$?
sx_check "python sendto(MSG_FASTOPEN) exits 0 (got $rc)" test "$rc" -eq 0
sx_check "python sendto(MSG_FASTOPEN): peer is $SX_SERVER4:$http_port" \
    out_has py.out "^OK mode=tfo peer=$SX_SERVER4,$http_port "
sx_check "python sendto(MSG_FASTOPEN): file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/got.py"
sx_check "python sendto(MSG_FASTOPEN): no socksify: line" \
    sx_no_line "$SX_TMP/py.err"

sx_check "server saw the proxy ($SX_PROXY_OUT4) twice" \
    test "$(grep -c "^$SX_PROXY_OUT4 - .*\"GET /file" \
    "$SX_TMP/http.$SX_SERVER4.log")" -eq 2
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}" "microsocks.$SX_PROXY4.log"; do
		[ -e "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
