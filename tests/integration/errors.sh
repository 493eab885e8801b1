#!/bin/bash
# SPDX-License-Identifier: MIT
# Proxy failures reach the program as the documented errno, with one
# socksify: line, within the configured time: nobody listening at the proxy
# -> ECONNREFUSED; a proxy that accepts and stays silent -> ETIMEDOUT.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT

# elapsed_within FILE MIN MAX: the helper's elapsed= is in [MIN, MAX].
# shellcheck disable=SC2317	# called through sx_check
elapsed_within()
{
	awk -v lo="$2" -v hi="$3" '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^elapsed=/) {
				e = substr($i, 9) + 0
				ok = (e >= lo && e <= hi)
			}
	} END { exit !ok }' "$1"
}

# py_case TAG CONF MODE EXPECT: run the helper via socksify, check the first
# words of its result line and that a socksify: line was written.
py_case()
{
	local tag=$1 conf=$2 mode=$3 expect=$4
	sx_run -c "$conf" "${SX_PY[@]}" "$mode" "$SX_SERVER4" "$http_port" \
	    >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	sx_check "$tag: python $mode gets $expect" \
	    grep -q "^ERR $expect " "$SX_TMP/$tag.out"
	sx_check "$tag: stderr has a socksify: line" \
	    sx_has_line "$SX_TMP/$tag.err"
}

# Nothing listening at the proxy address.
dead=$SX_TMP/dead.conf
sx_allow_proxy "$SX_PROXY4" 1080
sx_conf "$dead" "proxy = socks5://$SX_PROXY4:1080" "timeout = 5"
py_case dead "$dead" connect "ConnectionRefusedError ECONNREFUSED"
py_case dead-async "$dead" aconnect "ConnectionRefusedError ECONNREFUSED"
sx_check "dead: refused at once (< 1 s)" \
    elapsed_within "$SX_TMP/dead.out" 0 1

# A proxy that accepts and never answers, timeout = 1.
start_silent "$SX_NS_P" "$SX_PROXY4"
silent=$SX_TMP/silent.conf
sx_conf "$silent" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 1"
py_case silent "$silent" connect "TimeoutError ETIMEDOUT"
sx_check "silent: gave up after 1-3 s" \
    elapsed_within "$SX_TMP/silent.out" 0.8 3.5
py_case silent-async "$silent" aconnect "TimeoutError ETIMEDOUT"
sx_check "silent-async: gave up after 1-3 s" \
    elapsed_within "$SX_TMP/silent-async.out" 0.8 3.5

# Same through curl: a connect timeout (curl maps ETIMEDOUT from connect to
# exit 28) well before curl's own 8 s limit, not a hang.
SECONDS=0
sx_run -c "$silent" curl -sS --max-time 8 -o /dev/null \
    "http://$SX_SERVER4:$http_port/file" 2>"$SX_TMP/curl.err"
rc=$?
sx_check "silent: curl connect times out (exit 28, got $rc) in ${SECONDS}s" \
    test "$rc" -eq 28 -a "$SECONDS" -le 4
sx_check "silent: curl's stderr has a socksify: line" \
    sx_has_line "$SX_TMP/curl.err" "time"

sx_check "leak counter is 0" test "$(leak_count)" -eq 0
sx_check "server saw no connection" \
    sx_lacks "$SX_TMP/http.$SX_SERVER4.log" '"GET '

[ "$SX_FAILED" -eq 0 ] || {
	for f in dead dead-async silent silent-async; do
		sx_show "$f.out" "$SX_TMP/$f.out"
		sx_show "$f.err" "$SX_TMP/$f.err"
	done
	sx_show curl.err "$SX_TMP/curl.err"
}
sx_done
