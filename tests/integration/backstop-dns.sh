#!/bin/bash
# SPDX-License-Identifier: MIT
# DNS of programs LD_PRELOAD cannot reach, under the backstop: a static Go
# program (CGO_ENABLED=0, tests/helpers/goresolve.go built here; Go's own
# resolver reads resolv.conf and speaks DNS on raw system calls) resolves
# a name only the proxy namespace knows and fetches http://NAME:PORT/:
# the supervisor points its port-53 sockets at its answerer, the program
# gets a placeholder, and its connect to the placeholder reaches
# microsocks as ATYP domain (microsocks logs the name). PTR of the
# placeholder gives the name, MX is NODATA at once; placeholders are
# shared with the library in the same tree (getent <-> Go, both ways).
# With resolv.conf naming 127.0.0.53 nothing reaches loopback port 53.
# The control: with --no-backstop the same program leaks (counters move,
# the 127.0.0.53 listener hears it) and fails.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks go getent cmp readelf
sx_require_backstop
name=$SX_DNS_NAME
sx_dns_setup			# the client's resolver is $SX_SERVER4: rejected

mkdir -p "$SX_TMP/go"
cp "$SX_HELPERS/goresolve.go" "$SX_TMP/go/" || sx_error "goresolve.go"
(cd "$SX_TMP/go" && CGO_ENABLED=0 GOCACHE=$SX_TMP/go/cache \
    GOPATH=$SX_TMP/go/path GO111MODULE=off GOFLAGS="" \
    go build -o goresolve goresolve.go) >"$SX_TMP/go.build" 2>&1 || {
	cat "$SX_TMP/go.build" >&2
	sx_error "cannot build tests/helpers/goresolve.go (CGO_ENABLED=0)"
}
GR=$SX_TMP/go/goresolve
readelf -l "$GR" >"$SX_TMP/go.readelf" 2>&1 || sx_error "readelf $GR"
sx_check "goresolve is static (no program interpreter)" \
    sx_lacks "$SX_TMP/go.readelf" "INTERP"

start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5"

SHOW=()
ms() { echo $(($(date +%s%N) / 1000000)); }

# run TAG MODE CMD...: socksify MODE (--no-backstop, or "" for the
# default) -c CONF CMD in the client namespace; $SX_TMP/TAG.{out,err},
# status in $rc, time in $took (ms). Counters reset first.
run()
{
	local tag=$1 mode=$2 t0
	shift 2
	SHOW+=("$tag.out" "$tag.err")
	leak_reset
	t0=$(ms)
	sx_run ${mode:+"$mode"} -c "$conf" "$@" >"$SX_TMP/$tag.out" \
	    2>"$SX_TMP/$tag.err"
	rc=$?
	took=$(($(ms) - t0))
}

# shellcheck disable=SC2317	# called through sx_check
is() { [ "$(cat "$SX_TMP/$1.out")" = "$2" ]; }
# shellcheck disable=SC2317
has() { grep -Eq -- "$2" "$SX_TMP/$1.out"; }

nothing_leaked()
{
	local l d
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing around the proxy (leak $l, dns $d)" \
	    test "$l" -eq 0 -a "$d" -eq 0
}

# --- the control: without the backstop the static program leaks --------
run nobs-get --no-backstop "$GR" get "$name:$port" /file
sx_check "--no-backstop: Go's lookup fails (exit $rc)" test "$rc" -ne 0
sx_check "--no-backstop: its DNS queries are counted on port 53" \
    test "$(dns_count)" -gt 0
sx_check "--no-backstop: the wrapper says it is not covered" \
    grep -q "statically linked" "$SX_TMP/nobs-get.err"

# --- under the backstop (the default) ----------------------------------
run host "" "$GR" host "$name"
ph4=$(sed -n 1p "$SX_TMP/host.out")
ph6=$(sed -n 2p "$SX_TMP/host.out")
sx_check "Go LookupHost: an IPv4 placeholder ($ph4)" \
    sx_in_net "$ph4" "$SX_DNS_PH4"
sx_check "Go LookupHost: an IPv6 placeholder ($ph6)" \
    sx_in_net "$ph6" "$SX_DNS_PH6"
nothing_leaked "Go LookupHost"

run get "" "$GR" get "$name:$port" /file
sx_check "Go GET http://$name:$port/file exits 0 (got $rc)" test "$rc" -eq 0
sx_check "Go GET: content exact" cmp -s "$SX_HTTP_FILE" "$SX_TMP/get.out"
sx_check "microsocks was asked for $name:$port (ATYP domain)" \
    grep -Fq "connected to $name:$port" "$SX_TMP/microsocks.$SX_PROXY4.log"
nothing_leaked "Go GET"

# The same tree (a name map per socksify run): lookup, then reverse.
run ptr "" sh -c "ph=\$(\"$GR\" host $name | head -n 1); echo \"\$ph\";
    exec \"$GR\" ptr \"\$ph\""
sx_check "Go LookupAddr(Go's $ph4): $name." \
    test "$(sed -n 2p "$SX_TMP/ptr.out")" = "$name."
run mx "" "$GR" mx "$name"
sx_check "Go LookupMX without dns_server: no records" \
    has mx "^error: lookup $name.*no such host"
sx_check "... at once (${took} ms < 3000)" test "$took" -lt 3000
nothing_leaked "Go LookupAddr, LookupMX"

# One name map: the library's placeholder (getent, in process) is the
# supervisor's (Go), and the other way round.
run shared1 "" sh -c "ph=\$(getent ahostsv4 $name | head -n 1 |
    cut -d' ' -f1); echo \"\$ph\"; exec \"$GR\" ptr \"\$ph\""
sx_check "getent's placeholder, Go's LookupAddr: $name." \
    test "$(sed -n 2p "$SX_TMP/shared1.out")" = "$name."
run shared2 "" sh -c "ph=\$(\"$GR\" host $name | head -n 1);
    exec getent hosts \"\$ph\""
sx_check "Go's placeholder, getent hosts: $ph4 $name" \
    has shared2 "^$ph4 +$name\$"
nothing_leaked "shared name map"

# --- resolv.conf names 127.0.0.53 ----------------------------------------
sx_netns_etc "$SX_NS_C" resolv.conf < <(printf '%s\n' \
    "nameserver 127.0.0.53" "options timeout:1 attempts:1")
sx_lo53_counter
start_dns_listener "$SX_NS_C" 127.0.0.53
# shellcheck disable=SC2317
heard() { dns_listener_heard 127.0.0.53; }

lo53_reset
run lo-nobs --no-backstop "$GR" host "$name"
sx_check "127.0.0.53, --no-backstop: Go's query reaches the listener" heard
sx_check "127.0.0.53, --no-backstop: the lo port-53 counter moves" \
    test "$(lo53_count)" -gt 0
: >"$SX_TMP/listener.127.0.0.53.log"

lo53_reset
run lo-host "" "$GR" host "$name"
sx_check "127.0.0.53: Go LookupHost gives $ph4 again" \
    test "$(sed -n 1p "$SX_TMP/lo-host.out")" = "$ph4"
run lo-get "" "$GR" get "$name:$port" /file
sx_check "127.0.0.53: Go GET content exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/lo-get.out"
sx_check "127.0.0.53: the listener heard nothing" sx_none heard
sx_check "127.0.0.53: the lo port-53 counter is 0" \
    test "$(lo53_count)" -eq 0
nothing_leaked "127.0.0.53"

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}"; do
		[ -s "$SX_TMP/$f" ] && sx_show "$f" <(head -n 20 "$SX_TMP/$f")
	done
	sx_show listener.log "$SX_TMP/listener.127.0.0.53.log"
}
sx_done
