#!/bin/bash
# SPDX-License-Identifier: MIT
# Routing rules against real proxies: the default proxy A (microsocks) and
# an upstream B ("ssh -D", which logs the names it is asked for), both in
# the proxy namespace. A CIDR "block" fails
# with EACCES and a line; "port N direct" goes direct (the leak counter
# proves it); "*.via-b.test via b" goes through B (B's log shows it); the
# first matching rule wins; what matches no rule takes the default proxy.
# Also log_file: stamped lines (time, program, pid), one per connection at
# log_level = info.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks sshd ssh
sx_dns_setup
# Names only the proxy namespace knows, all at the server.
sx_netns_etc "$SX_NS_P" hosts < <(printf '%s\n' "127.0.0.1 localhost" \
    "::1 localhost" "$SX_SERVER4 $SX_DNS_NAME www.via-b.test deny.via-b.test")

start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
port2=9			# any other port: blocked before anything is sent
start_microsocks "$SX_NS_P" "$SX_PROXY4"
a=$SX_PROXY4:$SX_LAST_PORT
start_ssh_socks "$SX_NS_P" "$SX_PROXY4" 1080
b=$SX_PROXY4:$SX_LAST_PORT
net=10.$SX_X.2.0/24
c=$SX_TMP
sx_conf "$c/block.conf" "proxy = socks5://$a" "timeout = 5" \
    "rule = $net block"
sx_conf "$c/port.conf" "proxy = socks5://$a" "timeout = 5" \
    "rule = port $port direct" "rule = $net block"
sx_conf "$c/range.conf" "proxy = socks5://$a" "timeout = 5" \
    "rule = port 1-1023 block" "rule = * proxy"
sx_conf "$c/via.conf" "proxy = socks5://$a" "timeout = 5" \
    "upstream = b socks5://$b" "rule = deny.via-b.test block" \
    "rule = *.via-b.test via b"
sx_conf "$c/order.conf" "proxy = socks5://$a" "timeout = 5" \
    "upstream = b socks5://$b" "rule = *.via-b.test via b" \
    "rule = deny.via-b.test block"
sx_conf "$c/log.conf" "proxy = socks5://$a" "timeout = 5" \
    "log_level = info" "log_file = $c/sx.log" "rule = port 9 block"
leak_reset

# get CONF HOST PORT TAG: curl through socksify; rc, TAG.got, TAG.err.
get()
{
	sx_run -c "$c/$1.conf" curl -sS --max-time 8 -o "$c/$4.got" \
	    "http://$2:$3/file" 2>"$c/$4.err"
	rc=$?
}
# py CONF HOST PORT TAG: sxclient.py get; output in TAG.py.
py()
{
	sx_run -c "$c/$1.conf" "${SX_PY[@]}" get "$2" "$3" >"$c/$4.py" \
	    2>"$c/$4.py.err"
}

# --- CIDR block ----------------------------------------------------------------
get block "$SX_SERVER4" "$port" block
sx_check "rule = $net block: curl fails to connect (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "block: a socksify: line names the rule" \
    sx_has_line "$c/block.err" "blocked by the rule on line 3"
py block "$SX_SERVER4" "$port" block
sx_check "block: python gets PermissionError (EACCES)" \
    grep -q '^ERR PermissionError EACCES ' "$c/block.py"
sx_check "block: the proxy was not asked" \
    sx_none microsocks_saw "$SX_PROXY4" "$SX_SERVER4"
get block "$SX_DNS_NAME" "$port" blockname
sx_check "block: a name (placeholder) is not matched by the CIDR (got $rc)" \
    test "$rc" -eq 0
sx_check "block: leak counter is 0" test "$(leak_count)" -eq 0

# --- port direct, first match wins -------------------------------------------
get port "$SX_SERVER4" "$port" direct
sx_check "rule = port $port direct: the leak counter saw it go direct" \
    test "$(leak_count)" -gt 0
sx_check "port direct: the proxy was not asked" \
    sx_none microsocks_saw "$SX_PROXY4" "$SX_SERVER4"
sx_check "port direct: no socksify: line (rejected by the network, curl $rc)" \
    sx_no_line "$c/direct.err"
leak_reset
get port "$SX_SERVER4" "$port2" portblock
sx_check "port $port2 falls through to the CIDR block (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "... with the line of rule 4" \
    sx_has_line "$c/portblock.err" "blocked by the rule on line 4"
get range "$SX_SERVER4" 80 range
sx_check "rule = port 1-1023 block: port 80 is blocked (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "port range: the line names rule 3" \
    sx_has_line "$c/range.err" "blocked by the rule on line 3"
get range "$SX_SERVER4" "$port" range2
sx_check "port range: port $port goes on to '* proxy' (got $rc)" \
    test "$rc" -eq 0
sx_check "port rules: leak counter is 0" test "$(leak_count)" -eq 0

# --- via b, first match wins, default proxy for the rest --------------------
get via www.via-b.test "$port" viab
sx_check "*.via-b.test via b: curl exits 0 (got $rc)" test "$rc" -eq 0
sx_check "via b: file content is exact" cmp -s "$SX_HTTP_FILE" "$c/viab.got"
sx_check "via b: B's log shows www.via-b.test" \
    ssh_socks_saw www.via-b.test "$port"
sx_check "via b: A was not asked for it" \
    sx_none microsocks_saw "$SX_PROXY4" www.via-b.test
get via deny.via-b.test "$port" deny
sx_check "deny.via-b.test (block, an earlier rule): exit 7 (got $rc)" \
    test "$rc" -eq 7
sx_check "deny: the line names rule 4" \
    sx_has_line "$c/deny.err" "deny.via-b.test.*blocked by the rule on line 4"
get via "$SX_DNS_NAME" "$port" default
sx_check "no rule matches $SX_DNS_NAME: curl exits 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "no rule: the default proxy A was asked for it" \
    microsocks_saw "$SX_PROXY4" "$SX_DNS_NAME"
n=$(grep -c "connected to $SX_SERVER4:" "$c/microsocks.$SX_PROXY4.log")
py via "$SX_SERVER4" "$port" defaultip
sx_check "no rule, by address: python fetch works" \
    grep -q '^OK ' "$c/defaultip.py"
sx_check "no rule, by address: through A" test "$(grep -c \
    "connected to $SX_SERVER4:" "$c/microsocks.$SX_PROXY4.log")" -gt "$n"
get order deny.via-b.test "$port" order
sx_check "order reversed: deny.via-b.test matches 'via b' first (got $rc)" \
    test "$rc" -eq 0
sx_check "order reversed: it went through B" \
    ssh_socks_saw deny.via-b.test "$port"
sx_check "rules: leak counter is 0" test "$(leak_count)" -eq 0
sx_check "rules: no DNS packets" test "$(dns_count)" -eq 0

# --- log_file ------------------------------------------------------------------
# One program, two proxied connections and a blocked one, its pid printed.
sx_run -c "$c/log.conf" "$SX_PYTHON" -c 'import os, socket, sys
for _ in range(2):
	socket.create_connection((sys.argv[1], int(sys.argv[2]))).close()
try:
	socket.create_connection((sys.argv[1], 9))
except OSError:
	pass
print(os.getpid())' "$SX_SERVER4" "$port" >"$c/log.pid" 2>"$c/log.err"
pid=$(cat "$c/log.pid")
stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z? '
okline="${stamp}python3\[$pid\] socksify: connect $SX_SERVER4:$port via $a: ok"
sx_check "log_file: written" test -s "$c/sx.log"
sx_check "log_file: one stamped line per proxied connection (time, program, pid)" \
    test "$(grep -Ec "$okline" "$c/sx.log")" -eq 2
sx_check "log_file: the blocked connection is logged there too" \
    grep -Eq "${stamp}python3\[$pid\] socksify: .*blocked" "$c/sx.log"
sx_check "log_file: every line is stamped" \
    sx_lacks "$c/sx.log" "${stamp}python3\[$pid\] socksify: " -Ev
sx_check "log_file: info lines do not go to stderr" \
    sx_lacks "$c/log.err" ': ok'
sx_check "log_file: the error still goes to stderr" \
    sx_has_line "$c/log.err" "blocked"

[ "$SX_FAILED" -eq 0 ] || {
	for f in block.err block.py blockname.err direct.err portblock.err \
	    range.err range2.err viab.err deny.err default.err defaultip.py \
	    order.err log.err sx.log ssh-socks.sshd.log \
	    "microsocks.$SX_PROXY4.log"; do
		[ -e "$c/$f" ] && sx_show "$f" "$c/$f"
	done
}
sx_done
