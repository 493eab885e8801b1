#!/bin/bash
# SPDX-License-Identifier: MIT
# Asynchronous connect: event loops never wait for the proxy. Clients that
# connect without blocking, each waiting its own way (a C client per
# epoll mode and poll/select, Python selectors and asyncio, Java NIO and
# Socket.connect(addr, timeout)), against microsocks and against the
# fault peer's slow, silent, refusing, resetting and REP 5 modes: the
# right result and errno (SO_ERROR), exactly one writable report for
# edge-triggered and one-shot waiters, no byte of the program's before
# the proxy's reply (the fault peer looks), one socksify: line per
# failure. An asyncio loop's 5 ms timer keeps ticking during 100 parallel
# connects through a slow proxy and while one waits for a silent one;
# node (http.get, fetch) and curl --parallel get every page. Nothing
# leaves the client around the proxy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup cc microsocks node curl java javac
sx_build_fault_peer
ac=$(sx_build_helper asyncclient) || exit 99
javac -d "$SX_TMP" "$SX_HELPERS/AsyncJava.java" ||
    sx_error "cannot build $SX_HELPERS/AsyncJava.java"
SX_CLIENT_TIMEOUT=30

start_microsocks "$SX_NS_P" "$SX_PROXY4"
ms_port=$SX_LAST_PORT
start_echo "$SX_NS_S" "$SX_SERVER4"
echo_port=$SX_LAST_PORT
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
leak_reset
tport=8080	# behind the fault peer: never reached
failed=()

n_lines() { grep -Ec '^socksify(\[[0-9]+\])?: ' "$1"; }

# shellcheck disable=SC2317	# called through sx_check
summary_has() { grep -Eq "^SUMMARY .*$2" "$1"; }

# shellcheck disable=SC2317
all_conns() { [ "$(grep -Ec "^conn [0-9]+: $2" "$1")" -eq "$3" ]; }

# shellcheck disable=SC2317
num_le() { awk -v v="$1" -v hi="$2" 'BEGIN { exit !(v != "" && v <= hi) }'; }

# run_client TAG CONF CMD...: CMD through socksify with config CONF;
# output in $SX_TMP/TAG.out and TAG.err.
run_client()
{
	local tag=$1 conf=$2
	shift 2
	sx_run -c "$conf" "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
}

# The clients: NAME and its command line up to HOST PORT N.
clients=(c-lt c-et c-oneshot c-before c-exclusive c-dup c-nested c-polled
    c-poll c-select py-epoll py-poll py-select java-nio java-timeout)
client_cmd()
{
	case $1 in
	c-*) printf '%s\n' "$ac" -m "${1#c-}" -n "$4" "$2" "$3" ;;
	py-*) printf '%s\n' "$SX_PYTHON" "$SX_HELPERS/selectors_client.py" \
	    "${1#py-}" "$2" "$3" "$4" ;;
	java-*) printf '%s\n' java -cp "$SX_TMP" AsyncJava "${1#java-}" \
	    "$2" "$3" "$4" ;;
	esac
}

# expect_ok TAG CLIENT N: N connections, each echoing exactly.
expect_ok()
{
	local out=$SX_TMP/$1.out
	sx_check "$1: $3 connected, echo exact" all_conns "$out" \
	    "OK( events=[0-9]+)? echo=exact" "$3"
	case $2 in
	c-lt|c-exclusive|c-poll|c-select|py-*|java-timeout) ;;
	*) sx_check "$1: one writable report each" summary_has "$out" \
	    "extra=0" ;;
	esac
	sx_check "$1: no socksify: line" test "$(n_lines "$SX_TMP/$1.err")" -eq 0
}

# expect_err TAG ERE N: N connections failing with ERE (an errno name, or
# Java's message), one socksify: line each.
expect_err()
{
	local out=$SX_TMP/$1.out
	sx_check "$1: $3 failed with $2" all_conns "$out" "ERR .*($2)" "$3"
	sx_check "$1: one socksify: line each" \
	    test "$(n_lines "$SX_TMP/$1.err")" -eq "$3"
}

java_msg()
{
	case $1 in
	ETIMEDOUT) echo "timed out" ;;
	ECONNREFUSED) echo "Connection refused" ;;
	ECONNRESET) echo "Connection reset" ;;
	esac
}

# --- microsocks: the real proxy and server --------------------------------
conf=$SX_TMP/ms.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$ms_port" "timeout = 5"
for c in "${clients[@]}"; do
	mapfile -t cmd < <(client_cmd "$c" "$SX_SERVER4" "$echo_port" 4)
	run_client "ms.$c" "$conf" "${cmd[@]}"
	expect_ok "ms.$c" "$c" 4
done

# --- the fault peer's modes ---------------------------------------------
# fault_mode MODE EXPECT TIMEOUT N [PEER ARGS...]: every client against
# fault_peer -m MODE; EXPECT "ok" or an errno name.
fault_mode()
{
	local mode=$1 expect=$2 timeout=$3 n=$4 c tag before=$SX_FAILED ere
	shift 4
	start_fault_peer "$SX_NS_P" "$SX_PROXY4" "$mode" -t 20 "$@"
	conf=$SX_TMP/$mode.conf
	sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" \
	    "timeout = $timeout"
	for c in "${clients[@]}"; do
		tag=$mode.$c
		mapfile -t cmd < <(client_cmd "$c" "$SX_SERVER4" "$tport" "$n")
		run_client "$tag" "$conf" "${cmd[@]}"
		if [ "$expect" = ok ]; then
			expect_ok "$tag" "$c" "$n"
		else
			ere=$expect
			case $c in java-*) ere=$(java_msg "$expect") ;; esac
			expect_err "$tag" "$ere" "$n"
		fi
	done
	if [ "$mode" != refuse ]; then
		sx_check "$mode: the peer saw no early bytes" \
		    sx_lacks "$SX_FAULT_LOG" "EARLY"
	fi
	cp "$SX_FAULT_LOG" "$SX_TMP/$mode.peer" 2>/dev/null
	[ "$SX_FAILED" -eq "$before" ] || failed+=("$mode")
}

fault_mode slow ok 5 3 -d 150
fault_mode silent ETIMEDOUT 1 2
fault_mode refuse ECONNREFUSED 5 2
fault_mode rst ECONNRESET 5 2
fault_mode rep-5 ECONNREFUSED 5 2

# --- asyncio: the loop goes on ---------------------------------------------
# 100 parallel connects through a proxy that takes 2 x 150 ms to answer:
# done in well under the 30 s they would take one after another, and the
# 5 ms timer never late by 200 ms (a generous bound: the figure is the
# benchmark's).
start_fault_peer "$SX_NS_P" "$SX_PROXY4" slow -t 20 -d 150
conf=$SX_TMP/aio.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 10"
run_client aio100 "$conf" "$SX_PYTHON" "$SX_HELPERS/asyncio_client.py" \
    "$SX_SERVER4" "$tport" 100
out=$SX_TMP/aio100.out
stall=$(sed -n 's/^SUMMARY .*maxstall_ms=\([0-9]*\).*/\1/p' "$out")
el=$(sed -n 's/^SUMMARY .*elapsed=\([0-9.]*\).*/\1/p' "$out")
sx_check "asyncio: 100 parallel connects echo" summary_has "$out" "ok=100 "
sx_check "asyncio: done in ${el:-?} s (< 5)" num_le "$el" 5
sx_check "asyncio: timer stall ${stall:-?} ms (< 200)" num_le "$stall" 200
sx_check "asyncio: the peer saw no early bytes" sx_lacks "$SX_FAULT_LOG" EARLY
start_silent "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/aio-silent.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 2"
run_client aio-silent "$conf" "$SX_PYTHON" "$SX_HELPERS/asyncio_client.py" \
    "$SX_SERVER4" "$tport" 1
out=$SX_TMP/aio-silent.out
stall=$(sed -n 's/^SUMMARY .*maxstall_ms=\([0-9]*\).*/\1/p' "$out")
sx_check "asyncio, silent proxy: ETIMEDOUT" grep -q '^conn 0: ERR ETIMEDOUT' \
    "$out"
sx_check "asyncio, silent proxy: timer stall ${stall:-?} ms (< 200)" \
    num_le "$stall" 200

# --- node and curl through microsocks ---------------------------------------
url=http://$SX_SERVER4:$http_port/file
size=$(stat -c %s "$SX_HTTP_FILE")
js=$SX_TMP/par.js
cat >"$js" <<'EOF'
const http = require("http");
const [url, n, size] = [process.argv[2], +process.argv[3], +process.argv[4]];
setTimeout(() => { console.log("TIMEOUT"); process.exit(1); }, 20000).unref();
const get = () => new Promise((ok) => http.get(url, (res) => {
  let len = 0;
  res.on("data", (c) => { len += c.length; });
  res.on("end", () => ok(res.statusCode === 200 && len === size));
}).on("error", (e) => { console.log("ERR", e.code); ok(false); }));
const fe = () => fetch(url).then(async (r) =>
  r.status === 200 && (await r.arrayBuffer()).byteLength === size,
  (e) => { console.log("ERR", e.cause ? e.cause.code : e); return false; });
Promise.all([...Array(n)].flatMap(() => [get(), fe()])).then((r) =>
  console.log("NODE ok=" + r.filter(Boolean).length + " of=" + r.length));
EOF
conf=$SX_TMP/ms.conf
run_client node "$conf" node "$js" "$url" 20 "$size"
sx_check "node: 20 http.get + 20 fetch, every page whole" \
    grep -q '^NODE ok=40 of=40$' "$SX_TMP/node.out"
sx_check "node: no socksify: line" test "$(n_lines "$SX_TMP/node.err")" -eq 0
curl_args=()
for i in $(seq 1 20); do curl_args+=(-o /dev/null "$url?n=$i"); done
run_client curl "$conf" curl -s --parallel --parallel-max 20 \
    -w '%{http_code} %{size_download}\n' "${curl_args[@]}"
sx_check "curl --parallel: 20 pages" \
    test "$(grep -c "^200 $size\$" "$SX_TMP/curl.out")" -eq 20
sx_check "http server saw 20 GETs from the proxy" test "$(grep -c \
    "^$SX_PROXY_OUT4 - .*GET /file?n=" "$SX_TMP/http.$SX_SERVER4.log")" -eq 20

sx_check "leak counter is 0" test "$(leak_count)" -eq 0
sx_check "dns counter is 0" test "$(dns_count)" -eq 0

if [ "$SX_FAILED" -ne 0 ]; then
	for f in "$SX_TMP"/*.out "$SX_TMP"/*.err; do
		[ -s "$f" ] && sx_show "$(basename "$f")" "$f"
	done 2>/dev/null | head -300
fi
sx_done
