#!/bin/bash
# SPDX-License-Identifier: MIT
# OpenSSH and rsync through socksify, by IP and by a name only the proxy
# resolves, to an sshd with throwaway keys (the host key is checked:
# StrictHostKeyChecking yes with the real key for the address and the name):
#   ssh    a remote command
#   scp    a file copied from the server (SFTP protocol; scp execs ssh)
#   rsync  a directory pulled with rsync -e ssh (rsync execs ssh)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup ssh scp rsync

start_sshd "$SX_NS_S" "$SX_SERVER4"
ssh_cmd=(ssh -F "$CX_SSH_CONFIG")

# What the server offers: a file and a directory tree.
"$SX_PYTHON" -c 'import os, sys
for i in range(4096):
	sys.stdout.write("%06d socksify over ssh %s\n" % (i, "y" * 40))' \
    >"$CX_SSH_HOME/file"
mkdir -p "$CX_SSH_HOME/tree/sub"
for i in 1 2 3; do
	printf 'file %s %s\n' "$i" "$$" >"$CX_SSH_HOME/tree/f$i"
	cp "$CX_SSH_HOME/file" "$CX_SSH_HOME/tree/sub/big$i"
done
chown -R "$CX_SSH_USER" "$CX_SSH_HOME"

cx_plain_fails "ssh" "${ssh_cmd[@]}" "$SX_SERVER4" true

for mode in by-ip by-name; do
	host=$(cx_host "$mode")

	cx_begin ssh "$mode"
	out=$SX_TMP/ssh.$mode
	cx_diag "$out.err" "$CX_SSHD_LOG"
	token="ssh-ok-$$-$RANDOM"
	cx_run "${ssh_cmd[@]}" "$host" "echo $token; id -un" \
	    >"$out" 2>"$out.err" </dev/null
	rc=$?
	sx_check "ssh $mode: exit 0 (got $rc)" test "$rc" -eq 0
	sx_check "ssh $mode: the remote command ran as $CX_SSH_USER" \
	    test "$(cat "$out")" = "$token"$'\n'"$CX_SSH_USER"
	cx_check_proxy 22
	cx_sshd_saw
	cx_end

	cx_begin scp "$mode"
	out=$SX_TMP/scp.$mode
	cx_diag "$out.err" "$CX_SSHD_LOG"
	cx_run scp -q -F "$CX_SSH_CONFIG" "$host:file" "$out" \
	    2>"$out.err" </dev/null
	rc=$?
	sx_check "scp $mode: exit 0 (got $rc)" test "$rc" -eq 0
	sx_check "scp $mode: content is exact" cmp -s "$CX_SSH_HOME/file" "$out"
	cx_check_proxy 22
	cx_sshd_saw
	cx_end

	cx_begin rsync "$mode"
	out=$SX_TMP/rsync.$mode
	cx_diag "$out.err" "$CX_SSHD_LOG"
	cx_run rsync -a -e "ssh -F $CX_SSH_CONFIG" "$host:tree/" "$out/" \
	    2>"$out.err" </dev/null
	rc=$?
	sx_check "rsync $mode: exit 0 (got $rc)" test "$rc" -eq 0
	sx_check "rsync $mode: the tree is exact" \
	    diff -r "$CX_SSH_HOME/tree" "$out"
	cx_check_proxy 22
	cx_sshd_saw
	cx_end
done

cx_done
