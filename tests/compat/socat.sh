#!/bin/bash
# SPDX-License-Identifier: MIT
# socat through socksify, by IP and by a name only the proxy resolves: a
# line to an echo server and back.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup socat
cx_start_echo

cx_plain_fails "socat" socat -T 3 - "TCP:$SX_SERVER4:$CX_ECHO_PORT,connect-timeout=3"

for mode in by-ip by-name; do
	# Input held open 1 s: at the end of input socat half-closes, and
	# microsocks drops the whole connection on a half-close (before the
	# answer is back). -t 5: socat's wait for the other direction.
	cx_echo_case socat "$mode" 1 1 \
	    socat -t 5 -T 8 - "TCP:$(cx_host "$mode"):$CX_ECHO_PORT"
done

cx_done
