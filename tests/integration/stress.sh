#!/bin/bash
# SPDX-License-Identifier: MIT
# Stress: tests/helpers/stress.c through socksify and microsocks. THREADS
# threads each run CYCLES getaddrinfo + socket + connect + echo + close
# cycles over a pool of names only the proxy can resolve (each name bound to
# one of several server addresses, so a connection that reached the wrong
# name is seen), while the main thread forks children that do the same.
# Every connection must be correct, every child must succeed, the process
# must end with exactly the descriptors it started with, and nothing may
# leave the client around the proxy (no DNS query, no direct packet).
#
# Environment:
#   STRESS_THREADS  threads (16)
#   STRESS_CYCLES   cycles per thread (300 in make check; the issue's full
#                   run is STRESS_CYCLES=2000, or STRESS_FULL=1)
#   STRESS_SECONDS  soak: run by time instead of count (e.g. 300); the
#                   main thread forks children for the whole time
#   STRESS_FORKS    children forked in a counted run (50)
#   STRESS_NAMES    size of the name pool (1000)
#   STRESS_RECYCLE  0 skips the second, small run through a 255-slot name
#                   map that must recycle names (default 1)
#   STRESS_LIB      preload this library instead of the wrapper's
#                   (tests/tsan.sh); STRESS_BIN a prebuilt stress program;
#                   STRESS_PRELOAD put before it in LD_PRELOAD (libtsan);
#                   STRESS_LOGDIR: the stress program's stderr is copied
#                   there (main.err, recycle.err)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

threads=${STRESS_THREADS:-16}
cycles=${STRESS_CYCLES:-300}
[ "${STRESS_FULL:-0}" = 1 ] && cycles=${STRESS_CYCLES:-2000}
seconds=${STRESS_SECONDS:-0}
forks=${STRESS_FORKS:-50}
names=${STRESS_NAMES:-1000}
recycle=${STRESS_RECYCLE:-1}
for v in "$threads" "$cycles" "$seconds" "$forks" "$names" "$recycle"; do
	case $v in
	'' | *[!0-9]*) sx_error "STRESS_* settings are whole numbers" ;;
	esac
done

sx_setup microsocks
if [ -n "${STRESS_BIN:-}" ]; then
	[ -x "$STRESS_BIN" ] || sx_error "STRESS_BIN=$STRESS_BIN: not executable"
	SX_STRESS=$STRESS_BIN
fi
sx_stress_names "$names" 8
start_stress_echo
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 10" \
    "hosts_file = none"
mapfile -t args < <(stress_args)
# Under AddressSanitizer (GCC 12's libasan) a child of a threaded parent
# can block for ever in its first malloc(): the allocator's lock is not
# taken around fork(), so a parent thread may have held it. There the
# children exec themselves right after fork() (-e) and run their cycles in
# a fresh image; tests/tsan.sh and the plain build cover cycles in the
# forked image itself.
[ -n "${SAN_PRELOAD:-}" ] && args+=(-e)
leak_reset

# run_stress TAG CONF STRESS-OPTIONS...: the stress program in the client
# namespace through the library; output in $SX_TMP/TAG.{out,err}.
run_stress()
{
	local tag=$1 conf=$2 bound
	shift 2
	if [ "$seconds" -gt 0 ]; then
		bound=$((seconds + 120))
	else
		bound=$((120 + threads * cycles / 40))
	fi
	if [ -n "${STRESS_LIB:-}" ]; then
		sx_client_for "$bound" env SOCKSIFY_CONF="$conf" \
		    LD_PRELOAD="${STRESS_PRELOAD:+$STRESS_PRELOAD }$STRESS_LIB" \
		    "$SX_STRESS" run "${args[@]}" "$@" \
		    >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	else
		sx_client_for "$bound" "$SX" -c "$conf" \
		    "$SX_STRESS" run "${args[@]}" "$@" \
		    >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	fi
}

# show TAG: the summary line and the first lines of stderr.
show()
{
	sed 's/^/  /' "$SX_TMP/$1.out"
	[ -s "$SX_TMP/$1.err" ] && head -n 30 "$SX_TMP/$1.err" |
	    sed 's/^/  | /'
	if [ -n "${STRESS_LOGDIR:-}" ]; then
		cp "$SX_TMP/$1.err" "$STRESS_LOGDIR/$1.err" ||
		    sx_error "cannot copy to STRESS_LOGDIR=$STRESS_LOGDIR"
	fi
	return 0
}

# summary TAG KEY: a key=value of the summary line.
summary()
{
	sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$SX_TMP/$1.out"
}

if [ "$seconds" -gt 0 ]; then
	what="$threads threads for ${seconds}s, children forked all along"
	run_stress main "$conf" -t "$threads" -s "$seconds" -c 4
else
	what="$threads threads x $cycles cycles, $forks children"
	run_stress main "$conf" -t "$threads" -n "$cycles" -f "$forks" -c 4
fi
rc=$?
show main
sx_check "stress ($what) exits 0 (got $rc)" test "$rc" -eq 0
sx_check "every connection was correct (bad=$(summary main bad))" \
    test "$(summary main bad)" = 0
if [ "$seconds" -eq 0 ]; then
	sx_check "all $((threads * cycles)) cycles ran" \
	    test "$(summary main cycles)" = $((threads * cycles))
	sx_check "all $forks children forked and succeeded" \
	    test "$(summary main forks_ok)" = "$forks"
else
	nf=$(summary main forks)
	nok=$(summary main forks_ok)
	sx_check "every child succeeded ($nok of $nf)" test "$nok" = "$nf"
	sx_check "children were forked all along ($nf)" test "${nf:-0}" -gt 1
fi
sx_check "same descriptors at the end as at the start" \
    test "$(summary main fds_same)" = yes
sx_check "no socksify: line on stderr" sx_no_line "$SX_TMP/main.err"
sx_check "nothing went around the proxy (leak $(leak_count))" \
    test "$(leak_count)" -eq 0
sx_check "no DNS query left the client ($(dns_count))" \
    test "$(dns_count)" -eq 0

# A map of 255 names for a pool of 400: names are recycled all the time,
# never one a live socket holds, and each connection still reaches the
# right server (a recycled placeholder may not be reused by a stale
# lookup: each cycle connects right after its own lookup).
if [ "$recycle" = 1 ] && [ "$seconds" -eq 0 ]; then
	small=$SX_TMP/small.conf
	sx_conf "$small" "proxy = socks5://$SX_PROXY4:$proxy_port" \
	    "timeout = 10" "hosts_file = none" \
	    "placeholder_v4 = 198.18.0.0/24" "placeholder_v6 = fd5e:c5f1::/120"
	leak_reset
	run_stress recycle "$small" -t "$threads" -n $((cycles / 3 + 1)) \
	    -f 10 -c 4 -N 400 -x
	rc=$?
	show recycle
	sx_check "recycling map: exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "recycling map: every connection was correct" \
	    test "$(summary recycle bad)" = 0
	sx_check "recycling map: same descriptors at the end" \
	    test "$(summary recycle fds_same)" = yes
	sx_check "recycling map: nothing around the proxy ($(leak_count))" \
	    test "$(leak_count)" -eq 0
fi
sx_done
