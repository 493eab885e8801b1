#!/bin/bash
# SPDX-License-Identifier: MIT
# Asynchronous connect under stress: tests/helpers/async_stress.c makes
# ASYNC_STRESS_TOTAL (10000) non-blocking connects through socksify and
# microsocks to stress.c's echo server, up to 200 at a time from 4
# threads' epoll loops, mixing in closes while pending, reuse of the
# number at once, waiting on a dup(), and forks while connects are
# pending (each child connecting on its own). Every connection is right,
# nothing reaches a reused number, every child succeeds, no descriptor is
# left behind, no socksify: line, nothing goes around the proxy.
#
# Environment: ASYNC_STRESS_TOTAL (10000), ASYNC_STRESS_THREADS (4);
# ASYNC_STRESS_LIB preloads that library instead of the wrapper's, with
# ASYNC_STRESS_PRELOAD before it (tests/tsan.sh: libtsan);
# ASYNC_STRESS_BIN a prebuilt program; ASYNC_STRESS_LOGDIR gets its
# stderr.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total=${ASYNC_STRESS_TOTAL:-10000}
threads=${ASYNC_STRESS_THREADS:-4}
for v in "$total" "$threads"; do
	case $v in
	'' | *[!0-9]*) sx_error "ASYNC_STRESS_* settings are whole numbers" ;;
	esac
done

sx_setup cc microsocks
if [ -n "${ASYNC_STRESS_BIN:-}" ]; then
	[ -x "$ASYNC_STRESS_BIN" ] ||
	    sx_error "ASYNC_STRESS_BIN=$ASYNC_STRESS_BIN: not executable"
	prog=$ASYNC_STRESS_BIN
else
	prog=$(sx_build_helper async_stress) || exit 99
fi
for ns in "$SX_NS_C" "$SX_NS_P"; do
	ip netns exec "$ns" sysctl -qw \
	    net.ipv4.ip_local_port_range="1024 65000" ||
	    sx_error "cannot widen the port range in $ns"
done
start_stress_echo
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 10"
leak_reset

args=(-a "$SX_SERVER4" -p "$SX_STRESS_PORT" -n "$total" -t "$threads")
# Under AddressSanitizer (GCC 12's libasan) a thread started in the child
# of a threaded parent can block for ever in malloc() (the allocator's
# lock is not held across fork()): children connect blocking sockets
# there, so that none starts the helper thread. The fork while handshakes
# are pending in the parent is the same.
[ -n "${SAN_PRELOAD:-}" ] && args+=(-k)
bound=$((60 + total / 50))
if [ -n "${ASYNC_STRESS_LIB:-}" ]; then
	sx_client_for "$bound" env SOCKSIFY_CONF="$conf" \
	    LD_PRELOAD="${ASYNC_STRESS_PRELOAD:+$ASYNC_STRESS_PRELOAD }$ASYNC_STRESS_LIB" \
	    "$prog" "${args[@]}" >"$SX_TMP/out" 2>"$SX_TMP/err"
else
	sx_client_for "$bound" "$SX" -c "$conf" "$prog" "${args[@]}" \
	    >"$SX_TMP/out" 2>"$SX_TMP/err"
fi
rc=$?
sed 's/^/  /' "$SX_TMP/out"
[ -s "$SX_TMP/err" ] && head -n 30 "$SX_TMP/err" | sed 's/^/  | /'
if [ -n "${ASYNC_STRESS_LOGDIR:-}" ]; then
	cp "$SX_TMP/err" "$ASYNC_STRESS_LOGDIR/async-stress.err" ||
	    sx_error "cannot copy to ASYNC_STRESS_LOGDIR"
fi

summary() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" "$SX_TMP/out"; }

sx_check "async_stress ($total connects, $threads threads) exits 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "every connection was right (bad=$(summary bad))" \
    test "$(summary bad)" = 0
sx_check "the mix happened (closed=$(summary closed) dups=$(summary dups) reused=$(summary reused))" \
    test "$(summary closed)" -gt 0 -a "$(summary dups)" -gt 0 -a \
    "$(summary reused)" -gt 0
sx_check "nothing reached a reused number (stray=$(summary stray))" \
    test "$(summary stray)" = 0
sx_check "children forked while pending all succeeded ($(summary forks_ok) of $(summary forks))" \
    test "$(summary forks)" -gt 0 -a "$(summary forks)" = "$(summary forks_ok)"
sx_check "same descriptors at the end" test "$(summary fds_same)" = yes
sx_check "no socksify: line on stderr" sx_no_line "$SX_TMP/err"
sx_check "nothing went around the proxy (leak $(leak_count))" \
    test "$(leak_count)" -eq 0
sx_done
