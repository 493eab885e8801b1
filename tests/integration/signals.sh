#!/bin/bash
# SPDX-License-Identifier: MIT
# Signals during the handshake: tests/helpers/sigclient.c takes a SIGALRM
# every 20 ms (handler with and without SA_RESTART; blocking and
# non-blocking sockets) while socksify runs the SOCKS5 handshake. Against
# a proxy that trickles its replies one byte at a time the signals land
# mid-handshake. A blocking connect() with the SA_RESTART handler keeps
# waiting and succeeds; without SA_RESTART it returns EINTR at the first
# signal, as the kernel's would, and the handshake goes on: the client
# polls for completion as after EINPROGRESS, and the data echoes exactly.
# Against a silent proxy with timeout = 1, the end is ETIMEDOUT (from
# connect(), or from SO_ERROR after EINTR) in 1-3 s.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup cc
sx_build_fault_peer

sigclient=$SX_TMP/sigclient
cc -O2 -o "$sigclient" "$SX_HELPERS/sigclient.c" ||
    sx_error "cannot build $SX_HELPERS/sigclient.c"

target=$SX_SERVER4	# never reached: the fault peer connects nowhere
tport=8080
failed=()

n_lines() { grep -Ec '^socksify(\[[0-9]+\])?: ' "$1"; }

# field FILE NAME: the value of NAME= in FILE's first line.
field()
{
	sed -n "1s/.* $2=\\([^ ]*\\).*/\\1/p" "$1"
}

# shellcheck disable=SC2317	# called through sx_check
num_between()
{
	awk -v v="$1" -v lo="$2" -v hi="$3" \
	    'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 <= hi) }'
}

# sig_case MODE EXPECT MIN_DURING [PEER ARGS...]: one fault peer, the four
# client variants (SA_RESTART or not x blocking or not) against it. EXPECT
# is "echo" or an errno name; MIN_DURING the least number of signals that
# must have landed while connect() ran.
sig_case()
{
	local mode=$1 expect=$2 min=$3 conf timeout=5 v tag out during
	local before=$SX_FAILED nl el
	shift 3
	[ "$mode" = silent ] && timeout=1
	start_fault_peer "$SX_NS_P" "$SX_PROXY4" "$mode" -n 4 -t 10 "$@"
	conf=$SX_TMP/$mode.conf
	sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" \
	    "timeout = $timeout"
	for v in restart norestart restart-nb norestart-nb; do
		local args=()
		case $v in restart*) args+=(-r) ;; esac
		case $v in *-nb) args+=(-N) ;; esac
		tag=$mode.$v
		out=$SX_TMP/$tag.out
		sx_run -c "$conf" "$sigclient" "${args[@]}" "$target" "$tport" \
		    >"$out" 2>"$SX_TMP/$tag.err"
		nl=$(n_lines "$SX_TMP/$tag.err")
		during=$(field "$out" during)
		el=$(field "$out" elapsed)
		if [ "$v" = norestart ] && [ "$min" -gt 0 ]; then
			sx_check "$mode/$v: connect() gave EINTR" \
			    grep -q ' eintr=1 ' "$out"
		elif [ "$v" != norestart ]; then
			sx_check "$mode/$v: no EINTR from connect()" \
			    grep -q ' eintr=0 ' "$out"
		fi
		if [ "$expect" = echo ]; then
			sx_check "$mode/$v: connect succeeds, echo exact" \
			    grep -q '^OK .* echo=exact ' "$out"
			sx_check "$mode/$v: no socksify: line (got $nl)" \
			    test "$nl" -eq 0
		else
			sx_check "$mode/$v: connect fails with $expect" \
			    grep -q "^ERR $expect " "$out"
			sx_check "$mode/$v: exactly one socksify: line (got $nl)" \
			    test "$nl" -eq 1
			sx_check "$mode/$v: gave up in 0.8-3.5 s (${el:-?} s)" \
			    num_between "$el" 0.8 3.5
		fi
		sx_check "$mode/$v: >= $min signals during connect (${during:-?})" \
		    num_between "$during" "$min" 100000
		sx_check "$mode/$v: program ran to its end" \
		    grep -q '^ALIVE$' "$out"
	done
	cp "$SX_FAULT_LOG" "$SX_TMP/$mode.peer" 2>/dev/null
	[ "$SX_FAILED" -eq "$before" ] || failed+=("$mode")
}

# 12 reply bytes 40 ms apart: ~440 ms of handshake, ~20 signals in it.
sig_case trickle echo 5 -d 40
sig_case ok echo 0
sig_case silent ETIMEDOUT 20

sx_check "leak counter is 0" test "$(leak_count)" -eq 0

for mode in "${failed[@]}"; do
	for f in "$SX_TMP/$mode".*.out "$SX_TMP/$mode".*.err \
	    "$SX_TMP/$mode.peer"; do
		[ -s "$f" ] && sx_show "$(basename "$f")" "$f"
	done
done
sx_done
