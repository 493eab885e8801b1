#!/bin/bash
# SPDX-License-Identifier: MIT
# The backstop as a process: the supervisor is the wrapper's PID and the
# command's parent, and must be invisible to the user.
#   - exit status: exit 3 -> 3; a signal sent to the wrapper reaches the
#     command (TERM -> 143, a trapped USR1 and TERM seen by the command);
#     the command killed by SIGKILL -> 137
#   - the supervisor killed with SIGKILL mid-run: the command's next connect
#     fails with ENOSYS, nothing leaves the client
#   - the backstop cannot be set up (seccomp(2) refused, as in a container;
#     or missing, as on an old kernel): one line saying why and how to opt
#     out, exit 1, the command is not run; --check says so; --no-backstop
#     and 'backstop = off' run it with a warning
#   - a background process the command leaves behind is still served (the
#     wrapper returns at once) and its supervisor ends with it
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks
sx_require_backstop
bc=$(sx_build_static backstop_client) || exit 99
noseccomp=$(sx_build_helper noseccomp) || exit 99
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
export SOCKSIFY_CONF=$conf
leak_reset

# wait_for FILE ERE [SECONDS]: until FILE has a line matching ERE.
wait_for()
{
	local i
	for ((i = 0; i < ${3:-5} * 20; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# gone PID [SECONDS]: until PID has exited.
gone()
{
	local i
	for ((i = 0; i < ${2:-5} * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# --- exit status and signals ------------------------------------------------
timeout 10 "$SX" sh -c 'exit 3'
rc=$?
sx_check "exit 3 -> status 3 (got $rc)" test "$rc" -eq 3

timeout 10 "$SX" sh -c 'kill -KILL $$'
rc=$?
sx_check "command killed by SIGKILL -> status 137 (got $rc)" test "$rc" -eq 137

m=$SX_TMP/sig
# (No timeout(1) in front: the signals are for the wrapper; the loops are
# bounded instead.)
"$SX" sh -c "trap 'echo USR1 >>$m' USR1
trap 'echo TERM >>$m; exit 7' TERM
echo ready >>$m
i=0; while [ \$i -lt 400 ]; do sleep 0.05; i=\$((i + 1)); done" &
pid=$!
wait_for "$m" '^ready$'
kill -USR1 "$pid"
wait_for "$m" '^USR1$'
kill -TERM "$pid"
wait "$pid"
rc=$?
sx_check "USR1 sent to the wrapper reached the command" grep -qx USR1 "$m"
sx_check "TERM sent to the wrapper reached the command" grep -qx TERM "$m"
sx_check "the command's exit status after its TERM trap: 7 (got $rc)" \
    test "$rc" -eq 7
# shellcheck disable=SC2016	# expanded by the inner sh
sx_check "the wrapper's PID is the command's parent (the supervisor)" \
    "$SX" sh -c 'case $(cat /proc/$PPID/comm) in socksify-superv*) ;; *) exit 1 ;; esac'

: >"$m"
"$SX" sh -c "echo ready >>$m; exec sleep 20" &
pid=$!
wait_for "$m" '^ready$'
sleep 0.2
kill -TERM "$pid"
wait "$pid"
rc=$?
sx_check "kill -TERM of the wrapper: the command dies of it, status 143 (got $rc)" \
    test "$rc" -eq 143

# --- the supervisor dies: fail closed ---------------------------------------
fifo=$SX_TMP/fifo
mkfifo "$fifo" || sx_error "mkfifo"
out=$SX_TMP/twice.out
leak_reset
sx_client "$SX" "$bc" twice "$SX_SERVER4" "$http_port" <"$fifo" >"$out" \
    2>"$SX_TMP/twice.err" &
cpid=$!
exec 3>"$fifo"
if wait_for "$out" '^first ok ppid [0-9]+$' 10; then
	sup=$(sed -n 's/^first ok ppid //p' "$out")
	kill -KILL "$sup"
	gone "$sup"
	echo go >&3
	wait_for "$out" '^(ok|ERR) .*second' 10
fi
exec 3>&-
wait "$cpid"
sx_check "first connect (supervisor alive) went through" \
    grep -q '^first ok' "$out"
sx_check "supervisor killed: the next connect fails with ENOSYS" \
    grep -q '^ERR ENOSYS second connect' "$out"
l=$(leak_count)
sx_check "supervisor killed: nothing left the client (leak $l)" test "$l" -eq 0

# --- the backstop cannot be set up ------------------------------------------
mk=$SX_TMP/ran
"$noseccomp" 1 "$SX" sh -c "touch $mk" 2>"$SX_TMP/eperm.err"
rc=$?
sx_check "seccomp refused: exit 1 (got $rc)" test "$rc" -eq 1
sx_check "seccomp refused: the command did not run" test ! -e "$mk"
sx_check "seccomp refused: one line saying why and how to opt out" \
    sx_has_line "$SX_TMP/eperm.err" \
    "cannot set up the backstop: seccomp.*Operation not permitted.*--no-backstop or 'backstop = off'"
sx_check "seccomp refused: exactly one line" \
    test "$(wc -l <"$SX_TMP/eperm.err")" -eq 1
"$noseccomp" 22 "$SX" true 2>"$SX_TMP/einval.err"
rc=$?
sx_check "no user notification (old kernel, EINVAL): exit 1, names the kernel" \
    test "$rc" -eq 1 -a -n "$(grep 'Linux 5.9 or later' "$SX_TMP/einval.err")"
sx_client "$noseccomp" 1 "$SX" --check >"$SX_TMP/check.out" 2>&1
rc=$?
sx_check "--check where seccomp is refused: fails (got $rc)" test "$rc" -eq 1
sx_check "--check says the backstop is unavailable and why" \
    grep -Eq '^backstop: +unavailable: seccomp.*not permitted' \
    "$SX_TMP/check.out"
sx_check "--check: the last line is the backstop's failure" \
    sh -c "tail -n 1 '$SX_TMP/check.out' | grep -q '^FAIL: the backstop cannot be set up'"
sx_client "$SX" --check >"$SX_TMP/check-ok.out" 2>&1
rc=$?
sx_check "--check here: OK with the backstop available (got $rc)" \
    test "$rc" -eq 0 -a -n "$(grep -E '^backstop: +available' "$SX_TMP/check-ok.out")"
"$noseccomp" 1 "$SX" --no-backstop sh -c "touch $mk" 2>"$SX_TMP/off.err"
rc=$?
sx_check "--no-backstop where seccomp is refused: the command runs (got $rc)" \
    test "$rc" -eq 0 -a -e "$mk"
sx_check "--no-backstop: warns that static programs are not covered" \
    sx_has_line "$SX_TMP/off.err" "backstop is off.*NOT proxied"
rm -f "$mk"
off=$SX_TMP/off.conf
sx_conf "$off" "proxy = socks5://$SX_PROXY4:$proxy_port" "backstop = off"
"$noseccomp" 1 "$SX" -c "$off" sh -c "touch $mk" 2>"$SX_TMP/offkey.err"
rc=$?
sx_check "backstop = off where seccomp is refused: the command runs (got $rc)" \
    test "$rc" -eq 0 -a -e "$mk"

# --- what the command leaves running is still served -------------------------
bgout=$SX_TMP/bg.out
leak_reset
t0=$(date +%s%N)
sx_run -v "$bc" bg 1500 "$bgout" "$SX_SERVER4" "$http_port" \
    >"$SX_TMP/bg.stdout" 2>"$SX_TMP/bg.err"
rc=$?
t1=$(date +%s%N)
sx_check "the command exits at once, status 0 (got $rc, $(((t1 - t0) / 1000000)) ms)" \
    test "$rc" -eq 0 -a $(((t1 - t0) / 1000000)) -lt 1400
sx_check "the background child had not connected yet" test ! -s "$bgout"
wait_for "$SX_TMP/bg.err" 'the command exited; pid [0-9]+ serves'
cont=$(sed -n 's/.*backstop: the command exited; pid \([0-9]*\) serves.*/\1/p' \
    "$SX_TMP/bg.err")
sx_check "a continuation serves the rest of the tree (pid ${cont:-none})" \
    test -n "$cont"
sleep 2
for ((i = 0; i < 60; i++)); do
	cmp -s "$SX_HTTP_FILE" "$bgout" && break
	sleep 0.1
done
sx_check "the background child's GET was proxied: content exact" \
    cmp -s "$SX_HTTP_FILE" "$bgout"
l=$(leak_count)
sx_check "background child: nothing around the proxy (leak $l)" test "$l" -eq 0
if [ -n "$cont" ]; then
	sx_check "the continuation ends when the tree ends" gone "$cont" 5
fi

[ "$SX_FAILED" -eq 0 ] || {
	sx_show "twice stderr" "$SX_TMP/twice.err"
	sx_show "bg stderr" "$SX_TMP/bg.err"
	sx_show "check" "$SX_TMP/check.out"
	sx_show "eperm" "$SX_TMP/eperm.err"
}
sx_done
