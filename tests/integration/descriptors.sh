#!/bin/bash
# SPDX-License-Identifier: MIT
# Descriptor bookkeeping against real proxies (microsocks, dante with
# username/password, dante without authentication for UDP), with the
# cases tests/helpers/fdcases.c runs: a proxied TCP socket fclose()d and a
# direct loopback socket at its number (getpeername is the new one's); a
# UDP socket with an association fclose()d and a regular file at its
# number (write/read work, the control connection goes); connect() again
# on a proxied socket (EISCONN, the server gets exactly the program's
# bytes); a program that dup2()s its data file over 3..63 then connects
# (no log line in its data, every line in the log file); a forked or
# vforked child closing its copy of a socket (the parent's name keeps its
# placeholder). Nothing leaves the client around the proxy, no DNS query.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks danted
sx_dns_setup
fdcases=$(sx_build_helper fdcases) || exit 99

start_echo "$SX_NS_S" "$SX_SERVER4"
echo_port=$SX_LAST_PORT
start_udp_echo "$SX_NS_S"
udp_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
micro_port=$SX_LAST_PORT
start_danted "$SX_NS_P" "$SX_PROXY4" 1080
dante_port=$SX_LAST_PORT
start_danted_noauth "$SX_NS_P" "$SX_PROXY4" 1081
noauth_port=$SX_LAST_PORT

micro=$SX_TMP/micro.conf
dante=$SX_TMP/dante.conf
noauth=$SX_TMP/noauth.conf
sx_conf "$micro" "proxy = socks5://$SX_PROXY4:$micro_port" "timeout = 5" \
    "placeholder_v4 = 198.18.0.0/30"
sx_conf "$dante" \
    "proxy = socks5://$SX_DANTE_USER:$SX_DANTE_PASS@$SX_PROXY4:$dante_port" \
    "timeout = 5" "placeholder_v4 = 198.18.0.0/30"
sx_conf "$noauth" "proxy = socks5://$SX_PROXY4:$noauth_port" "timeout = 5"
SHOW=()
leak_reset

# fd_case NAME CONF CASE ARGS...: one fdcases run through socksify; its
# output in $SX_TMP/NAME.out, stderr in $SX_TMP/NAME.err.
fd_case()
{
	local name=$1 conf=$2
	shift 2
	SHOW+=("$name.out" "$name.err")
	sx_run -c "$conf" "$fdcases" "$@" >"$SX_TMP/$name.out" \
	    2>"$SX_TMP/$name.err"
}

# shellcheck disable=SC2317	# called through sx_check
case_ok() { grep -qx "ok $2" "$SX_TMP/$1.out"; }

# The echo server's record of what one connection sent, exactly.
# shellcheck disable=SC2317
echo_data_is() { [ "$(cat "$SX_TMP/echo.$SX_SERVER4.data")" = "$1" ]; }

for proxy in micro dante; do
	conf=$SX_TMP/$proxy.conf
	: >"$SX_TMP/echo.$SX_SERVER4.data"
	fd_case "$proxy-fclose" "$conf" fclose "$SX_SERVER4" "$echo_port"
	sx_check "$proxy: fclose of a proxied socket, then a direct one" \
	    case_ok "$proxy-fclose" fclose
	sx_check "$proxy: fclose case: no socksify line" \
	    sx_no_line "$SX_TMP/$proxy-fclose.err"

	: >"$SX_TMP/echo.$SX_SERVER4.data"
	fd_case "$proxy-reconnect" "$conf" reconnect "$SX_SERVER4" \
	    "$echo_port"
	sx_check "$proxy: second connect() is EISCONN, tunnel unharmed" \
	    case_ok "$proxy-reconnect" reconnect
	sx_check "$proxy: the server got the program's bytes only" \
	    echo_data_is onetwo

	fd_case "$proxy-forkpin" "$conf" forkpin "$SX_DNS_NAME" "$echo_port"
	sx_check "$proxy: fork child's close keeps the parent's name" \
	    case_ok "$proxy-forkpin" forkpin
	fd_case "$proxy-vforkpin" "$conf" vforkpin "$SX_DNS_NAME" \
	    "$echo_port"
	sx_check "$proxy: vfork child's close keeps the parent's name" \
	    case_ok "$proxy-vforkpin" vforkpin
done

# dup2 over 3..63 with a log file: the log stays the library's.
logconf=$SX_TMP/log.conf
sx_conf "$logconf" "proxy = socks5://$SX_PROXY4:$micro_port" "timeout = 5" \
    "log_level = info" "log_file = $SX_TMP/sx.log"
data=$SX_TMP/program.data
fd_case dup2 "$logconf" dup2 "$SX_SERVER4" "$echo_port" "$data"
SHOW+=(sx.log program.data)
sx_check "dup2 over 3..63, then connect: the program works" \
    case_ok dup2 dup2
sx_check "dup2: the program's file holds its own data only" \
    test "$(cat "$data")" = "program data"
sx_check "dup2: the program's file has no socksify line" \
    sx_lacks "$data" "socksify"
sx_check "dup2: both connections logged in the log file" \
    test "$(grep -c "socksify: connect $SX_SERVER4:$echo_port via .*: ok" \
    "$SX_TMP/sx.log")" -eq 2

# UDP: the association's socket fclose()d, a regular file at its number.
fd_case fclose-udp "$noauth" fclose-udp "$SX_SERVER4" "$udp_port"
sx_check "UDP: fclose of an associated socket, then a regular file" \
    case_ok fclose-udp fclose-udp
sx_check "UDP: the echo server saw the proxy, not the client" \
    udp_echo_saw "$SX_PROXY_OUT4"

sx_check "every case went through the proxy: leak counter is 0" \
    test "$(leak_count)" -eq 0
sx_check "no DNS query left the client" test "$(dns_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}" "microsocks.$SX_PROXY4.log" danted.log \
	    "echo.$SX_SERVER4.log"; do
		[ -e "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
