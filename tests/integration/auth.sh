#!/bin/bash
# SPDX-License-Identifier: MIT
# Username/password authentication (RFC 1929) against dante-server: the right
# password works, a wrong one fails closed with EACCES and says why.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl danted

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_danted "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
url=http://$SX_SERVER4:$http_port/file
good=$SX_TMP/good.conf
bad=$SX_TMP/bad.conf
none=$SX_TMP/none.conf
at=$SX_PROXY4:$proxy_port
sx_conf "$good" "proxy = socks5://$SX_DANTE_USER:$SX_DANTE_PASS@$at" \
    "timeout = 5"
sx_conf "$bad" "proxy = socks5://$SX_DANTE_USER:wrong$SX_DANTE_PASS@$at" \
    "timeout = 5"
sx_conf "$none" "proxy = socks5://$at" "timeout = 5"

# Right password.
sx_run -c "$good" curl -sS --max-time 8 -o "$SX_TMP/got" "$url" \
    2>"$SX_TMP/good.err"
rc=$?
sx_check "right password: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "right password: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/got"
sx_check "right password: server saw the proxy ($SX_PROXY_OUT4)" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
sx_run -c "$good" "${SX_PY[@]}" get "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/good.py" 2>&1
sx_check "right password: python fetch works" \
    grep -q '^OK ' "$SX_TMP/good.py"

# Wrong password.
sx_run -c "$bad" curl -sS --max-time 8 -o /dev/null "$url" \
    2>"$SX_TMP/bad.err"
rc=$?
sx_check "wrong password: curl fails to connect (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "wrong password: a socksify: line mentions authentication" \
    sx_has_line "$SX_TMP/bad.err" "auth"
sx_run -c "$bad" "${SX_PY[@]}" connect "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/bad.py" 2>"$SX_TMP/bad.py.err"
sx_check "wrong password: python gets PermissionError (EACCES)" \
    grep -q '^ERR PermissionError EACCES ' "$SX_TMP/bad.py"
sx_run -c "$bad" "${SX_PY[@]}" aconnect "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/bad.apy" 2>"$SX_TMP/bad.apy.err"
sx_check "wrong password: asyncio gets PermissionError (EACCES)" \
    grep -q '^ERR PermissionError EACCES ' "$SX_TMP/bad.apy"

# No credentials for a proxy that insists on them.
sx_run -c "$none" curl -sS --max-time 8 -o /dev/null "$url" \
    2>"$SX_TMP/none.err"
rc=$?
sx_check "no credentials: curl fails to connect (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "no credentials: stderr has a socksify: line" \
    sx_has_line "$SX_TMP/none.err"

sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in good.err good.py bad.err bad.py bad.py.err bad.apy \
	    bad.apy.err none.err danted.log; do
		[ -e "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
