#!/bin/bash
# SPDX-License-Identifier: MIT
# `make install` into a scratch prefix: the configuration file is installed
# when there is none, an edited one is left alone (the new example goes
# next to it as socksify.conf.dist, and the install says so), a DESTDIR
# staging install always gets it, `make uninstall` leaves an edited file.
# No root needed.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/integration/lib.sh"

[ -n "${top_builddir:-}" ] && [ -e "$top_builddir/Makefile" ] ||
    sx_error "top_builddir is not a configured build tree"
example=$SX_TOP_SRCDIR/socksify.conf
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
etc=$tmp/etc
conf=$etc/socksify.conf

# inst TARGET OUT [VAR=VALUE...]: make TARGET into the scratch prefix.
inst()
{
	local target=$1 out=$2
	shift 2
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" \
	    "$target" prefix="$tmp/prefix" sysconfdir="$etc" "$@" \
	    >"$tmp/$out" 2>&1
}

sx_check "first install succeeds" inst install first.out
sx_check "first install: the example is installed" cmp -s "$example" "$conf"
sx_check "first install: no .dist next to it" test ! -e "$conf.dist"

printf 'proxy = socks5://10.1.2.3:1080\n' >>"$conf"
cp "$conf" "$tmp/edited"
sx_check "second install succeeds" inst install second.out
sx_check "second install: the edited file is untouched" \
    cmp -s "$tmp/edited" "$conf"
sx_check "second install: the new example is socksify.conf.dist" \
    cmp -s "$example" "$conf.dist"
sx_check "second install: says so" \
    grep -q "$conf exists and differs from the example: left as it is" \
    "$tmp/second.out"

mkdir -p "$tmp/stage$etc"
printf 'stale\n' >"$tmp/stage$conf"
sx_check "DESTDIR install succeeds" inst install stage.out \
    DESTDIR="$tmp/stage"
sx_check "DESTDIR install: the staged file is the example" \
    cmp -s "$example" "$tmp/stage$conf"
sx_check "DESTDIR install: no .dist in the stage" \
    test ! -e "$tmp/stage$conf.dist"

sx_check "uninstall succeeds" inst uninstall uninstall.out
sx_check "uninstall: the edited file stays" cmp -s "$tmp/edited" "$conf"
sx_check "uninstall: the .dist goes" test ! -e "$conf.dist"
sx_check "uninstall: the wrapper goes" test ! -e "$tmp/prefix/bin/socksify"
cp "$example" "$conf"
sx_check "uninstall of an unedited file removes it" \
    inst uninstall uninstall2.out
sx_check "uninstall: unedited file removed" test ! -e "$conf"

[ "$SX_FAILED" -eq 0 ] || for f in "$tmp"/*.out; do sx_show "$f" "$f"; done
sx_done
