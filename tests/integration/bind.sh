#!/bin/bash
# SPDX-License-Identifier: MIT
# Listeners through the proxy (SOCKS5 BIND) with real programs: a Python
# program with a proxied connection binds, listens and accepts one
# connection from a client in the server namespace that connects to the
# address getsockname() reported (bytes both ways exact, getpeername() of
# the accepted socket is that client), blocking, and non-blocking (EAGAIN
# first, then readiness for poll and epoll), and through a chain (HTTP,
# then dante: the last hop listens); an HTTP or SOCKS4 last hop and a
# proxy that closes the BIND connection are clean errors (EOPNOTSUPP from
# listen() and getsockname(), ECONNABORTED from accept()); local servers stay
# local: python3 -m http.server under socksify serves a client on
# loopback, and so does a listener on a port the program chose while it
# has a proxied connection. Nothing leaves the client around the proxy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl danted tinyproxy
BP=("$SX_PYTHON" "$SX_HELPERS/bindpeer.py")
start_danted_noauth "$SX_NS_P" "$SX_PROXY4" 1081
dante_port=$SX_LAST_PORT
sx_bg_listen bindpeer "$SX_NS_S" "$SX_TMP/peer.log" "${BP[@]}" server \
    "$SX_SERVER4"
peer_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$dante_port" "timeout = 5" \
    "log_level = info"
leak_reset

# --- accept through the proxy ------------------------------------------
for mode in blocking nonblock; do
	args=()
	[ "$mode" = nonblock ] && args=(--nonblock --unbound)
	before=$(grep -c '^call ' "$SX_TMP/peer.log")
	sx_run -c "$conf" "${BP[@]}" accept "$SX_SERVER4" "$peer_port" \
	    "${args[@]}" >"$SX_TMP/$mode.out" 2>"$SX_TMP/$mode.err"
	rc=$?
	out=$SX_TMP/$mode.out
	sx_check "$mode: exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$mode: getsockname() is the proxy's ($SX_PROXY_OUT4)" \
	    grep -Eq "^BND $SX_PROXY_OUT4 [0-9]+$" "$out"
	bnd_port=$(sed -n 's/^BND [^ ]* \([0-9]*\)$/\1/p' "$out")
	sx_check "$mode: the server was called at that address" \
	    grep -q "^call $SX_PROXY_OUT4 $bnd_port from $SX_SERVER4 " \
	    "$SX_TMP/peer.log"
	from_port=$(sed -n "s/^call $SX_PROXY_OUT4 $bnd_port from $SX_SERVER4 \([0-9]*\)$/\1/p" \
	    "$SX_TMP/peer.log")
	sx_check "$mode: accept()/getpeername() name the calling client" \
	    grep -qx "PEER $SX_SERVER4 ${from_port:-none}" "$out"
	sx_check "$mode: pattern A arrived whole, B went back whole" \
	    test "$(grep -c '^B ok$' "$SX_TMP/peer.log")" -eq \
	    $((before + 1))
	sx_check "$mode: the program says OK" grep -qx OK "$out"
	if [ "$mode" = nonblock ]; then
		sx_check "nonblock: EAGAIN, then readable for poll and epoll" \
		    test "$(grep -cx -e EAGAIN -e POLLIN -e EPOLLIN "$out")" \
		    -eq 3
	fi
done
sx_check "dante relayed both (bindreply from $SX_SERVER4)" \
    test "$(grep -c "tcp/bindreply \[: $SX_SERVER4\." \
    "$SX_TMP/danted-noauth.log")" -eq 2
sx_check "leak counter is 0 after the accepts" test "$(leak_count)" -eq 0

# --- a proxy that closes the BIND connection ----------------------------
# Connection 0 is the program's proxied connection (echo), 1 its BIND.
start_fault_peer "$SX_NS_P" "$SX_PROXY4" ok,bind-close -d 300
fp_port=$SX_LAST_PORT
fpconf=$SX_TMP/fault.conf
sx_conf "$fpconf" "proxy = socks5://$SX_PROXY4:$fp_port" "timeout = 5"
sx_run -c "$fpconf" "${BP[@]}" aborted "$SX_SERVER4" 7 \
    >"$SX_TMP/aborted.out" 2>"$SX_TMP/aborted.err"
rc=$?
sx_check "closed BIND: exits 0 (got $rc)" test "$rc" -eq 0
sx_check "closed BIND: accept() fails with ECONNABORTED" \
    grep -qx ECONNABORTED "$SX_TMP/aborted.out"
sx_check "closed BIND: socksify's one line" \
    sx_has_line "$SX_TMP/aborted.err" \
    "bind for $SX_SERVER4:7 via .*: proxy closed the connection"

# --- chains and last hops -------------------------------------------------
# Through a chain (HTTP CONNECT, then dante) the BIND goes to the last hop;
# an HTTP or a SOCKS4 last hop cannot BIND: EOPNOTSUPP and one line.
start_tinyproxy "$SX_NS_P" "$SX_PROXY4" 3128 "" "" "$dante_port" "$peer_port"
tp=$SX_PROXY4:$SX_LAST_PORT
start_dante_on s4 "$SX_NS_P" "$SX_PROXY4" 1082 "$SX_PROXY_OUT4"
sx_allow_proxy "$SX_PROXY4" "$SX_LAST_PORT"
s4=$SX_PROXY4:$SX_LAST_PORT
sx_conf "$SX_TMP/chain.conf" "chain = http://$tp" \
    "proxy = socks5://$SX_PROXY4:$dante_port" "timeout = 5" "log_level = info"
sx_conf "$SX_TMP/http.conf" "proxy = http://$tp" "timeout = 5"
sx_conf "$SX_TMP/s4.conf" "proxy = socks4://$s4" "timeout = 5"
sx_run -c "$SX_TMP/chain.conf" "${BP[@]}" accept "$SX_SERVER4" "$peer_port" \
    >"$SX_TMP/chain.out" 2>"$SX_TMP/chain.err"
rc=$?
sx_check "chain: exits 0 (got $rc)" test "$rc" -eq 0
sx_check "chain: getsockname() is the last hop's ($SX_PROXY_OUT4)" \
    grep -Eq "^BND $SX_PROXY_OUT4 [0-9]+$" "$SX_TMP/chain.out"
sx_check "chain: the connection came through, bytes exact" \
    grep -qx OK "$SX_TMP/chain.out"
sx_check "chain: the BIND went to the last hop" \
    sx_has_line "$SX_TMP/chain.err" \
    "listen: the proxy listens on .*via $SX_PROXY4:$dante_port\)"
for last in http s4; do
	sx_run -c "$SX_TMP/$last.conf" "${BP[@]}" refused "$SX_SERVER4" \
	    "$peer_port" >"$SX_TMP/$last.out" 2>"$SX_TMP/$last.err"
	rc=$?
	sx_check "$last last hop: exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$last last hop: listen() and getsockname() EOPNOTSUPP" \
	    test "$(grep -c '^EOPNOTSUPP ' "$SX_TMP/$last.out")" -eq 2
done
sx_check "http last hop: one line" sx_has_line "$SX_TMP/http.err" \
    "bind for $SX_SERVER4:$peer_port via $tp: HTTP proxies cannot accept connections for us \(BIND\)"
sx_check "socks4 last hop: one line" sx_has_line "$SX_TMP/s4.err" \
    "bind for $SX_SERVER4:$peer_port via $s4: SOCKS4 proxies cannot accept connections for us \(BIND\)"
sx_check "leak counter is 0 after the chains" test "$(leak_count)" -eq 0

# --- local servers stay local ---------------------------------------------
# http.server under socksify (no proxied connection), port chosen by the
# kernel; a plain curl on loopback fetches from it.
mkdir -p "$SX_TMP/www" && echo "served locally" >"$SX_TMP/www/index.txt"
sx_bg_listen "http.server under socksify" "$SX_NS_C" "$SX_TMP/local.log" \
    "$SX" -c "$conf" "$SX_PYTHON" -u -m http.server --bind 0.0.0.0 \
    --directory "$SX_TMP/www" 0
local_port=$SX_LAST_PORT
sx_client curl -sS --max-time 5 -o "$SX_TMP/local.got" \
    "http://127.0.0.1:$local_port/index.txt" 2>"$SX_TMP/local.curl"
rc=$?
sx_check "http.server under socksify serves loopback (got $rc)" \
    test "$rc" -eq 0
sx_check "http.server: the content is exact" \
    grep -qx "served locally" "$SX_TMP/local.got"
sx_check "http.server: it saw the loopback client" \
    grep -q '^127.0.0.1 - .*"GET /index.txt' "$SX_TMP/local.log"

# With a proxied connection open: a listener on a port the program chose
# (wildcard) and one on 127.0.0.1:0 both stay local.
sx_run -c "$conf" "$SX_PYTHON" -c '
import socket, sys
ctl = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
probe = socket.socket()
probe.bind(("0.0.0.0", 0))
port = probe.getsockname()[1]
probe.close()
for addr in (("0.0.0.0", port), ("127.0.0.1", 0)):
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(addr)
	s.listen(1)
	me = s.getsockname()
	c = socket.create_connection(("127.0.0.1", me[1]), timeout=5)
	a, peer = s.accept()
	c.sendall(b"ping")
	print(me[0], "ok" if a.recv(4) == b"ping" else "bad", peer[0])
' "$SX_SERVER4" "$peer_port" >"$SX_TMP/keep.out" 2>"$SX_TMP/keep.err"
rc=$?
sx_check "local listeners beside a proxied connection: exit 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "the program's port: a local listener" \
    grep -qx "0.0.0.0 ok 127.0.0.1" "$SX_TMP/keep.out"
sx_check "loopback, port 0: a local listener" \
    grep -qx "127.0.0.1 ok 127.0.0.1" "$SX_TMP/keep.out"
sx_check "no BIND was asked for them" \
    sx_no_line "$SX_TMP/keep.err" "listen: the proxy listens"
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in blocking.out blocking.err nonblock.out nonblock.err \
	    peer.log aborted.out aborted.err chain.out chain.err http.out \
	    http.err s4.out s4.err local.log keep.out keep.err; do
		sx_show "$f" "$SX_TMP/$f"
	done
	sx_show fault_peer "$SX_FAULT_LOG"
}
sx_done
