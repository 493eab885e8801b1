#!/bin/bash
# SPDX-License-Identifier: MIT
# Privileges under the backstop, and what the wrapper's warning says:
#   - root: the filter needs no no_new_privs; a setuid program keeps its
#     privileges (a setuid-nobody id(1) run by root says 65534), and the
#     warning says only the backstop covers it
#   - another user (nobody): no_new_privs is set, a setuid-root id(1) runs
#     without its privileges (says 65534) and the warning says so; with
#     --no-backstop it keeps them (says 0) and the warning says its
#     traffic is not proxied
# Nothing here connects: no namespaces.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_require_socksify
sx_require_backstop
[ "$(id -u)" -eq 0 ] || sx_skip "needs root (setuid files, another user)"
sx_require_bin setpriv id
SX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sx-$SX_NAME.XXXXXX") || sx_error "mktemp"
trap sx_cleanup EXIT
chmod 755 "$SX_TMP"
export HOME=$SX_TMP XDG_CONFIG_HOME=$SX_TMP/xdg
export SOCKSIFY_CONF=$SX_TMP/socksify.conf
printf 'proxy = socks5://127.0.0.1:1\n' >"$SOCKSIFY_CONF"
chmod 644 "$SOCKSIFY_CONF"
unset SOCKSIFY_PROXY SOCKSIFY_LOG
nobody=$(id -u nobody) || sx_skip "no user nobody"

suid_root=$SX_TMP/id-suid-root
suid_nobody=$SX_TMP/id-suid-nobody
if ! cp "$(command -v id)" "$suid_root" || ! chmod 4755 "$suid_root" ||
    ! cp "$(command -v id)" "$suid_nobody" ||
    ! chown nobody "$suid_nobody" || ! chmod 4755 "$suid_nobody"; then
	sx_error "cannot make setuid copies of id"
fi
"$suid_nobody" -u >"$SX_TMP/probe" 2>&1
[ "$(cat "$SX_TMP/probe")" = "$nobody" ] ||
    sx_skip "setuid bits do not work in $SX_TMP (nosuid mount?)"

# shellcheck disable=SC2317	# called through out()
as_nobody() { setpriv --reuid="$nobody" --regid="$(id -g nobody)" \
    --clear-groups "$@"; }

# out TAG CMD...: stdout to TAG.out, stderr to TAG.err.
out() { local t=$1; shift; "$@" >"$SX_TMP/$t.out" 2>"$SX_TMP/$t.err"; }
# shellcheck disable=SC2317	# called through sx_check
is() { [ "$(cat "$SX_TMP/$1.out")" = "$2" ]; }

out root-nnp "$SX" sh -c "sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status"
sx_check "root: the backstop sets no no_new_privs" is root-nnp 0
out root-suid "$SX" "$suid_nobody" -u
sx_check "root: a setuid program keeps its privileges (euid $(cat "$SX_TMP/root-suid.out"))" \
    is root-suid "$nobody"
sx_check "root: the warning says it keeps them and only the backstop covers it" \
    sx_has_line "$SX_TMP/root-suid.err" "keeps its privileges \(you are root\).*only the backstop"
out root-suid-root "$SX" "$suid_root" -u
sx_check "root: a setuid-root program changes nothing, no warning" \
    test "$(cat "$SX_TMP/root-suid-root.out")" = 0 -a ! -s "$SX_TMP/root-suid-root.err"

out user-nnp as_nobody "$SX" sh -c "sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status"
sx_check "user: the backstop had to set no_new_privs" is user-nnp 1
out user-suid as_nobody "$SX" "$suid_root" -u
sx_check "user: a setuid-root program runs without its privileges (euid $(cat "$SX_TMP/user-suid.out"))" \
    is user-suid "$nobody"
sx_check "user: the warning says it runs WITHOUT its privileges, proxied" \
    sx_has_line "$SX_TMP/user-suid.err" "setuid root: under the backstop.*WITHOUT.*proxied"
out user-off as_nobody "$SX" --no-backstop "$suid_root" -u
sx_check "user, --no-backstop: it keeps its privileges (euid $(cat "$SX_TMP/user-off.out"))" \
    is user-off 0
sx_check "user, --no-backstop: the warning says it is NOT proxied" \
    sx_has_line "$SX_TMP/user-off.err" "setuid root: the dynamic loader ignores LD_PRELOAD.*NOT proxied"
out user-probe as_nobody "$SX_SUPERVISE" --probe
sx_check "user: --probe says setuid programs lose their privileges" \
    grep -q 'no_new_privs: setuid programs run without' "$SX_TMP/user-probe.out"

[ "$SX_FAILED" -eq 0 ] || for t in root-suid user-suid user-off user-probe; do
	sx_show "$t" "$SX_TMP/$t.err"
done
sx_done
