#!/bin/bash
# SPDX-License-Identifier: MIT
# Valgrind memcheck of real programs through the library: curl (by name and
# by address) and python3 (urllib by name; gethostbyname, gethostbyaddr,
# getnameinfo, getaddrinfo AF_INET6; a socket to a placeholder address)
# reach an HTTP server through microsocks in the namespaces of
# integration/lib.sh. The library is the normal build (or, when the tree is
# built with sanitizers, a plain one compiled from src/ for this run).
#
#   valgrind --error-exitcode=42 --leak-check=full
#            --errors-for-leak-kinds=definite
#
# Only errors of ours count: an error, or a definite leak, with a frame in
# libsocksify.so (read from valgrind's XML, which names each frame's
# object even when there are debug symbols). The programs' and libc's own
# reports are listed but do not fail the test. Every program must still
# work (exit 0, exact content).
#
# Environment: VALGRIND_TIMEOUT (seconds per run, 300); SX_KEEP=1 keeps the
# logs ($SX_TMP/vg.*).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/integration/lib.sh"

sx_setup curl microsocks valgrind
sx_dns_setup
bound=${VALGRIND_TIMEOUT:-300}

lib=${SOCKSIFY_LIB:-}
if [ -n "${SAN_PRELOAD:-}" ] || [ -z "$lib" ]; then
	# A sanitizer build cannot run under valgrind: build a plain one.
	sx_build_lib "$SX_TMP/plain"
	lib=$SX_TMP/plain/libsocksify.so
fi

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 20"
name=$SX_DNS_NAME
leak_reset

# vg TAG CMD...: CMD through the library under memcheck, in the client
# namespace; stdout/stderr in $SX_TMP/TAG.{out,err}, XML per process in
# $SX_TMP/vg.TAG.PID.xml. Returns CMD's (or valgrind's) exit status.
vg()
{
	local tag=$1
	shift
	sx_client_for "$bound" valgrind --error-exitcode=42 --leak-check=full \
	    --errors-for-leak-kinds=definite --num-callers=50 \
	    --trace-children=yes --child-silent-after-fork=yes \
	    --xml=yes --xml-file="$SX_TMP/vg.$tag.%p.xml" \
	    --log-file="$SX_TMP/vg.$tag.%p.log" \
	    env LD_PRELOAD="$lib" SOCKSIFY_CONF="$conf" PYTHONMALLOC=malloc \
	    "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
}

# vg_ours TAG: print the errors with a libsocksify.so frame; fail if any.
# The others are summarised by kind on stderr.
# shellcheck disable=SC2317	# called through sx_check
vg_ours()
{
	"$SX_PYTHON" - "$SX_TMP" "$1" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET

tmp, tag = sys.argv[1], sys.argv[2]
ours, others, files = [], {}, 0
for path in sorted(glob.glob(os.path.join(tmp, "vg.%s.*.xml" % tag))):
    files += 1
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        ours.append("%s: unreadable XML (%s)" % (path, e))
        continue
    for err in root.iter("error"):
        kind = err.findtext("kind", "")
        if kind.startswith("Leak_") and kind != "Leak_DefinitelyLost":
            continue
        what = err.findtext("what") or err.findtext("xwhat/text") or ""
        frames = []
        for st in err.iter("stack"):
            for fr in st.iter("frame"):
                frames.append((fr.findtext("obj", ""), fr.findtext("fn", "?"),
                               fr.findtext("file", ""), fr.findtext("line", "")))
        if any(o.endswith("/libsocksify.so") for o, _, _, _ in frames):
            where = ["%s %s:%s" % (fn, f, l) if f else fn
                     for o, fn, f, l in frames][:12]
            ours.append("%s: %s\n      %s" % (kind, what,
                                               "\n      ".join(where)))
        else:
            others[kind] = others.get(kind, 0) + 1
for o in ours:
    print("  OURS " + o)
for k, n in sorted(others.items()):
    print("  (not ours: %d x %s)" % (n, k), file=sys.stderr)
if files == 0:
    print("  no valgrind XML for %s" % tag)
    sys.exit(1)
sys.exit(1 if ours else 0)
EOF
}

# check_vg TAG RC: the run finished (no timeout), and no error is ours.
check_vg()
{
	local tag=$1 rc=$2
	sx_check "$tag: finished in time (exit $rc)" test "$rc" -ne 124
	[ "$rc" -eq 42 ] &&
	    sx_log "$tag: valgrind found errors (exit 42); ours are below"
	sx_check "$tag: no memcheck error or definite leak from libsocksify" \
	    vg_ours "$tag"
}

# curl by name (remote DNS, placeholder) and by address.
vg curl-name curl -sS --max-time 60 -o "$SX_TMP/curl-name.got" \
    "http://$name:$http_port/file"
rc=$?
check_vg curl-name "$rc"
sx_check "curl-name: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/curl-name.got"

vg curl-ip curl -sS --max-time 60 -o "$SX_TMP/curl-ip.got" \
    "http://$SX_SERVER4:$http_port/file"
rc=$?
check_vg curl-ip "$rc"
sx_check "curl-ip: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/curl-ip.got"

# python3: the resolver calls and sockets.
cat >"$SX_TMP/vgclient.py" <<'EOF'
import socket, sys, urllib.request

name, port, want = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "rb").read()
with urllib.request.urlopen("http://%s:%d/file" % (name, port),
                            timeout=60) as r:
    body = r.read()
ip = socket.gethostbyname(name)
back = socket.gethostbyaddr(ip)[0]
ni = socket.getnameinfo((ip, port), socket.NI_NAMEREQD)[0]
ai6 = socket.getaddrinfo(name, port, socket.AF_INET6, socket.SOCK_STREAM)
s = socket.create_connection((ip, port), timeout=60)
s.sendall(b"GET /file HTTP/1.0\r\nHost: x\r\n\r\n")
raw = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    raw += b
s.close()
ok = (body == want and raw.split(b"\r\n\r\n", 1)[-1] == want
      and back == name and ni == name and len(ai6) > 0)
print("OK" if ok else "BAD", len(body), ip, back, ni, ai6[0][4][0])
EOF
vg python "$SX_PYTHON" "$SX_TMP/vgclient.py" "$name" "$http_port" \
    "$SX_HTTP_FILE"
rc=$?
check_vg python "$rc"
sx_check "python: every call worked ($(cat "$SX_TMP/python.out"))" \
    grep -q '^OK ' "$SX_TMP/python.out"

sx_check "nothing went around the proxy (leak $(leak_count))" \
    test "$(leak_count)" -eq 0
sx_check "no DNS query left the client ($(dns_count))" \
    test "$(dns_count)" -eq 0
sx_done
