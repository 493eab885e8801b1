#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016  # $LD_PRELOAD is expanded by the inner sh
# The wrapper: options, exit codes, config errors with FILE:LINE, warnings.
set -u
sx=${SOCKSIFY_BIN:?}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {	# check NAME WANT_STATUS WANT_STDERR_REGEX -- CMD...
	local name=$1 want=$2 re=$3 st
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"; st=$?
	if [ "$st" != "$want" ] || { [ -n "$re" ] && ! grep -qE -- "$re" "$tmp/err" "$tmp/out"; }; then
		echo "FAIL: $name: status $st (want $want), output:"; cat "$tmp/out" "$tmp/err"
		fail=1
	else
		echo "ok: $name"
	fi
}
export SOCKSIFY_CONF="$tmp/good.conf"
printf 'proxy = socks5://127.0.0.1:1\n' >"$tmp/good.conf"
check help 0 'Usage: socksify' -- "$sx" --help
check version 0 '^socksify [0-9]' -- "$sx" --version
check version-features 0 '^features: sanitizers=(yes|no) backstop=(yes|no)$' -- "$sx" --version
check no-command 2 'Usage' -- "$sx"
check bad-option 2 "unknown option '-z'" -- "$sx" -z true
check missing-arg 2 'option -p needs an argument' -- "$sx" -p
check not-found 127 'nosuchcommand-sx: command not found' -- "$sx" nosuchcommand-sx
check exit-status 3 '' -- "$sx" sh -c 'exit 3'
check preload-set 0 'libsocksify' -- "$sx" sh -c 'echo "$LD_PRELOAD"'
check preload-kept 0 'libsocksify.so /x/keep.so' -- env LD_PRELOAD=/x/keep.so "$sx" sh -c 'echo "$LD_PRELOAD" | tr -s " "' 
# Relative paths are made absolute before the program can chdir():
# the library reads the file at its first call, in whatever directory.
mkdir "$tmp/rel"
printf 'proxy = socks5://127.0.0.1:1\nlog_level = info\n' >"$tmp/rel/rel.conf"
check relative-conf 0 "^conf=$tmp/rel/rel.conf\$" -- sh -c "cd '$tmp/rel' && '$sx' -c rel.conf sh -c 'cd / && echo \"conf=\$SOCKSIFY_CONF\"'"
check relative-conf-env 0 "^conf=$tmp/rel/rel.conf\$" -- sh -c "cd '$tmp/rel' && SOCKSIFY_CONF=rel.conf '$sx' sh -c 'cd / && echo \"conf=\$SOCKSIFY_CONF\"'"
# ... and used from there: the program connects after cd / (-v: the log
# line proves the file was read; the proxy at port 1 refuses).
check relative-conf-read 0 'socksify: connect 192.0.2.1:80 via 127.0.0.1:1' -- sh -c "cd '$tmp/rel' && '$sx' -c rel.conf python3 -c 'import os, socket
os.chdir(\"/\")
try: socket.create_connection((\"192.0.2.1\", 80), timeout=3)
except OSError: pass'"
lib_dir=$(dirname "${SOCKSIFY_LIB:?}")
check relative-lib 0 "^pre=.*$lib_dir/libsocksify.so" -- sh -c "cd '$lib_dir' && SOCKSIFY_LIB=libsocksify.so '$sx' sh -c 'cd / && echo \"pre=\$LD_PRELOAD\"'"
check empty-conf-arg 2 'option -c needs a file name' -- "$sx" -c '' true
printf 'proxy = socks5://127.0.0.1:1080\nbogus = 1\n' >"$tmp/bad.conf"
check bad-config 1 "bad.conf:2: unknown key 'bogus'" -- "$sx" -c "$tmp/bad.conf" true
check missing-config 1 'nope.conf' -- "$sx" -c "$tmp/nope.conf" true
check bad-proxy-env 1 'SOCKSIFY_PROXY' -- "$sx" -p 'socks5://127.0.0.1:99999' true
printf 'proxy = socks5://alice:s3cr3t-pw@127.0.0.1:1\n' >"$tmp/pw.conf"
chmod 644 "$tmp/pw.conf"
check secret-readable 0 'pw.conf holds a proxy password and is readable' -- "$sx" -c "$tmp/pw.conf" true
chmod 600 "$tmp/pw.conf"
"$sx" -c "$tmp/pw.conf" true 2>"$tmp/err"
if [ -s "$tmp/err" ]; then echo "FAIL: warning for a private config:"; cat "$tmp/err"; fail=1; else echo "ok: secret-private"; fi
# A failing connection's log line names the proxy but never the password.
"$sx" -c "$tmp/pw.conf" -v python3 -c 'import socket
try: socket.create_connection(("192.0.2.1", 80), timeout=3)
except OSError: pass' 2>"$tmp/err"
if grep -q 's3cr3t' "$tmp/err" || ! grep -q 'socksify: connect 192.0.2.1:80 via 127.0.0.1:1' "$tmp/err"; then
	echo "FAIL: secret-not-logged:"; cat "$tmp/err"; fail=1
else
	echo "ok: secret-not-logged"
fi
# `. socksify on|off` in bash and zsh (zsh does not split unquoted words:
# the wrapper splits LD_PRELOAD itself): the library first, once, however
# often `on` runs; other entries, blank- or colon-separated, kept by both.
# (An ASan build puts libasan first: SAN_PRELOAD.)
libm=$(cc -print-file-name=libm.so.6) libdl=$(cc -print-file-name=libdl.so.2)
san=${SAN_PRELOAD:+$SAN_PRELOAD }
for sh in bash zsh; do
	if ! command -v "$sh" >/dev/null 2>&1; then
		echo "FAIL: $sh not installed: '. socksify on' in $sh untested"; fail=1; continue
	fi
	check "$sh-on" 0 "^on=${san}[^ ]*/libsocksify\\.so\$" -- \
	    "$sh" -c ". '$sx' on; echo \"on=\$LD_PRELOAD\""
	check "$sh-off" 0 '^off=\[\]$' -- \
	    "$sh" -c ". '$sx' on; . '$sx' off; echo \"off=[\${LD_PRELOAD-}]\""
	check "$sh-on-twice-keeps-others" 0 "^on=${san}[^ ]*/libsocksify\\.so $libm $libdl off=$libm $libdl\$" -- \
	    env LD_PRELOAD="$libm:$libdl" "$sh" -c ". '$sx' on; . '$sx' on; v=\$LD_PRELOAD; . '$sx' off; echo \"on=\$v off=\$LD_PRELOAD\""
done
check shell-on-not-sourced 2 'run it as' -- "$sx" on
# dash's `.` passes no arguments: sourcing must not run the wrapper (which
# would exit the user's shell) but say what works and return 2.
check dash-sourced-says-why 0 "works in bash and zsh" -- \
    dash -c ". '$sx' on; echo alive=\$?"
check dash-sourced-returns 0 '^alive=2$' -- \
    dash -c ". '$sx' on; echo alive=\$?"
check shell-mode 0 'shell=.*libsocksify.so' -- env SHELL=/bin/sh "$sx" --shell <<'IN'
echo "shell=$LD_PRELOAD"
IN
cat >"$tmp/static.c" <<'C'
int main(void) { return 0; }
C
if ! cc -static -o "$tmp/static" "$tmp/static.c" 2>/dev/null; then
	echo "FAIL: cannot build a static test program"; fail=1
elif [ "${SOCKSIFY_BACKSTOP_BUILT:-no}" = yes ]; then
	# The backstop covers static programs: no warning, unless it is off.
	check static-covered 0 '' -- "$sx" "$tmp/static"
	if [ -s "$tmp/err" ]; then
		echo "FAIL: static-covered: a warning although the backstop runs:"
		cat "$tmp/err"; fail=1
	fi
	check static-no-backstop 0 'statically linked.*NOT proxied' -- \
	    "$sx" --no-backstop "$tmp/static"
	check no-backstop-warns 0 'backstop is off \(--no-backstop\)' -- \
	    "$sx" --no-backstop true
	printf 'proxy = socks5://127.0.0.1:1\nbackstop = off\n' >"$tmp/off.conf"
	check backstop-key-off 0 "backstop is off \('backstop = off' in .*off.conf\)" -- \
	    "$sx" -c "$tmp/off.conf" "$tmp/static"
	check backstop-key-off-static 0 'statically linked' -- \
	    "$sx" -c "$tmp/off.conf" "$tmp/static"
	check backstop-key-off-runs 0 '^Seccomp:[[:space:]]*0$' -- \
	    "$sx" -c "$tmp/off.conf" grep '^Seccomp:' /proc/self/status
	check backstop-runs 0 '^Seccomp:[[:space:]]*2$' -- \
	    "$sx" grep '^Seccomp:' /proc/self/status
	# The supervisor (our parent) runs without the library preloaded.
	check supervisor-not-preloaded 0 '^parent-preloads=0$' -- \
	    "$sx" sh -c 'echo "parent-preloads=$(tr "\0" "\n" </proc/$PPID/environ | grep -c "^LD_PRELOAD=")"'
	check check-backstop 1 '^backstop: +available' -- "$sx" --check
	check check-no-backstop 1 '^backstop: +off \(--no-backstop\)' -- \
	    "$sx" --no-backstop --check
	check shell-on-note 0 "socksify on' preloads the library" -- \
	    bash -c ". '$sx' on; . '$sx' off; . '$sx' on"
	if [ "$(grep -c "socksify on' preloads" "$tmp/err")" != 1 ]; then
		echo "FAIL: shell-on-note: said more than once:"; cat "$tmp/err"
		fail=1
	fi
else
	check static-warning 0 'statically linked' -- "$sx" "$tmp/static"
fi
exit "$fail"
