#!/bin/bash
# SPDX-License-Identifier: MIT
# Go programs under the backstop: tests/helpers/goget.go built here with
# Debian's golang-go twice, CGO_ENABLED=0 (static) and CGO_ENABLED=1
# (dynamic, libc linked in). Go makes its socket calls as raw system calls
# in both builds, so every connect() is the supervisor's; only the cgo
# build's getaddrinfo() (GODEBUG=netdns=cgo) is the library's, in
# process. For each build:
#   - GET by IP, by a name only the proxy knows (Go's own resolver: its
#     DNS goes to the supervisor's answerer, the placeholder is proxied
#     by name), an IPv6 destination: content exact, leak and dns 0
#   - which path carried it: the resolve line comes from the supervisor
#     (Go's resolver) or from the program itself (cgo getaddrinfo), the
#     connect always from the supervisor ("backstop for goget-...")
#   - connection refused beyond the proxy -> Go's own "connect:
#     connection refused"
#   - a proxy that never answers (the fault peer's silent mode): the
#     dial fails with Go's timeout error, bounded by socksify's timeout
#   - 50 parallel GETs through a proxy 200 ms away (time logged, loosely
#     asserted); SIGURG to every thread each millisecond during GETs
#     through it, with WAIT_KILLABLE_RECV and without: every GET correct,
#     exactly one request per GET at the server
#   - a shell script that execs the static Go program, and the static Go
#     program exec'ing curl (dynamic): both covered
# The controls: the static program without socksify and with
# --no-backstop moves the leak counter (by IP) and the dns counter (by
# name); the cgo build with --no-backstop connects around the proxy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl microsocks go readelf
sx_require_backstop
sx_dns_setup

# Both builds (standard library only, no network; a cache in the build
# tree keeps repeated runs fast).
gocache=${top_builddir:-$SX_TMP}/tests/go-cache
mkdir -p "$SX_TMP/go" "$gocache" || sx_error "mkdir"
cp "$SX_HELPERS/goget.go" "$SX_TMP/go/" || sx_error "goget.go"
for cgo in 0 1; do
	(cd "$SX_TMP/go" && GOCACHE=$gocache GOPATH=$SX_TMP/go/path \
	    GO111MODULE=off GOFLAGS="" GOTOOLCHAIN=local CGO_ENABLED=$cgo \
	    go build -o "goget-$cgo" goget.go) >"$SX_TMP/go.build" 2>&1 ||
	    { cat "$SX_TMP/go.build" >&2;
	    sx_error "cannot build tests/helpers/goget.go (CGO_ENABLED=$cgo)"; }
done
gs=$SX_TMP/go/goget-0
gc=$SX_TMP/go/goget-1
sx_check "CGO_ENABLED=0: a static program (no interpreter)" \
    sx_none sh -c "readelf -l '$gs' | grep -q INTERP"
sx_check "CGO_ENABLED=1: a dynamic program (libc: the library is preloaded)" \
    sh -c "readelf -l '$gc' | grep -q INTERP"

start_http_many "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_http "$SX_NS_S" "$SX_SERVER6"
http6_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" 127.0.0.1
start_delay_relay "$SX_NS_P" "$SX_PROXY4" 127.0.0.1 "$SX_LAST_PORT" 100
relay_port=$SX_LAST_PORT
start_fault_peer "$SX_NS_P" "$SX_PROXY4" silent -t 60
silent_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
slow=$SX_TMP/slow.conf
sx_conf "$slow" "proxy = socks5://$SX_PROXY4:$relay_port" "timeout = 20"
silent=$SX_TMP/silent.conf
sx_conf "$silent" "proxy = socks5://$SX_PROXY4:$silent_port" "timeout = 1"
url=http://$SX_SERVER4:$http_port/file
url6=http://[$SX_SERVER6]:$http6_port/file
urlname=http://$SX_DNS_NAME:$http_port/file

# run TAG CONF ARGS...: socksify -c CONF ARGS in the client namespace,
# output in $SX_TMP/TAG.{out,err}, status in $rc; counters reset first.
run()
{
	local tag=$1 c=$2
	shift 2
	leak_reset
	sx_run -c "$c" "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
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

# same TAG WHAT: TAG's stdout is the served file, status 0, nothing leaked.
same()
{
	sx_check "$2: content exact (status $rc)" \
	    cmp -s "$SX_HTTP_FILE" "$SX_TMP/$1.out"
	nothing_leaked "$2"
}

# --- the counters work --------------------------------------------------
leak_reset
sx_client "$gs" get "$url" >"$SX_TMP/plain.out" 2>&1
sx_check "without socksify the static Go program cannot reach the server" \
    has plain '^error: .*connect: connection refused'
sx_check "without socksify its connect is counted as a leak" \
    test "$(leak_count)" -gt 0
leak_reset
sx_client "$SX" -c "$conf" --no-backstop "$gs" get "$urlname" \
    >"$SX_TMP/nobs-name.out" 2>"$SX_TMP/nobs-name.err"
sx_check "--no-backstop: Go's resolver asks the resolv.conf server (dns $(dns_count))" \
    test "$(dns_count)" -gt 0
leak_reset
sx_client "$SX" -c "$conf" --no-backstop "$gc" get "$url" \
    >"$SX_TMP/nobs-cgo.out" 2>"$SX_TMP/nobs-cgo.err"
sx_check "--no-backstop: even the cgo build connects around the proxy (leak $(leak_count))" \
    test "$(leak_count)" -gt 0

# --- both builds ----------------------------------------------------------
for b in static cgo; do
	g=$gs
	[ "$b" = cgo ] && g=$gc
	run "$b-ip" "$conf" "$g" get "$url"
	same "$b-ip" "$b: GET by IP"
	run "$b-name" "$conf" "$g" get "$urlname"
	same "$b-name" "$b: GET by a name only the proxy knows"
	sx_check "$b: the proxy was asked for the name" \
	    microsocks_saw "$SX_PROXY4" "$SX_DNS_NAME"
	run "$b-v6" "$conf" "$g" get "$url6"
	same "$b-v6" "$b: GET to an IPv6 server through an IPv4 proxy"
	run "$b-refused" "$conf" "$g" dial "$SX_SERVER4:1" 5000
	sx_check "$b: refused beyond the proxy -> Go's own error text" \
	    has "$b-refused" "^error: dial tcp $SX_SERVER4:1: connect: connection refused\$"
	sx_check "$b: refused: socksify's line names it" \
	    sx_has_line "$SX_TMP/$b-refused.err" "connect $SX_SERVER4:1 via .*refused"
	nothing_leaked "$b: refused"
	# A proxy that never answers: the supervisor holds connect() for
	# the handshake, so socksify's timeout (1 s) bounds the dial.
	run "$b-silent" "$silent" "$g" dial "$SX_SERVER4:$http_port" 10000
	ms=$(sed -n 's/^after \([0-9]*\) ms$/\1/p' "$SX_TMP/$b-silent.err")
	sx_log "$b: dial through a silent proxy failed after ${ms:-?} ms"
	sx_check "$b: silent proxy -> Go's timeout error" \
	    has "$b-silent" "^error: dial tcp $SX_SERVER4:$http_port: (connect: connection timed out|i/o timeout)\$"
	sx_check "$b: silent proxy: bounded by socksify's timeout (${ms:-?} ms)" \
	    test -n "$ms" -a "${ms:-0}" -ge 900 -a "${ms:-99999}" -lt 4000
	nothing_leaked "$b: silent proxy"
done

# Which path carried it: the supervisor logs "backstop for PROG[PID]" for
# every connect it made; a resolve line with the program's own PID is the
# library's getaddrinfo() in process, one with the supervisor's PID is the
# answerer (Go's resolver sent DNS).
# path TAG: "SUPPID PROGPID RESOLVEPIDS" from TAG's debug log.
path()
{
	local f=$SX_TMP/$1.err sup prog
	sup=$(sed -n 's/^socksify\[\([0-9]*\)\]: connect .*: backstop for goget-[01]\[[0-9]*\]$/\1/p' "$f" | head -n 1)
	prog=$(sed -n 's/^socksify\[[0-9]*\]: connect .*: backstop for goget-[01]\[\([0-9]*\)\]$/\1/p' "$f" | head -n 1)
	printf '%s %s %s\n' "${sup:-none}" "${prog:-none}" \
	    "$(sed -n "s/^socksify\[\([0-9]*\)\]: resolve $SX_DNS_NAME: .*/\1/p" "$f" | sort -u | tr '\n' ' ')"
}
for b in static cgo cgo-netdns; do
	g=$gs
	e=()
	[ "$b" = static ] || g=$gc
	[ "$b" = cgo-netdns ] && e=(GODEBUG=netdns=cgo)
	leak_reset
	sx_client env "${e[@]}" SOCKSIFY_LOG=debug "$SX" -c "$conf" "$g" get \
	    "$urlname" >"$SX_TMP/path-$b.out" 2>"$SX_TMP/path-$b.err"
	rc=$?
	same "path-$b" "$b: by name"
	read -r sup prog res <<<"$(path "path-$b")"
	sx_log "$b: supervisor $sup, program $prog, resolved by $res"
	sx_check "$b: the connect was the supervisor's (pid $sup for pid $prog)" \
	    test "$sup" != none -a "$prog" != none -a "$sup" != "$prog"
	if [ "$b" = cgo-netdns ]; then
		sx_check "$b: the name was resolved in process by the library (pid ${res:-none})" \
		    test "$res" = "$prog"
	else
		sx_check "$b: the name was resolved by the supervisor's answerer (pid ${res:-none})" \
		    test "$res" = "$sup"
	fi
done

# --- many at once, and signal storms, through a proxy 200 ms away ----------
ms() { sed -n 's/^ok [0-9]* \([0-9]*\) ms$/\1/p' "$SX_TMP/$1.out"; }
SX_CLIENT_TIMEOUT=60
run par1 "$slow" "$gs" parallel 1 "$urlname"
one=$(ms par1)
sx_check "one GET by name through the slow proxy (status $rc, ${one:-?} ms)" \
    test "$rc" -eq 0 -a -n "$one"
run par50 "$slow" "$gs" parallel 50 "$urlname"
fifty=$(ms par50)
sx_check "50 parallel GETs by name all succeed (status $rc, ${fifty:-?} ms)" \
    test "$rc" -eq 0 -a -n "$fifty"
nothing_leaked "50 parallel GETs"
if [ -n "$one" ] && [ -n "$fifty" ]; then
	sx_log "Go static: one GET $one ms, 50 parallel GETs $fifty ms"
	# Loosely: serial handshakes would take 50x.
	sx_check "50 parallel GETs overlap ($fifty ms vs $one ms for one)" \
	    test "$fifty" -lt $((5 * one + 1000))
fi

gets_before=$(grep -c '"GET /file' "$SX_TMP/http.$SX_SERVER4.log")
for k in killable no-wait-killable; do
	for b in static cgo; do
		g=$gs
		[ "$b" = cgo ] && g=$gc
		leak_reset
		if [ "$k" = killable ]; then
			sx_client env SOCKSIFY_CONF="$slow" "$SX" "$g" storm 3 "$url" \
			    >"$SX_TMP/storm-$k-$b.out" 2>"$SX_TMP/storm-$k-$b.err"
		else
			sx_client env SOCKSIFY_CONF="$slow" "$SX_SUPERVISE" \
			    --no-wait-killable -- "$g" storm 3 "$url" \
			    >"$SX_TMP/storm-$k-$b.out" 2>"$SX_TMP/storm-$k-$b.err"
		fi
		sx_check "storm ($k, $b): every GET correct ($(head -c 60 "$SX_TMP/storm-$k-$b.out"))" \
		    has "storm-$k-$b" '^ok 3 signals [1-9][0-9]*$'
		nothing_leaked "storm ($k, $b)"
	done
done
sleep 0.3
gets=$(($(grep -c '"GET /file' "$SX_TMP/http.$SX_SERVER4.log") - gets_before))
sx_check "the server saw exactly 12 GETs from the storms (got $gets)" \
    test "$gets" -eq 12
sx_check "the server answered no malformed request" \
    sx_lacks "$SX_TMP/http.$SX_SERVER4.log" 'code 400'

# --- exec chains ------------------------------------------------------------
run script "$conf" sh -c "echo started; exec '$gs' get '$url'"
sed -i '1d' "$SX_TMP/script.out"
same script "a shell script that execs the static Go program"
run execdyn "$conf" "$gs" exec "$(command -v curl)" -sS --max-time 8 "$urlname"
same execdyn "the static Go program execs curl (dynamic), by name"

[ "$SX_FAILED" -eq 0 ] || {
	for f in static-ip static-name cgo-name static-silent par50 \
	    storm-killable-static storm-no-wait-killable-cgo execdyn; do
		sx_show "$f stderr" "$SX_TMP/$f.err"
	done
}
sx_done
