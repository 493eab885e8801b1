#!/bin/bash
# SPDX-License-Identifier: MIT
# curl through socksify and microsocks fetches a file the client cannot reach
# directly; the server sees the proxy; nothing leaves the client around the
# proxy, also not once the proxy is gone (fail closed).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_pid=$SX_LAST_PID
proxy_port=$SX_LAST_PORT
url=http://$SX_SERVER4:$http_port/file
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"

# Without socksify the server is out of reach.
sx_client curl -sS --max-time 5 -o /dev/null "$url" 2>"$SX_TMP/plain.err"
rc=$?
sx_check "plain curl fails in the client namespace (curl exit $rc)" \
    test "$rc" -ne 0
sx_check "plain curl was seen and rejected by the leak counter" \
    test "$(leak_count)" -gt 0
leak_reset

# Through socksify.
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/got" "$url" \
    2>"$SX_TMP/ok.err"
rc=$?
sx_check "socksify curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "file content is exact" cmp -s "$SX_HTTP_FILE" "$SX_TMP/got"
sx_check "no socksify line on success at the default log level" \
    sx_no_line "$SX_TMP/ok.err"
sx_check "server saw the connection from the proxy ($SX_PROXY_OUT4)" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
sx_check "server saw no connection from the client" \
    sx_none http_saw "$SX_SERVER4" "$SX_CLIENT4"
sx_check "proxy given by SOCKSIFY_PROXY works too" \
    env SOCKSIFY_PROXY="socks5://$SX_PROXY4:$proxy_port" \
    ip netns exec "$SX_NS_C" timeout "$SX_CLIENT_TIMEOUT" "$SX" \
    curl -sS --max-time 8 -o /dev/null "$url"
sx_check "leak counter is 0 after proxied fetches" test "$(leak_count)" -eq 0
sx_check "no DNS packets" test "$(dns_count)" -eq 0

# Proxy gone: fail closed, with a diagnostic, nothing sent elsewhere.
sx_stop "$proxy_pid"
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/got2" "$url" \
    2>"$SX_TMP/dead.err"
rc=$?
sx_check "proxy down: curl fails to connect (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "proxy down: stderr has a socksify: line" \
    sx_has_line "$SX_TMP/dead.err"
sx_check "proxy down: leak counter still 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	sx_show "stderr, proxied fetch" "$SX_TMP/ok.err"
	sx_show "stderr, proxy down" "$SX_TMP/dead.err"
	sx_show "http log" "$SX_TMP/http.$SX_SERVER4.log"
}
sx_done
