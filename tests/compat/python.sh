#!/bin/bash
# SPDX-License-Identifier: MIT
# Python 3 through socksify, by IP and by a name only the proxy resolves:
#   python-urllib    urllib.request.urlopen of an HTTP URL
#   python-socket    socket.create_connection, a line to an echo server
#   python-asyncio   asyncio.open_connection (non-blocking connect under
#                    epoll), HTTP GET
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup "$SX_PYTHON"

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
http_log=$(cx_http_log "$SX_SERVER4")
start_echo "$SX_NS_S" "$SX_SERVER4"
echo_port=$SX_LAST_PORT
echo_log=$SX_TMP/echo.$SX_SERVER4.log

# One client, three ways; the body (or the echoed line) goes to stdout, the
# peer address to stderr.
client=$SX_TMP/client.py
cat >"$client" <<'EOF'
import asyncio, socket, sys, urllib.request

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer

if mode == "urllib":
    with urllib.request.urlopen("http://%s:%d/file" % (host, port),
                                timeout=8) as r:
        out.write(r.read())
elif mode == "socket":
    with socket.create_connection((host, port), timeout=8) as s:
        print("peer", s.getpeername(), file=sys.stderr)
        s.sendall(sys.argv[4].encode() + b"\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        out.write(data)
elif mode == "asyncio":
    async def main():
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 8)
        print("peer", w.get_extra_info("peername"), file=sys.stderr)
        w.write(("GET /file HTTP/1.0\r\nHost: %s\r\n\r\n" % host).encode())
        await w.drain()
        data = await asyncio.wait_for(r.read(), 8)
        w.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n")[0]:
            raise SystemExit("bad status: %r" % head[:80])
        out.write(body)
    asyncio.run(main())
EOF

cx_plain_fails "python socket.create_connection" \
    "$SX_PYTHON" "$client" socket "$SX_SERVER4" "$echo_port" x

for mode in by-ip by-name; do
	host=$(cx_host "$mode")

	for how in urllib asyncio; do
		cx_begin "python-$how" "$mode"
		out=$SX_TMP/py-$how.$mode
		cx_diag "$out.err"
		cx_run "$SX_PYTHON" "$client" "$how" "$host" "$http_port" \
		    >"$out" 2>"$out.err"
		rc=$?
		sx_check "python-$how $mode: exit 0 (got $rc)" test "$rc" -eq 0
		sx_check "python-$how $mode: content is exact" \
		    cmp -s "$SX_HTTP_FILE" "$out"
		cx_check_proxy "$http_port"
		cx_check_server "$http_log" \
		    "^$(cx_re "$SX_PROXY_OUT4") - .*\"GET /file HTTP"
		cx_end
	done

	cx_begin python-socket "$mode"
	out=$SX_TMP/py-socket.$mode
	cx_diag "$out.err"
	line="python line $mode $$ $RANDOM"
	cx_run "$SX_PYTHON" "$client" socket "$host" "$echo_port" "$line" \
	    >"$out" 2>"$out.err"
	rc=$?
	sx_check "python-socket $mode: exit 0 (got $rc)" test "$rc" -eq 0
	sx_check "python-socket $mode: the line came back" \
	    test "$(cat "$out")" = "$line"
	cx_check_proxy "$echo_port"
	cx_check_server "$echo_log" "^from $(cx_re "$SX_PROXY_OUT4") "
	cx_end
done

cx_done
