#!/bin/bash
# SPDX-License-Identifier: MIT
# The environment's precedence, with two real proxies A and B (microsocks on
# two addresses of the proxy namespace) and python clients (curl reads
# ALL_PROXY itself): -p beats SOCKSIFY_PROXY, SOCKSIFY_PROXY beats the file,
# the file beats ALL_PROXY, ALL_PROXY (or all_proxy) is used when neither
# names a proxy. NO_PROXY entries (an address, a CIDR, a domain) go direct:
# the leak and DNS counters prove it. --check names where the proxy came
# from.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks
unset ALL_PROXY all_proxy NO_PROXY no_proxy
sx_dns_setup

a4=$SX_PROXY4
b4=10.$SX_X.1.3
ip -n "$SX_NS_P" addr add "$b4/24" dev p0 || sx_error "cannot add $b4"
start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$a4"
a=socks5://$a4:$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$b4"
b=socks5://$b4:$SX_LAST_PORT
c=$SX_TMP
sx_conf "$c/a.conf" "proxy = $a" "timeout = 5"
sx_conf "$c/noproxy.conf" "timeout = 5"	# a file that names no proxy
leak_reset

ms_count() { grep -c 'connected to' "$c/microsocks.$1.log"; }

# go TAG [VAR=VALUE...] -- SOCKSIFY-ARGS...: a python fetch of the server
# through socksify with that environment. Sets rc and got: which proxy
# carried it (A, B, none or both).
go()
{
	local tag=$1 na nb da db
	local -a envs=()
	shift
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	na=$(ms_count "$a4")
	nb=$(ms_count "$b4")
	(
		[ "${#envs[@]}" -eq 0 ] || export "${envs[@]}"
		sx_run "$@" "${SX_PY[@]}" get "$SX_SERVER4" "$port"
	) >"$c/$tag.out" 2>&1
	rc=$?
	da=$(($(ms_count "$a4") - na))
	db=$(($(ms_count "$b4") - nb))
	got=none
	if [ "$da" -gt 0 ] && [ "$db" -gt 0 ]; then
		got=both
	elif [ "$da" -gt 0 ]; then
		got=A
	elif [ "$db" -gt 0 ]; then
		got=B
	fi
}

# --- Precedence --------------------------------------------------------------
go file -- -c "$c/a.conf"
sx_check "file alone: A (got $got, exit $rc)" test "$got/$rc" = A/0
go sp SOCKSIFY_PROXY="$b" -- -c "$c/a.conf"
sx_check "SOCKSIFY_PROXY beats the file: B (got $got, exit $rc)" \
    test "$got/$rc" = B/0
go flag SOCKSIFY_PROXY="$a" -- -c "$c/a.conf" -p "$b"
sx_check "-p beats SOCKSIFY_PROXY: B (got $got, exit $rc)" \
    test "$got/$rc" = B/0
go fileall ALL_PROXY="$b" -- -c "$c/a.conf"
sx_check "the file beats ALL_PROXY: A (got $got, exit $rc)" \
    test "$got/$rc" = A/0
go spall SOCKSIFY_PROXY="$a" ALL_PROXY="$b" -- -c /dev/null
sx_check "SOCKSIFY_PROXY beats ALL_PROXY: A (got $got, exit $rc)" \
    test "$got/$rc" = A/0
go all ALL_PROXY="$b" -- -c /dev/null
sx_check "ALL_PROXY when nothing else names a proxy: B (got $got, exit $rc)" \
    test "$got/$rc" = B/0
go lower all_proxy="$b" -- -c /dev/null
sx_check "all_proxy (lower case) too: B (got $got, exit $rc)" \
    test "$got/$rc" = B/0
go noproxyfile ALL_PROXY="$b" -- -c "$c/noproxy.conf"
sx_check "a file without a proxy line: ALL_PROXY is used, B (got $got)" \
    test "$got/$rc" = B/0
go conf SOCKSIFY_CONF="$c/a.conf" ALL_PROXY="$b" --
sx_check "SOCKSIFY_CONF names the file, which beats ALL_PROXY: A (got $got)" \
    test "$got/$rc" = A/0
sx_check "precedence: leak counter is 0" test "$(leak_count)" -eq 0

# --- NO_PROXY ----------------------------------------------------------------
go np NO_PROXY="$SX_SERVER4" -- -c "$c/a.conf"
sx_check "NO_PROXY=$SX_SERVER4: no proxy carried it (got $got)" \
    test "$got" = none
sx_check "NO_PROXY=$SX_SERVER4: the leak counter saw it go direct" \
    test "$(leak_count)" -gt 0
leak_reset
go npcidr no_proxy="localhost,10.$SX_X.2.0/24" -- -c "$c/a.conf"
sx_check "no_proxy=10.$SX_X.2.0/24: direct (got $got)" test "$got" = none
sx_check "no_proxy CIDR: the leak counter saw it go direct" \
    test "$(leak_count)" -gt 0
leak_reset
go npother NO_PROXY="10.$SX_X.9.0/24,.example.org" -- -c "$c/a.conf"
sx_check "NO_PROXY of other networks: still through A (got $got, exit $rc)" \
    test "$got/$rc" = A/0
sx_check "NO_PROXY of other networks: leak counter is 0" \
    test "$(leak_count)" -eq 0
(export NO_PROXY=.sx.test; sx_run -c "$c/a.conf" "${SX_PY[@]}" get \
    "$SX_DNS_NAME" "$port") >"$c/npname.out" 2>&1
sx_check "NO_PROXY=.sx.test: $SX_DNS_NAME is looked up locally (DNS counter)" \
    test "$(dns_count)" -gt 0
sx_check "NO_PROXY=.sx.test: the proxy was not asked for it" \
    sx_none microsocks_saw "$a4" "$SX_DNS_NAME"
leak_reset

# --- --check says where the proxy came from ----------------------------------
(export SOCKSIFY_PROXY="$b"; sx_run -c "$c/a.conf" --check) \
    >"$c/check-sp.out" 2>&1
sx_check "--check: SOCKSIFY_PROXY is named as the source" \
    grep -q "^proxy: *$b .*SOCKSIFY_PROXY" "$c/check-sp.out"
(export ALL_PROXY="$b"; sx_run -c /dev/null --check) >"$c/check-all.out" 2>&1
sx_check "--check: ALL_PROXY is named as the source" \
    grep -q "^proxy: *$b .*ALL_PROXY" "$c/check-all.out"
sx_check "--check with ALL_PROXY: OK" test "$(tail -n 1 "$c/check-all.out")" = OK
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in file sp flag fileall spall all lower noproxyfile conf np \
	    npcidr npother npname check-sp check-all; do
		sx_show "$f.out" "$c/$f.out"
	done
}
sx_done
