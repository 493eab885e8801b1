#!/bin/bash
# SPDX-License-Identifier: MIT
# ThreadSanitizer run of the stress test: libsocksify.so compiled straight
# from src/ with -fsanitize=thread, tests/helpers/stress.c likewise, then a
# reduced tests/integration/stress.sh through that library. The library
# comes before libtsan (which the TSan-built program loads anyway): TSan
# runs poll(), recv() and the other blocking calls' insides with its
# interceptors off, so a hook of ours called from inside its poll()
# interceptor would have its own locking unseen and every access under
# those locks reported as a race; first in line, the hooks run outside,
# and real_poll() etc. go through TSan's interceptors to libc. Passes when the stress checks pass and ThreadSanitizer
# reported nothing; every report is summarised (kind, the first frames in
# our sources) and kept whole in the log.
#
# Then tests/integration/async-stress.sh the same way (TSAN_ASYNC_TOTAL
# connects, 10000).
#
# Environment: TSAN_THREADS (16), TSAN_CYCLES (300), TSAN_FORKS (50): the
# stress run's size; SX_KEEP=1 keeps the reports; TSAN_EXTRA_OPTIONS is
# appended to TSAN_OPTIONS. Needs what stress.sh needs (root, microsocks)
# and gcc's libtsan.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/integration/lib.sh"

sx_require_root
sx_require_socksify
sx_require_bin cc microsocks
libtsan=$(cc -print-file-name=libtsan.so)
case $libtsan in
/*) [ -e "$libtsan" ] || sx_skip "libtsan not installed ($libtsan)" ;;
*) sx_skip "libtsan not installed (cc -print-file-name=libtsan.so)" ;;
esac
trap sx_cleanup EXIT
trap 'exit 99' INT TERM
SX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sx-$SX_NAME.XXXXXX") ||
    sx_error "mktemp failed"
chmod 755 "$SX_TMP"

sx_build_lib "$SX_TMP/lib" -fsanitize=thread
stress=$(sx_build_helper stress -fsanitize=thread) || exit 99
reports=$SX_TMP/reports
mkdir -p "$reports" || sx_error "mkdir $reports"

# A program built with TSan must run at all here (some kernels' address
# space layouts defeat it); without ASLR if that helps.
setarch=()
if ! "$stress" >/dev/null 2>"$SX_TMP/probe.err" &&
    grep -q ThreadSanitizer "$SX_TMP/probe.err"; then
	sx_require_bin setarch
	setarch=(setarch "$(uname -m)" -R)
	"${setarch[@]}" "$stress" >/dev/null 2>"$SX_TMP/probe.err"
	grep -q ThreadSanitizer "$SX_TMP/probe.err" &&
	    sx_skip "ThreadSanitizer cannot run here: $(head -n 1 \
	    "$SX_TMP/probe.err")"
fi

# Reports go to the stress program's stderr (a log file would be one more
# descriptor at the end), which stress.sh copies to $reports. Children
# forked by a threaded parent look like they leak its threads: not counted.
# die_after_fork=0: children of the threaded stress programs start the
# asynchronous connect's helper thread of their own.
export TSAN_OPTIONS="halt_on_error=0 exitcode=0 report_thread_leaks=0 \
die_after_fork=0 \
second_deadlock_stack=1 history_size=4 ${TSAN_EXTRA_OPTIONS:-}"
start=$(date +%s)
STRESS_LIB=$SX_TMP/lib/libsocksify.so \
    STRESS_BIN=$stress STRESS_THREADS=${TSAN_THREADS:-16} \
    STRESS_CYCLES=${TSAN_CYCLES:-300} STRESS_FORKS=${TSAN_FORKS:-50} \
    STRESS_SECONDS=0 STRESS_FULL=0 STRESS_LOGDIR=$reports \
    "${setarch[@]}" bash "$SX_TOP_SRCDIR/tests/integration/stress.sh"
rc=$?
sx_log "stress under ThreadSanitizer: exit $rc, $(($(date +%s) - start)) s"
sx_check "stress.sh under ThreadSanitizer passes (exit $rc)" test "$rc" -eq 0
sx_check "ThreadSanitizer output was collected" \
    test -e "$reports/main.err"

# The asynchronous connect's stress: 10000 non-blocking connects with
# closes, reuse, dups and forks while pending (ASYNC_STRESS_TOTAL).
async=$(sx_build_helper async_stress -fsanitize=thread) || exit 99
start=$(date +%s)
ASYNC_STRESS_LIB=$SX_TMP/lib/libsocksify.so ASYNC_STRESS_BIN=$async ASYNC_STRESS_LOGDIR=$reports \
    ASYNC_STRESS_TOTAL=${TSAN_ASYNC_TOTAL:-10000} \
    "${setarch[@]}" bash "$SX_TOP_SRCDIR/tests/integration/async-stress.sh"
rc=$?
sx_log "async-stress under ThreadSanitizer: exit $rc, $(($(date +%s) - start)) s"
sx_check "async-stress.sh under ThreadSanitizer passes (exit $rc)" \
    test "$rc" -eq 0
sx_check "its ThreadSanitizer output was collected" \
    test -e "$reports/async-stress.err"

# One line per report: kind, then the first two frames in src/.
summarise()
{
	awk -v src="$SX_TOP_SRCDIR/src/" '
	/^WARNING: ThreadSanitizer:/ {
		if (kind != "") print kind " | " frames
		kind = $0; sub(/^WARNING: ThreadSanitizer: /, "", kind)
		sub(/ \(pid=.*/, "", kind); frames = ""; n = 0; next }
	kind != "" && /^ *#[0-9]+ / && index($0, src) && n < 2 {
		f = $2 " " $3; sub(/ \(.*/, "", f)
		i = index(f, src)
		if (i) f = substr(f, 1, i - 1) "src/" substr(f, i + length(src))
		frames = frames (n ? " / " : "") f; n++ }
	END { if (kind != "") print kind " | " frames }' "$@"
}

found=$(cat "$reports"/*.err 2>/dev/null |
    grep -c '^WARNING: ThreadSanitizer:')
if [ "$found" -gt 0 ]; then
	sx_log "ThreadSanitizer reports ($found), by kind and first frames:"
	summarise "$reports"/*.err | sort | uniq -c | sort -rn |
	    sed 's/^/  /' >&2
	for f in "$reports"/*.err; do
		sx_show "$f" "$f" >&2
	done
fi
sx_check "ThreadSanitizer reported nothing ($found reports)" \
    test "$found" -eq 0
sx_done
