#!/bin/bash
# SPDX-License-Identifier: MIT
# The backstop covers what LD_PRELOAD cannot reach. A static program
# (tests/helpers/backstop_client.c, gcc -static) under socksify:
#   - blocking and non-blocking connect + GET to a server beyond the proxy
#     (microsocks): proxied, content exact, getpeername() reports the
#     destination, leak counter 0; the same program without socksify moves
#     the counter (the counters work)
#   - a second connect() on that socket -> EISCONN, the tunnel intact
#   - a refused connection -> ECONNREFUSED; TCP Fast Open sendto ->
#     proxied; UDP to a destination the proxy would need -> EACCES, one line
#   - refused in the filter: io_uring_setup -> ENOSYS, AF_PACKET and raw
#     sockets -> EPERM (AF_NETLINK raw still works), a 32-bit int 0x80
#     socketcall -> ENOSYS (without socksify it connects: leak)
#   - the exemption: a connect() carrying $SOCKSIFY_BACKSTOP is not
#     trapped (the library's path): it goes direct, and the counter shows it
#   - one name map: a placeholder getent got from the library is connected
#     to by the static program, and the proxy is asked for the name
#   - a dynamic program (curl) still works; a shell script that execs the
#     static program and a static program that execs curl are covered;
#     a nested socksify reuses the outer supervisor (one filter)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks getent
sx_require_backstop
sx_dns_setup
bc=$(sx_build_static backstop_client) || exit 99
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_http "$SX_NS_S" "$SX_SERVER6"
http6_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
leak_reset

# run TAG ARGS...: socksify -c CONF ARGS in the client namespace; output in
# $SX_TMP/TAG.{out,err}, status in $rc. Counters reset first.
run()
{
	local tag=$1
	shift
	leak_reset
	sx_run -c "$conf" "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	rc=$?
}

# plain TAG ARGS...: the same without socksify.
plain()
{
	local tag=$1
	shift
	leak_reset
	sx_client "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	rc=$?
}

# has TAG ERE: a line of TAG's stdout matches ERE.
# shellcheck disable=SC2317	# called through sx_check
has() { grep -Eq -- "$2" "$SX_TMP/$1.out"; }

nothing_leaked()
{
	local l d
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing around the proxy (leak $l, dns $d)" \
	    test "$l" -eq 0 -a "$d" -eq 0
}

# --- the counters work: the static program alone goes direct ------------
plain plain-get "$bc" get "$SX_SERVER4" "$http_port"
sx_check "without socksify the static program cannot reach the server" \
    test "$rc" -ne 0
sx_check "without socksify its packets are counted as a leak" \
    test "$(leak_count)" -gt 0

# --- connect through the proxy --------------------------------------------
run get "$bc" get "$SX_SERVER4" "$http_port"
sx_check "static blocking GET exits 0 (got $rc)" test "$rc" -eq 0
sx_check "static blocking GET: content exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/get.out"
nothing_leaked "static blocking GET"
sx_check "server saw the proxy, not the client" \
    sx_not http_saw "$SX_SERVER4" "$SX_CLIENT4"

run get-nb "$bc" get "$SX_SERVER4" "$http_port" nb
sx_check "static non-blocking GET exits 0 (got $rc)" test "$rc" -eq 0
sx_check "static non-blocking GET: content exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/get-nb.out"
nothing_leaked "static non-blocking GET"

run get6 "$bc" get "$SX_SERVER6" "$http6_port"
sx_check "static GET to an IPv6 server through an IPv4 proxy (got $rc)" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/get6.out"
nothing_leaked "static IPv6 GET"

run peer "$bc" connect "$SX_SERVER4" "$http_port"
sx_check "getpeername() reports the destination, not the proxy" \
    has peer "^ok peer $SX_SERVER4:$http_port\$"

run again "$bc" again "$SX_SERVER4" "$http_port"
sx_check "a second connect() on a proxied socket: EISCONN, the tunnel intact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/again.out"

run tfo "$bc" tfo "$SX_SERVER4" "$http_port"
sx_check "TCP Fast Open sendto: proxied, content exact (got $rc)" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/tfo.out"
nothing_leaked "TFO"

run refused "$bc" connect "$SX_SERVER4" 1
sx_check "connection refused beyond the proxy -> ECONNREFUSED" \
    has refused '^ERR ECONNREFUSED connect'
sx_check "refused: one socksify line naming it" \
    sx_has_line "$SX_TMP/refused.err" "connect $SX_SERVER4:1 via .*refused"
nothing_leaked "refused"

run udp "$bc" udp "$SX_SERVER4" 9
sx_check "UDP needing the proxy -> EACCES" has udp '^ERR EACCES sendto'
sx_check "UDP: one line saying why" \
    sx_has_line "$SX_TMP/udp.err" "UDP to $SX_SERVER4:9 refused"
nothing_leaked "UDP"

# --- refused in the filter ------------------------------------------------
run uring "$bc" uring
sx_check "io_uring_setup -> ENOSYS" has uring '^ERR ENOSYS io_uring_setup'
plain plain-uring "$bc" uring
sx_check "io_uring_setup works without socksify (the test can tell)" \
    has plain-uring '^ok io_uring_setup'
run packet "$bc" packet
sx_check "socket(AF_PACKET) -> EPERM" has packet '^ERR EPERM AF_PACKET'
run raw "$bc" raw
sx_check "socket(AF_INET, SOCK_RAW) -> EPERM" has raw '^ERR EPERM SOCK_RAW'
plain plain-raw "$bc" raw
sx_check "raw sockets work without socksify (as root)" \
    has plain-raw '^ok SOCK_RAW'
run netlink "$bc" netlink
sx_check "socket(AF_NETLINK, SOCK_RAW) still works" \
    has netlink '^ok AF_NETLINK'
run int80 "$bc" int80 "$SX_SERVER4" "$http_port"
sx_check "i386 socketcall through int 0x80 -> ENOSYS" \
    has int80 '^ERR ENOSYS int80 socket'
nothing_leaked "int 0x80"
plain plain-int80 "$bc" int80 "$SX_SERVER4" "$http_port"
sx_check "without socksify the int 0x80 connect goes out (counted)" \
    test "$(leak_count)" -gt 0

# --- the library's exemption -----------------------------------------------
run cookie "$bc" cookie "$SX_SERVER4" "$http_port"
sx_check "a connect() with the cookie is not trapped: it goes direct" \
    test "$(leak_count)" -gt 0

# --- dynamic programs, scripts, exec chains, nesting -----------------------
url=http://$SX_SERVER4:$http_port/file
run curl curl -sS --max-time 8 "$url"
sx_check "curl (dynamic) through socksify: content exact (got $rc)" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/curl.out"
nothing_leaked "curl"

# One name map for the tree: a placeholder the library handed to getent
# (dynamic) is known to the supervisor when the static program uses it.
run byname sh -c "ip=\$(getent hosts $SX_DNS_NAME | cut -d' ' -f1)
case \$ip in 198.1[89].*) ;; *) echo \"not a placeholder: \$ip\" >&2; exit 9 ;; esac
exec '$bc' get \$ip $http_port"
sx_check "a placeholder from the library, used by the static program: proxied by name (got $rc)" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/byname.out"
nothing_leaked "placeholder shared with the library"

run script sh -c "echo started; exec '$bc' get $SX_SERVER4 $http_port"
sed -i '1d' "$SX_TMP/script.out"
sx_check "a shell script that execs the static program: covered" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/script.out"
nothing_leaked "script exec"

run execdyn "$bc" exec "$(command -v curl)" curl -sS --max-time 8 "$url"
sx_check "a static program that execs curl: covered" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/execdyn.out"
nothing_leaked "static exec dynamic"

run nested "$SX" -c "$conf" sh -c \
    "grep '^Seccomp_filters:' /proc/self/status; exec '$bc' connect $SX_SERVER4 $http_port"
sx_check "nested socksify starts (no EBUSY) and adds no second filter" \
    has nested '^Seccomp_filters:[[:space:]]*1$'
sx_check "nested socksify: the static program is still covered" \
    has nested "^ok peer $SX_SERVER4:$http_port\$"
nothing_leaked "nested"

[ "$SX_FAILED" -eq 0 ] || {
	for f in get refused udp tfo nested execdyn; do
		sx_show "$f stderr" "$SX_TMP/$f.err"
	done
}
sx_done
