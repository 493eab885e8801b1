#!/bin/bash
# SPDX-License-Identifier: MIT
# Remote DNS: the server's names are known only in the proxy's namespace and
# the client has no resolver it can reach. Through socksify, curl, wget,
# python (urllib) and ssh reach the server by name; lookups give placeholder
# addresses, reverse lookups give the names back; without socksify the name
# does not resolve. Not one packet to port 53 leaves the client.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup curl wget getent microsocks sshd ssh ssh-keygen useradd userdel
sx_require_resolve
sx_dns_setup

start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_http "$SX_NS_S" "$SX_SERVER6"
http6_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
name=$SX_DNS_NAME
name6=$SX_DNS_NAME6
url=http://$name:$http_port/file
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
leak_reset

# The harness itself: the proxy resolves the name, the client does not, and
# a client query is seen by the dns counter (so a zero below means nothing).
sx_check "proxy namespace resolves $name to $SX_SERVER4" \
    test "$(ip netns exec "$SX_NS_P" getent ahostsv4 "$name" |
	awk 'NR == 1 { print $1 }')" = "$SX_SERVER4"
sx_client curl -sS --max-time 5 -o /dev/null "$url" 2>"$SX_TMP/plain.err"
rc=$?
sx_check "without socksify curl cannot resolve $name (exit 6, got $rc)" \
    test "$rc" -eq 6
sx_check "without socksify the lookup was counted as DNS ($(dns_count))" \
    test "$(dns_count)" -gt 0
leak_reset

# --- Applications by name ---------------------------------------------------
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/curl.got" "$url" \
    2>"$SX_TMP/curl.err"
rc=$?
sx_check "curl $url exits 0 (got $rc)" test "$rc" -eq 0
sx_check "curl: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/curl.got"
sx_check "curl: no socksify line on success" \
    sx_no_line "$SX_TMP/curl.err"
sx_check "proxy was asked for the name, not an address" \
    microsocks_saw "$SX_PROXY4" "$name"
sx_check "server saw the connection from the proxy ($SX_PROXY_OUT4)" \
    http_saw "$SX_SERVER4" "$SX_PROXY_OUT4"
sx_check "server saw no connection from the client" \
    sx_none http_saw "$SX_SERVER4" "$SX_CLIENT4"

sx_run -c "$conf" wget -q -T 8 -t 1 -O "$SX_TMP/wget.got" "$url" \
    2>"$SX_TMP/wget.err"
rc=$?
sx_check "wget -qO- $url exits 0 (got $rc)" test "$rc" -eq 0
sx_check "wget: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/wget.got"

sx_run -c "$conf" "$SX_PYTHON" -c 'import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=8) as r:
	sys.stdout.buffer.write(r.read())' "$url" \
    >"$SX_TMP/py.got" 2>"$SX_TMP/py.err"
rc=$?
sx_check "python3 urllib.request.urlopen exits 0 (got $rc)" test "$rc" -eq 0
sx_check "python3 urllib: file content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/py.got"

# An IPv6-only name: the proxy connects over IPv6 whichever placeholder
# family the client used.
sx_run -c "$conf" curl -sS --max-time 8 -o "$SX_TMP/v6.got" \
    "http://$name6:$http6_port/file" 2>"$SX_TMP/v6.err"
rc=$?
sx_check "curl $name6 (IPv6-only name, v4 placeholder) exits 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "curl $name6: content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/v6.got"
# An AF_INET6 lookup gets an IPv6 placeholder; an AF_INET6 socket connects
# to it (curl -6 does not: it resolves AF_UNSPEC, then keeps the IPv6 ones).
sx_run -c "$conf" "$SX_PYTHON" -c 'import socket, sys
ai = socket.getaddrinfo(sys.argv[1], int(sys.argv[2]), socket.AF_INET6,
    socket.SOCK_STREAM)[0]
print(ai[4][0], file=sys.stderr)
s = socket.socket(ai[0], ai[1], ai[2])
s.settimeout(8)
s.connect(ai[4])
s.sendall(b"GET /file HTTP/1.0\r\nHost: x\r\n\r\n")
data = b""
while True:
	b = s.recv(65536)
	if not b:
		break
	data += b
sys.stdout.buffer.write(data.split(b"\r\n\r\n", 1)[1])' "$name6" "$http6_port" \
    >"$SX_TMP/v6b.got" 2>"$SX_TMP/v6b.err"
rc=$?
sx_check "AF_INET6 socket to $name6's v6 placeholder: exit 0 (got $rc)" \
    test "$rc" -eq 0
sx_check "AF_INET6 lookup of $name6 gave a v6 placeholder" \
    sx_in_net "$(head -n 1 "$SX_TMP/v6b.err")" "$SX_DNS_PH6"
sx_check "AF_INET6 socket to $name6: content is exact" \
    cmp -s "$SX_HTTP_FILE" "$SX_TMP/v6b.got"
sx_check "IPv6 server saw the proxy ($SX_PROXY_OUT6)" \
    http_saw "$SX_SERVER6" "$SX_PROXY_OUT6"

# --- Lookups ------------------------------------------------------------------
# One process: two lookups of the same name, one of another name.
sx_run -c "$conf" "$SX_PYTHON" -c 'import socket, sys
def a(n):
	return socket.getaddrinfo(n, 80, socket.AF_INET,
	    socket.SOCK_STREAM)[0][4][0]
print(a(sys.argv[1]), a(sys.argv[1]), a(sys.argv[2]))' \
    "$name" "other.sx.test" >"$SX_TMP/gai.out" 2>"$SX_TMP/gai.err"
rc=$?
read -r ph1 ph2 ph_other <"$SX_TMP/gai.out"
sx_check "python getaddrinfo exits 0 (got $rc)" test "$rc" -eq 0
sx_check "python getaddrinfo($name) = ${ph1:-nothing}, in $SX_DNS_PH4" \
    sx_in_net "${ph1:-}" "$SX_DNS_PH4"
sx_check "same name, same address in one process (${ph2:-nothing})" \
    test "${ph1:-x}" = "${ph2:-y}"
sx_check "another name, another placeholder (${ph_other:-nothing})" \
    test -n "${ph_other:-}" -a "${ph_other:-}" != "${ph1:-}"

# resolve's getaddrinfo AF_INET6, and the name behind the placeholders, in
# one process tree (separate socksify runs have separate maps).
# shellcheck disable=SC2016	# expanded by that sh
sx_run -c "$conf" sh -c '
r=$1 n=$2
a4=$("$r" gai4 "$n" | head -n 1) || exit 1
a6=$("$r" gai6 "$n" | head -n 1) || exit 1
echo "a4 $a4"
echo "a6 $a6"
echo "gni4 $("$r" gni_nr "$a4")"
echo "gni6 $("$r" gni_nr "$a6")"
echo "ghba4 $("$r" ghba "$a4" | sed -n "s/^canon //p")"
echo "getent $(getent hosts "$a4")"' sh "$SX_RESOLVE" "$name" \
    >"$SX_TMP/tree.out" 2>"$SX_TMP/tree.err"
rc=$?
field() { sed -n "s/^$1 //p" "$SX_TMP/tree.out"; }
sx_check "resolver tree exits 0 (got $rc)" test "$rc" -eq 0
sx_check "resolve gai4 $name = $(field a4), in $SX_DNS_PH4" \
    sx_in_net "$(field a4)" "$SX_DNS_PH4"
sx_check "resolve gai6 $name = $(field a6), in $SX_DNS_PH6" \
    sx_in_net "$(field a6)" "$SX_DNS_PH6"
sx_check "getnameinfo(NI_NAMEREQD) of the v4 placeholder: $name (got $(field gni4))" \
    test "$(field gni4)" = "$name"
sx_check "getnameinfo(NI_NAMEREQD) of the v6 placeholder: $name (got $(field gni6))" \
    test "$(field gni6)" = "$name"
sx_check "gethostbyaddr of the v4 placeholder: $name (got $(field ghba4))" \
    test "$(field ghba4)" = "$name"
sx_check "getent hosts of the v4 placeholder names $name" \
    test "$(field getent | awk '{ print $2 }')" = "$name"

# Stable per name: a separate socksify run hands out the same address.
ph_again=$(sx_run -c "$conf" "$SX_RESOLVE" gai4 "$name" | head -n 1)
sx_check "a second socksify run gives $name the same placeholder (${ph_again:-nothing})" \
    test "${ph_again:-x}" = "${ph1:-y}"

# --- A name the proxy cannot resolve ----------------------------------------
sx_run -c "$conf" curl -sS --max-time 8 -o /dev/null \
    "http://nosuch.sx.test:$http_port/file" 2>"$SX_TMP/nosuch.err"
rc=$?
sx_check "nosuch.sx.test: curl fails to connect (exit 7 or 6, got $rc)" \
    test "$rc" -eq 7 -o "$rc" -eq 6
sx_check "nosuch.sx.test: the socksify: line names the host" \
    sx_has_line "$SX_TMP/nosuch.err" "nosuch\.sx\.test"

# --- ssh by name --------------------------------------------------------------
# A throwaway user (root's account is locked on some systems, and sshd
# without PAM refuses locked accounts), key pair and host key.
sshd_bin=$(command -v sshd)
ssh_user=sxh$$
ssh_dir=$SX_TMP/ssh
mkdir -p "$ssh_dir" || sx_error "mkdir $ssh_dir"
userdel "$ssh_user" 2>/dev/null
SX_USERS+=("$ssh_user")
useradd -M -N -d "$ssh_dir" -s /bin/sh -p '*' "$ssh_user" ||
    sx_error "useradd $ssh_user"
if ! ssh-keygen -q -t ed25519 -N '' -C sx-host -f "$ssh_dir/host_key" ||
    ! ssh-keygen -q -t ed25519 -N '' -C sx-user -f "$ssh_dir/id" ||
    ! cp "$ssh_dir/id.pub" "$ssh_dir/authorized_keys"; then
	sx_error "cannot make the ssh keys"
fi
[ -d /run/sshd ] || mkdir -m 755 /run/sshd	# sshd's privsep directory
cat >"$ssh_dir/sshd_config" <<EOF
ListenAddress $SX_SERVER4:2222
HostKey $ssh_dir/host_key
AuthorizedKeysFile $ssh_dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
LogLevel INFO
EOF
sx_bg_listen sshd "$SX_NS_S" "$SX_TMP/sshd.log" "$sshd_bin" -D -e \
    -f "$ssh_dir/sshd_config"
ssh_port=$SX_LAST_PORT
ssh_opts=(-F none -i "$ssh_dir/id" -p "$ssh_port" -o BatchMode=yes
    -o UserKnownHostsFile="$ssh_dir/known_hosts" -o CheckHostIP=yes
    -o ConnectTimeout=8)
out=$(sx_run -c "$conf" ssh "${ssh_opts[@]}" -o StrictHostKeyChecking=no \
    "$ssh_user@$name" echo hi 2>"$SX_TMP/ssh1.err")
rc=$?
sx_check "ssh $ssh_user@$name echo hi: exit 0 (got $rc)" test "$rc" -eq 0
sx_check "ssh by name: output is hi (got '$out')" test "$out" = hi
sx_check "sshd saw the proxy ($SX_PROXY_OUT4)" \
    grep -q "Accepted publickey for $ssh_user from $SX_PROXY_OUT4 " \
    "$SX_TMP/sshd.log"
# Stable placeholder: a new run checks the recorded key and address strictly.
out=$(sx_run -c "$conf" ssh "${ssh_opts[@]}" -o StrictHostKeyChecking=yes \
    "$ssh_user@$name" echo hi 2>"$SX_TMP/ssh2.err")
rc=$?
sx_check "second ssh with StrictHostKeyChecking=yes: hi (exit $rc)" \
    test "$rc" -eq 0 -a "$out" = hi
sx_check "second ssh: no warning about the host key or address" \
    sx_lacks "$SX_TMP/ssh2.err" warning -i

# --- Nothing around the proxy -------------------------------------------------
sx_check "no DNS packets left the client (dns counter $(dns_count))" \
    test "$(dns_count)" -eq 0
sx_check "leak counter is 0 ($(leak_count))" test "$(leak_count)" -eq 0

[ "$SX_FAILED" -eq 0 ] || {
	for f in plain curl wget py v6 v6b gai tree nosuch ssh1 ssh2; do
		[ -s "$SX_TMP/$f.err" ] && sx_show "stderr, $f" "$SX_TMP/$f.err"
	done
	sx_show "resolver tree output" "$SX_TMP/tree.out"
	sx_show "microsocks log" "$SX_TMP/microsocks.$SX_PROXY4.log"
	[ -s "$SX_TMP/sshd.log" ] && sx_show "sshd log" "$SX_TMP/sshd.log"
}
sx_done
