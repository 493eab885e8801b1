#!/bin/bash
# SPDX-License-Identifier: MIT
# The name map is shared by the whole process tree socksify starts: a shell
# resolves a name and a child connects to the placeholder address; a python
# parent resolves and a subprocess connects, or the other way round; a forked
# child resolves and its parent connects; a daemon-style child that closed
# every descriptor still finds the map. A placeholder from another socksify
# run is refused, not sent anywhere. No DNS packet leaves the client.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl getent microsocks
sx_require_resolve
sx_dns_setup

start_http "$SX_NS_S" "$SX_SERVER4"
port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
name=$SX_DNS_NAME
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
leak_reset

# fetched WHAT FILE RC: the run exited 0 and FILE is exactly the served file.
fetched()
{
	sx_check "$1: exit 0 (got $3)" test "$3" -eq 0
	sx_check "$1: content is exact" cmp -s "$SX_HTTP_FILE" "$2"
}

# The shell-and-child case, word for word as in the README.
# shellcheck disable=SC2016	# expanded by that sh
sx_run -c "$conf" sh -c 'ip=$(getent hosts "$1" | cut -d" " -f1)
echo "$ip" >&2
curl -s --max-time 8 "http://$ip:$2/file"' sh "$name" "$port" \
    >"$SX_TMP/getent.got" 2>"$SX_TMP/getent.err"
fetched "sh: getent hosts, then curl by address" "$SX_TMP/getent.got" $?
sx_check "getent hosts gave a placeholder ($(head -n 1 "$SX_TMP/getent.err"))" \
    sx_in_net "$(head -n 1 "$SX_TMP/getent.err")" "$SX_DNS_PH4"

# A python parent resolves; a subprocess connects to the address.
sx_run -c "$conf" "$SX_PYTHON" -c 'import socket, subprocess, sys
ip = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET)[0][4][0]
sys.exit(subprocess.run(["curl", "-s", "--max-time", "8",
    "http://%s:%s/file" % (ip, sys.argv[2])]).returncode)' "$name" "$port" \
    >"$SX_TMP/pysub.got" 2>"$SX_TMP/pysub.err"
fetched "python resolves, subprocess curl connects" "$SX_TMP/pysub.got" $?

# A child resolves (the resolve helper); the python parent connects.
sx_run -c "$conf" "$SX_PYTHON" -c 'import subprocess, sys, urllib.request
ip = subprocess.run([sys.argv[1], "gai4", sys.argv[2]], check=True,
    capture_output=True, text=True).stdout.split()[0]
url = "http://%s:%s/file" % (ip, sys.argv[3])
sys.stdout.buffer.write(urllib.request.urlopen(url, timeout=8).read())' \
    "$SX_RESOLVE" "$name" "$port" >"$SX_TMP/pyparent.got" \
    2>"$SX_TMP/pyparent.err"
fetched "child resolves, python parent connects" "$SX_TMP/pyparent.got" $?

# fork() without exec: the child resolves, the parent connects afterwards.
sx_run -c "$conf" "$SX_PYTHON" -c 'import os, socket, sys, urllib.request
r, w = os.pipe()
pid = os.fork()
if pid == 0:
	ip = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET)[0][4][0]
	os.write(w, ip.encode())
	os._exit(0)
os.close(w)
os.waitpid(pid, 0)
ip = os.read(r, 100).decode()
url = "http://%s:%s/file" % (ip, sys.argv[2])
sys.stdout.buffer.write(urllib.request.urlopen(url, timeout=8).read())' \
    "$name" "$port" >"$SX_TMP/fork.got" 2>"$SX_TMP/fork.err"
fetched "forked child resolves, parent connects" "$SX_TMP/fork.got" $?

# A daemon-style child: the parent resolves, the child closes every
# descriptor from 3 to 1023 (the name map's too), then execs curl.
sx_run -c "$conf" "$SX_PYTHON" -c 'import os, socket, sys
ip = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET)[0][4][0]
pid = os.fork()
if pid == 0:
	os.closerange(3, 1024)
	os.execvp("curl", ["curl", "-s", "--max-time", "8",
	    "http://%s:%s/file" % (ip, sys.argv[2])])
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))' \
    "$name" "$port" >"$SX_TMP/daemon.got" 2>"$SX_TMP/daemon.err"
fetched "child closes fds 3..1023, then curl by address" \
    "$SX_TMP/daemon.got" $?

# The same child, resolving by itself after closing everything.
sx_run -c "$conf" "$SX_PYTHON" -c 'import os, socket, sys
socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET)
pid = os.fork()
if pid == 0:
	os.closerange(3, 1024)
	os.execvp("curl", ["curl", "-s", "--max-time", "8",
	    "http://%s:%s/file" % tuple(sys.argv[1:3])])
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))' \
    "$name" "$port" >"$SX_TMP/daemon2.got" 2>"$SX_TMP/daemon2.err"
fetched "child closes fds 3..1023, then curl by name" \
    "$SX_TMP/daemon2.got" $?

# A placeholder from one socksify run means nothing in another: refused
# with a diagnostic, nothing sent to it.
other_ip=$(sx_run -c "$conf" "$SX_RESOLVE" gai4 "$name" | head -n 1)
sx_run -c "$conf" curl -sS --max-time 8 -o /dev/null \
    "http://$other_ip:$port/file" 2>"$SX_TMP/stale.err"
rc=$?
sx_check "placeholder from another run: curl fails (exit 7, got $rc)" \
    test "$rc" -eq 7
sx_check "placeholder from another run: a socksify: line" \
    sx_has_line "$SX_TMP/stale.err"

sx_check "server saw the proxy ($SX_PROXY_OUT4)" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
sx_check "server saw no connection from the client" \
    sx_none http_saw "$SX_SERVER4" "$SX_CLIENT4"
sx_check "proxy was asked for the name" microsocks_saw "$SX_PROXY4" "$name"
sx_check "no DNS packets left the client (dns counter $(dns_count))" \
    test "$(dns_count)" -eq 0
sx_check "leak counter is 0 ($(leak_count))" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in getent pysub pyparent fork daemon daemon2 stale; do
		[ -s "$SX_TMP/$f.err" ] && sx_show "stderr, $f" "$SX_TMP/$f.err"
	done
	sx_show "microsocks log" "$SX_TMP/microsocks.$SX_PROXY4.log"
}
sx_done
