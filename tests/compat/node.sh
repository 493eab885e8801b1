#!/bin/bash
# SPDX-License-Identifier: MIT
# Node.js through socksify, by IP and by a name only the proxy resolves
# (libuv: non-blocking connect under epoll, getaddrinfo in the thread pool):
#   node-http   http.get
#   node-fetch  the global fetch() (undici; Happy Eyeballs, autoSelectFamily)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup node

node_bin=$(command -v node)
node -e 'process.exit(typeof fetch === "function" ? 0 : 1)' 2>/dev/null ||
    sx_skip "$node_bin ($(node --version 2>&1)) has no global fetch"

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
http_log=$(cx_http_log "$SX_SERVER4")

# node client.js MODE URL: the body to stdout, the socket's addresses to
# stderr.
client=$SX_TMP/client.js
cat >"$client" <<'EOF'
const http = require("http");
const [mode, url] = process.argv.slice(2);
const fail = (e) => { console.error("error:", e && (e.stack || e)); process.exit(1); };
setTimeout(() => fail("timed out"), 8000).unref();
if (mode === "http") {
  http.get(url, (res) => {
    console.error("status", res.statusCode, "peer", res.socket.remoteAddress,
                  res.socket.remotePort);
    if (res.statusCode !== 200) fail("status " + res.statusCode);
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => process.stdout.write(Buffer.concat(chunks)));
    res.on("error", fail);
  }).on("error", fail);
} else if (mode === "fetch") {
  fetch(url).then(async (res) => {
    console.error("status", res.status);
    if (res.status !== 200) fail("status " + res.status);
    process.stdout.write(Buffer.from(await res.arrayBuffer()));
  }).catch(fail);
} else {
  fail("bad mode " + mode);
}
EOF

cx_plain_fails "node http.get" node "$client" http \
    "http://$SX_SERVER4:$http_port/file"

for mode in by-ip by-name; do
	host=$(cx_host "$mode")
	for how in http fetch; do
		cx_begin "node-$how" "$mode"
		out=$SX_TMP/node-$how.$mode
		cx_diag "$out.err"
		cx_run node "$client" "$how" "http://$host:$http_port/file" \
		    >"$out" 2>"$out.err"
		rc=$?
		sx_check "node-$how $mode: exit 0 (got $rc)" test "$rc" -eq 0
		sx_check "node-$how $mode: content is exact" \
		    cmp -s "$SX_HTTP_FILE" "$out"
		cx_check_proxy "$http_port"
		cx_check_server "$http_log" \
		    "^$(cx_re "$SX_PROXY_OUT4") - .*\"GET /file HTTP"
		cx_end
	done
done

cx_done
