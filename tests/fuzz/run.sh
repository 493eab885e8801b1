#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the libFuzzer harnesses of tests/fuzz and run each for a bounded
# time over a scratch copy of its seed corpus (tests/fuzz/corpus/NAME).
#
#   sh tests/fuzz/run.sh [SECONDS]      (default 60 per harness)
#
# Environment: srcdir (source top; default: two levels above this script),
# CC (default clang), FUZZ_CFLAGS (extra flags), FUZZ_HARNESSES (names to
# run, default all of them), SOCKSIFY_TEST_STRICT=1 (a missing clang or
# libFuzzer is an error, 99, instead of a skip, 77).
#
# Exit status: 0 when no harness crashed, 1 on a crash, a failed check, a
# leak or a build failure (the crashing input is kept and its path printed),
# 77/99 when clang with libFuzzer is not available.
set -u

seconds=${1:-60}
case $seconds in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$here/../..}
srcdir=$(cd "$srcdir" && pwd)
CC=${CC:-clang}
harnesses=${FUZZ_HARNESSES:-reply udp config proxy_url http handshake dns}

skip() {
	echo "fuzz: SKIP: $1" >&2
	[ "${SOCKSIFY_TEST_STRICT:-0}" = 1 ] && exit 99
	exit 77
}

command -v "$CC" >/dev/null 2>&1 || skip "$CC not found (apt-get install clang)"

work=$(mktemp -d "${TMPDIR:-/tmp}/socksify-fuzz.XXXXXX") || exit 1
keep=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# libFuzzer + ASan + UBSan; every UBSan report is fatal.
cflags="-g -O1 -fsanitize=fuzzer,address,undefined \
-fno-sanitize-recover=all -fno-omit-frame-pointer -std=gnu11 \
-D_GNU_SOURCE -I$srcdir/src ${FUZZ_CFLAGS:-}"

# Probe: does this compiler have libFuzzer?
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    > "$work/probe.c"
# shellcheck disable=SC2086
$CC $cflags -o "$work/probe" "$work/probe.c" >/dev/null 2>&1 ||
    skip "$CC cannot build with -fsanitize=fuzzer (needs clang with libFuzzer)"

# The pure core only: no syscalls there, so every file links anywhere.
core=
for f in "$srcdir"/src/core/*.c; do core="$core $f"; done

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

status=0
summary=
for name in $harnesses; do
	case $name in
	reply|udp) max_len=600 ;;
	http) max_len=9000 ;;
	handshake) max_len=10000 ;;	# an HTTP head of 8192 and more
	proxy_url) max_len=2048 ;;
	*) max_len=4096 ;;
	esac
	bin=$work/fuzz_$name
	log=$work/$name.log
	# shellcheck disable=SC2086
	if ! $CC $cflags -o "$bin" "$srcdir/tests/fuzz/fuzz_$name.c" $core \
	    2>"$work/$name.build"; then
		cat "$work/$name.build" >&2
		echo "fuzz: $name: BUILD FAILED" >&2
		status=1
		summary="$summary
  $name: build failed"
		continue
	fi
	mkdir -p "$work/corpus/$name" "$work/crash/$name"
	if [ -d "$srcdir/tests/fuzz/corpus/$name" ]; then
		cp "$srcdir/tests/fuzz/corpus/$name"/* "$work/corpus/$name/" \
		    2>/dev/null
	fi
	# dns: the queries captured from real clients are the seeds too.
	if [ "$name" = dns ]; then
		cp "$srcdir"/tests/unit/fixtures/dns/*.udp \
		    "$srcdir"/tests/unit/fixtures/dns/*.tcp "$work/corpus/dns/" ||
		    { echo "fuzz: dns: no captured queries" >&2; status=1; }
	fi
	echo "fuzz: $name: running ${seconds}s"
	"$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/crash/$name/" \
	    "$work/corpus/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' \
	    "$log" | tail -n 1)
	corpus_n=$(find "$work/corpus/$name" -type f | wc -l)
	if [ "$rc" -ne 0 ]; then
		status=1
		keep=1
		# libFuzzer names the input: "Test unit written to PATH".
		input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		    tail -n 1)
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz_[a-z_]+: check failed)' \
		    "$log" | head -n 5 >&2
		echo "fuzz: $name: CRASH (exit $rc) after ${execs:-?} execs;" \
		    "input: ${input:-(none written)}; log: $log" >&2
		summary="$summary
  $name: CRASH after ${execs:-?} execs, input ${input:-?}"
	else
		summary="$summary
  $name: ${execs:-?} execs in ${seconds}s, corpus $corpus_n files, no crash"
	fi
done

echo "fuzz: summary:$summary"
if [ "$status" -ne 0 ]; then
	echo "fuzz: FAILED; inputs and logs kept in $work" >&2
	echo "fuzz: replay with: $work/fuzz_NAME INPUT; add the input to" \
	    "tests/fuzz/corpus/NAME/ as a regression seed" >&2
fi
exit "$status"
