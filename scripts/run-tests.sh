#!/bin/sh
# SPDX-License-Identifier: MIT
# Every test: a -Werror build with the whole suite (unit, structural,
# integration in network namespaces, the compatibility table of real
# programs), the same under ASan+UBSan, a ThreadSanitizer stress run,
# valgrind memcheck, bounded fuzzing, `make distcheck`, then a .deb built
# from the release tarball. Strict: an integration test that would skip
# fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/install-deps.sh
# The builds below are out of tree; configure refuses to run beside a
# source directory configured in place (./configure && make there).
if [ -f config.status ]; then
	echo "== the source directory was configured in place: make distclean there first (builds here are out of tree) =="
	if [ -f Makefile ]; then
		make distclean >/dev/null
	else
		rm -f config.status config.h config.log
	fi
fi
autoreconf -fi
export SOCKSIFY_TEST_STRICT=1
jobs=$(nproc 2>/dev/null || echo 2)

run_suite() {	# run_suite DIR CONFIGURE-ARGS...
	dir=$1; shift
	rm -rf "$dir" && mkdir -p "$dir"
	if ! (cd "$dir" && "$top/configure" "$@" >configure.out 2>&1); then
		echo "=== configure FAILED in $dir: ===" >&2
		tail -n 5 "$dir/configure.out" >&2
		if [ -f "$dir/config.log" ]; then
			# The last checks before config.log's variable dumps.
			echo "=== the end of $dir/config.log's checks: ===" >&2
			sed -n '/^## Cache variables/q;p' "$dir/config.log" |
			    tail -n 30 >&2
		fi
		return 1
	fi
	if ! (cd "$dir" && make -j"$jobs" >make.out 2>&1); then
		echo "=== build FAILED in $dir: ===" >&2
		tail -n 40 "$dir/make.out" >&2
		return 1
	fi
	(cd "$dir" && make -j"$jobs" check) || {
		echo "=== FAILED in $dir; test logs: ===" >&2
		cat "$dir"/test-suite.log >&2 || true
		return 1
	}
}

echo "== build with -Werror, full test suite =="
run_suite build-ci --enable-werror
echo "== ASan + UBSan build, full test suite =="
run_suite build-asan --enable-werror --enable-sanitizers
echo "== ThreadSanitizer stress, valgrind memcheck =="
(cd build-ci && make check-tsan && make check-valgrind) || { echo "tsan/valgrind failed" >&2; exit 1; }
echo "== fuzzing: each parser for ${FUZZ_SECONDS:-60} s =="
(cd build-ci && make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}") || { echo "fuzzing failed" >&2; exit 1; }
echo "== make distcheck =="
(cd build-ci && make distcheck >/dev/null) || { echo "distcheck failed" >&2; exit 1; }
echo "== Debian package from the release tarball: build, lintian, installed =="
# Built as a user would build it, checked by lintian (errors and warnings
# fail; pedantic and info tags are shown), then installed with apt-get
# beside dante-client and tested as installed: tests/package.sh (the main
# job through /usr/bin/socksify, man pages, Dante's wrapper as
# socksify.dante, conffile over upgrades, remove and purge leave nothing).
pkg=$(mktemp -d)
tar -xzf build-ci/socksify-*.tar.gz -C "$pkg"
(cd "$pkg"/socksify-* && dpkg-buildpackage -us -uc -b -J"$jobs" >"$pkg/build.log" 2>&1) || {
	tail -40 "$pkg/build.log" >&2; echo "package build failed" >&2; exit 1; }
lintian --fail-on error,warning --pedantic --display-info "$pkg"/socksify_*.changes || {
	echo "lintian: errors or warnings (above)" >&2; exit 1; }
sh tests/package.sh "$pkg"/socksify_*.deb || { echo "package test failed" >&2; exit 1; }
rm -rf "$pkg"
echo "== all tests passed =="
