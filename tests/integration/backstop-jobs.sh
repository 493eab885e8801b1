#!/bin/bash
# SPDX-License-Identifier: MIT
# Job control through the backstop, at a terminal: tests/helpers/ptyjobs.py
# drives an interactive bash in a pseudo-terminal. Ctrl-Z, fg and Ctrl-C on
# a socksified command; the same inside `socksify --shell`. No network is
# needed: nothing here connects.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_require_socksify
sx_require_backstop
sx_require_bin bash sleep "$SX_PYTHON"
SX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sx-$SX_NAME.XXXXXX") || sx_error "mktemp"
trap sx_cleanup EXIT
export HOME=$SX_TMP XDG_CONFIG_HOME=$SX_TMP/xdg
export SOCKSIFY_CONF=$SX_TMP/socksify.conf
sx_conf "$SOCKSIFY_CONF" "proxy = socks5://127.0.0.1:1"
unset SOCKSIFY_PROXY SOCKSIFY_LOG

timeout -k 5 90 "$SX_PYTHON" "$SX_HELPERS/ptyjobs.py" "$SX" \
    >"$SX_TMP/pty.out" 2>"$SX_TMP/pty.err"
rc=$?
cat "$SX_TMP/pty.out"
sx_check "the terminal session ran to its end (status $rc)" \
    test "$rc" -eq 0 -o "$rc" -eq 1
sx_check "all 18 steps were checked" \
    test "$(grep -c "^ok   - " "$SX_TMP/pty.out")" -eq 18
sx_check "no step failed" sx_not grep -q '^FAIL' "$SX_TMP/pty.out"
[ "$SX_FAILED" -eq 0 ] || sx_show "driver stderr" "$SX_TMP/pty.err"
sx_done
