#!/bin/bash
# SPDX-License-Identifier: MIT
# getaddrinfo(AI_ADDRCONFIG) in remote-DNS mode: a placeholder of a family
# the host has no address of is left out (as glibc leaves out real ones);
# without the flag both families are answered.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT"
probe="import socket
fams = lambda f: ','.join(sorted({a[0].name for a in socket.getaddrinfo(
    'www.sx.test', 80, type=socket.SOCK_STREAM, flags=f)}))
print(fams(0), fams(socket.AI_ADDRCONFIG))"

sx_run -c "$conf" "$SX_PYTHON" -c "$probe" >"$SX_TMP/dual" 2>&1
sx_check "dual-stack client: both families, with and without AI_ADDRCONFIG" \
    grep -qx "AF_INET,AF_INET6 AF_INET,AF_INET6" "$SX_TMP/dual"

# Take the client's IPv6 addresses away (link-local ones do not count).
ip -n "$SX_NS_C" -6 addr flush scope global
sx_run -c "$conf" "$SX_PYTHON" -c "$probe" >"$SX_TMP/v4only" 2>&1
sx_check "IPv4-only client: AI_ADDRCONFIG leaves the IPv6 placeholder out" \
    grep -qx "AF_INET,AF_INET6 AF_INET" "$SX_TMP/v4only"
sx_check "no DNS query left the client" test "$(dns_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || { sx_show dual "$SX_TMP/dual"; sx_show v4only "$SX_TMP/v4only"; }
sx_done
