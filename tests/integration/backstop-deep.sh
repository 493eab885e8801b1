#!/bin/bash
# SPDX-License-Identifier: MIT
# Code loaded with RTLD_DEEPBIND binds connect() and getaddrinfo() to
# libc's own, ahead of the preloaded library: only the backstop sees it.
#   - php-cli with php-curl (PHP dlopen()s its extensions with
#     RTLD_DEEPBIND, so libcurl's calls go straight to libc): a GET by IP
#     and by a name only the proxy knows. By name, glibc's resolver inside
#     getaddrinfo() sends its query to the resolv.conf server: the
#     supervisor points it at its answerer, the placeholder's connect is
#     trapped and proxied by name. Content exact, leak and dns 0.
#   - a C program (tests/helpers/deepbind_main.c) that dlopen()s a library
#     of ours (deepbind_lib.c) with RTLD_DEEPBIND, which looks the name up
#     and connects: the same, and the program says its library's connect
#     is libc's (the preload is bypassed).
# The controls: with --no-backstop (the library preloaded, nothing else)
# the same runs go around the proxy: the leak counter moves by IP, the
# dns counter by name.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks php cc
sx_require_backstop
php -m 2>/dev/null | grep -qx curl || sx_skip "php-curl not installed"
sx_dns_setup
lib=$SX_TMP/libdeepbind.so
cc -std=gnu11 -O2 -Wall -Wextra -shared -fPIC -o "$lib" \
    "$SX_HELPERS/deepbind_lib.c" >&2 ||
    sx_error "cannot build $SX_HELPERS/deepbind_lib.c"
main=$(sx_build_helper deepbind_main) || exit 99
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
proxy_port=$SX_LAST_PORT
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$proxy_port" "timeout = 5"
# shellcheck disable=SC2016	# PHP, not shell
php_get='$c = curl_init($argv[1]);
curl_setopt($c, CURLOPT_RETURNTRANSFER, true);
curl_setopt($c, CURLOPT_TIMEOUT, 8);
curl_setopt($c, CURLOPT_PROXY, "");
$r = curl_exec($c);
if ($r === false) { fwrite(STDERR, "php: " . curl_error($c) . "\n"); exit(1); }
echo $r;'

# run TAG ARGS...: socksify ARGS in the client namespace, output in
# $SX_TMP/TAG.{out,err}, status in $rc; counters reset first.
run()
{
	local tag=$1
	shift
	leak_reset
	sx_run "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	rc=$?
}

nothing_leaked()
{
	local l d
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing around the proxy (leak $l, dns $d)" \
	    test "$l" -eq 0 -a "$d" -eq 0
}

# same TAG WHAT: the served file, nothing leaked.
same()
{
	sx_check "$2: content exact (status $rc)" \
	    cmp -s "$SX_HTTP_FILE" "$SX_TMP/$1.out"
	nothing_leaked "$2"
}

for how in ip name; do
	host=$SX_SERVER4
	[ "$how" = name ] && host=$SX_DNS_NAME
	url=http://$host:$http_port/file
	# The controls: the library alone does not reach these calls.
	run "php-$how-off" -c "$conf" --no-backstop php -r "$php_get" "$url"
	c=$(leak_count)
	[ "$how" = name ] && c=$(dns_count)
	sx_check "php curl by $how, --no-backstop: around the proxy (counter $c)" \
	    test "$c" -gt 0
	run "deep-$how-off" -c "$conf" --no-backstop "$main" "$lib" "$host" \
	    "$http_port"
	c=$(leak_count)
	[ "$how" = name ] && c=$(dns_count)
	sx_check "RTLD_DEEPBIND library by $how, --no-backstop: around the proxy (counter $c)" \
	    test "$c" -gt 0

	run "php-$how" -c "$conf" php -r "$php_get" "$url"
	same "php-$how" "php curl by $how under the backstop"
	run "deep-$how" -c "$conf" "$main" "$lib" "$host" "$http_port"
	same "deep-$how" "RTLD_DEEPBIND library by $how under the backstop"
	sx_check "RTLD_DEEPBIND library by $how: its connect is libc's (the preload is bypassed)" \
	    grep -qx "deepbind: the library's connect is libc's" \
	    "$SX_TMP/deep-$how.err"
done
n=$(grep -Fc "connected to $SX_DNS_NAME:" "$SX_TMP/microsocks.$SX_PROXY4.log")
sx_check "by name: the proxy was asked for the name, by php and by the C program ($n)" \
    test "$n" -ge 2
sx_check "the server saw the proxy only" \
    sx_none http_saw "$SX_SERVER4" "$SX_CLIENT4"

[ "$SX_FAILED" -eq 0 ] || {
	for f in php-ip php-name deep-ip deep-name; do
		sx_show "$f stderr" "$SX_TMP/$f.err"
	done
}
sx_done
