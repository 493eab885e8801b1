#!/bin/bash
# SPDX-License-Identifier: MIT
# The integration harness's negative checks cannot pass by accident: "FILE
# has no such line" fails when FILE is missing (sx_lacks, sx_none,
# sx_no_line), and the caller's proxy variables do not reach a scenario.
# No root needed: only lib.sh's functions are exercised.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/integration/lib.sh"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'socksify: connect 192.0.2.1:80 via 127.0.0.1:1: ok\nplain\n' >"$tmp/log"
missing=$tmp/no-such-file

sx_check "sx_lacks: absent pattern passes" sx_lacks "$tmp/log" 'nothing here'
sx_check "sx_lacks: present pattern fails" sx_not sx_lacks "$tmp/log" plain
sx_check "sx_lacks: -F takes a fixed string" \
    sx_not sx_lacks "$tmp/log" '192.0.2.1:80' -F
sx_check "sx_lacks: a missing file fails" sx_not sx_lacks "$missing" x
sx_check "sx_none grep: missing file fails" \
    sx_not sx_none grep -q x "$missing"
sx_check "sx_no_line: no such diagnostic passes" \
    sx_no_line "$tmp/log" 'refused'
sx_check "sx_no_line: a diagnostic fails" sx_not sx_no_line "$tmp/log" 'ok'
sx_check "sx_no_line: a missing file fails" sx_not sx_no_line "$missing"
SX_TMP=$tmp
printf 'x - - "GET / HTTP/1.1"\n' >"$tmp/http.10.0.0.1.log"
sx_check "sx_none http_saw: another client passes" \
    sx_none http_saw 10.0.0.1 10.9.9.9
sx_check "sx_none http_saw: a missing server log fails" \
    sx_not sx_none http_saw 10.0.0.2 10.9.9.9
SX_TMP=
# make check's environment: nothing picks a proxy behind the tests' back.
for v in ALL_PROXY all_proxy NO_PROXY no_proxy SOCKSIFY_PROXY SOCKSIFY_CONF; do
	sx_check "$v is not set for the tests" test -z "${!v+set}"
done
sx_done
