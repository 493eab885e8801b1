#!/bin/bash
# SPDX-License-Identifier: MIT
# GNU wget through socksify, by IP and by a name only the proxy resolves:
#   wget-http   plain HTTP from python's http.server
#   wget-https  HTTPS from nginx, certificate verified (SNI sent by name)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup wget nginx openssl

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
http_log=$(cx_http_log "$SX_SERVER4")
start_nginx_tls "$SX_NS_S" "$SX_SERVER4"
tls_port=$SX_LAST_PORT

# --no-config: no /etc/wgetrc (a proxy setting there would change the test).
wget_opts=(--no-config -q -t 1 -T 8)

cx_plain_fails "wget" wget "${wget_opts[@]}" -T 3 -O /dev/null \
    "http://$SX_SERVER4:$http_port/file"

for mode in by-ip by-name; do
	host=$(cx_host "$mode")

	cx_begin wget-http "$mode"
	out=$SX_TMP/wget-http.$mode
	cx_diag "$out.err"
	cx_run wget "${wget_opts[@]}" -O "$out" \
	    "http://$host:$http_port/file" 2>"$out.err"
	rc=$?
	sx_check "wget-http $mode: exit 0 (got $rc)" test "$rc" -eq 0
	sx_check "wget-http $mode: content is exact" cmp -s "$SX_HTTP_FILE" "$out"
	cx_check_proxy "$http_port"
	cx_check_server "$http_log" \
	    "^$(cx_re "$SX_PROXY_OUT4") - .*\"GET /file HTTP"
	cx_end

	cx_begin wget-https "$mode"
	out=$SX_TMP/wget-https.$mode
	cx_diag "$out.err" "$SX_TMP/nginx.error.log"
	cx_run wget "${wget_opts[@]}" --ca-certificate="$CX_CERT" -O "$out" \
	    "https://$host:$tls_port/file" 2>"$out.err"
	rc=$?
	sx_check "wget-https $mode: exit 0, certificate verified (got $rc)" \
	    test "$rc" -eq 0
	sx_check "wget-https $mode: content is exact" \
	    cmp -s "$SX_HTTP_FILE" "$out"
	cx_check_proxy "$tls_port"
	if [ "$mode" = by-name ]; then
		sni=$(cx_re "$CX_NAME")
	else
		sni=-	# no SNI for an address (RFC 6066); nginx logs "-"
	fi
	cx_check_server "$CX_NGINX_LOG" \
	    "^$(cx_re "$SX_PROXY_OUT4") \"GET /file HTTP/1\\.1\" 200 HTTP/1\\.1 sni=$sni\$"
	cx_end
done

cx_done
