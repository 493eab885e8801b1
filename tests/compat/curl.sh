#!/bin/bash
# SPDX-License-Identifier: MIT
# curl through socksify, by IP and by a name only the proxy resolves:
#   curl-http      plain HTTP from python's http.server
#   curl-https-h2  HTTPS from nginx: certificate verified for the address or
#                  the name (SNI sent by name), HTTP/2 negotiated by ALPN
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup curl nginx openssl
if cx_san_hangs curl --version; then
	sx_skip "curl $CX_SAN_WHY"
fi

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
http_log=$(cx_http_log "$SX_SERVER4")
start_nginx_tls "$SX_NS_S" "$SX_SERVER4"
tls_port=$SX_LAST_PORT

cx_plain_fails "curl" curl -sS --max-time 3 -o /dev/null \
    "http://$SX_SERVER4:$http_port/file"

for mode in by-ip by-name; do
	host=$(cx_host "$mode")

	cx_begin curl-http "$mode"
	out=$SX_TMP/curl-http.$mode
	cx_diag "$out.err"
	cx_run curl -sS --max-time 8 -o "$out" \
	    "http://$host:$http_port/file" 2>"$out.err"
	rc=$?
	sx_check "curl-http $mode: exit 0 (got $rc)" test "$rc" -eq 0
	sx_check "curl-http $mode: content is exact" cmp -s "$SX_HTTP_FILE" "$out"
	cx_check_proxy "$http_port"
	cx_check_server "$http_log" \
	    "^$(cx_re "$SX_PROXY_OUT4") - .*\"GET /file HTTP"
	cx_end

	cx_begin curl-https-h2 "$mode"
	out=$SX_TMP/curl-https.$mode
	cx_diag "$out.err" "$SX_TMP/nginx.error.log"
	cx_run curl -sS --max-time 8 --http2 --cacert "$CX_CERT" \
	    -w '%{http_version}\n' -o "$out" \
	    "https://$host:$tls_port/file" >"$out.ver" 2>"$out.err"
	rc=$?
	sx_check "curl-https-h2 $mode: exit 0, certificate verified (got $rc)" \
	    test "$rc" -eq 0
	sx_check "curl-https-h2 $mode: content is exact" \
	    cmp -s "$SX_HTTP_FILE" "$out"
	sx_check "curl-https-h2 $mode: HTTP/2 (curl says $(cat "$out.ver"))" \
	    test "$(cat "$out.ver")" = 2
	cx_check_proxy "$tls_port"
	if [ "$mode" = by-name ]; then
		sni=$(cx_re "$CX_NAME")
	else
		sni=-	# no SNI for an address (RFC 6066); nginx logs "-"
	fi
	cx_check_server "$CX_NGINX_LOG" \
	    "^$(cx_re "$SX_PROXY_OUT4") \"GET /file HTTP/2.0\" 200 HTTP/2.0 sni=$sni\$"
	cx_end
done

cx_done
