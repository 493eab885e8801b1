# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared harness for the integration scenarios; sourced, never run.
# Builds client <-> proxy <-> server network namespaces, starts real servers,
# counts what the client sends around the proxy. Needs bash and root.
#
# Topology (X derived from $$; every test has its own namespaces):
#   sxcPID  client  10.X.1.2  fd00:X:1::2   default routes via the proxy
#   sxpPID  proxy   10.X.1.1  fd00:X:1::1 | 10.X.2.1  fd00:X:2::1, forwarding off
#   sxsPID  server  10.X.2.2  fd00:X:2::2
# The client can reach nothing but the proxy: its packets for anything else
# are counted by nft (counter "leak", port 53 also in "dns") and rejected, so
# a leak fails fast and shows up in leak_count.

# shellcheck disable=SC2034	# variables are used by the scenarios

SX_X=$(($$ % 250 + 1))
SX_NS_C=sxc$$
SX_NS_P=sxp$$
SX_NS_S=sxs$$
SX_CLIENT4=10.$SX_X.1.2
SX_PROXY4=10.$SX_X.1.1
SX_PROXY_OUT4=10.$SX_X.2.1
SX_SERVER4=10.$SX_X.2.2
SX_CLIENT6=fd00:$SX_X:1::2
SX_PROXY6=fd00:$SX_X:1::1
SX_PROXY_OUT6=fd00:$SX_X:2::1
SX_SERVER6=fd00:$SX_X:2::2
SX_WAIT=${SX_WAIT:-5}		# seconds for a server to come up
SX_CLIENT_TIMEOUT=${SX_CLIENT_TIMEOUT:-10}	# bound on every client run
if [ -z "${SX_PYTHON:-}" ]; then
	# The distribution's python, not a pyenv shim (a shell script).
	SX_PYTHON=python3
	[ -x /usr/bin/python3 ] && SX_PYTHON=/usr/bin/python3
fi
SX=${SOCKSIFY_BIN:-}
SX_TOP_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SX_HELPERS=$SX_TOP_SRCDIR/tests/helpers
SX_NAME=$(basename "$0" .sh)
SX_PIDS=()
SX_NETNS=()
SX_USERS=()
SX_TMP=
SX_FAILED=0
SX_LAST_PID=
SX_LAST_PORT=

sx_log() { printf '%s: %s\n' "$SX_NAME" "$*" >&2; }

# Exit 77, or 99 under SOCKSIFY_TEST_STRICT=1 so CI cannot pass by skipping.
sx_skip()
{
	if [ "${SOCKSIFY_TEST_STRICT:-0}" = 1 ]; then
		sx_log "ERROR (strict, would skip): $*"
		exit 99
	fi
	sx_log "SKIP: $*"
	exit 77
}

sx_error() { sx_log "ERROR: $*"; exit 99; }

# sx_check DESCRIPTION CMD...: run one assertion, remember a failure, go on.
sx_check()
{
	local what=$1
	shift
	if "$@"; then
		printf 'ok   - %s\n' "$what"
	else
		printf 'FAIL - %s\n' "$what"
		SX_FAILED=$((SX_FAILED + 1))
	fi
}

# sx_not CMD...: succeed when CMD fails (for sx_check). For "FILE has no
# such line" use sx_lacks or sx_none: a missing FILE must not pass.
sx_not() { ! "$@"; }

# sx_none CMD...: CMD is a grep-like test (grep, sx_has_line, http_saw,
# ...): succeed only on its clean "no match" (status 1). A match fails, and
# so does any error (status 2 and up: a missing or unreadable file), which
# is said on stderr.
sx_none()
{
	local rc=0
	"$@" || rc=$?
	[ "$rc" -eq 1 ] && return 0
	[ "$rc" -ge 2 ] && sx_log "sx_none: '$*' failed (status $rc; missing file?)"
	return 1
}

# sx_lacks FILE PATTERN [GREP-OPTION...]: FILE exists and no line matches
# PATTERN (an ERE; give -F for a fixed string, -i to ignore case). A
# missing or unreadable FILE is an error, never a pass.
sx_lacks()
{
	local f=$1 p=$2
	shift 2
	if [ ! -r "$f" ]; then
		sx_log "sx_lacks: $f is missing"
		return 2
	fi
	[ $# -gt 0 ] || set -- -E
	sx_none grep -q "$@" -e "$p" -- "$f"
}

sx_done()
{
	if [ "$SX_FAILED" -ne 0 ]; then
		sx_log "$SX_FAILED check(s) failed"
		exit 1
	fi
	exit 0
}

sx_require_root()
{
	[ "$(id -u)" -eq 0 ] || sx_skip "needs root (network namespaces)"
	ip netns list >/dev/null 2>&1 || sx_skip "ip netns not available"
}

sx_require_bin()
{
	local b
	for b in "$@"; do
		command -v "$b" >/dev/null 2>&1 || sx_skip "$b not installed"
	done
}

sx_require_socksify()
{
	[ -n "$SX" ] || sx_skip "SOCKSIFY_BIN not set"
	[ -x "$SX" ] || sx_skip "SOCKSIFY_BIN=$SX is not executable"
	if [ -n "${SOCKSIFY_LIB:-}" ] && [ ! -e "$SOCKSIFY_LIB" ]; then
		sx_skip "SOCKSIFY_LIB=$SOCKSIFY_LIB does not exist"
	fi
}

# Kill one recorded process: TERM, up to 2 s, then KILL; reap it.
sx_kill()
{
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

sx_cleanup()
{
	local pid ns u
	trap - EXIT
	trap '' INT TERM	# bounded anyway; finish rather than leave debris
	for pid in "${SX_PIDS[@]}"; do
		sx_kill "$pid"
	done
	# Anything left in our namespaces descends from us (dante children).
	for ns in "${SX_NETNS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns delete "$ns" 2>/dev/null
	done
	for u in "${SX_USERS[@]}"; do
		userdel "$u" 2>/dev/null
	done
	if [ -n "$SX_TMP" ] && [ "${SX_KEEP:-0}" != 1 ]; then
		rm -rf "$SX_TMP"
	fi
}

# Root, netns, the wrapper, the given binaries; then namespaces and nft.
sx_setup()
{
	sx_require_root
	sx_require_socksify
	sx_require_bin ip nft ss timeout "$SX_PYTHON" "$@"
	trap sx_cleanup EXIT
	trap 'exit 99' INT TERM
	SX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sx-$SX_NAME.XXXXXX") ||
	    sx_error "mktemp failed"
	chmod 755 "$SX_TMP"
	# Only the config files the tests write may be read.
	export XDG_CONFIG_HOME="$SX_TMP/xdg" HOME="$SX_TMP"
	# Nothing from the caller's environment picks a proxy or a bypass.
	unset SOCKSIFY_PROXY SOCKSIFY_CONF SOCKSIFY_LOG ALL_PROXY all_proxy \
	    NO_PROXY no_proxy
	sx_topology || sx_error "could not build the namespaces"
	sx_nft || sx_error "could not load the nft rules"
}

sx_topology()
{
	local ns
	for ns in "$SX_NS_C" "$SX_NS_P" "$SX_NS_S"; do
		SX_NETNS+=("$ns")	# first: a signal may land in between
		ip netns add "$ns" || { unset 'SX_NETNS[-1]'; return 1; }
		ip -n "$ns" link set lo up || return 1
	done
	ip netns exec "$SX_NS_P" sysctl -qw net.ipv4.ip_forward=0 \
	    net.ipv6.conf.all.forwarding=0 || return 1
	ip -n "$SX_NS_C" link add c0 type veth peer name p0 netns "$SX_NS_P" &&
	ip -n "$SX_NS_S" link add s0 type veth peer name p1 netns "$SX_NS_P" ||
	    return 1
	sx_addr "$SX_NS_C" c0 "$SX_CLIENT4/24" "$SX_CLIENT6/64" &&
	sx_addr "$SX_NS_P" p0 "$SX_PROXY4/24" "$SX_PROXY6/64" &&
	sx_addr "$SX_NS_P" p1 "$SX_PROXY_OUT4/24" "$SX_PROXY_OUT6/64" &&
	sx_addr "$SX_NS_S" s0 "$SX_SERVER4/24" "$SX_SERVER6/64" || return 1
	# Routes for everything go to the proxy, which does not forward: a
	# direct connection leaves the client (and is counted) but goes nowhere.
	ip -n "$SX_NS_C" route add default via "$SX_PROXY4" &&
	ip -n "$SX_NS_C" -6 route add default via "$SX_PROXY6"
}

sx_addr()
{
	ip -n "$1" addr add "$3" dev "$2" &&
	ip -n "$1" -6 addr add "$4" dev "$2" nodad &&
	ip -n "$1" link set "$2" up
}

sx_nft()
{
	ip netns exec "$SX_NS_C" nft -f - <<'EOF'
table inet sx {
	counter leak { }
	counter dns { }
	set proxy4 { type ipv4_addr . inet_service; }
	set proxy6 { type ipv6_addr . inet_service; }
	set proxyudp4 { type ipv4_addr; }
	set proxyudp6 { type ipv6_addr; }
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "lo" accept
		meta l4proto != { tcp, udp } accept
		th dport 53 counter name "dns"
		ip daddr . tcp dport @proxy4 accept
		ip6 daddr . tcp dport @proxy6 accept
		ip daddr @proxyudp4 meta l4proto udp accept
		ip6 daddr @proxyudp6 meta l4proto udp accept
		counter name "leak"
		meta l4proto tcp reject with tcp reset
		reject
	}
}
EOF
}

# sx_allow_proxy ADDR PORT: TCP to ADDR:PORT is proxy traffic, not a leak.
sx_allow_proxy()
{
	local set=proxy4
	case $1 in *:*) set=proxy6 ;; esac
	ip netns exec "$SX_NS_C" nft add element inet sx "$set" "{ $1 . $2 }" ||
	    sx_error "nft add element $1 . $2"
}

# sx_allow_proxy_udp ADDR: UDP to any port of ADDR is proxy traffic.
sx_allow_proxy_udp()
{
	local set=proxyudp4
	case $1 in *:*) set=proxyudp6 ;; esac
	ip netns exec "$SX_NS_C" nft add element inet sx "$set" "{ $1 }" ||
	    sx_error "nft add element $1"
}

sx_counter()
{
	ip netns exec "$SX_NS_C" nft list counter inet sx "$1" |
	    sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p'
}

leak_count() { sx_counter leak; }
dns_count() { sx_counter dns; }
leak_reset()
{
	ip netns exec "$SX_NS_C" nft reset counters table inet sx >/dev/null
}

# sx_tree PID: PID and its descendants (a command run through socksify is
# a child of the backstop's supervisor, which keeps the wrapper's PID),
# one per line; bounded depth.
sx_tree()
{
	local pids=$1 all=$1 next p depth
	for ((depth = 0; depth < 8 && ${#pids} > 0; depth++)); do
		next=
		for p in $pids; do
			next="$next $(cat /proc/"$p"/task/*/children 2>/dev/null)"
		done
		# shellcheck disable=SC2086,SC2116  # split on blanks
		pids=$(echo $next)
		all="$all $pids"
	done
	# shellcheck disable=SC2086  # one per line
	printf '%s\n' $all
}

# sx_listen_port NS PID: wait until PID (or a descendant: see sx_tree)
# listens (TCP) in NS; print the port.
sx_listen_port()
{
	local ns=$1 pid=$2 i port pat
	for ((i = 0; i < SX_WAIT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		pat=$(sx_tree "$pid" | sed 's/.*/pid=&,/' | paste -sd'|')
		port=$(ip netns exec "$ns" ss -Hltnp 2>/dev/null |
		    awk -v pat="$pat" 'BEGIN { n = split(pat, p, "|") }
			{ for (k = 1; k <= n; k++) if (index($0, p[k])) {
				m = split($4, a, ":"); print a[m]; exit } }')
		if [ -n "$port" ]; then
			printf '%s\n' "$port"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# sx_bg NS LOG CMD...: start CMD in NS in the background, record its PID.
sx_bg()
{
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
	SX_LAST_PID=$!
	SX_PIDS+=("$SX_LAST_PID")
}

# sx_bg_listen NAME NS LOG CMD...: sx_bg, then wait for the listening port.
sx_bg_listen()
{
	local name=$1
	shift
	sx_bg "$@"
	SX_LAST_PORT=$(sx_listen_port "$1" "$SX_LAST_PID") || {
		sed 's/^/  | /' "$2" >&2
		sx_error "$name did not start listening within ${SX_WAIT}s"
	}
}

sx_stop() { sx_kill "$1"; }

# start_microsocks NS ADDR [PORT]: no-auth SOCKS5; sets SX_LAST_PID/PORT.
start_microsocks()
{
	sx_require_bin microsocks
	sx_bg_listen microsocks "$1" "$SX_TMP/microsocks.$2.log" \
	    microsocks -i "$2" -p "${3:-0}"
	sx_allow_proxy "$2" "$SX_LAST_PORT"
}

# start_danted NS ADDR [PORT]: dante with username/password for a fresh
# system user; sets SX_DANTE_USER, SX_DANTE_PASS, SX_LAST_PID/PORT.
start_danted()
{
	local ns=$1 addr=$2 port=${3:-1080} conf
	sx_require_bin danted useradd userdel chpasswd
	SX_DANTE_USER=sxu$$
	SX_DANTE_PASS=pw$$-$RANDOM$RANDOM
	userdel "$SX_DANTE_USER" 2>/dev/null
	SX_USERS+=("$SX_DANTE_USER")
	useradd -M -N -s /usr/sbin/nologin "$SX_DANTE_USER" ||
	    sx_error "useradd $SX_DANTE_USER"
	printf '%s:%s\n' "$SX_DANTE_USER" "$SX_DANTE_PASS" | chpasswd ||
	    sx_error "chpasswd"
	conf=$SX_TMP/danted.conf
	cat >"$conf" <<EOF
logoutput: $SX_TMP/danted.log
internal: $addr port = $port
external: $SX_PROXY_OUT4
external: $SX_PROXY_OUT6
clientmethod: none
socksmethod: username
user.privileged: root
user.unprivileged: nobody
client pass { from: 0/0 to: 0/0 }
socks pass {
	from: 0/0 to: 0/0
	command: connect bind udpassociate bindreply udpreply
	log: error connect
}
EOF
	sx_bg_listen danted "$ns" "$SX_TMP/danted.out" danted -f "$conf"
	sx_allow_proxy "$addr" "$SX_LAST_PORT"
	sx_allow_proxy_udp "$addr"
}

# start_http NS ADDR [PORT]: serves $SX_HTTP_DIR ($SX_HTTP_FILE is "file",
# 64 KiB of text); log in $SX_TMP/http.ADDR.log; sets SX_LAST_PID/PORT.
# http.server resolves its own name at start (getfqdn): started in the client
# namespace, that is DNS traffic for the counters; leak_reset afterwards.
start_http()
{
	SX_HTTP_DIR=$SX_TMP/www
	SX_HTTP_FILE=$SX_HTTP_DIR/file
	if [ ! -e "$SX_HTTP_FILE" ]; then
		mkdir -p "$SX_HTTP_DIR"
		"$SX_PYTHON" -c 'import sys
for i in range(1024):
	sys.stdout.write("%05d socksify test payload %s\n" % (i, "x" * 30))' \
		    >"$SX_HTTP_FILE"
	fi
	sx_bg_listen http "$1" "$SX_TMP/http.$2.log" \
	    "$SX_PYTHON" -u -m http.server --bind "$2" \
	    --directory "$SX_HTTP_DIR" "${3:-0}"
}

# http_saw SERVERADDR FROM: the server at SERVERADDR logged a GET from FROM.
http_saw()
{
	grep -q "^$2 - .*\"GET " "$SX_TMP/http.$1.log"
}

# start_silent NS ADDR: accepts TCP connections and never says a word.
start_silent()
{
	sx_bg_listen silent "$1" "$SX_TMP/silent.$2.log" "$SX_PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
s.listen(16)
held = []
while True:
	held.append(s.accept()[0])' "$2"
	sx_allow_proxy "$2" "$SX_LAST_PORT"
}

# start_echo NS ADDR: per connection, reads one line (or to EOF), appends it
# to $SX_TMP/echo.ADDR.data, sends it back and closes; the client need not
# half-close (microsocks does not pass a half-close on). Sets SX_LAST_PID/PORT.
start_echo()
{
	sx_bg_listen echo "$1" "$SX_TMP/echo.$2.log" "$SX_PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
s.listen(16)
while True:
	c, peer = s.accept()
	data = b""
	while True:
		b = c.recv(65536)
		data += b
		if not b or b"\n" in data:
			break
	with open(sys.argv[2], "ab") as f:
		f.write(data)
	print("from", peer[0], len(data), flush=True)
	c.sendall(data)
	c.close()' "$2" "$SX_TMP/echo.$2.data"
}

# sx_conf FILE LINE...: write a config file, private as one holding a
# password should be (socksify warns about a readable one).
sx_conf() { local f=$1; shift; (umask 077; printf '%s\n' "$@" >"$f"); }

# sx_client CMD...: run CMD in the client namespace, bounded.
sx_client()
{
	ip netns exec "$SX_NS_C" timeout -k 2 "$SX_CLIENT_TIMEOUT" "$@"
}

# sx_run ARGS...: "$SOCKSIFY_BIN" ARGS... in the client namespace, bounded.
sx_run() { sx_client "$SX" "$@"; }

# sx_py ARGS...: tests/helpers/sxclient.py (run it through sx_run for socksify).
SX_PY=("$SX_PYTHON" "$SX_HELPERS/sxclient.py")

# sx_has_line FILE ERE: FILE has a socksify diagnostic matching ERE.
sx_has_line()
{
	grep -Eiq "^socksify(\[[0-9]+\])?: .*${2:-}" "$1"
}

# sx_no_line FILE [ERE]: FILE exists and has no such diagnostic.
sx_no_line() { sx_none sx_has_line "$@"; }

sx_show() { printf '  --- %s\n' "$1"; sed 's/^/  | /' "$2"; }

# ---------------------------------------------------------------------------
# Fault peer (tests/helpers/fault_peer.c): a scriptable misbehaving SOCKS5
# server, used by faults.sh and signals.sh. Added at the end; the functions
# above are unchanged.

SX_FAULT_PEER=
SX_FAULT_SEQ=0
SX_FAULT_LOG=

# sx_build_fault_peer: SX_FAULT_PEER is $FAULT_PEER when set (a prebuilt
# binary), else tests/helpers/fault_peer.c compiled into $SX_TMP.
sx_build_fault_peer()
{
	if [ -n "${FAULT_PEER:-}" ]; then
		[ -x "$FAULT_PEER" ] ||
		    sx_error "FAULT_PEER=$FAULT_PEER is not executable"
		SX_FAULT_PEER=$FAULT_PEER
		return 0
	fi
	sx_require_bin cc
	SX_FAULT_PEER=$SX_TMP/fault_peer
	cc -O2 -o "$SX_FAULT_PEER" "$SX_HELPERS/fault_peer.c" ||
	    sx_error "cannot build $SX_HELPERS/fault_peer.c"
}

# start_fault_peer NS ADDR MODE [FAULT_PEER ARGS...]: fault_peer -m MODE
# on ADDR (port from the kernel, read back from its port file), allowed as
# proxy traffic. Sets SX_LAST_PID, SX_LAST_PORT, SX_FAULT_LOG (its stderr).
start_fault_peer()
{
	local ns=$1 addr=$2 mode=$3 pf i
	shift 3
	[ -n "$SX_FAULT_PEER" ] || sx_build_fault_peer
	SX_FAULT_SEQ=$((SX_FAULT_SEQ + 1))
	pf=$SX_TMP/fault_peer.$SX_FAULT_SEQ.port
	SX_FAULT_LOG=$SX_TMP/fault_peer.$SX_FAULT_SEQ.log
	sx_bg "$ns" "$SX_FAULT_LOG" "$SX_FAULT_PEER" -l "$addr" -P "$pf" \
	    -m "$mode" "$@"
	for ((i = 0; i < SX_WAIT * 50; i++)); do
		[ -s "$pf" ] && break
		kill -0 "$SX_LAST_PID" 2>/dev/null || break
		sleep 0.02
	done
	[ -s "$pf" ] || {
		sed 's/^/  | /' "$SX_FAULT_LOG" >&2
		sx_error "fault_peer -m $mode did not start within ${SX_WAIT}s"
	}
	SX_LAST_PORT=$(cat "$pf")
	sx_allow_proxy "$addr" "$SX_LAST_PORT"
}

# ---------------------------------------------------------------------------
# Remote DNS scenarios (remote-dns.sh, dns-*.sh): per-namespace /etc files,
# host names only the proxy knows, the resolver test helper. Added at the
# end; the functions above are unchanged.

SX_ETC_DIRS=()
SX_RESOLVE=
SX_DNS_NAME=www.sx.test		# proxy's hosts: $SX_SERVER4
SX_DNS_NAME6=v6only.sx.test	# proxy's hosts: $SX_SERVER6 only
SX_DNS_PH4=198.18.0.0/15	# default placeholder ranges (README)
SX_DNS_PH6=fd5e:c5f1::/96

# sx_etc_cleanup: the EXIT trap once sx_netns_etc ran: our /etc/netns/NS
# directories, then sx_cleanup.
sx_etc_cleanup()
{
	local d
	trap '' INT TERM
	for d in "${SX_ETC_DIRS[@]}"; do
		rm -rf -- "$d"
	done
	sx_cleanup
}

# sx_netns_etc NS FILE: standard input becomes /etc/netns/NS/FILE, which
# "ip netns exec NS" bind-mounts over /etc/FILE. NS must be one of ours;
# the directory goes away on exit. Call it in the test's shell, not in a
# pipeline or $(...): it sets the EXIT trap.
sx_netns_etc()
{
	local ns=$1 file=$2 d known=0 dir=/etc/netns/$1
	for d in "${SX_NETNS[@]}"; do
		[ "$d" = "$ns" ] && known=1
	done
	[ "$known" = 1 ] || sx_error "sx_netns_etc: $ns is not our namespace"
	known=0
	for d in "${SX_ETC_DIRS[@]}"; do
		[ "$d" = "$dir" ] && known=1
	done
	if [ "$known" = 0 ]; then
		SX_ETC_DIRS+=("$dir")	# first: a signal may land in between
		trap sx_etc_cleanup EXIT
	fi
	if ! mkdir -p "$dir" || ! cat >"$dir/$file"; then
		sx_error "cannot write $dir/$file"
	fi
}

# sx_require_resolve: SX_RESOLVE is tests/helpers/resolve of the build tree
# ($top_builddir, exported by make check).
sx_require_resolve()
{
	[ -n "${top_builddir:-}" ] ||
	    sx_skip "top_builddir not set (tests/helpers/resolve is built there)"
	SX_RESOLVE=$top_builddir/tests/helpers/resolve
	[ -x "$SX_RESOLVE" ] || sx_skip "$SX_RESOLVE not built (make check)"
}

# sx_dns_setup: only the proxy namespace can resolve $SX_DNS_NAME and
# $SX_DNS_NAME6 (its /etc/hosts; microsocks uses getaddrinfo). The client's
# resolv.conf names a server beyond the proxy: a query from the client is
# counted by "dns" (and "leak") and rejected, never answered. The client's
# /etc/hosts has localhost only (see sx_dns_client_hosts).
sx_dns_setup()
{
	# Not in a pipeline: sx_netns_etc must run in this shell (its trap).
	sx_netns_etc "$SX_NS_P" hosts < <(printf '%s\n' \
	    "127.0.0.1 localhost" "::1 localhost" \
	    "$SX_SERVER4 $SX_DNS_NAME" "$SX_SERVER6 $SX_DNS_NAME6")
	sx_netns_etc "$SX_NS_C" resolv.conf < <(printf '%s\n' \
	    "nameserver $SX_SERVER4" "options timeout:1 attempts:1")
	sx_netns_etc "$SX_NS_C" hosts < <(printf '%s\n' \
	    "127.0.0.1 localhost" "::1 localhost")
}

# sx_dns_client_hosts [LINE...]: the client's /etc/hosts is localhost, then
# the LINEs given.
sx_dns_client_hosts()
{
	sx_netns_etc "$SX_NS_C" hosts < <(printf '%s\n' \
	    "127.0.0.1 localhost" "::1 localhost" "$@")
}

# sx_in_net ADDR CIDR: ADDR is an address inside CIDR.
sx_in_net()
{
	"$SX_PYTHON" -c 'import ipaddress, sys
try:
	ok = ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network(sys.argv[2])
except ValueError:
	ok = False
sys.exit(0 if ok else 1)' "$1" "$2"
}

# microsocks_saw ADDR TARGET: microsocks started on ADDR logged a connection
# to TARGET, the name or address the client asked for ("connected to T:P").
microsocks_saw()
{
	grep -Fq "connected to $2:" "$SX_TMP/microsocks.$1.log"
}

# ---------------------------------------------------------------------------
# UDP scenarios (udp.sh, udp-dns.sh, tfo.sh): dante without authentication
# for UDP ASSOCIATE, a UDP echo server, dnsmasq, and counters for everything
# that leaves the client namespace. Added at the end; the functions above
# are unchanged.

# SX_UDP: tests/helpers/udpclient.py (run it through sx_run for socksify).
SX_UDP=("$SX_PYTHON" "$SX_HELPERS/udpclient.py")

# sx_udp_port NS PID: wait until PID has a bound UDP socket in NS; print
# its port.
sx_udp_port()
{
	local ns=$1 pid=$2 i port
	for ((i = 0; i < SX_WAIT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		port=$(ip netns exec "$ns" ss -Hlunp 2>/dev/null |
		    awk -v p="pid=$pid," 'index($0, p) {
			n = split($4, a, ":"); print a[n]; exit }')
		if [ -n "$port" ]; then
			printf '%s\n' "$port"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# sx_bg_udp NAME NS LOG CMD...: sx_bg, then wait for the bound UDP port.
sx_bg_udp()
{
	local name=$1
	shift
	sx_bg "$@"
	SX_LAST_PORT=$(sx_udp_port "$1" "$SX_LAST_PID") || {
		sed 's/^/  | /' "$2" >&2
		sx_error "$name did not bind a UDP port within ${SX_WAIT}s"
	}
}

# start_danted_noauth NS ADDR PORT: dante with no authentication that
# allows CONNECT and UDP ASSOCIATE; its log is $SX_TMP/danted-noauth.log.
# TCP to ADDR:PORT and UDP to ADDR (the relay) count as proxy traffic.
# Sets SX_LAST_PID/PORT.
start_danted_noauth()
{
	local ns=$1 addr=$2 port=$3 conf=$SX_TMP/danted-noauth.conf
	sx_require_bin danted
	cat >"$conf" <<EOF
logoutput: $SX_TMP/danted-noauth.log
internal: $addr port = $port
external: $SX_PROXY_OUT4
external: $SX_PROXY_OUT6
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 0/0 to: 0/0 }
socks pass {
	from: 0/0 to: 0/0
	command: connect bind udpassociate bindreply udpreply
	log: error connect
}
EOF
	sx_bg_listen danted "$ns" "$SX_TMP/danted-noauth.out" \
	    danted -f "$conf" -p "$SX_TMP/danted-noauth.pid"
	sx_allow_proxy "$addr" "$SX_LAST_PORT"
	sx_allow_proxy_udp "$addr"
}

# start_udp_echo NS: a dual-stack UDP echo server on [::]:PORT of NS. Each
# datagram is answered with "IP PORT\n" (the source it saw, IPv4 without
# the ::ffff: prefix) and the datagram itself, and logged as
# "from IP PORT LEN" in $SX_TMP/udpecho.log. Sets SX_LAST_PID/PORT.
start_udp_echo()
{
	sx_bg_udp udpecho "$1" "$SX_TMP/udpecho.log" "$SX_PYTHON" -u -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 0))
while True:
	data, peer = s.recvfrom(65535)
	ip = peer[0]
	if ip.startswith("::ffff:"):
		ip = ip[7:]
	print("from", ip, peer[1], len(data), flush=True)
	s.sendto(("%s %d\n" % (ip, peer[1])).encode() + data, peer)'
}

# udp_echo_saw FROM: the UDP echo server got a datagram from address FROM.
udp_echo_saw() { grep -q "^from $1 " "$SX_TMP/udpecho.log"; }

# udp_echo_count: datagrams the UDP echo server got.
udp_echo_count() { grep -c '^from ' "$SX_TMP/udpecho.log"; }

# sx_udp_counters: a second nft table in the client namespace that only
# counts (before table sx decides): "any" every TCP/UDP packet leaving on a
# non-loopback interface, "udp" every UDP datagram leaving, "udp_proxy"
# those to the proxy's address ($SX_PROXY4, $SX_PROXY6).
sx_udp_counters()
{
	ip netns exec "$SX_NS_C" nft -f - <<EOF || sx_error "nft sxudp"
table inet sxudp {
	counter sent_any { }
	counter sent_udp { }
	counter sent_udp_proxy { }
	chain out {
		type filter hook output priority -10; policy accept;
		oifname "lo" accept
		meta l4proto { tcp, udp } counter name "sent_any"
		meta l4proto udp counter name "sent_udp"
		ip daddr $SX_PROXY4 meta l4proto udp counter name "sent_udp_proxy"
		ip6 daddr $SX_PROXY6 meta l4proto udp counter name "sent_udp_proxy"
	}
}
EOF
}

# udp_count any|udp|udp_proxy: the packets that sxudp counted.
udp_count()
{
	ip netns exec "$SX_NS_C" nft list counter inet sxudp "sent_$1" |
	    sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p'
}

# udp_reset: zero every counter, table sx's and sxudp's.
udp_reset()
{
	leak_reset
	ip netns exec "$SX_NS_C" nft reset counters table inet sxudp \
	    >/dev/null
}

# start_dnsmasq NS ADDR NAME IP: dnsmasq in the foreground on ADDR port 53
# answering NAME with IP and nothing else (no upstream, no hosts file);
# queries logged to $SX_TMP/dnsmasq.log. Sets SX_LAST_PID/PORT.
start_dnsmasq()
{
	sx_require_bin dnsmasq
	sx_bg_udp dnsmasq "$1" "$SX_TMP/dnsmasq.log" dnsmasq -k \
	    --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
	    --listen-address="$2" --port=53 --address="/$3/$4" \
	    --log-queries --log-facility=- \
	    --pid-file="$SX_TMP/dnsmasq.pid"
}

# ---------------------------------------------------------------------------
# Stress, fail-closed and checker runs (stress.sh, failclosed.sh,
# tests/tsan.sh, tests/valgrind.sh): helper programs compiled on the fly,
# many server addresses behind many names only the proxy knows, the threaded
# echo server of tests/helpers/stress.c. Added at the end; the functions
# above are unchanged.

SX_STRESS=		# the stress program (sx_build_helper stress)
SX_STRESS_DOMAIN=stress.sx.test
SX_STRESS_BASE=		# first server address of the name pool
SX_STRESS_NADDR=0
SX_STRESS_NAMES=0
SX_STRESS_PORT=

# sx_build_helper NAME [CC FLAGS...]: tests/helpers/NAME.c compiled into
# $SX_TMP/NAME (with the flags given, e.g. -fsanitize=thread); prints the
# path. Helpers are standalone programs: no project headers.
sx_build_helper()
{
	local name=$1 out
	shift
	sx_require_bin cc
	out=$SX_TMP/$name
	cc -std=gnu11 -O2 -g -Wall -Wextra -pthread "$@" -o "$out" \
	    "$SX_HELPERS/$name.c" -ldl >&2 ||
	    sx_error "cannot build $SX_HELPERS/$name.c"
	printf '%s\n' "$out"
}

# sx_build_lib OUTDIR [CC FLAGS...]: libsocksify.so compiled straight from
# src/ into OUTDIR with extra flags (a ThreadSanitizer or a plain build
# independent of how the tree was configured). Needs the configured tree's
# config.h: $top_builddir, or the directory above $SOCKSIFY_LIB's .libs.
sx_build_lib()
{
	local out=$1 bdir src=$SX_TOP_SRCDIR/src
	shift
	sx_require_bin cc
	bdir=${top_builddir:-}
	if [ -z "$bdir" ] && [ -n "${SOCKSIFY_LIB:-}" ]; then
		bdir=$(cd "$(dirname "$SOCKSIFY_LIB")/../.." 2>/dev/null && pwd)
	fi
	if [ -z "$bdir" ] || [ ! -e "$bdir/config.h" ]; then
		sx_skip "no configured build tree (config.h): set top_builddir"
	fi
	mkdir -p "$out" || sx_error "mkdir $out"
	cc -std=gnu11 -g -O1 -shared -fPIC -fvisibility=hidden -pthread \
	    -D_GNU_SOURCE -DSYSCONFDIR='"/etc"' -I"$src" -I"$bdir" \
	    -Wl,--version-script="$src/socksify.map" "$@" \
	    -o "$out/libsocksify.so" "$src"/core/*.c "$src"/runtime/*.c \
	    "$src"/hooks/*.c -ldl >&2 ||
	    sx_error "cannot build libsocksify.so with $*"
}

# sx_stress_names NAMES NADDR: names s0..s<NAMES-1>.$SX_STRESS_DOMAIN known
# only to the proxy namespace, name k at server address
# $SX_STRESS_BASE + k % NADDR (NADDR extra addresses 10.X.2.10... on the
# server's interface). The client's resolver is as in sx_dns_setup: a
# query is counted, never answered. Call it in the test's shell.
sx_stress_names()
{
	local names=$1 naddr=$2 i ns
	SX_STRESS_NAMES=$names
	SX_STRESS_NADDR=$naddr
	SX_STRESS_BASE=10.$SX_X.2.10
	((naddr >= 1 && naddr <= 200)) || sx_error "sx_stress_names: NADDR"
	for ((i = 0; i < naddr; i++)); do
		ip -n "$SX_NS_S" addr add "10.$SX_X.2.$((10 + i))/24" dev s0 ||
		    sx_error "cannot add server address 10.$SX_X.2.$((10 + i))"
	done
	sx_dns_setup
	sx_netns_etc "$SX_NS_P" hosts < <(
		printf '%s\n' "127.0.0.1 localhost" "::1 localhost" \
		    "$SX_SERVER4 $SX_DNS_NAME" "$SX_SERVER6 $SX_DNS_NAME6"
		for ((i = 0; i < names; i++)); do
			printf '10.%s.2.%s s%s.%s\n' "$SX_X" \
			    "$((10 + i % naddr))" "$i" "$SX_STRESS_DOMAIN"
		done)
	# Tens of thousands of short connections: room for ephemeral ports.
	for ns in "$SX_NS_C" "$SX_NS_P"; do
		ip netns exec "$ns" sysctl -qw \
		    net.ipv4.ip_local_port_range="1024 65000" ||
		    sx_error "cannot widen the port range in $ns"
	done
}

# start_stress_echo: the stress program's echo server on every address of
# the server namespace; sets SX_STRESS_PORT (and SX_LAST_PID/PORT).
start_stress_echo()
{
	[ -n "$SX_STRESS" ] || SX_STRESS=$(sx_build_helper stress) || exit 99
	sx_bg_listen "stress echo" "$SX_NS_S" "$SX_TMP/stress-echo.log" \
	    "$SX_STRESS" echo -w 32
	SX_STRESS_PORT=$SX_LAST_PORT
}

# stress_args: the "stress run" options for the pool set up above.
stress_args()
{
	printf '%s\n' -p "$SX_STRESS_PORT" -b "$SX_STRESS_BASE" \
	    -B "$SX_STRESS_NADDR" -N "$SX_STRESS_NAMES" -D "$SX_STRESS_DOMAIN"
}

# sx_client_for SECONDS CMD...: CMD in the client namespace, bounded by
# SECONDS (sx_client's bound is for short runs).
sx_client_for()
{
	local t=$1
	shift
	ip netns exec "$SX_NS_C" timeout -k 5 "$t" "$@"
}

# ---------------------------------------------------------------------------
# Upstream kinds, chains, rules, --check and the environment (upstreams.sh,
# chains.sh, rules.sh, check-cmd.sh, env.sh): dante on any address, tinyproxy
# (HTTP CONNECT), a fourth namespace behind the server, a server that speaks
# first. Added at the end; the functions above are unchanged.

# sx_target_ns: a fourth namespace sxtPID, linked to the server namespace
# only: server 10.X.3.1 (SX_SERVER_OUT4) <-> target 10.X.3.2 (SX_TARGET4).
# Nothing forwards, so only programs in the server namespace reach it.
sx_target_ns()
{
	SX_NS_T=sxt$$
	SX_SERVER_OUT4=10.$SX_X.3.1
	SX_TARGET4=10.$SX_X.3.2
	SX_NETNS+=("$SX_NS_T")	# first: a signal may land in between
	ip netns add "$SX_NS_T" || sx_error "ip netns add $SX_NS_T"
	if ! ip -n "$SX_NS_T" link set lo up ||
	    ! ip netns exec "$SX_NS_S" sysctl -qw net.ipv4.ip_forward=0 \
	    net.ipv6.conf.all.forwarding=0 ||
	    ! ip -n "$SX_NS_S" link add s1 type veth peer name t0 \
	    netns "$SX_NS_T" ||
	    ! sx_addr "$SX_NS_S" s1 "$SX_SERVER_OUT4/24" "fd00:$SX_X:3::1/64" ||
	    ! sx_addr "$SX_NS_T" t0 "$SX_TARGET4/24" "fd00:$SX_X:3::2/64"; then
		sx_error "cannot link $SX_NS_T to $SX_NS_S"
	fi
}

# start_dante_on NAME NS ADDR PORT EXTERNAL: dante without authentication
# (SOCKS4, SOCKS4a and SOCKS5) on ADDR:PORT in NS, going out from EXTERNAL;
# every connection logged to $SX_TMP/dante-NAME.log. Not made proxy
# traffic for the client (sx_allow_proxy when the client may reach it).
# Sets SX_LAST_PID/PORT.
start_dante_on()
{
	local name=$1 ns=$2 addr=$3 port=$4 ext=$5
	local conf=$SX_TMP/dante-$name.conf
	sx_require_bin danted
	cat >"$conf" <<DANTE
logoutput: $SX_TMP/dante-$name.log
internal: $addr port = $port
external: $ext
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 0/0 to: 0/0 }
socks pass {
	from: 0/0 to: 0/0
	command: connect
	log: connect disconnect error
}
DANTE
	sx_bg_listen "dante $name" "$ns" "$SX_TMP/dante-$name.out" \
	    danted -f "$conf" -p "$SX_TMP/dante-$name.pid"
}

# dante_saw NAME ERE: dante NAME logged a line matching ERE.
dante_saw() { grep -Eq -- "$2" "$SX_TMP/dante-$1.log"; }

# start_tinyproxy NS ADDR PORT USER PASS CONNECTPORT...: tinyproxy (HTTP
# CONNECT) on ADDR:PORT, CONNECT allowed to the ports given only, Basic
# authentication when USER is not empty; log $SX_TMP/tinyproxy.log.
# Proxy traffic for the client. Sets SX_LAST_PID/PORT.
start_tinyproxy()
{
	local ns=$1 addr=$2 port=$3 user=$4 pass=$5 p
	local conf=$SX_TMP/tinyproxy.conf
	shift 5
	sx_require_bin tinyproxy
	{
		printf '%s\n' "Port $port" "Listen $addr" "Timeout 30" \
		    "LogFile \"$SX_TMP/tinyproxy.log\"" "LogLevel Info" \
		    "PidFile \"$SX_TMP/tinyproxy.pid\"" "MaxClients 32" \
		    "DisableViaHeader Yes"
		[ -z "$user" ] || printf 'BasicAuth %s %s\n' "$user" "$pass"
		for p in "$@"; do
			printf 'ConnectPort %s\n' "$p"
		done
	} >"$conf"
	chmod 600 "$conf"
	sx_bg_listen tinyproxy "$ns" "$SX_TMP/tinyproxy.out" \
	    tinyproxy -d -c "$conf"
	sx_allow_proxy "$addr" "$SX_LAST_PORT"
}

# start_banner NS ADDR: a server that speaks first: on accept it sends
# "BANNER <port>\n" at once, then reads one line and answers "ECHO <line>"
# and closes. Peers logged to $SX_TMP/banner.ADDR.log. Sets
# SX_LAST_PID/PORT.
start_banner()
{
	sx_bg_listen banner "$1" "$SX_TMP/banner.$2.log" "$SX_PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
s.listen(16)
while True:
	c, peer = s.accept()
	print("from", peer[0], flush=True)
	try:
		c.sendall(b"BANNER %d\n" % s.getsockname()[1])
		data = b""
		while b"\n" not in data:
			b = c.recv(4096)
			if not b:
				break
			data += b
		c.sendall(b"ECHO " + data)
	except OSError:
		pass
	c.close()' "$2"
}

# SX_BANNER_CLIENT: python3 -c program, args HOST PORT: connects, reads the
# banner without sending anything first, sends a line, reads the answer.
# Prints "OK <banner>|<answer>" or "ERR <exception> <errno name>".
SX_BANNER_CLIENT='
import errno, socket, sys
def line(s):
	d = b""
	while b"\n" not in d:
		b = s.recv(4096)
		if not b:
			break
		d += b
	return d.decode(errors="replace").strip()
try:
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
	banner = line(s)
	s.sendall(b"hello socksify\n")
	print("OK %s|%s" % (banner, line(s)))
except OSError as e:
	print("ERR %s %s" % (type(e).__name__, errno.errorcode.get(e.errno, e.errno)))
	sys.exit(1)'

# start_glued_http_proxy NS ADDR: a scripted HTTP proxy whose CONNECT answer
# and the first bytes of the tunnel ("BANNER glued\n") leave in ONE write;
# then it answers one line with "ECHO <line>" itself. Tests that nothing
# past the response head is swallowed. Proxy traffic for the client. Sets
# SX_LAST_PID/PORT.
start_glued_http_proxy()
{
	sx_bg_listen "glued proxy" "$1" "$SX_TMP/glued.$2.log" "$SX_PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
s.listen(16)
while True:
	c, peer = s.accept()
	try:
		data = b""
		while b"\r\n\r\n" not in data:
			b = c.recv(4096)
			if not b:
				break
			data += b
		head, _, data = data.partition(b"\r\n\r\n")
		print(head.split(b"\r\n")[0].decode(), flush=True)
		c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n"
		    b"BANNER glued\n")
		while b"\n" not in data:
			b = c.recv(4096)
			if not b:
				break
			data += b
		c.sendall(b"ECHO " + data)
	except OSError:
		pass
	c.close()' "$2"
	sx_allow_proxy "$2" "$SX_LAST_PORT"
}

# start_ssh_socks NS ADDR PORT: OpenSSH's dynamic forwarding, the SOCKS4,
# SOCKS4a and SOCKS5 server of "ssh -D": sshd on 127.0.0.1:2222 of NS for
# a throwaway user, "ssh -N -D ADDR:PORT" to it. sshd resolves the names
# and connects from NS; it logs each forwarded connection ("target NAME
# port N") to $SX_TMP/ssh-socks.sshd.log. Proxy traffic for the client.
# Sets SX_LAST_PID/PORT (the ssh client's).
start_ssh_socks()
{
	local ns=$1 addr=$2 port=$3 sshd_bin
	local dir=$SX_TMP/ssh-socks user=sxd$$
	sx_require_bin sshd ssh ssh-keygen useradd userdel
	sshd_bin=$(command -v sshd)
	mkdir -p "$dir" || sx_error "mkdir $dir"
	userdel "$user" 2>/dev/null
	SX_USERS+=("$user")
	useradd -M -N -d "$dir" -s /bin/sh -p '*' "$user" ||
	    sx_error "useradd $user"
	if ! ssh-keygen -q -t ed25519 -N '' -C sx-host -f "$dir/host_key" ||
	    ! ssh-keygen -q -t ed25519 -N '' -C sx-user -f "$dir/id" ||
	    ! cp "$dir/id.pub" "$dir/authorized_keys"; then
		sx_error "cannot make the ssh keys"
	fi
	[ -d /run/sshd ] || mkdir -m 755 /run/sshd	# privsep directory
	printf '%s\n' "ListenAddress 127.0.0.1:2222" "HostKey $dir/host_key" \
	    "AuthorizedKeysFile $dir/authorized_keys" \
	    "PasswordAuthentication no" "KbdInteractiveAuthentication no" \
	    "UsePAM no" "StrictModes no" "PidFile none" "LogLevel DEBUG1" \
	    "AllowTcpForwarding yes" >"$dir/sshd_config"
	sx_bg_listen sshd "$ns" "$SX_TMP/ssh-socks.sshd.log" "$sshd_bin" -D \
	    -e -f "$dir/sshd_config"
	sx_bg_listen "ssh -D" "$ns" "$SX_TMP/ssh-socks.ssh.log" ssh -F none \
	    -i "$dir/id" -p 2222 -o BatchMode=yes -o StrictHostKeyChecking=no \
	    -o UserKnownHostsFile="$dir/known_hosts" \
	    -o ExitOnForwardFailure=yes -o ConnectTimeout=8 \
	    -N -D "$addr:$port" "$user@127.0.0.1"
	sx_allow_proxy "$addr" "$SX_LAST_PORT"
}

# ssh_socks_saw TARGET PORT: sshd forwarded a connection to TARGET port PORT
# (sshd -e ends its debug lines with CR LF).
ssh_socks_saw()
{
	grep -Eq "target $1 port $2"$'\r?$' "$SX_TMP/ssh-socks.sshd.log"
}

# ---------------------------------------------------------------------------
# The backstop (backstop*.sh): the seccomp supervisor the wrapper starts,
# static test programs it must cover, a relay that makes the proxy slow.
# Added at the end; the functions above are unchanged.

SX_SUPERVISE=${SOCKSIFY_SUPERVISE:-}

# sx_require_backstop: the build has the supervisor.
sx_require_backstop()
{
	[ "${SOCKSIFY_BACKSTOP_BUILT:-}" = yes ] ||
	    sx_skip "built without the backstop (no libseccomp at configure)"
	[ -x "$SX_SUPERVISE" ] ||
	    sx_skip "SOCKSIFY_SUPERVISE=$SX_SUPERVISE is not executable"
}

# sx_build_static NAME [CC FLAGS...]: tests/helpers/NAME.c as a static,
# non-PIE program $SX_TMP/NAME (LD_PRELOAD cannot reach it); prints the
# path.
sx_build_static()
{
	local name=$1 out
	shift
	sx_require_bin cc
	out=$SX_TMP/$name
	cc -std=gnu11 -O2 -Wall -Wextra -static -no-pie -pthread "$@" \
	    -o "$out" "$SX_HELPERS/$name.c" >&2 ||
	    sx_error "cannot build $SX_HELPERS/$name.c statically (libc6-dev)"
	printf '%s\n' "$out"
}

# start_delay_relay NS ADDR TARGET_HOST TARGET_PORT MS: a TCP relay on
# ADDR (port from the kernel) that holds every chunk MS ms in each
# direction before passing it to TARGET: a proxy 2*MS ms away. Proxy
# traffic for the client. Sets SX_LAST_PID/PORT.
start_delay_relay()
{
	sx_bg_listen "delay relay" "$1" "$SX_TMP/relay.$2.log" \
	    "$SX_PYTHON" -u "$SX_HELPERS/delay_relay.py" "$2" "$3" "$4" "$5"
	sx_allow_proxy "$2" "$SX_LAST_PORT"
}

# start_http_many NS ADDR: as start_http (same files, same log), but with a
# listen backlog of 256 instead of http.server's 5, for many clients at
# once. Sets SX_LAST_PID/PORT.
start_http_many()
{
	SX_HTTP_DIR=$SX_TMP/www
	SX_HTTP_FILE=$SX_HTTP_DIR/file
	if [ ! -e "$SX_HTTP_FILE" ]; then
		mkdir -p "$SX_HTTP_DIR"
		"$SX_PYTHON" -c 'import sys
for i in range(1024):
	sys.stdout.write("%05d socksify test payload %s\n" % (i, "x" * 30))' \
		    >"$SX_HTTP_FILE"
	fi
	sx_bg_listen http "$1" "$SX_TMP/http.$2.log" "$SX_PYTHON" -u -c '
import functools, http.server, socket, sys
class Server(http.server.ThreadingHTTPServer):
	request_queue_size = 256
	address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
handler = functools.partial(http.server.SimpleHTTPRequestHandler,
    directory=sys.argv[2])
Server((sys.argv[1], 0), handler).serve_forever()' "$2" "$SX_HTTP_DIR"
}

# ---------------------------------------------------------------------------
# Port-53 traffic on loopback (dns-loopback.sh, backstop-dns.sh): a
# listener that records what reaches a loopback resolver address, and a
# counter of loopback port-53 packets. Added at the end; the functions
# above are unchanged.

# start_dns_listener NS ADDR: UDP and TCP on ADDR port 53 in NS; logs
# "udp from IP:PORT N bytes" / "tcp from IP:PORT" to
# $SX_TMP/listener.ADDR.log and answers nothing. Sets SX_LAST_PID/PORT.
start_dns_listener()
{
	sx_bg_udp "DNS listener $2" "$1" "$SX_TMP/listener.$2.log" \
	    "$SX_PYTHON" -u -c '
import selectors, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((sys.argv[1], 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((sys.argv[1], 53))
t.listen(16)
sel = selectors.DefaultSelector()
sel.register(u, selectors.EVENT_READ)
sel.register(t, selectors.EVENT_READ)
held = []
while True:
	for key, _ in sel.select():
		if key.fileobj is u:
			data, peer = u.recvfrom(65536)
			print("udp from %s:%d %d bytes" % (peer[0], peer[1], len(data)))
		else:
			c, peer = t.accept()
			held.append(c)
			print("tcp from %s:%d" % peer)' "$2"
}

# dns_listener_heard ADDR: the listener on ADDR got a datagram or a
# connection (grep-like: 1 for "no", 2 for a missing log).
dns_listener_heard()
{
	grep -Eq '^(udp|tcp) from' "$SX_TMP/listener.$1.log"
}

# sx_lo53_counter: table sxlo in the client namespace counts packets to
# port 53 on the loopback interface (table sx accepts all of lo).
sx_lo53_counter()
{
	ip netns exec "$SX_NS_C" nft -f - <<'NFT' || sx_error "nft sxlo"
table inet sxlo {
	counter lo53 { }
	chain out {
		type filter hook output priority -20; policy accept;
		oifname "lo" th dport 53 counter name "lo53"
	}
}
NFT
}

lo53_count()
{
	ip netns exec "$SX_NS_C" nft list counter inet sxlo lo53 |
	    sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p'
}

lo53_reset()
{
	ip netns exec "$SX_NS_C" nft reset counters table inet sxlo >/dev/null
}
