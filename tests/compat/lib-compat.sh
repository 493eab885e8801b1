# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Helpers for the compatibility suite (tests/compat/*.sh); sourced, never run.
# Builds on tests/integration/lib.sh (namespaces, nft counters, sx_check,
# strict skips) and adds:
#   - a microsocks proxy in the proxy namespace that, alone, resolves the
#     name $CX_NAME (via /etc/netns/<proxy ns>/hosts, removed at exit);
#   - cases: cx_begin PROGRAM MODE ... cx_end prints one machine-readable
#     line "COMPAT PROGRAM by-ip|by-name pass|fail" (run-all.sh reads them)
#     after checking that nothing left the client around the proxy;
#   - servers of each kind in the server namespace: sshd (throwaway keys and
#     user), nginx (TLS with SNI, HTTP/2), git smart HTTP (git http-backend
#     behind python's CGI server).

# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

# shellcheck disable=SC2034	# variables are used by the scripts

CX_NAME=www$$.sxcompat.test	# known only inside the proxy namespace
CX_HOSTS_DIR=/etc/netns/$SX_NS_P
CX_HOSTS_MADE=0
CX_CONF=
CX_PROXY_PORT=
CX_PROXY_LOG=
CX_PROG=
CX_MODE=
CX_F0=0
CX_DIAG=()
declare -A CX_MARK=()

cx_cleanup()
{
	if [ "$CX_HOSTS_MADE" = 1 ]; then
		rm -rf "$CX_HOSTS_DIR"
	fi
	sx_cleanup
}

# cx_setup BINARIES...: sx_setup, the proxy-side hosts file, microsocks,
# the socksify configuration $CX_CONF.
cx_setup()
{
	sx_setup microsocks getent "$@"
	trap cx_cleanup EXIT
	# The programs' own proxy settings would bypass what is tested here.
	unset http_proxy https_proxy ftp_proxy all_proxy no_proxy \
	    HTTP_PROXY HTTPS_PROXY FTP_PROXY ALL_PROXY NO_PROXY
	[ -e "$CX_HOSTS_DIR" ] && sx_error "$CX_HOSTS_DIR already exists"
	CX_HOSTS_MADE=1
	mkdir -p "$CX_HOSTS_DIR" || sx_error "mkdir $CX_HOSTS_DIR"
	# Written before anything starts in the proxy namespace: ip netns exec
	# bind-mounts it over /etc/hosts at start.
	printf '127.0.0.1 localhost\n::1 localhost\n%s %s\n' \
	    "$SX_SERVER4" "$CX_NAME" >"$CX_HOSTS_DIR/hosts" ||
	    sx_error "cannot write $CX_HOSTS_DIR/hosts"
	start_microsocks "$SX_NS_P" "$SX_PROXY4"
	CX_PROXY_PORT=$SX_LAST_PORT
	CX_PROXY_LOG=$SX_TMP/microsocks.$SX_PROXY4.log
	CX_CONF=$SX_TMP/socksify.conf
	sx_conf "$CX_CONF" "proxy = socks5://$SX_PROXY4:$CX_PROXY_PORT" \
	    "timeout = 5"
	# The name is the proxy's alone.
	ip netns exec "$SX_NS_P" getent hosts "$CX_NAME" >/dev/null ||
	    sx_error "$CX_NAME does not resolve in the proxy namespace"
	if sx_client getent hosts "$CX_NAME" >/dev/null 2>&1; then
		sx_error "$CX_NAME resolves in the client namespace"
	fi
	leak_reset
}

# cx_host MODE: the address or the name the client is given.
cx_host()
{
	case $1 in
	by-ip) printf '%s\n' "$SX_SERVER4" ;;
	by-name) printf '%s\n' "$CX_NAME" ;;
	*) sx_error "cx_host: bad mode $1" ;;
	esac
}

# cx_run ARGS...: socksify with the suite's configuration, in the client
# namespace, bounded by SX_CLIENT_TIMEOUT.
cx_run() { sx_run -c "$CX_CONF" "$@"; }

# cx_begin PROGRAM MODE: start a case. Every *.log in $SX_TMP is marked so
# that cx_saw looks only at what the servers logged during this case.
cx_begin()
{
	local f
	CX_PROG=$1
	CX_MODE=$2
	CX_F0=$SX_FAILED
	CX_DIAG=()
	CX_MARK=()
	for f in "$SX_TMP"/*.log; do
		[ -f "$f" ] && CX_MARK[$f]=$(stat -c %s "$f")
	done
	leak_reset
	printf '# %s %s\n' "$CX_PROG" "$CX_MODE"
}

# cx_diag FILE...: shown when the case fails.
cx_diag() { CX_DIAG+=("$@"); }

# cx_new FILE: what FILE got since cx_begin.
cx_new()
{
	local m=${CX_MARK[$1]:-0}
	[ -f "$1" ] || return 0
	tail -c +$((m + 1)) "$1"
}

# cx_saw FILE ERE: a line matching ERE was appended to FILE during this case
# (waits up to 3 s: some servers log after the response).
cx_saw()
{
	local i
	for ((i = 0; i < 30; i++)); do
		cx_new "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# cx_re STRING: STRING as an ERE matching itself.
cx_re() { printf '%s\n' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# cx_check_proxy PORT: the proxy was asked for the host of this case (the
# name itself by name: ATYP domain, resolved by the proxy) and port PORT.
cx_check_proxy()
{
	local host
	host=$(cx_host "$CX_MODE")
	sx_check "$CX_PROG $CX_MODE: the proxy connected to $host:$1" \
	    cx_saw "$CX_PROXY_LOG" "connected to $(cx_re "$host"):$1\$"
}

# cx_check_server FILE ERE: the server logged the connection from the
# proxy's outer address (ERE should contain it).
cx_check_server()
{
	sx_check "$CX_PROG $CX_MODE: the server saw the proxy ($SX_PROXY_OUT4)" \
	    cx_saw "$1" "$2"
}

# cx_end: the counters, the COMPAT line; on failure the diagnostics.
cx_end()
{
	local res=pass f leak dns
	leak=$(leak_count)
	dns=$(dns_count)
	sx_check "$CX_PROG $CX_MODE: leak counter is 0 (got $leak)" \
	    test "$leak" = 0
	sx_check "$CX_PROG $CX_MODE: no DNS packets (got $dns)" test "$dns" = 0
	if [ "$SX_FAILED" -ne "$CX_F0" ]; then
		res=fail
		for f in "${CX_DIAG[@]}"; do
			if [ -f "$f" ]; then
				sx_show "$f (this case)" <(cx_new "$f")
			fi
		done
		sx_show "proxy log (this case)" <(cx_new "$CX_PROXY_LOG")
	fi
	printf 'COMPAT %s %s %s\n' "$CX_PROG" "$CX_MODE" "$res"
}

# cx_skip_case PROGRAM MODE REASON: a case that cannot run here.
CX_NSKIP=0
cx_skip_case()
{
	sx_log "SKIP $1 $2: $3"
	printf 'COMPAT %s %s skip\n' "$1" "$2"
	CX_NSKIP=$((CX_NSKIP + 1))
}

# cx_done: sx_done, but a run with skipped cases and no failure is a skip.
cx_done()
{
	if [ "$SX_FAILED" -eq 0 ] && [ "$CX_NSKIP" -gt 0 ]; then
		sx_skip "$CX_NSKIP case(s) skipped"
	fi
	sx_done
}

# Under the sanitizer build the wrapper also preloads libasan ($SAN_PRELOAD)
# into the program. Programs linked with libp11-kit (curl, git-remote-http)
# then hang before main: libp11-kit's constructor runs before libasan's,
# calls newlocale(), which holds glibc's setlocale lock while it mallocs;
# ASan initialises lazily in that malloc and calls dlerror(), whose
# gettext takes and releases the same lock (releasing newlocale's write
# lock); the lock is then corrupt and the program's setlocale() blocks for
# ever. The same happens with libasan alone, without socksify.
CX_SAN_WHY="hangs at start with the sanitizer runtime preloaded"
CX_SAN_WHY+=" (libasan + libp11-kit + glibc setlocale lock; not socksify)"

# cx_san_hangs CMD...: under the sanitizer build, CMD (run through socksify)
# does not finish within 5 s. Always false in a normal build.
cx_san_hangs()
{
	local rc
	[ -n "${SAN_PRELOAD:-}" ] || return 1
	SX_CLIENT_TIMEOUT=5 cx_run "$@" </dev/null >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]
}

# cx_plain_fails DESCRIPTION CMD...: without socksify CMD cannot reach the
# server (the namespace is sound); then the counters are reset.
cx_plain_fails()
{
	local what=$1
	shift
	sx_check "without socksify: $what fails" sx_not cx_quiet sx_client "$@"
	leak_reset
}

# cx_quiet CMD...: CMD with stdin, stdout and stderr on /dev/null.
cx_quiet() { "$@" </dev/null >/dev/null 2>&1; }

# cx_http_log ADDR: the log file of start_http ADDR.
cx_http_log() { printf '%s\n' "$SX_TMP/http.$1.log"; }

# --------------------------------------------------------------------------
# TLS: a self-signed certificate for $CX_NAME and $SX_SERVER4.

CX_CERT=
CX_KEY=

cx_make_cert()
{
	[ -n "$CX_CERT" ] && return 0
	sx_require_bin openssl
	CX_CERT=$SX_TMP/cert.pem
	CX_KEY=$SX_TMP/key.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$CX_KEY" -out "$CX_CERT" -days 2 -subj "/CN=$CX_NAME" \
	    -addext "subjectAltName=DNS:$CX_NAME,IP:$SX_SERVER4" \
	    >"$SX_TMP/openssl.out" 2>&1 || {
		sed 's/^/  | /' "$SX_TMP/openssl.out" >&2
		sx_error "openssl req failed"
	}
	chmod 644 "$CX_KEY"	# nginx workers run as nobody
}

# start_nginx_tls NS ADDR: nginx serving $SX_HTTP_DIR over TLS (HTTP/2 and
# HTTP/1.1) on ADDR:443; access log $CX_NGINX_LOG lines look like
# 'ADDR "GET /file HTTP/2.0" 200 HTTP/2.0 sni=NAME'. Needs start_http first
# (for the document root). Sets SX_LAST_PID/PORT.
start_nginx_tls()
{
	local ns=$1 addr=$2 d=$SX_TMP/nginx
	sx_require_bin nginx
	cx_make_cert
	mkdir -p "$d/tmp" || sx_error "mkdir $d"
	CX_NGINX_LOG=$SX_TMP/nginx.access.log
	cat >"$d/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $d/nginx.pid;
error_log $SX_TMP/nginx.error.log info;
events { worker_connections 64; }
http {
	log_format cx '\$remote_addr "\$request" \$status \$server_protocol sni=\$ssl_server_name';
	access_log $CX_NGINX_LOG cx;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	server {
		listen $addr:443 ssl http2;
		server_name $CX_NAME;
		ssl_certificate $CX_CERT;
		ssl_certificate_key $CX_KEY;
		root $SX_HTTP_DIR;
	}
}
EOF
	sx_bg_listen nginx "$ns" "$SX_TMP/nginx.out" \
	    nginx -p "$d/" -e "$SX_TMP/nginx.error.log" -c "$d/nginx.conf"
}

# --------------------------------------------------------------------------
# sshd with throwaway host and client keys, for a throwaway user.
# After start_sshd NS ADDR:
#   CX_SSH_USER       the user (home $CX_SSH_HOME, owned by it, shell /bin/sh)
#   CX_SSH_CONFIG     an ssh_config for ssh -F / scp -F / rsync -e / git:
#                     key, known_hosts with the real host key for both the
#                     address and $CX_NAME, StrictHostKeyChecking yes
#   CX_SSHD_LOG       sshd -e output (LogLevel VERBOSE: "Connection from")

CX_SSH_USER=
CX_SSH_HOME=
CX_SSH_CONFIG=
CX_SSHD_LOG=

start_sshd()
{
	local ns=$1 addr=$2 d=$SX_TMP/ssh
	sx_require_bin /usr/sbin/sshd ssh-keygen useradd userdel usermod
	mkdir -p "$d" /run/sshd || sx_error "mkdir $d"
	chmod 700 "$d"
	CX_SSH_USER=sxcu$$
	CX_SSH_HOME=$SX_TMP/sshhome
	userdel "$CX_SSH_USER" 2>/dev/null
	SX_USERS+=("$CX_SSH_USER")
	useradd -M -N -d "$CX_SSH_HOME" -s /bin/sh "$CX_SSH_USER" ||
	    sx_error "useradd $CX_SSH_USER"
	# "!" (useradd's default) is a locked account for sshd without PAM.
	usermod -p '*' "$CX_SSH_USER" || sx_error "usermod $CX_SSH_USER"
	mkdir -p "$CX_SSH_HOME" || sx_error "mkdir $CX_SSH_HOME"
	chown "$CX_SSH_USER" "$CX_SSH_HOME" || sx_error "chown $CX_SSH_HOME"
	ssh-keygen -q -t ed25519 -N '' -C sxhost -f "$d/host_key" ||
	    sx_error "ssh-keygen (host key) failed"
	ssh-keygen -q -t ed25519 -N '' -C sxclient -f "$d/id" ||
	    sx_error "ssh-keygen (client key) failed"
	cp "$d/id.pub" "$d/authorized_keys" && chmod 644 "$d/authorized_keys"
	chmod 755 "$d"	# sshd reads authorized_keys as the user
	printf '%s,%s %s\n' "$addr" "$CX_NAME" "$(cut -d' ' -f1,2 \
	    "$d/host_key.pub")" >"$d/known_hosts"
	CX_SSHD_LOG=$SX_TMP/sshd.log
	cat >"$d/sshd_config" <<EOF
ListenAddress $addr
Port 22
HostKey $d/host_key
PidFile none
UsePAM no
StrictModes no
PermitRootLogin no
AllowUsers $CX_SSH_USER
AuthorizedKeysFile $d/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
	sx_bg_listen sshd "$ns" "$CX_SSHD_LOG" \
	    /usr/sbin/sshd -D -e -f "$d/sshd_config"
	CX_SSH_CONFIG=$d/ssh_config
	cat >"$CX_SSH_CONFIG" <<EOF
Host *
	User $CX_SSH_USER
	Port 22
	IdentityFile $d/id
	IdentitiesOnly yes
	UserKnownHostsFile $d/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	CheckHostIP no
	UpdateHostKeys no
	BatchMode yes
	ConnectTimeout 8
	LogLevel ERROR
EOF
}

# cx_sshd_saw: sshd accepted the key from the proxy's outer address.
cx_sshd_saw()
{
	cx_check_server "$CX_SSHD_LOG" \
	    "Connection from $(cx_re "$SX_PROXY_OUT4") port [0-9]+ on "
	sx_check "$CX_PROG $CX_MODE: sshd accepted the key for $CX_SSH_USER" \
	    cx_saw "$CX_SSHD_LOG" \
	    "Accepted publickey for $CX_SSH_USER from $(cx_re "$SX_PROXY_OUT4") "
}

# --------------------------------------------------------------------------
# Line-echo clients (nc, ncat, socat, telnet) against start_echo.

CX_ECHO_PORT=
CX_ECHO_LOG=

# cx_start_echo: start_echo in the server namespace on the server address.
cx_start_echo()
{
	start_echo "$SX_NS_S" "$SX_SERVER4"
	CX_ECHO_PORT=$SX_LAST_PORT
	CX_ECHO_LOG=$SX_TMP/echo.$SX_SERVER4.log
}

# cx_echo_case PROGRAM MODE HOLD EXACT CMD...: one case. A fresh line is
# written to CMD's stdin, which stays open HOLD more seconds (for clients
# that quit at end of input before the answer is back); the line must
# arrive at the echo server from the proxy and come back on CMD's stdout:
# the whole output when EXACT is 1, a line of it otherwise (banners).
cx_echo_case()
{
	local prog=$1 mode=$2 hold=$3 exact=$4 out line rc
	shift 4
	cx_begin "$prog" "$mode"
	out=$SX_TMP/$prog.$mode
	cx_diag "$out.err" "$out"
	line="$prog line $mode $$ $RANDOM"
	{ printf '%s\n' "$line"; sleep "$hold"; } |
	    cx_run "$@" >"$out" 2>"$out.err"
	rc=${PIPESTATUS[1]}
	sx_check "$prog $mode: exit 0 (got $rc)" test "$rc" -eq 0
	if [ "$exact" = 1 ]; then
		sx_check "$prog $mode: the line came back" \
		    test "$(cat "$out")" = "$line"
	else
		sx_check "$prog $mode: the line came back" \
		    grep -qxF -- "$line" <(tr -d '\r' <"$out")
	fi
	cx_check_proxy "$CX_ECHO_PORT"
	cx_check_server "$CX_ECHO_LOG" "^from $(cx_re "$SX_PROXY_OUT4") "
	cx_end
}
