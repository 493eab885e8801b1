#!/bin/bash
# SPDX-License-Identifier: MIT
# Upstream kinds against real servers: dante-server speaking SOCKS4 (by
# address; dante has no SOCKS4a), OpenSSH's "ssh -D" speaking SOCKS4a (by a
# name only the proxy knows), tinyproxy speaking HTTP CONNECT with Basic
# authentication (right, wrong, missing). Data is intact after the tunnel is
# set up, also for a server that speaks first: the bytes right behind the
# proxy's answer reach the program.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl danted tinyproxy sshd ssh
sx_dns_setup

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_banner "$SX_NS_S" "$SX_SERVER4"
banner_port=$SX_LAST_PORT
other_port=9				# a port tinyproxy does not allow
start_dante_on s4 "$SX_NS_P" "$SX_PROXY4" 1080 "$SX_PROXY_OUT4"
sx_allow_proxy "$SX_PROXY4" "$SX_LAST_PORT"
s4=$SX_PROXY4:$SX_LAST_PORT
start_ssh_socks "$SX_NS_P" "$SX_PROXY4" 1081
sshd=$SX_PROXY4:$SX_LAST_PORT
tp_user=sxu$$
tp_pass=pw$RANDOM$RANDOM
start_tinyproxy "$SX_NS_P" "$SX_PROXY4" 3128 "$tp_user" "$tp_pass" \
    "$http_port" "$banner_port"
tp=$SX_PROXY4:$SX_LAST_PORT
start_glued_http_proxy "$SX_NS_P" "$SX_PROXY4"
glued=$SX_PROXY4:$SX_LAST_PORT
name=$SX_DNS_NAME
leak_reset

# conf NAME PROXY-URL: $SX_TMP/NAME.conf with that proxy.
conf() { sx_conf "$SX_TMP/$1.conf" "proxy = $2" "timeout = 5"; }
conf socks4 "socks4://$s4"
conf socks4a "socks4a://$sshd"
conf socks5h "socks5h://$s4"
conf http "http://$tp_user:$tp_pass@$tp"
conf httpbad "http://$tp_user:wrong$tp_pass@$tp"
conf httpnone "http://$tp"
conf glued "http://$glued"

# fetch CONF HOST TAG: curl http://HOST:$http_port/file through socksify;
# sets rc, output in $SX_TMP/TAG.got, stderr in $SX_TMP/TAG.err.
fetch()
{
	sx_run -c "$SX_TMP/$1.conf" curl -sS --max-time 8 \
	    -o "$SX_TMP/$3.got" "http://$2:$http_port/file" 2>"$SX_TMP/$3.err"
	rc=$?
}

# banner CONF HOST TAG: the server-speaks-first exchange; output TAG.ban.
banner()
{
	sx_run -c "$SX_TMP/$1.conf" "$SX_PYTHON" -c "$SX_BANNER_CLIENT" \
	    "$2" "$banner_port" >"$SX_TMP/$3.ban" 2>"$SX_TMP/$3.ban.err"
}
# shellcheck disable=SC2317	# called through sx_check
banner_ok()
{
	grep -qx "OK BANNER $banner_port|ECHO hello socksify" "$SX_TMP/$1.ban"
}

# --- SOCKS4 (dante) ---------------------------------------------------------
fetch socks4 "$SX_SERVER4" s4ip
sx_check "socks4:// by address: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "socks4:// by address: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/s4ip.got"
sx_check "socks4:// by address: server saw the proxy ($SX_PROXY_OUT4)" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
sx_check "socks4:// by address: dante logged the connection" \
    dante_saw s4 "$SX_CLIENT4\.[0-9]+ .*-> .*$SX_SERVER4\.$http_port"
sx_run -c "$SX_TMP/socks4.conf" "${SX_PY[@]}" get "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/s4ip.py" 2>&1
sx_check "socks4:// by address: python fetch works" \
    grep -q '^OK ' "$SX_TMP/s4ip.py"
banner socks4 "$SX_SERVER4" s4
sx_check "socks4://: a server that speaks first is heard" banner_ok s4

fetch socks4a "$name" s4a
sx_check "socks4a:// by name: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "socks4a:// by name: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/s4a.got"
sx_check "socks4a:// by name: ssh -D was asked for $name" \
    ssh_socks_saw "$name" "$http_port"
sx_run -c "$SX_TMP/socks4a.conf" "${SX_PY[@]}" get "$name" "$http_port" \
    >"$SX_TMP/s4a.py" 2>&1
sx_check "socks4a:// by name: python fetch works" \
    grep -q '^OK ' "$SX_TMP/s4a.py"
banner socks4a "$name" s4a
sx_check "socks4a:// by name: a server that speaks first is heard" \
    banner_ok s4a

fetch socks4 "$name" s4name
sx_check "socks4:// by name fails to connect (curl exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "socks4:// by name: a socksify: line mentions socks4a" \
    sx_has_line "$SX_TMP/s4name.err" "socks4a"
sx_run -c "$SX_TMP/socks4.conf" "${SX_PY[@]}" connect "$name" "$http_port" \
    >"$SX_TMP/s4name.py" 2>/dev/null
sx_check "socks4:// by name: python gets an OSError from connect()" \
    grep -q '^ERR .*Error E' "$SX_TMP/s4name.py"

fetch socks5h "$name" s5h
sx_check "socks5h:// by name (dante): curl exits 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "socks5h:// by name: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/s5h.got"

# --- HTTP CONNECT (tinyproxy) ----------------------------------------------
fetch http "$SX_SERVER4" hip
sx_check "http:// by address: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "http:// by address: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/hip.got"
sx_check "http:// by address: tinyproxy logged the CONNECT" \
    grep -q "CONNECT $SX_SERVER4:$http_port" "$SX_TMP/tinyproxy.log"
fetch http "$name" hname
sx_check "http:// by name: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "http:// by name: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/hname.got"
sx_check "http:// by name: tinyproxy was asked for $name" \
    grep -q "CONNECT $name:$http_port" "$SX_TMP/tinyproxy.log"
sx_run -c "$SX_TMP/http.conf" "${SX_PY[@]}" aget "$name" "$http_port" \
    >"$SX_TMP/hname.apy" 2>&1
sx_check "http:// by name: asyncio fetch works" \
    grep -q '^OK ' "$SX_TMP/hname.apy"
banner http "$SX_SERVER4" hip
sx_check "http:// by address: a server that speaks first is heard" \
    banner_ok hip
banner http "$name" hname
sx_check "http:// by name: a server that speaks first is heard" \
    banner_ok hname
sx_run -c "$SX_TMP/glued.conf" "$SX_PYTHON" -c "$SX_BANNER_CLIENT" \
    "$SX_SERVER4" "$banner_port" >"$SX_TMP/glued.ban" 2>"$SX_TMP/glued.err"
sx_check "http://: bytes in the same segment as the CONNECT answer arrive" \
    grep -qx "OK BANNER glued|ECHO hello socksify" "$SX_TMP/glued.ban"

fetch httpbad "$SX_SERVER4" hbad
sx_check "http:// wrong password: curl fails to connect (exit 7, got $rc)" \
    test "$rc" -eq 7
# tinyproxy answers 407 without credentials but 401 to wrong ones.
sx_check "http:// wrong password: a socksify: line gives 401/407 and says why" \
    sx_has_line "$SX_TMP/hbad.err" "40[17] .*wrong user or password"
sx_check "http:// wrong password: the password is not printed" \
    sx_lacks "$SX_TMP/hbad.err" "$tp_pass" -F
sx_run -c "$SX_TMP/httpbad.conf" "${SX_PY[@]}" connect "$SX_SERVER4" \
    "$http_port" >"$SX_TMP/hbad.py" 2>/dev/null
sx_check "http:// wrong password: python gets PermissionError (EACCES)" \
    grep -q '^ERR PermissionError EACCES ' "$SX_TMP/hbad.py"
fetch httpnone "$SX_SERVER4" hnone
sx_check "http:// no credentials: curl fails to connect (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "http:// no credentials: a socksify: line mentions 407" \
    sx_has_line "$SX_TMP/hnone.err" "407"
sx_run -c "$SX_TMP/http.conf" curl -sS --max-time 8 -o /dev/null \
    "http://$SX_SERVER4:$other_port/file" 2>"$SX_TMP/hport.err"
rc=$?
sx_check "http:// CONNECT to a port tinyproxy refuses fails (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "http:// refused port: a socksify: line gives the HTTP status" \
    sx_has_line "$SX_TMP/hport.err" "HTTP proxy answered [0-9]{3}"

# --- socksify --check with these kinds ------------------------------------
sx_run -c "$SX_TMP/http.conf" --check >"$SX_TMP/chk-http.out" 2>&1
rc=$?
sx_check "--check, http:// right password: OK, exit 0 (got $rc)" \
    test "$rc/$(tail -n 1 "$SX_TMP/chk-http.out")" = 0/OK
sx_run -c "$SX_TMP/httpbad.conf" --check >"$SX_TMP/chk-httpbad.out" 2>&1
rc=$?
sx_check "--check, http:// wrong password: exit 1 (got $rc)" test "$rc" -eq 1
sx_check "--check, http:// wrong password: last line FAIL with 401/407" \
    grep -Eq '^FAIL: .*40[17]' <(tail -n 1 "$SX_TMP/chk-httpbad.out")
sx_run -c "$SX_TMP/httpbad.conf" --check "$SX_SERVER4:$http_port" \
    >"$SX_TMP/chk-httpbad2.out" 2>&1
rc=$?
sx_check "--check HOST:PORT, http:// wrong password: exit 1 (got $rc)" \
    test "$rc" -eq 1
sx_allow_proxy "$SX_PROXY4" 9		# nothing listens there
for k in http socks4; do
	sx_conf "$SX_TMP/dead-$k.conf" "proxy = $k://$SX_PROXY4:9" "timeout = 5"
	sx_run -c "$SX_TMP/dead-$k.conf" --check >"$SX_TMP/chk-dead-$k.out" 2>&1
	rc=$?
	sx_check "--check, dead $k:// proxy: exit 1 (got $rc)" test "$rc" -eq 1
	sx_check "--check, dead $k:// proxy: last line FAIL, proxy unreachable" \
	    grep -q '^FAIL: .*proxy unreachable' \
	    <(tail -n 1 "$SX_TMP/chk-dead-$k.out")
done
sx_run -c "$SX_TMP/socks4.conf" --check "$SX_SERVER4:$http_port" \
    >"$SX_TMP/chk-s4.out" 2>&1
rc=$?
sx_check "--check HOST:PORT, socks4:// (dante): OK, exit 0 (got $rc)" \
    test "$rc/$(tail -n 1 "$SX_TMP/chk-s4.out")" = 0/OK

sx_check "leak counter is 0" test "$(leak_count)" -eq 0
sx_check "no DNS packets" test "$(dns_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in s4ip.err s4ip.py s4.ban s4.ban.err s4a.err s4a.py s4a.ban \
	    s4name.err s4name.py s5h.err hip.err hname.err hname.apy hip.ban \
	    hname.ban glued.ban glued.err hbad.err hbad.py hnone.err \
	    hport.err chk-http.out chk-httpbad.out chk-httpbad2.out \
	    chk-s4.out chk-dead-http.out chk-dead-socks4.out dante-s4.log tinyproxy.log tinyproxy.out; do
		[ -e "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
