#!/bin/bash
# SPDX-License-Identifier: MIT
# OpenBSD netcat through socksify, by IP and by a name only the proxy
# resolves: a line to an echo server and back.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup nc
# Debian's nc may be another netcat; only OpenBSD's knows -N.
nc -h 2>&1 | grep -Eq -- '^[[:space:]]+-N[[:space:]]' || sx_skip "nc is not OpenBSD netcat"
cx_start_echo

cx_plain_fails "nc" nc -w 3 "$SX_SERVER4" "$CX_ECHO_PORT"

for mode in by-ip by-name; do
	cx_echo_case nc "$mode" 0 1 nc -w 8 "$(cx_host "$mode")" "$CX_ECHO_PORT"
done

cx_done
