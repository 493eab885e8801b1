#!/bin/bash
# SPDX-License-Identifier: MIT
# Real resolvers accept the DNS answerer's answers: tests/helpers/dnsd
# serves runtime/dnsanswer on 127.0.0.53 port 53 (UDP and TCP) inside the
# client namespace, whose resolv.conf names it. dig, host, nslookup,
# glibc (getent, python's socket), c-ares (node) and Go's own resolver ask
# it: A/AAAA are the placeholders getaddrinfo() hands out in the same tree
# (one name map), PTR of a placeholder is the name, MX without dns_server
# is an immediate NODATA, EDNS and DO are echoed, a long answer sets TC and
# dig gets it over TCP, garbage gets FORMERR or nothing. With dns_server =
# dnsmasq in the server namespace, MX comes back through microsocks; a
# local_domain name is asked of the client's own resolver (libc). Leak
# and port-53 counters stay 0: every question is answered on loopback or
# through the proxy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks dnsmasq dig host nslookup getent node go unshare mount
sx_require_resolve
SX_DNSD=$top_builddir/tests/helpers/dnsd
[ -x "$SX_DNSD" ] || sx_skip "$SX_DNSD not built (make check)"

name=$SX_DNS_NAME		# only the proxy namespace knows it
mx=mail.sx.test
# 4 labels of 49 + "test": 204 bytes; its 16 AAAA (hosts file) make a
# 670-byte answer.
long=
for c in a b c d; do
	long+=$(printf "$c%.0s" $(seq 49)).
done
long+="test"
sx_dns_setup
sx_netns_etc "$SX_NS_C" resolv.conf < <(printf '%s\n' \
    "nameserver 127.0.0.53" "options timeout:3 attempts:1")
lines=()
for i in $(seq 16); do
	lines+=("$(printf 'fd00::%x %s' "$i" "$long")")
done
sx_dns_client_hosts "${lines[@]}"

sx_bg_udp dnsmasq "$SX_NS_S" "$SX_TMP/dnsmasq.log" dnsmasq -k \
    --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address="$SX_SERVER4" --port=53 --mx-host="$name,$mx,10" \
    --log-queries --log-facility=- --pid-file="$SX_TMP/dnsmasq.pid"
# The client's own resolver for local names (local_domain = .lan), on
# loopback: the answerer asks it through libc for names the policy
# resolves locally.
sx_bg_udp "local dnsmasq" "$SX_NS_C" "$SX_TMP/dnsmasq-local.log" dnsmasq -k \
    --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address=127.0.0.2 --port=53 --address=/printer.lan/192.168.7.7 \
    --mx-host=printer.lan,mx.lan,5 --log-queries --log-facility=- \
    --pid-file="$SX_TMP/dnsmasq-local.pid"
printf 'nameserver 127.0.0.2\noptions timeout:2 attempts:1\n' \
    >"$SX_TMP/resolv.local"
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy=socks5://$SX_PROXY4:$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
conf_nofwd=$SX_TMP/socksify-nofwd.conf
sx_conf "$conf" "proxy = $proxy" "timeout = 5" "dns_server = $SX_SERVER4"
sx_conf "$conf_nofwd" "proxy = $proxy" "timeout = 5"
conf_local=$SX_TMP/socksify-local.conf
sx_conf "$conf_local" "proxy = $proxy" "timeout = 5" "local_domain = .lan"
chmod 644 "$conf" "$conf_nofwd" "$conf_local"

# Go's resolver, built here (standard library only, no network).
mkdir -p "$SX_TMP/go"
cp "$SX_HELPERS/goresolve.go" "$SX_TMP/go/" || sx_error "goresolve.go"
(cd "$SX_TMP/go" && GOCACHE=$SX_TMP/go/cache GOPATH=$SX_TMP/go/path \
    GO111MODULE=off GOFLAGS="" go build -o goresolve goresolve.go) \
    >"$SX_TMP/go.build" 2>&1 || { cat "$SX_TMP/go.build" >&2;
    sx_error "cannot build tests/helpers/goresolve.go"; }

# Everything on the client side runs in one socksify tree (one name map),
# without the backstop:
# two dnsd (127.0.0.53 with dns_server, 127.0.0.54 without), the
# resolvers (not socksified: they speak DNS themselves), and the resolve
# helper through the getaddrinfo() hook for comparison.
out=$SX_TMP/out
mkdir -p "$out"
cat >"$SX_TMP/client.sh" <<EOF
set -u
cd "$out"
D=$out
nsx() { env -u LD_PRELOAD timeout -k 1 10 "\$@"; }
run() { local n=\$1; shift; "\$@" >"\$D/\$n.out" 2>"\$D/\$n.err"; echo \$? >"\$D/\$n.rc"; }
ms() { echo \$(( \$(date +%s%N) / 1000000 )); }

# Control: nothing answers on 127.0.0.53 before dnsd starts.
run control nsx dig +tries=1 +time=1 $name
env -u LD_PRELOAD "$SX_DNSD" -l 127.0.0.53 -p 53 -P dnsd1.port \
    >dnsd1.log 2>&1 &
d1=\$!
env -u LD_PRELOAD SOCKSIFY_CONF="$conf_nofwd" "$SX_DNSD" -l 127.0.0.54 \
    -p 53 -P dnsd2.port >dnsd2.log 2>&1 &
d2=\$!
# A third with local_domain = .lan, whose libc resolver (resolv.conf, in a
# mount namespace of its own) is the local dnsmasq.
env -u LD_PRELOAD SOCKSIFY_CONF="$conf_local" unshare -m sh -c \
    'mount --bind "$SX_TMP/resolv.local" /etc/resolv.conf &&
    exec "$SX_DNSD" -l 127.0.0.55 -p 53 -P dnsd3.port' >dnsd3.log 2>&1 &
d3=\$!
for _ in \$(seq 50); do
	[ -s dnsd1.port ] && [ -s dnsd2.port ] && [ -s dnsd3.port ] && break
	sleep 0.1
done

run dig-a nsx dig +short +tries=1 $name A
run dig-aaaa nsx dig +short +tries=1 $name AAAA
run gai4 timeout 10 "$SX_RESOLVE" gai4 $name
run gai6 timeout 10 "$SX_RESOLVE" gai6 $name
ph4=\$(head -n 1 dig-a.out)
ph6=\$(head -n 1 dig-aaaa.out)
run dig-x nsx dig +short +tries=1 -x "\$ph4"
run dig-x6 nsx dig +short +tries=1 -x "\$ph6"
t0=\$(ms)
run dig-mx-nofwd nsx dig @127.0.0.54 +tries=1 +time=5 $name MX
echo \$(( \$(ms) - t0 )) >dig-mx-nofwd.ms
run dig-mx nsx dig +short +tries=1 +time=8 $name MX
run dig-dnssec nsx dig +dnssec +tries=1 $name A
run dig-tc nsx dig +noedns +tries=1 $long AAAA
run dig-tcp nsx dig +tcp +short +tries=1 $name A
run host nsx host $name
run nslookup nsx nslookup $name
run getent nsx getent ahosts $name
run python nsx "$SX_PYTHON" -c 'import socket
for a in socket.getaddrinfo("$name", 80, socket.AF_INET, socket.SOCK_STREAM):
	print(a[4][0])'
run node nsx node -e '
const dns = require("dns").promises;
(async () => {
	console.log("a " + (await dns.resolve4("$name")).join(","));
	console.log("aaaa " + (await dns.resolve6("$name")).join(","));
	console.log("ptr " + (await dns.reverse("'"\$ph4"'")).join(","));
	const mx = await dns.resolveMx("$name");
	console.log("mx " + mx.map(m => m.priority + " " + m.exchange).join(","));
})().catch(e => { console.log("error " + e.code); process.exit(1); });'
run go-host nsx "$SX_TMP/go/goresolve" host $name
run go-mx nsx "$SX_TMP/go/goresolve" mx $name
run go-ptr nsx "$SX_TMP/go/goresolve" ptr "\$ph4"
run garbage nsx "$SX_PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.connect(("127.0.0.53", 53))
def ask(msg):
	s.send(msg)
	try:
		return s.recv(4096)
	except socket.timeout:
		return None
r = ask(b"\x12\x34\x01")
print("short", "none" if r is None else "reply")
r = ask(b"\x12\x35\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07garbage")
print("junk", "none" if r is None else "id=%s rcode=%d qd=%d" % (
	r[:2].hex(), r[3] & 15, r[5]))
r = ask(b"\x12\x36\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" +
	(b"\x33" + b"x" * 51) * 5 + b"\x00\x00\x01\x00\x01")
print("long", "none" if r is None else "id=%s rcode=%d" % (r[:2].hex(), r[3] & 15))
r = ask(b"\x12\x37\x81\x80" + b"\x00" * 8)
print("response", "none" if r is None else "reply")'
run local-a nsx dig @127.0.0.55 +short +tries=1 printer.lan A
run local-mx nsx dig @127.0.0.55 +short +tries=1 printer.lan MX
run local-remote nsx dig @127.0.0.55 +short +tries=1 $name A
kill \$d1 \$d2 \$d3
wait
EOF
leak_reset
# --no-backstop: the resolvers here are not socksified on purpose (they
# must reach dnsd); under the backstop the supervisor would answer them
# itself (backstop-dns.sh tests that).
sx_client_for 120 "$SX" --no-backstop -c "$conf" bash "$SX_TMP/client.sh" \
    >"$SX_TMP/client.out" 2>&1
rc=$?
sx_check "the client script ran (exit $rc)" test "$rc" -eq 0

# shellcheck disable=SC2317	# called through sx_check
out_is() { [ "$(cat "$out/$1.out")" = "$2" ]; }
# shellcheck disable=SC2317
out_has() { grep -Eq -- "$2" "$out/$1.out"; }
# shellcheck disable=SC2317
rc_is() { [ "$(cat "$out/$1.rc" 2>/dev/null)" = "$2" ]; }

ph4=$(head -n 1 "$out/dig-a.out")
ph6=$(head -n 1 "$out/dig-aaaa.out")
sx_check "control: nothing answered on 127.0.0.53 before dnsd (dig exit 9)" \
    rc_is control 9
sx_check "dig A gives an IPv4 placeholder ($ph4)" sx_in_net "$ph4" "$SX_DNS_PH4"
sx_check "dig AAAA gives an IPv6 placeholder ($ph6)" \
    sx_in_net "$ph6" "$SX_DNS_PH6"
sx_check "getaddrinfo(AF_INET) in the same tree gives the same address" \
    test "$(head -n 1 "$out/gai4.out")" = "$ph4"
sx_check "getaddrinfo(AF_INET6) in the same tree gives the same address" \
    test "$(head -n 1 "$out/gai6.out")" = "$ph6"
sx_check "dig -x $ph4 gives $name." out_is dig-x "$name."
sx_check "dig -x $ph6 gives $name." out_is dig-x6 "$name."
sx_check "MX without dns_server: NOERROR" \
    out_has dig-mx-nofwd "status: NOERROR"
sx_check "MX without dns_server: no answer, the SOA in authority" \
    out_has dig-mx-nofwd "ANSWER: 0, AUTHORITY: 1"
sx_check "MX without dns_server: at once ($(cat "$out/dig-mx-nofwd.ms") ms)" \
    test "$(cat "$out/dig-mx-nofwd.ms")" -lt 1000
sx_check "MX with dns_server: 10 $mx. (dnsmasq, through the proxy)" \
    out_is dig-mx "10 $mx."
sx_check "dnsmasq got the MX query from the proxy ($SX_PROXY_OUT4)" \
    grep -Fq "query[MX] $name from $SX_PROXY_OUT4" "$SX_TMP/dnsmasq.log"
sx_check "dnsmasq never heard from the client" \
    sx_not grep -Fq "from $SX_CLIENT4" "$SX_TMP/dnsmasq.log"
sx_check "dig +dnssec: EDNS echoed with DO" \
    out_has dig-dnssec "EDNS: version: 0, flags: do; udp: 1232"
sx_check "dig +dnssec: the placeholder" \
    out_has dig-dnssec "^$name\.[[:space:]]+60[[:space:]]+IN[[:space:]]+A[[:space:]]+$ph4\$"
sx_check "670-byte answer over UDP without EDNS: TC, dig retries over TCP" \
    out_has dig-tc "^;; Truncated, retrying in TCP mode"
sx_check "... and gets all 16 AAAA over TCP" \
    test "$(grep -Ec "IN[[:space:]]+AAAA[[:space:]]+fd00::" \
    "$out/dig-tc.out")" -eq 16
sx_check "dig +tcp gives the same placeholder" out_is dig-tcp "$ph4"
sx_check "host: has address $ph4" out_has host "^$name has address $ph4\$"
sx_check "host: has IPv6 address $ph6" \
    out_has host "^$name has IPv6 address $ph6\$"
sx_check "host: mail is handled by 10 $mx." \
    out_has host "^$name mail is handled by 10 $mx\.\$"
sx_check "nslookup: Address: $ph4" out_has nslookup "^Address: $ph4\$"
sx_check "glibc (getent ahosts): $ph4" out_has getent "^$ph4 +STREAM"
sx_check "glibc (getent ahosts): $ph6" out_has getent "^$ph6 +STREAM"
sx_check "python's socket through glibc: $ph4" out_is python "$ph4"
sx_check "c-ares (node) resolve4: $ph4" out_has node "^a $ph4\$"
sx_check "c-ares (node) resolve6: $ph6" out_has node "^aaaa $ph6\$"
sx_check "c-ares (node) reverse: $name" out_has node "^ptr $name\$"
sx_check "c-ares (node) resolveMx: 10 $mx" out_has node "^mx 10 $mx\$"
sx_check "Go's resolver LookupHost: $ph4 $ph6" \
    out_is go-host "$ph4"$'\n'"$ph6"
sx_check "Go's resolver LookupMX: 10 $mx." out_is go-mx "10 $mx."
sx_check "Go's resolver LookupAddr: $name." out_is go-ptr "$name."
sx_check "garbage shorter than a header: no reply" \
    out_has garbage "^short none\$"
sx_check "garbage after a header: FORMERR with its ID" \
    out_has garbage "^junk id=1235 rcode=1 qd=0\$"
sx_check "a name over 255 bytes: FORMERR" \
    out_has garbage "^long id=1236 rcode=1\$"
sx_check "a response sent to us: no reply" \
    out_has garbage "^response none\$"
sx_check "local_domain name, A: the local resolver's 192.168.7.7" \
    out_is local-a 192.168.7.7
sx_check "local_domain name, MX: the local resolver's 5 mx.lan." \
    out_is local-mx "5 mx.lan."
sx_check "the local resolver was asked for printer.lan MX (res_nsend)" \
    grep -Fq "query[MX] printer.lan from 127.0.0.1" \
    "$SX_TMP/dnsmasq-local.log"
sx_check "... but a remote name still gets its placeholder ($ph4)" \
    out_is local-remote "$ph4"
sx_check "the local resolver never heard of $name" \
    sx_not grep -Fq "$name" "$SX_TMP/dnsmasq-local.log"
sx_check "the proxy was asked for the dns_server ($SX_SERVER4:53)" \
    grep -Fq "connected to $SX_SERVER4:53" \
    "$SX_TMP/microsocks.$SX_PROXY4.log"
sx_check "dns counter (port 53 around the proxy) is 0" \
    test "$(dns_count)" -eq 0
sx_check "leak counter is 0" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	sx_show client.out "$SX_TMP/client.out"
	for f in "$out"/*.out "$out"/*.err "$out"/dnsd*.log \
	    "$SX_TMP/dnsmasq.log" "$SX_TMP/dnsmasq-local.log"; do
		[ -s "$f" ] && sx_show "${f##*/}" "$f"
	done
}
sx_done
