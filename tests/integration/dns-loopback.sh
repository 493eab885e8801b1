#!/bin/bash
# SPDX-License-Identifier: MIT
# A resolv.conf naming a loopback resolver (nameserver 127.0.0.53, as
# systemd-resolved sets it up): port-53 traffic is answered in process
# before "loopback goes direct", so dig (UDP and TCP), host, nslookup,
# getent and aria2c (c-ares) get the placeholders, and nothing reaches
# loopback port 53. A listener on 127.0.0.53:53 (UDP and TCP) records
# what it gets and must get nothing; an nft counter on lo port 53 stays
# 0. Without socksify the same dig reaches the listener and moves the
# counter (both work). With --no-backstop and with the backstop.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks dig host nslookup getent aria2c cmp
name=$SX_DNS_NAME
sx_dns_setup
sx_netns_etc "$SX_NS_C" resolv.conf < <(printf '%s\n' \
    "nameserver 127.0.0.53" "options timeout:1 attempts:1")

sx_lo53_counter
start_dns_listener "$SX_NS_C" 127.0.0.53
listen_log=$SX_TMP/listener.127.0.0.53.log
# shellcheck disable=SC2317	# called through sx_check
heard() { dns_listener_heard 127.0.0.53; }

start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5"

# --- the listener and the counter work: dig without socksify ------------
lo53_reset
sx_client dig +short +tries=1 +time=1 "$name" >"$SX_TMP/plain.out" 2>&1
sx_check "without socksify dig reaches the listener on 127.0.0.53" heard
sx_check "without socksify the lo port-53 counter moves" \
    test "$(lo53_count)" -gt 0
: >"$listen_log"

cat >"$SX_TMP/client.sh" <<EOF
set -u
D=\$1
mkdir -p "\$D"
run() { local n=\$1; shift; "\$@" >"\$D/\$n.out" 2>"\$D/\$n.err"; echo \$? >"\$D/\$n.rc"; }
run dig dig +short +tries=1 +time=2 $name
run dig-tcp dig +tcp +short +tries=1 +time=2 $name
run dig-x dig +short +tries=1 +time=2 -x "\$(head -n 1 "\$D/dig.out")"
run host host -W 2 $name
run nslookup nslookup -timeout=2 $name
run getent getent hosts $name
run aria aria2c --summary-interval=0 --console-log-level=warn \
    -d "\$D" -o aria.file http://$name:$port/file
EOF

SHOW=(plain.out)
for mode in --no-backstop ""; do
	m=${mode:-backstop}
	L="${mode:-default (backstop)}"
	D=$SX_TMP/$m
	SHOW+=("$m.log")
	leak_reset
	lo53_reset
	sx_client_for 60 "$SX" ${mode:+"$mode"} -c "$conf" bash \
	    "$SX_TMP/client.sh" "$D" >"$SX_TMP/$m.log" 2>&1
	# shellcheck disable=SC2317
	is() { [ "$(cat "$D/$1.out" 2>/dev/null)" = "$2" ]; }
	# shellcheck disable=SC2317
	has() { grep -Eq -- "$2" "$D/$1.out"; }
	ph=$(head -n 1 "$D/dig.out" 2>/dev/null)
	sx_check "$L: dig (127.0.0.53) gives a placeholder ($ph)" \
	    sx_in_net "$ph" "$SX_DNS_PH4"
	sx_check "$L: dig +tcp gives the same" is dig-tcp "$ph"
	sx_check "$L: dig -x $ph gives $name." is dig-x "$name."
	sx_check "$L: host: $name has address $ph" \
	    has host "^$name has address $ph\$"
	sx_check "$L: nslookup: Address: $ph" has nslookup "^Address: $ph\$"
	sx_check "$L: nslookup: the server it asked is 127.0.0.53" \
	    has nslookup "^Address:[[:space:]]+127\.0\.0\.53#53\$"
	sx_check "$L: getent hosts: $ph $name" has getent "^$ph +$name\$"
	sx_check "$L: aria2c (c-ares) fetched the file intact" \
	    cmp -s "$SX_HTTP_FILE" "$D/aria.file"
	sx_check "$L: the listener on 127.0.0.53:53 heard nothing" \
	    sx_none heard
	sx_check "$L: lo port-53 counter is 0 (got $(lo53_count))" \
	    test "$(lo53_count)" -eq 0
	sx_check "$L: leak and dns counters are 0" \
	    test "$(leak_count)" -eq 0 -a "$(dns_count)" -eq 0
done

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}"; do
		[ -s "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
	for f in "$SX_TMP"/*/*.out "$SX_TMP"/*/*.err; do
		[ -s "$f" ] && sx_show "${f#"$SX_TMP"/}" "$f"
	done
	sx_show listener.log "$listen_log"
}
sx_done
