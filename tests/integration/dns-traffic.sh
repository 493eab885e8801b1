#!/bin/bash
# SPDX-License-Identifier: MIT
# Port-53 traffic and the resolver library answered in process, with real
# programs, a name only the proxy namespace knows and a client resolver
# (resolv.conf) that is counted and rejected:
#   - one shell under one socksify (microsocks, no dns_server): dig +short
#     NAME, then curl of http://PLACEHOLDER:PORT/ (content exact, the proxy
#     asked for the name); dig -x PLACEHOLDER gives NAME; dig NAME MX is
#     NODATA at once; dig +tcp; host, nslookup, getent hosts; res_query,
#     res_search, res_nquery, res_nsearch, res_querydomain, res_send and
#     res_nsend (tests/helpers/resquery) for A and SRV; a name over 255
#     bytes refused cleanly; garbage datagrams get FORMERR or nothing, TCP
#     junk is closed, and the program goes on (tests/helpers/dnsprobe.py);
#   - dns_server = dnsmasq in the server namespace, dante (TCP only) as
#     the proxy: MX, SRV and TXT come back from dnsmasq through the proxy
#     (UDP and TCP questions, res_query), A stays a placeholder;
#   - dns_server behind a silent proxy: a non-blocking client's select()
#     and a blocking recv() with SO_RCVTIMEO return on their own timeouts,
#     an A question is answered meanwhile, the late answer is SERVFAIL.
# Each with the library alone (--no-backstop) and with the backstop.
# Leak and port-53 counters stay 0; without socksify dig moves them.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks danted dnsmasq dig host nslookup getent curl cmp
[ -n "${top_builddir:-}" ] ||
    sx_skip "top_builddir not set (tests/helpers/resquery is built there)"
RQ=$top_builddir/tests/helpers/resquery
[ -x "$RQ" ] || sx_skip "$RQ not built (make check)"
PROBE=("$SX_PYTHON" "$SX_HELPERS/dnsprobe.py")

name=$SX_DNS_NAME		# only the proxy namespace knows it
mx=mail.sx.test
sx_dns_setup			# the client's resolver is $SX_SERVER4: rejected
long=
for c in a b c d e; do		# 5 labels of 60: 305 bytes
	long+=$(printf "$c%.0s" $(seq 60)).
done
long+="test"

start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
# The resolver beyond the proxy: dnsmasq on $SX_SERVER4, the address the
# client's resolv.conf names (so a query that went around the proxy would
# reach the same place, and be counted and rejected on the way).
sx_bg_udp dnsmasq "$SX_NS_S" "$SX_TMP/dnsmasq.log" dnsmasq -k \
    --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address="$SX_SERVER4" --port=53 --mx-host="$name,$mx,10" \
    --srv-host="_http._tcp.$name,$name,$port,0,5" \
    --txt-record="$name,socksify txt" \
    --log-queries --log-facility=- --pid-file="$SX_TMP/dnsmasq.pid"
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5"
start_dante_on fwd "$SX_NS_P" "$SX_PROXY4" 1081 "$SX_PROXY_OUT4"
sx_allow_proxy "$SX_PROXY4" "$SX_LAST_PORT"	# TCP only: no UDP relay
conf_fwd=$SX_TMP/socksify-fwd.conf
sx_conf "$conf_fwd" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" \
    "timeout = 5" "dns_server = $SX_SERVER4"
start_silent "$SX_NS_P" "$SX_PROXY4"
conf_silent=$SX_TMP/socksify-silent.conf
sx_conf "$conf_silent" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" \
    "timeout = 2" "dns_server = $SX_SERVER4"

# The client side: one shell, one socksify tree per mode; every step's
# stdout/stderr/status in $D/STEP.{out,err,rc}.
cat >"$SX_TMP/client.sh" <<EOF
set -u
D=\$1
mkdir -p "\$D"
run() { local n=\$1; shift; "\$@" >"\$D/\$n.out" 2>"\$D/\$n.err"; echo \$? >"\$D/\$n.rc"; }
ms() { echo \$(( \$(date +%s%N) / 1000000 )); }
run dig dig +short +tries=1 +time=2 $name
ip=\$(head -n 1 "\$D/dig.out")
run curl curl -sS --max-time 5 -o "\$D/curl.body" "http://\$ip:$port/file"
run dig-x dig +short +tries=1 +time=2 -x "\$ip"
t0=\$(ms)
run dig-mx dig +tries=1 +time=5 $name MX
echo \$(( \$(ms) - t0 )) >"\$D/dig-mx.ms"
run dig-tcp dig +tcp +short +tries=1 +time=2 $name
run host host -W 2 $name
run nslookup nslookup -timeout=2 $name
run getent getent hosts $name
for m in query search nquery nsearch send nsend; do
	run rq-\$m-a "$RQ" \$m $name A
	run rq-\$m-srv "$RQ" \$m _http._tcp.$name SRV
done
run rq-domain "$RQ" querydomain www sx.test A
run rq-long "$RQ" query $long A
run py-long "$SX_PYTHON" -c 'import socket
try:
	socket.getaddrinfo("$long", 80)
	print("resolved")
except OSError as e:
	print("refused", type(e).__name__)'
run garbage ${PROBE[*]} garbage $SX_SERVER4 $name
EOF
cat >"$SX_TMP/client-fwd.sh" <<EOF
set -u
D=\$1
mkdir -p "\$D"
run() { local n=\$1; shift; "\$@" >"\$D/\$n.out" 2>"\$D/\$n.err"; echo \$? >"\$D/\$n.rc"; }
run mx dig +short +tries=1 +time=8 $name MX
run mx-tcp dig +tcp +short +tries=1 +time=8 $name MX
run txt dig +short +tries=1 +time=8 $name TXT
run a dig +short +tries=1 +time=2 $name A
run host-mx host -t MX -W 8 $name
run rq-srv "$RQ" query _http._tcp.$name SRV
run rq-mx "$RQ" nquery $name MX
EOF

SHOW=()
nothing_leaked()
{
	local l d
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing around the proxy (leak $l, dns $d)" \
	    test "$l" -eq 0 -a "$d" -eq 0
}

# --- the counters work: dig without socksify ---------------------------
leak_reset
sx_client dig +short +tries=1 +time=1 "$name" >"$SX_TMP/plain.out" 2>&1
rc=$?
SHOW+=(plain.out)
sx_check "without socksify dig gets no answer (exit 9, got $rc)" \
    test "$rc" -eq 9
sx_check "without socksify its query is counted on port 53" \
    test "$(dns_count)" -gt 0

for mode in --no-backstop ""; do
	m=${mode:-backstop}
	L="${mode:-default (backstop)}"
	D=$SX_TMP/$m
	SHOW+=("$m.log")
	leak_reset
	sx_client_for 60 "$SX" ${mode:+"$mode"} -c "$conf" bash \
	    "$SX_TMP/client.sh" "$D" >"$SX_TMP/$m.log" 2>&1
	sx_check "$L: the client script ran" test -s "$D/garbage.rc"
	# shellcheck disable=SC2317	# called through sx_check
	is() { [ "$(cat "$D/$1.out" 2>/dev/null)" = "$2" ]; }
	# shellcheck disable=SC2317
	has() { grep -Eq -- "$2" "$D/$1.out"; }
	# shellcheck disable=SC2317
	rc_is() { [ "$(cat "$D/$1.rc" 2>/dev/null)" = "$2" ]; }
	ph=$(head -n 1 "$D/dig.out" 2>/dev/null)
	sx_check "$L: dig +short gives a placeholder ($ph)" \
	    sx_in_net "$ph" "$SX_DNS_PH4"
	sx_check "$L: curl http://$ph:$port/file: content exact" \
	    cmp -s "$SX_HTTP_FILE" "$D/curl.body"
	sx_check "$L: dig -x $ph gives $name." is dig-x "$name."
	sx_check "$L: dig MX without dns_server: NOERROR, no answer" \
	    has dig-mx "status: NOERROR,"
	sx_check "$L: ... the SOA in authority (NODATA)" \
	    has dig-mx "ANSWER: 0, AUTHORITY: 1"
	sx_check "$L: ... at once ($(cat "$D/dig-mx.ms") ms < 3000; +time=5)" \
	    test "$(cat "$D/dig-mx.ms")" -lt 3000
	sx_check "$L: dig +tcp gives the same placeholder" is dig-tcp "$ph"
	sx_check "$L: host: $name has address $ph" \
	    has host "^$name has address $ph\$"
	sx_check "$L: nslookup: Address: $ph" has nslookup "^Address: $ph\$"
	sx_check "$L: getent hosts: $ph $name" \
	    has getent "^$ph +$name\$"
	for q in query search nquery nsearch send nsend; do
		sx_check "$L: res_$q A: $ph" \
		    has "rq-$q-a" "^A $ph\$"
		if [ "${q#*send}" != "$q" ]; then
			sx_check "$L: res_$q SRV: NOERROR, no records" \
			    has "rq-$q-srv" "^rcode 0 ancount 0\$"
		else
			sx_check "$L: res_$q SRV: NO_DATA (h_errno 4)" \
			    has "rq-$q-srv" "^error h_errno 4\$"
		fi
		sx_check "$L: ... at once" has "rq-$q-srv" "^ms [0-9]{1,3}\$"
	done
	sx_check "$L: res_querydomain(www, sx.test) A: $ph" \
	    has rq-domain "^A $ph\$"
	sx_check "$L: res_query of a 305-byte name: NO_RECOVERY (h_errno 3)" \
	    has rq-long "^error h_errno 3\$"
	sx_check "$L: ... at once" has rq-long "^ms [0-9]{1,3}\$"
	sx_check "$L: getaddrinfo of a 305-byte name: an error, no crash" \
	    has py-long "^refused "
	sx_check "$L: garbage: empty datagram: no reply" has garbage "^empty none\$"
	sx_check "$L: garbage: shorter than a header: no reply" \
	    has garbage "^short none\$"
	sx_check "$L: garbage: junk after a header: FORMERR with its ID" \
	    has garbage "^junk rcode=1 id=1235 qd=0\$"
	sx_check "$L: garbage: a name over 255 bytes: FORMERR" \
	    has garbage "^long rcode=1 id=1236 "
	sx_check "$L: garbage: a compression loop: FORMERR" \
	    has garbage "^loop rcode=1 id=1237 "
	sx_check "$L: garbage: a response sent to port 53: no reply" \
	    has garbage "^response none\$"
	sx_check "$L: garbage: 512 bytes of noise: FORMERR or nothing" \
	    has garbage "^noise (none|rcode=[14] )"
	sx_check "$L: the program goes on: a real question answered ($ph)" \
	    has garbage "^after answer=$ph\$"
	sx_check "$L: sendto() on another socket: answered from $SX_SERVER4:53" \
	    has garbage "^sendto answer=$ph from=$SX_SERVER4,53\$"
	sx_check "$L: TCP junk (not DNS): the connection is closed" \
	    has garbage "^tcpjunk eof\$"
	sx_check "$L: a real question on a new TCP connection: answered" \
	    has garbage "^tcp answer=$ph\$"
	sx_check "$L: dnsprobe exited 0" rc_is garbage 0
	nothing_leaked "$L, microsocks"

	# --- dns_server through dante ----------------------------------------
	D=$SX_TMP/fwd-$m
	SHOW+=("fwd-$m.log")
	leak_reset
	sx_client_for 60 "$SX" ${mode:+"$mode"} -c "$conf_fwd" bash \
	    "$SX_TMP/client-fwd.sh" "$D" >"$SX_TMP/fwd-$m.log" 2>&1
	sx_check "$L, dns_server: dig MX: 10 $mx. (dnsmasq, through dante)" \
	    is mx "10 $mx."
	sx_check "$L, dns_server: dig +tcp MX: 10 $mx." is mx-tcp "10 $mx."
	sx_check "$L, dns_server: dig TXT: \"socksify txt\"" \
	    is txt '"socksify txt"'
	sx_check "$L, dns_server: A is still a placeholder" \
	    sx_in_net "$(cat "$D/a.out")" "$SX_DNS_PH4"
	sx_check "$L, dns_server: host -t MX: handled by 10 $mx." \
	    has host-mx "^$name mail is handled by 10 $mx\.\$"
	sx_check "$L, dns_server: res_query SRV: 0 5 $port $name" \
	    has rq-srv "^SRV 0 5 $port $name\$"
	sx_check "$L, dns_server: res_nquery MX: 10 $mx" \
	    has rq-mx "^MX 10 $mx\$"
	nothing_leaked "$L, dns_server through dante"

	# --- dns_server behind a silent proxy --------------------------------
	SHOW+=("silent-$m.out" "silent-$m.err")
	leak_reset
	sx_run ${mode:+"$mode"} -c "$conf_silent" "${PROBE[@]}" pending \
	    "$SX_SERVER4" "$name" >"$SX_TMP/silent-$m.out" \
	    2>"$SX_TMP/silent-$m.err"
	# shellcheck disable=SC2317
	s_has() { grep -Eq -- "$1" "$SX_TMP/silent-$m.out"; }
	sx_check "$L, silent proxy: select() returns on its own 1 s timeout" \
	    s_has '^nonblock got=none waited=1\.[0-9]'
	sx_check "$L, silent proxy: an A question answered meanwhile" \
	    s_has '^meanwhile answer=198\.1[89]\.[0-9.]+ waited=0\.[0-9]'
	sx_check "$L, silent proxy: blocking recv() returns on SO_RCVTIMEO" \
	    s_has '^blocking err=EAGAIN waited=1\.[0-9]'
	sx_check "$L, silent proxy: the late answer is SERVFAIL" \
	    s_has '^late rcode=2 id=4d58 '
	sx_check "$L, silent proxy: one line says why" \
	    sx_has_line "$SX_TMP/silent-$m.err" "$SX_SERVER4"
	nothing_leaked "$L, silent proxy"
done

sx_check "microsocks was asked for $name:$port (ATYP domain)" \
    microsocks_saw "$SX_PROXY4" "$name"
sx_check "dante connected to the dns_server ($SX_SERVER4.53)" \
    dante_saw fwd "$SX_SERVER4\.53"
sx_check "dnsmasq got the MX question from the proxy ($SX_PROXY_OUT4)" \
    grep -Fq "query[MX] $name from $SX_PROXY_OUT4" "$SX_TMP/dnsmasq.log"
sx_check "dnsmasq never heard from the client ($SX_CLIENT4)" \
    sx_lacks "$SX_TMP/dnsmasq.log" "from $SX_CLIENT4" -F
sx_check "dnsmasq was never asked for an address (A/AAAA/PTR)" \
    sx_lacks "$SX_TMP/dnsmasq.log" 'query\[(A|AAAA|PTR)\]'

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}"; do
		[ -s "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
	for f in "$SX_TMP"/*/*.out "$SX_TMP"/*/*.err; do
		[ -s "$f" ] && sx_show "${f#"$SX_TMP"/}" "$f"
	done
	sx_show dnsmasq.log "$SX_TMP/dnsmasq.log"
}
sx_done
