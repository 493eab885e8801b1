#!/bin/bash
# SPDX-License-Identifier: MIT
# Proxy chains and fallbacks with real proxies. Topology:
#   client -> A (microsocks, proxy ns) -> B (dante, server ns, reachable
#   only from A) -> target (a fourth namespace, reachable only from B).
# "chain = A" + "proxy = B" reaches the target, which sees B's address while
# B sees A's; by address and by a name only B's namespace knows. "proxy =
# DEAD" + "fallback = A" works and says so at -v; a proxy that answers (even
# with a refusal) is not fallen back from.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks danted
sx_target_ns
tname=target.sx.test
# Only the server namespace (B) knows the target's name; the client's
# resolver is counted and never answered.
sx_dns_setup
sx_netns_etc "$SX_NS_S" hosts < <(printf '%s\n' "127.0.0.1 localhost" \
    "::1 localhost" "$SX_TARGET4 $tname")

start_http "$SX_NS_T" "$SX_TARGET4"
t_port=$SX_LAST_PORT
start_http "$SX_NS_S" "$SX_SERVER4"
s_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
a=$SX_PROXY4:$SX_LAST_PORT
start_dante_on b "$SX_NS_S" "$SX_SERVER4" 1080 "$SX_SERVER_OUT4"
b=$SX_SERVER4:$SX_LAST_PORT	# deliberately NOT proxy traffic for the client
dead=$SX_PROXY4:9		# nothing listens there
sx_allow_proxy "$SX_PROXY4" 9
dead2=$SX_PROXY4:7
sx_allow_proxy "$SX_PROXY4" 7
turl=http://$SX_TARGET4:$t_port/file
surl=http://$SX_SERVER4:$s_port/file
c=$SX_TMP
sx_conf "$c/a.conf" "proxy = socks5://$a" "timeout = 5"
sx_conf "$c/b.conf" "proxy = socks5://$b" "timeout = 5"
sx_conf "$c/chain.conf" "chain = socks5://$a" "proxy = socks5://$b" \
    "timeout = 5"
sx_conf "$c/chainh.conf" "chain = socks5://$a" "proxy = socks5h://$b" \
    "timeout = 5"
sx_conf "$c/fb.conf" "proxy = socks5://$dead" "fallback = socks5://$a" \
    "timeout = 5"
sx_conf "$c/fb2.conf" "proxy = socks5://$dead" "fallback = socks5://$dead2" \
    "fallback = socks5://$a" "timeout = 5"
sx_conf "$c/fbchain.conf" "chain = socks5://$dead" \
    "proxy = socks5://192.0.2.1:1080" "fallback = socks5://$a" "timeout = 5"
sx_conf "$c/fbnone.conf" "proxy = socks5://$dead" \
    "fallback = socks5://$dead2" "timeout = 5"
sx_conf "$c/fbrefuse.conf" "proxy = socks5://$a" "fallback = socks5://$dead" \
    "timeout = 5"
leak_reset

# get CONF URL TAG [ARGS...]: curl through socksify; rc, TAG.got, TAG.err.
get()
{
	local conf=$1 url=$2 tag=$3
	shift 3
	sx_run -c "$c/$conf.conf" "$@" curl -sS --max-time 8 \
	    -o "$c/$tag.got" "$url" 2>"$c/$tag.err"
	rc=$?
}

# --- The topology itself ---------------------------------------------------
get a "$turl" onlya
sx_check "A alone cannot reach the target (curl exit 7, got $rc)" \
    test "$rc" -eq 7
get b "$surl" onlyb
sx_check "the client cannot reach B itself (curl exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "... and that attempt was a leak, rejected" test "$(leak_count)" -gt 0
leak_reset

# --- chain = A, proxy = B ----------------------------------------------------
get chain "$turl" chain -v
sx_check "chain A -> B: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "chain A -> B: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$c/chain.got"
sx_check "chain: the target saw B's address ($SX_SERVER_OUT4)" \
    http_saw "$SX_TARGET4" "$SX_SERVER_OUT4"
sx_check "chain: B saw A's address ($SX_PROXY_OUT4) asking for the target" \
    dante_saw b "pass\(1\): tcp/connect \[: $SX_PROXY_OUT4\.[0-9]+ .*-> .*$SX_TARGET4\.$t_port"
sx_check "chain: B never saw the client ($SX_CLIENT4)" \
    sx_none dante_saw b "$SX_CLIENT4\."
sx_check "chain: A was asked for B ($b)" microsocks_saw "$SX_PROXY4" "$SX_SERVER4"
sx_check "chain: the -v line names the chain" \
    sx_has_line "$c/chain.err" "connect $SX_TARGET4:$t_port via .*chain.*ok"
sx_run -c "$c/chain.conf" "${SX_PY[@]}" aget "$SX_TARGET4" "$t_port" \
    >"$c/chain.apy" 2>&1
sx_check "chain: asyncio fetch works" grep -q '^OK ' "$c/chain.apy"

get chain "http://$tname:$t_port/file" chainname
sx_check "chain, by a name only B knows: curl exits 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "chain, by name: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$c/chainname.got"
get chainh "http://$tname:$t_port/file" chainh
sx_check "chain with a socks5h:// last hop, by name: curl exits 0 (got $rc)" \
    test "$rc" -eq 0
# B is only ever reached through A: its host is no reason to go direct.
get chain "$surl" chainbhost
sx_check "chain: B's host on another port goes through the chain (got $rc)" \
    test "$rc" -eq 0
sx_check "chain leak counter is 0" test "$(leak_count)" -eq 0
sx_check "chain: no DNS packets" test "$(dns_count)" -eq 0
leak_reset

# --- fallback ------------------------------------------------------------------
get fb "$surl" fb -v
sx_check "proxy dead, fallback A: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "fallback: file content is exact" cmp -s "$SX_HTTP_FILE" "$c/fb.got"
sx_check "fallback: an info line at -v mentions the fallback" \
    sx_has_line "$c/fb.err" "fallback.*$a"
sx_check "fallback: server saw A's address ($SX_PROXY_OUT4)" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
get fb "$surl" fbq
sx_check "fallback at the default level: nothing but the error line" \
    sx_no_line "$c/fbq.err" "fallback"
get fb2 "$surl" fb2 -v
sx_check "two fallbacks, the first dead: curl exits 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "two fallbacks: both were tried in order" \
    grep -Eq "fallback.*$dead2" "$c/fb2.err"
get fbchain "$surl" fbchain -v
sx_check "first chain hop dead, fallback A alone: curl exits 0 (got $rc)" \
    test "$rc" -eq 0
get fbnone "$surl" fbnone
sx_check "proxy and every fallback dead: curl exit 7 (got $rc)" test "$rc" -eq 7
sx_check "all dead: a socksify: line says the proxy is unreachable" \
    sx_has_line "$c/fbnone.err" "unreachable"
get fbrefuse "http://$SX_SERVER4:9/" fbrefuse -v
sx_check "proxy answers with a refusal: curl exit 7 (got $rc)" test "$rc" -eq 7
sx_check "proxy answers with a refusal: no fallback is tried" \
    sx_lacks "$c/fbrefuse.err" "fallback"
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in onlya.err onlyb.err chain.err chain.apy chainname.err \
	    chainbhost.err chainh.err fb.err fbq.err fb2.err fbchain.err fbnone.err \
	    fbrefuse.err dante-b.log "microsocks.$SX_PROXY4.log" \
	    "http.$SX_TARGET4.log"; do
		[ -e "$c/$f" ] && sx_show "$f" "$c/$f"
	done
}
sx_done
