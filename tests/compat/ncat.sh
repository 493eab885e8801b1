#!/bin/bash
# SPDX-License-Identifier: MIT
# Nmap's ncat through socksify, by IP and by a name only the proxy
# resolves: a line to an echo server and back.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup ncat
cx_start_echo

cx_plain_fails "ncat" ncat -w 3 "$SX_SERVER4" "$CX_ECHO_PORT"

# Input held open 1 s: at the end of input ncat half-closes, and microsocks
# drops the whole connection on a half-close (before the answer is back).
for mode in by-ip by-name; do
	cx_echo_case ncat "$mode" 1 1 \
	    ncat -w 8 "$(cx_host "$mode")" "$CX_ECHO_PORT"
done

cx_done
