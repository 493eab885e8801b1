#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job, end to end, as root: a network namespace for the client
# that can reach nothing but the proxy, and one holding a real SOCKS5
# server (microsocks) and a web server. curl through scripts/socksify
# fetches the page by IP and by a name only the proxy side can resolve;
# plain curl cannot reach it at all. Each step is checked: the demo exits
# 1 if plain curl gets through, socksified curl does not get the page, or
# the proxy was not given the name. SOCKSIFY_BIN picks the wrapper
# (default: the build tree's; /usr/bin/socksify for an installed package).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sx=${SOCKSIFY_BIN:-$top/scripts/socksify}
[ -x "$sx" ] || sx=$top/build/scripts/socksify
[ -x "$sx" ] || { echo "demo: build first (scripts/socksify missing)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates a network namespace)" >&2; exit 1; }

ns=sxdemo$$		# proxy and web server
cns=sxdemoc$$		# the client: reaches only the proxy
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$cns" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "/etc/netns/$ns" "/etc/netns/$cns" "$tmp"
}
trap cleanup EXIT INT TERM

# client 10.231.0.1 <-veth-> 10.231.0.2 (proxy); the web server's
# 10.231.9.9 lives on the proxy namespace's loopback: the client has no
# route to it, and no resolver.
mkdir -p "/etc/netns/$ns" "/etc/netns/$cns"
printf '127.0.0.1 localhost\n10.231.9.9 www.demo.internal\n' >"/etc/netns/$ns/hosts"
printf '127.0.0.1 localhost\n' >"/etc/netns/$cns/hosts"
printf 'nameserver 10.231.0.99\n' >"/etc/netns/$cns/resolv.conf"
ip netns add "$ns"
ip netns add "$cns"
ip -n "$cns" link add sxd0h type veth peer name sxd0n netns "$ns"
ip -n "$cns" addr add 10.231.0.1/24 dev sxd0h
ip -n "$cns" link set sxd0h up && ip -n "$cns" link set lo up
ip -n "$ns" addr add 10.231.0.2/24 dev sxd0n
ip -n "$ns" link set sxd0n up && ip -n "$ns" link set lo up
ip -n "$ns" addr add 10.231.9.9/32 dev lo
echo "hello through the proxy" >"$tmp/index.html"
ip netns exec "$ns" microsocks -i 10.231.0.2 -p 1080 >"$tmp/proxy.log" 2>&1 &
pids="$pids $!"
ip netns exec "$ns" python3 -m http.server -b 10.231.9.9 8080 -d "$tmp" >/dev/null 2>&1 &
pids="$pids $!"
i=0
until ip netns exec "$cns" curl -s -o /dev/null --max-time 1 --socks5 10.231.0.2:1080 http://10.231.9.9:8080/; do
	i=$((i + 1)); [ $i -lt 50 ] || { echo "demo: servers did not start" >&2; exit 1; }
	sleep 0.1
done

export SOCKSIFY_PROXY=socks5://10.231.0.2:1080 SOCKSIFY_LOG=info
in_client() { ip netns exec "$cns" "$@"; }
fail() { echo "demo: FAIL: $*" >&2; exit 1; }
want="hello through the proxy"
echo "\$ curl http://10.231.9.9:8080/            (no socksify: no route)"
if in_client curl -sS --max-time 2 http://10.231.9.9:8080/ 2>&1; then
	fail "plain curl reached the server: the client namespace is not isolated"
fi
echo "(failed, as expected)"
echo "\$ curl http://www.demo.internal:8080/     (no socksify: no resolver)"
if in_client curl -sS --max-time 2 http://www.demo.internal:8080/ 2>&1; then
	fail "plain curl resolved the name: the client namespace has a resolver"
fi
echo "(failed, as expected)"
echo "\$ socksify curl http://10.231.9.9:8080/"
got=$(in_client "$sx" curl -sS --max-time 5 http://10.231.9.9:8080/) || got=
echo "$got"
[ "$got" = "$want" ] || fail "$sx curl by IP did not get the page"
echo "\$ socksify curl http://www.demo.internal:8080/   (name resolved by the proxy)"
got=$(in_client "$sx" curl -sS --max-time 5 http://www.demo.internal:8080/) || got=
echo "$got"
[ "$got" = "$want" ] || fail "$sx curl by name did not get the page"
echo "--- what the proxy saw:"
cat "$tmp/proxy.log"
grep -q 'connected to www.demo.internal:8080' "$tmp/proxy.log" ||
	fail "the proxy was not asked for www.demo.internal by name"
echo "demo: ok ($sx)"
