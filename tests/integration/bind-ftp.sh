#!/bin/bash
# SPDX-License-Identifier: MIT
# Active-mode FTP through the proxy (SOCKS5 BIND). dante (username and
# password, `bind` allowed) is the proxy, pyftpdlib the server beyond it,
# keeping its default of refusing data connections to foreign addresses.
# curl -P - (by a name only the proxy knows, and by address), lftp with
# passive mode off and tnftp -A fetch a file: the content is exact, the
# EPRT/PORT the server got names the proxy, the server's log never shows
# the client's address, socksify says the proxy listened. Through
# microsocks (no BIND: REP 7) each fails fast with socksify's one line and
# its own error, and the server never gets a client address it could
# connect to. Not one packet leaves the client around the proxy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl lftp tnftp danted microsocks
"$SX_PYTHON" -c 'import pyftpdlib' 2>/dev/null ||
    sx_skip "pyftpdlib not installed (python3-pyftpdlib)"
sx_dns_setup

ftpdir=$SX_TMP/ftp
mkdir -p "$ftpdir" || sx_error "mkdir $ftpdir"
# 300 KiB, every byte value, in an order that shows truncation and reorder.
"$SX_PYTHON" -c 'import sys
sys.stdout.buffer.write(bytes((i * 7 + i // 256) % 256 for i in range(300 * 1024)))' \
    >"$ftpdir/file" || sx_error "cannot write the FTP file"
chmod -R a+rX "$ftpdir"
ftplog=$SX_TMP/ftpd.log
sx_bg_listen pyftpdlib "$SX_NS_S" "$ftplog" "$SX_PYTHON" -m pyftpdlib \
    -i "$SX_SERVER4" -p 0 -d "$ftpdir" -D
ftp_port=$SX_LAST_PORT
start_danted "$SX_NS_P" "$SX_PROXY4"
dante_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
ms_port=$SX_LAST_PORT
conf=$SX_TMP/dante.conf
sx_conf "$conf" \
    "proxy = socks5://$SX_DANTE_USER:$SX_DANTE_PASS@$SX_PROXY4:$dante_port" \
    "timeout = 5" "log_level = info"
msconf=$SX_TMP/microsocks.conf
sx_conf "$msconf" "proxy = socks5://$SX_PROXY4:$ms_port" "timeout = 5"
X=$SX_X
client_port_re="10,$X,1,2,"			# the client in a PORT command
proxy_eprt_re="^<- EPRT \|1\|$SX_PROXY_OUT4\|[0-9]+\|$"
proxy_port_re="^<- PORT 10,$X,2,1,[0-9]+,[0-9]+$"
leak_reset

# The server's log lines written while CMD... ran, without the prefix
# ("[D date] ADDR:PORT-[user] "), into $SX_TMP/NAME.ftplog; stdout and
# stderr in NAME.out and NAME.err; the exit status in $rc, the run's
# wall time in $ms.
run_ftp()
{
	local name=$1 before t0
	shift
	before=$(wc -l <"$ftplog")
	t0=$(date +%s%N)
	sx_run "$@" >"$SX_TMP/$name.out" 2>"$SX_TMP/$name.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	sleep 0.2	# the server logs the end of the session
	tail -n +$((before + 1)) "$ftplog" |
	    sed -E 's/^\[[A-Z] [^]]*\] ([^ ]*-\[[^]]*\] )?//' \
	    >"$SX_TMP/$name.ftplog"
}

# One fetch through dante: content, the address the server was given,
# what it saw, what socksify said.
check_fetch()
{
	local name=$1 got=$2
	sx_check "$name: exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$name: file content is exact" cmp -s "$ftpdir/file" "$got"
	sx_check "$name: EPRT/PORT names the proxy ($SX_PROXY_OUT4)" \
	    grep -Eq -e "$proxy_eprt_re" -e "$proxy_port_re" \
	    "$SX_TMP/$name.ftplog"
	sx_check "$name: the server's log has no client address" \
	    sx_lacks "$SX_TMP/$name.ftplog" "$SX_CLIENT4|$client_port_re"
	sx_check "$name: the server sent the file (active mode)" \
	    grep -Eq "RETR .* completed=1 bytes=$((300 * 1024)) " \
	    "$SX_TMP/$name.ftplog"
	sx_check "$name: socksify says the proxy listened for it" \
	    sx_has_line "$SX_TMP/$name.err" \
	    "listen: the proxy listens on $SX_PROXY_OUT4:[0-9]+ for us"
}

# --- through dante -----------------------------------------------------
run_ftp curl-name -c "$conf" curl -sS --max-time 10 -P - \
    -o "$SX_TMP/curl-name.got" "ftp://$SX_DNS_NAME:$ftp_port/file"
check_fetch curl-name "$SX_TMP/curl-name.got"
sx_check "curl-name: the BIND asked for the name" \
    sx_has_line "$SX_TMP/curl-name.err" \
    "bind for $SX_DNS_NAME:$ftp_port via .*: ok"

run_ftp curl-ip -c "$conf" curl -sS --max-time 10 -P - \
    -o "$SX_TMP/curl-ip.got" "ftp://$SX_SERVER4:$ftp_port/file"
check_fetch curl-ip "$SX_TMP/curl-ip.got"

lftp_cmds="set ftp:passive-mode off; set net:max-retries 1"
lftp_cmds="$lftp_cmds; set net:timeout 5; set cmd:fail-exit yes"
run_ftp lftp -c "$conf" lftp -e \
    "$lftp_cmds; get file -o $SX_TMP/lftp.got; quit" \
    "ftp://anonymous:x@$SX_DNS_NAME:$ftp_port"
check_fetch lftp "$SX_TMP/lftp.got"

run_ftp tnftp -c "$conf" tnftp -A -V -o "$SX_TMP/tnftp.got" \
    "ftp://anonymous:x@$SX_SERVER4:$ftp_port/file"
check_fetch tnftp "$SX_TMP/tnftp.got"

sx_check "dante relayed the data connections (bindreply from the server)" \
    test "$(grep -c "tcp/bindreply \[: $SX_SERVER4\." "$SX_TMP/danted.log")" \
    -ge 4
sx_check "leak counter is 0 after the fetches" test "$(leak_count)" -eq 0

# --- through microsocks: no BIND --------------------------------------
# Each program's own error, socksify's one line, fast; the server is never
# given a client address it could connect to.
check_refused()
{
	local name=$1 own=$2
	sx_check "$name: fails (got $rc)" test "$rc" -ne 0
	sx_check "$name: fails fast (${ms} ms)" test "$ms" -lt 5000
	sx_check "$name: socksify's one line (command not supported)" \
	    sx_has_line "$SX_TMP/$name.err" \
	    "bind for $SX_SERVER4:$ftp_port via $SX_PROXY4:$ms_port: command not supported \(SOCKS reply 7\)"
	sx_check "$name: the program's own error ($own)" \
	    grep -Eq "$own" "$SX_TMP/$name.err"
	sx_check "$name: no connectable client address reached the server" \
	    sx_lacks "$SX_TMP/$name.ftplog" \
	    "$SX_CLIENT4:[1-9]|$client_port_re[0-9]*,[1-9]|$client_port_re[1-9]"
	sx_check "$name: no data connection was made" \
	    sx_lacks "$SX_TMP/$name.ftplog" "RETR .* completed=1"
}

run_ftp ms-curl -c "$msconf" curl -sS --max-time 10 -P - \
    -o "$SX_TMP/ms-curl.got" "ftp://$SX_SERVER4:$ftp_port/file"
check_refused ms-curl '^curl: \(30\)'
sx_check "ms-curl: the server never heard of the client" \
    sx_lacks "$SX_TMP/ms-curl.ftplog" "$SX_CLIENT4|$client_port_re"
run_ftp ms-tnftp -c "$msconf" tnftp -A -V -o "$SX_TMP/ms-tnftp.got" \
    "ftp://anonymous:x@$SX_SERVER4:$ftp_port/file"
check_refused ms-tnftp "Can't determine my address of data connection"
sx_check "ms-tnftp: the server never heard of the client" \
    sx_lacks "$SX_TMP/ms-tnftp.ftplog" "$SX_CLIENT4|$client_port_re"
run_ftp ms-lftp -c "$msconf" lftp -e \
    "$lftp_cmds; get file -o $SX_TMP/ms-lftp.got; quit" \
    "ftp://anonymous:x@$SX_SERVER4:$ftp_port"
check_refused ms-lftp 'Fatal error'
sx_check "leak counter is 0 after the refusals" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in curl-name curl-ip lftp tnftp ms-curl ms-tnftp ms-lftp; do
		sx_show "$f.err" "$SX_TMP/$f.err"
		sx_show "$f.ftplog" "$SX_TMP/$f.ftplog"
	done
	sx_show danted.log "$SX_TMP/danted.log"
}
sx_done
