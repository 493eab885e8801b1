#!/bin/bash
# SPDX-License-Identifier: MIT
# Fail closed: each way the shim itself can fail, and in each the program
# gets an error and nothing leaves the client around the proxy (the nft
# "leak" and "dns" counters stay at 0):
#   - a bad configuration file, the library preloaded by hand (the wrapper
#     would refuse to start): connect -> EACCES, one log line; a name
#     lookup -> an error, no DNS query; UDP -> EACCES
#   - the proxy is down: connect by address and by name -> ECONNREFUSED,
#     UDP -> ECONNREFUSED
#   - the name map is full (placeholder_v4 /30: 3 names), every slot pinned
#     by a live socket: a new name -> EAI_AGAIN and no DNS query; once a
#     socket closes, the new name gets a slot and connects
#   - out of descriptors (RLIMIT_NOFILE 64, table filled): a UDP datagram
#     needs the association's control socket -> EMFILE, nothing sent; a TCP
#     connect on an existing socket still goes through the proxy; and the
#     same with socksify setting itself up while out of descriptors
#   - allocations failing (tests/helpers/failclosed_malloc.c preloaded
#     after libsocksify.so): during getaddrinfo -> EAI_MEMORY, during
#     connect -> an error or a correct proxied connection; during
#     socksify's first-use set-up -> errors, never a direct packet
# The programs are tests/helpers/failclosed_client.c; names only the proxy
# can resolve come from sx_stress_names, answers from the stress echo
# server.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks
client=$(sx_build_helper failclosed_client) || exit 99
shim=$(sx_build_helper failclosed_malloc -shared -fPIC) || exit 99
sx_stress_names 64 4
start_stress_echo
echo_port=$SX_STRESS_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
dom=$SX_STRESS_DOMAIN
server=$SX_STRESS_BASE
lib=$SOCKSIFY_LIB
[ -n "$lib" ] || sx_skip "SOCKSIFY_LIB not set (the library is preloaded by hand)"

good=$SX_TMP/good.conf
sx_conf "$good" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"

# fc TAG CONF [VAR=VALUE...] -- ARGS...: failclosed_client ARGS in the
# client namespace, libsocksify.so preloaded by hand (after the sanitizer
# runtime when the build has one) with SOCKSIFY_CONF=CONF; more preloads in
# FC_PRELOAD. Output in $SX_TMP/TAG.{out,err}. Counters reset first.
fc()
{
	local tag=$1 conf=$2 env=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	leak_reset
	sx_client env SOCKSIFY_CONF="$conf" \
	    LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$lib${FC_PRELOAD:+ $FC_PRELOAD}" \
	    "${env[@]}" "$client" "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
}

# has TAG ERE: a result line of TAG matches ERE (whole line).
# shellcheck disable=SC2317	# called through sx_check
has() { grep -Eq "^$2\$" "$SX_TMP/$1.out"; }

# lines TAG: the number of socksify: lines on TAG's stderr.
lines() { grep -Eic '^socksify(\[[0-9]+\])?: ' "$SX_TMP/$1.err"; }

# nothing_direct TAG: both counters are 0 (checked right after fc TAG).
nothing_direct()
{
	local l d
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing sent around the proxy (leak $l, dns $d)" \
	    test "$l" -eq 0 -a "$d" -eq 0
}

# result TAG: TAG's output on one line, for the check descriptions.
result() { tr '\n' ';' <"$SX_TMP/$1.out"; }

# --- the harness works: the good configuration connects by name ------------
fc sanity "$good" -- connect "s1.$dom" "$echo_port"
sx_check "sanity: by name through the proxy ($(result sanity))" \
    has sanity "CONN OK echo=exact"
nothing_direct sanity

# --- bad configuration file, preloaded by hand --------------------------------
bad=$SX_TMP/bad.conf
sx_conf "$bad" "proxy = socks5://$SX_PROXY4:$proxy_port" "no_such_key = 1"
fc bad-ip "$bad" -- connect "$server" "$echo_port"
sx_check "bad config: connect by address -> EACCES ($(result bad-ip))" \
    has bad-ip "CONN ERR EACCES"
sx_check "bad config: one socksify: line ($(lines bad-ip))" \
    test "$(lines bad-ip)" -eq 1
sx_check "bad config: the line names the file and line" \
    sx_has_line "$SX_TMP/bad-ip.err" "bad\\.conf:2"
nothing_direct bad-ip
[ "$(lines bad-ip)" -eq 1 ] || sx_show "bad-ip stderr" "$SX_TMP/bad-ip.err"

fc bad-name "$bad" -- connect "s1.$dom" "$echo_port"
sx_check "bad config: a name lookup fails ($(result bad-name))" \
    has bad-name "GAI ERR .*"
nothing_direct bad-name

fc bad-udp "$bad" -- udp "$server" 5353
sx_check "bad config: UDP -> EACCES ($(result bad-udp))" \
    has bad-udp "UDP ERR EACCES"
nothing_direct bad-udp

# --- the proxy is down ------------------------------------------------------
down=$SX_TMP/down.conf
sx_allow_proxy "$SX_PROXY4" 9
sx_conf "$down" "proxy = socks5://$SX_PROXY4:9" "timeout = 5"
fc down-ip "$down" -- connect "$server" "$echo_port"
sx_check "proxy down: connect by address -> ECONNREFUSED ($(result down-ip))" \
    has down-ip "CONN ERR ECONNREFUSED"
sx_check "proxy down: one socksify: line ($(lines down-ip))" \
    test "$(lines down-ip)" -eq 1
nothing_direct down-ip
fc down-name "$down" -- connect "s2.$dom" "$echo_port"
sx_check "proxy down: connect by name -> ECONNREFUSED ($(result down-name))" \
    has down-name "CONN ERR ECONNREFUSED"
nothing_direct down-name
fc down-udp "$down" -- udp "$server" 5353
sx_check "proxy down: UDP -> ECONNREFUSED ($(result down-udp))" \
    has down-udp "UDP ERR ECONNREFUSED"
nothing_direct down-udp

# --- the name map is full ---------------------------------------------------
tiny=$SX_TMP/tiny.conf
sx_conf "$tiny" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5" \
    "hosts_file = none" "placeholder_v4 = 198.18.0.0/30"
fc full "$tiny" -- hold "$echo_port" "s9.$dom" "s0.$dom" "s1.$dom" "s2.$dom"
sx_check "map full: 3 sockets hold the 3 names ($(result full))" \
    has full "HELD 3"
sx_check "map full: a new name -> EAI_AGAIN" has full "NEW GAI ERR EAI_AGAIN"
sx_check "map full: one socksify: line about it" \
    sx_has_line "$SX_TMP/full.err" "no placeholder address"
sx_check "map full: after one socket closed, the name gets a placeholder" \
    has full "AFTER GAI OK 198\\.18\\.0\\.[123]"
sx_check "map full: ... and reaches its server" \
    has full "AFTER CONN OK echo=exact"
nothing_direct full

# --- out of file descriptors ------------------------------------------------
fc nofile "$good" -- nofile "$server" "$echo_port" "s3.$dom"
sx_check "no fds: UDP needs a control socket -> EMFILE ($(result nofile))" \
    has nofile "UDP ERR EMFILE"
sx_check "no fds: a log line says why" \
    sx_has_line "$SX_TMP/nofile.err" "control connection"
sx_check "no fds: a name lookup still works (no descriptor needed)" \
    has nofile "GAI OK 198\\.1[89]\\..*"
sx_check "no fds: TCP on an existing socket still goes through the proxy" \
    has nofile "CONN OK echo=exact"
nothing_direct nofile

# socksify's first use (reading its config) while out of descriptors.
fc nofile-cold "$good" -- nofile "$server" "$echo_port" "s3.$dom" cold
sx_check "no fds at set-up: UDP fails ($(result nofile-cold))" \
    has nofile-cold "UDP ERR E[A-Z]+"
sx_check "no fds at set-up: the program ran to its end" \
    has nofile-cold "FILLED .*"
nothing_direct nofile-cold

# --- allocations failing ------------------------------------------------------
if [ -n "${SAN_PRELOAD:-}" ]; then
	# The sanitizer's allocator comes first in LD_PRELOAD: no shim can
	# take its place. The plain build covers this case.
	sx_log "allocation failures: not run under sanitizers ($SAN_PRELOAD)"
else
	FC_PRELOAD=$shim fc oom "$good" -- oom "$dom" "$echo_port" 12
	sum=$(sed -n 's/^SUMMARY //p' "$SX_TMP/oom.out")
	sx_check "oom: the program ran to its end ($sum)" test -n "$sum"
	sx_check "oom: getaddrinfo fails with EAI_MEMORY when it cannot allocate" \
	    has oom "OOMGAI 0 ERR EAI_MEMORY failed=[1-9][0-9]*"
	sx_check "oom: every lookup is a placeholder or EAI_MEMORY" \
	    grep -q ' gai_other=0 ' "$SX_TMP/oom.out"
	sx_check "oom: ... and with room enough they succeed" \
	    sx_lacks "$SX_TMP/oom.out" ' gai_ok=0 '
	sx_check "oom: every connect is an error or a correct connection" \
	    grep -q ' conn_bad=0$' "$SX_TMP/oom.out"
	nothing_direct oom
	[ -n "$sum" ] || sx_show "oom stdout" "$SX_TMP/oom.out"

	# A connection made while allocations fail must not pin its name for
	# ever: with 3 placeholders, s0 (connected under OOM, then closed),
	# s1 and s2 (held), s3 must still get s0's slot.
	FC_PRELOAD=$shim fc oompin "$tiny" -- oompin "$echo_port" "$dom"
	sx_check "oom: connect while allocations fail works ($(result oompin))" \
	    has oompin "PIN0 CONN OK echo=exact"
	sx_check "oom: ... and closing it frees its name's placeholder" \
	    has oompin "PIN GAI OK 198\\.18\\.0\\.[123]"
	nothing_direct oompin

	answer="(CONN OK echo=exact|CONN ERR E[A-Z]+|GAI ERR EAI_[A-Z]+( E[A-Z]+)?)"
	# During socksify's set-up: from the N-th allocation of the process
	# on, every allocation fails.
	for n in 0 1 2 3 4 5 6 8 10 15 20 30; do
		FC_PRELOAD=$shim fc "oom-init$n" "$good" \
		    FAILCLOSED_MALLOC_AFTER="$n" -- connect "s4.$dom" "$echo_port"
		rc=$?
		sx_check "oom at set-up ($n allocations): an answer, no crash" \
		    test "$rc" -eq 0 -a -s "$SX_TMP/oom-init$n.out"
		sx_check "oom at set-up ($n): error or correct ($(result \
		    "oom-init$n"))" has "oom-init$n" "$answer"
		nothing_direct "oom-init$n"
	done

	# Only the N-th allocation of the process fails, the others succeed
	# (one failure inside socksify's set-up, then business as usual).
	for ((n = 0; n <= ${FAILCLOSED_NTH_MAX:-30}; n++)); do
		FC_PRELOAD=$shim fc "oom-nth$n" "$good" \
		    FAILCLOSED_MALLOC_NTH="$n" -- connect "s5.$dom" "$echo_port"
		rc=$?
		sx_check "oom, allocation $n alone fails: error or correct ($(
		    result "oom-nth$n"))" test "$rc" -eq 0 -a -s \
		    "$SX_TMP/oom-nth$n.out"
		sx_check "oom, allocation $n alone fails: a result" \
		    has "oom-nth$n" "$answer"
		nothing_direct "oom-nth$n"
	done
fi
sx_done
