#!/bin/bash
# SPDX-License-Identifier: MIT
# telnet through socksify, by IP and by a name only the proxy resolves: a
# line to an echo server and back (telnet prints banners around it, and
# quits at the end of its input, so the input stays open 2 s).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup telnet
cx_start_echo

for mode in by-ip by-name; do
	cx_echo_case telnet "$mode" 2 0 \
	    telnet "$(cx_host "$mode")" "$CX_ECHO_PORT"
done

cx_done
