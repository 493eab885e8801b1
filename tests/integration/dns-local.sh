#!/bin/bash
# SPDX-License-Identifier: MIT
# Names that resolve on the client side: with "dns = local" the real
# resolver answers and connects go through the proxy by address; in remote
# mode a "local_domain" name is resolved locally (and reached directly), and
# "hosts_file" names are answered from that file, never with a placeholder.
# The dns counter sees the real resolver's queries where one is expected,
# and nothing anywhere else.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks
sx_require_resolve
sx_dns_setup
corp=app.corp.sx.test
# Only the client's /etc/hosts knows these.
sx_dns_client_hosts "$SX_SERVER4 $SX_DNS_NAME" "$SX_PROXY4 $corp" \
    "$SX_SERVER4 corp.sx.test"

start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
# A server the client may reach directly: on the proxy host's inner address.
start_http "$SX_NS_P" "$SX_PROXY4"
direct_port=$SX_LAST_PORT
sx_allow_proxy "$SX_PROXY4" "$direct_port"
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
mslog=$SX_TMP/microsocks.$SX_PROXY4.log
name=$SX_DNS_NAME
leak_reset

# ms_count TARGET: connections microsocks made to TARGET (name or address).
ms_count() { grep -Fc "connected to $1:" "$mslog"; }

# first_addr CONF MODE NAME: the first address resolve prints through socksify.
first_addr() { sx_run -c "$1" "$SX_RESOLVE" "$2" "$3" 2>&1 | head -n 1; }

# --- dns = local ----------------------------------------------------------------
conf=$SX_TMP/local.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5" \
    "dns = local" "hosts_file = none"
a=$(first_addr "$conf" gai4 "$name")
sx_check "dns = local: $name is the client resolver's $SX_SERVER4 (got $a)" \
    test "$a" = "$SX_SERVER4"
before=$(ms_count "$SX_SERVER4")
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/local.got" \
    "http://$name:$port/file" 2>"$SX_TMP/local.err"
rc=$?
sx_check "dns = local: curl by name exits 0 (got $rc)" test "$rc" -eq 0
sx_check "dns = local: content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/local.got"
sx_check "dns = local: the proxy was asked for the address" \
    test "$(ms_count "$SX_SERVER4")" -eq $((before + 1))
sx_check "dns = local: the proxy was never asked for the name" \
    test "$(ms_count "$name")" -eq 0
sx_check "dns = local: server saw the proxy" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
sx_check "dns = local, hosts-file name: no DNS packet ($(dns_count))" \
    test "$(dns_count)" -eq 0
sx_check "dns = local: leak counter 0 ($(leak_count))" \
    test "$(leak_count)" -eq 0
# A name the client's files do not have goes to the real resolver: the
# query is what the dns counter exists to see.
sx_run -c "$conf" "$SX_RESOLVE" gai4 nosuch.sx.test \
    >/dev/null 2>"$SX_TMP/local-nosuch.err"
rc=$?
sx_check "dns = local: unknown name fails to resolve (exit 2, got $rc)" \
    test "$rc" -eq 2
sx_check "dns = local: unknown name was a real DNS query ($(dns_count))" \
    test "$(dns_count)" -gt 0
leak_reset

# --- remote, local_domain -----------------------------------------------------
conf=$SX_TMP/domain.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5" \
    "hosts_file = none" "local_domain = *.corp.sx.test"
a=$(first_addr "$conf" gai4 "$corp")
sx_check "local_domain: $corp is the client resolver's $SX_PROXY4 (got $a)" \
    test "$a" = "$SX_PROXY4"
a=$(first_addr "$conf" gai4 "$name")
sx_check "local_domain: $name is not local, placeholder (got $a)" \
    sx_in_net "$a" "$SX_DNS_PH4"
a=$(first_addr "$conf" gai4 corp.sx.test)
sx_check "local_domain: *.corp.sx.test does not cover corp.sx.test (got $a)" \
    sx_in_net "$a" "$SX_DNS_PH4"
before=$(ms_count "$SX_PROXY4")
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/domain.got" \
    "http://$corp:$direct_port/file" 2>"$SX_TMP/domain.err"
rc=$?
sx_check "local_domain: curl $corp exits 0 (got $rc)" test "$rc" -eq 0
sx_check "local_domain: content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/domain.got"
sx_check "local_domain: reached directly (server saw $SX_CLIENT4)" \
    http_saw "$SX_PROXY4" "$SX_CLIENT4"
sx_check "local_domain: not through the proxy" \
    test "$(ms_count "$SX_PROXY4")" -eq "$before" -a "$(ms_count "$corp")" -eq 0
sx_check "local_domain: no DNS packet for hosts-file answers ($(dns_count))" \
    test "$(dns_count)" -eq 0
sx_check "local_domain: leak counter 0 ($(leak_count))" \
    test "$(leak_count)" -eq 0
sx_run -c "$conf" "$SX_RESOLVE" gai4 nohost.corp.sx.test \
    >/dev/null 2>"$SX_TMP/domain-nohost.err"
rc=$?
sx_check "local_domain: unknown nohost.corp.sx.test fails (exit 2, got $rc)" \
    test "$rc" -eq 2
sx_check "local_domain: it was asked of the real resolver ($(dns_count))" \
    test "$(dns_count)" -gt 0
leak_reset

# --- remote, hosts_file -------------------------------------------------------
hosts=$SX_TMP/hosts
printf '%s\n' "$SX_SERVER4 mirror.sx.test" "$SX_SERVER6 mirror6.sx.test" \
    >"$hosts"
conf=$SX_TMP/hosts.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5" \
    "hosts_file = $hosts"
a=$(first_addr "$conf" gai4 mirror.sx.test)
sx_check "hosts_file: mirror.sx.test is $SX_SERVER4 (got $a)" \
    test "$a" = "$SX_SERVER4"
a=$(first_addr "$conf" gai6 mirror6.sx.test)
sx_check "hosts_file: mirror6.sx.test (AF_INET6) is $SX_SERVER6 (got $a)" \
    test "$a" = "$SX_SERVER6"
sx_run -c "$conf" "$SX_RESOLVE" gai4 mirror6.sx.test >/dev/null 2>&1
rc=$?
sx_check "hosts_file: IPv6-only entry, AF_INET lookup fails (exit 2, got $rc)" \
    test "$rc" -eq 2
a=$(first_addr "$conf" gni_nr "$SX_SERVER4")
sx_check "hosts_file: getnameinfo($SX_SERVER4) is mirror.sx.test (got $a)" \
    test "$a" = mirror.sx.test
a=$(first_addr "$conf" gai4 "$name")
sx_check "hosts_file: $name (only in /etc/hosts) gets a placeholder (got $a)" \
    sx_in_net "$a" "$SX_DNS_PH4"
before=$(ms_count "$SX_SERVER4")
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/hosts.got" \
    "http://mirror.sx.test:$port/file" 2>"$SX_TMP/hosts.err"
rc=$?
sx_check "hosts_file: curl mirror.sx.test exits 0 (got $rc)" test "$rc" -eq 0
sx_check "hosts_file: content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/hosts.got"
sx_check "hosts_file: the proxy was asked for the address" \
    test "$(ms_count "$SX_SERVER4")" -eq $((before + 1)) \
    -a "$(ms_count mirror.sx.test)" -eq 0

# Default hosts_file (/etc/hosts, the client's): its names are local too.
conf=$SX_TMP/default.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
a=$(first_addr "$conf" gai4 "$name")
sx_check "default hosts_file: $name is /etc/hosts' $SX_SERVER4 (got $a)" \
    test "$a" = "$SX_SERVER4"
before=$(ms_count "$SX_SERVER4")
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/default.got" \
    "http://$name:$port/file" 2>"$SX_TMP/default.err"
rc=$?
sx_check "default hosts_file: curl $name exits 0 (got $rc)" test "$rc" -eq 0
sx_check "default hosts_file: content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/default.got"
sx_check "default hosts_file: the proxy was asked for the address" \
    test "$(ms_count "$SX_SERVER4")" -eq $((before + 1))
sx_check "server never saw the client directly" \
    sx_none http_saw "$SX_SERVER4" "$SX_CLIENT4"
sx_check "remote mode: no DNS packets ($(dns_count))" test "$(dns_count)" -eq 0
sx_check "remote mode: leak counter 0 ($(leak_count))" \
    test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in local local-nosuch domain domain-nohost hosts default; do
		[ -s "$SX_TMP/$f.err" ] && sx_show "stderr, $f" "$SX_TMP/$f.err"
	done
	sx_show "microsocks log" "$mslog"
	sx_show "direct http log" "$SX_TMP/http.$SX_PROXY4.log"
}
sx_done
