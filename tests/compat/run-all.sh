#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the compatibility suite (every program script here, or those named:
# run-all.sh [curl wget ...]) one after the other, and prints the compat
# table: program x by-ip x by-name, from the scripts' "COMPAT PROGRAM MODE
# RESULT" lines. A failing script's whole output is shown. Logs go to
# $CX_LOGDIR (default: a new directory under $TMPDIR, kept).
# Exit: 0 all passed; 1 a failure (or, under SOCKSIFY_TEST_STRICT=1, a skip);
# 77 everything skipped.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
all=(curl wget ssh git python node nc ncat socat telnet)

if [ -z "${SOCKSIFY_BIN:-}" ]; then
	for b in "$top/build/scripts/socksify" "$top/scripts/socksify"; do
		if [ -x "$b" ]; then
			export SOCKSIFY_BIN=$b
			break
		fi
	done
fi
if [ -z "${SOCKSIFY_LIB:-}" ] && [ -n "${SOCKSIFY_BIN:-}" ]; then
	lib=$(dirname "$SOCKSIFY_BIN")/../src/.libs/libsocksify.so
	[ -e "$lib" ] && export SOCKSIFY_LIB=$lib
fi

if [ $# -gt 0 ]; then
	scripts=("$@")
else
	scripts=("${all[@]}")
fi
logdir=${CX_LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/sx-compat.XXXXXX")}
mkdir -p "$logdir" || exit 99

declare -A res=()	# "program mode" -> pass|fail
programs=()		# in order of first appearance
status=()		# "script: what"
n_fail=0
n_skip=0
n_ok=0

for s in "${scripts[@]}"; do
	s=${s%.sh}
	f=$here/$s.sh
	log=$logdir/$s.log
	if [ ! -f "$f" ]; then
		echo "run-all: no such script: $f" >&2
		exit 99
	fi
	start=$SECONDS
	bash "$f" >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	while read -r tag prog mode result; do
		[ "$tag" = COMPAT ] || continue
		[ -n "${res[$prog by-ip]:-}${res[$prog by-name]:-}" ] ||
		    programs+=("$prog")
		res[$prog $mode]=$result
	done <"$log"
	case $rc in
	0) what=PASS; n_ok=$((n_ok + 1)) ;;
	77) what="SKIP ($(grep -m1 'SKIP' "$log" | sed 's/^[^:]*: //'))"
	    n_skip=$((n_skip + 1)) ;;
	*) what="FAIL (exit $rc)"; n_fail=$((n_fail + 1)) ;;
	esac
	status+=("$(printf '%-8s %s, %ss' "$s" "$what" "$took")")
	printf 'run-all: %-8s %s, %ss\n' "$s" "$what" "$took"
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		sed 's/^/  | /' "$log"
	fi
done

echo
echo "== compat table (logs in $logdir) =="
printf '%-16s %-6s %-6s\n' program by-ip by-name
printf '%-16s %-6s %-6s\n' ---------------- ------ ------
for p in "${programs[@]}"; do
	printf '%-16s %-6s %-6s\n' "$p" "${res[$p by-ip]:--}" \
	    "${res[$p by-name]:--}"
done
for st in "${status[@]}"; do
	case $st in *PASS,*) ;; *) printf '%s\n' "$st" ;; esac
done
n_cases=0
n_cases_failed=0
n_cases_skipped=0
for k in "${!res[@]}"; do
	n_cases=$((n_cases + 1))
	case ${res[$k]} in
	pass) ;;
	skip) n_cases_skipped=$((n_cases_skipped + 1)) ;;
	*) n_cases_failed=$((n_cases_failed + 1)) ;;
	esac
done
printf '%d scripts: %d passed, %d failed, %d skipped; ' \
    "${#scripts[@]}" "$n_ok" "$n_fail" "$n_skip"
printf '%d cases: %d failed, %d skipped\n' \
    "$n_cases" "$n_cases_failed" "$n_cases_skipped"

if [ "$n_fail" -gt 0 ] || [ "$n_cases_failed" -gt 0 ]; then
	exit 1
fi
if [ "$n_skip" -gt 0 ]; then
	[ "${SOCKSIFY_TEST_STRICT:-0}" = 1 ] && exit 1
	[ "$n_ok" -eq 0 ] && exit 77
fi
exit 0
