#!/bin/bash
# SPDX-License-Identifier: MIT
# Python through socksify: a blocking socket.create_connection client and an
# asyncio client (non-blocking connect + poll + SO_ERROR) both fetch the file.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"

# Python alone cannot get there (proves the fetches below are proxied).
sx_client "${SX_PY[@]}" connect "$SX_SERVER4" "$http_port" >"$SX_TMP/plain"
sx_check "plain python connect fails" grep -q '^ERR ' "$SX_TMP/plain"
leak_reset

for mode in get aget; do
	sx_run -c "$conf" "${SX_PY[@]}" "$mode" "$SX_SERVER4" "$http_port" \
	    -o "$SX_TMP/got.$mode" >"$SX_TMP/out.$mode" 2>"$SX_TMP/err.$mode"
	rc=$?
	sx_check "$mode: exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$mode: file content is exact" \
	    cmp -s "$SX_HTTP_FILE" "$SX_TMP/got.$mode"
	# getpeername() on a proxied socket: the destination asked for,
	# not the proxy.
	sx_check "$mode: getpeername() is the server ($SX_SERVER4,$http_port)" \
	    grep -q "^OK peer=$SX_SERVER4,$http_port " "$SX_TMP/out.$mode"
done
# getsockname() stays the socket's own local address (in the client ns):
# microsocks names no address in its CONNECT reply (with a proxy that does,
# dante, it is the proxy's: bind.sh, bind-ftp.sh).
sx_run -c "$conf" "$SX_PYTHON" -c "
import socket
s = socket.create_connection(('$SX_SERVER4', $http_port), timeout=5)
print(s.getsockname()[0], s.getpeername()[0])" >"$SX_TMP/names" 2>&1
sx_check "getsockname() is the client's address, getpeername() the server's" \
    grep -qx "$SX_CLIENT4 $SX_SERVER4" "$SX_TMP/names"

sx_check "server saw the proxy ($SX_PROXY_OUT4) twice" \
    test "$(grep -c "^$SX_PROXY_OUT4 - .*\"GET /file" \
    "$SX_TMP/http.$SX_SERVER4.log")" -eq 2
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in plain out.get err.get out.aget err.aget names; do
		sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
