#!/bin/bash
# SPDX-License-Identifier: MIT
# Real programs that speak DNS themselves, by a name only the proxy
# namespace knows (its /etc/hosts), through microsocks (no UDP):
#   - apt-get update and apt-get download against a small repository (a
#     .deb built here, dpkg-scanpackages, python's http.server) in a
#     private apt root: apt's http method asks res_query() for the SRV
#     record _http._tcp.NAME, answered NODATA at once; no DNS packet, no
#     resolver timeout, the package intact;
#   - aria2c with its default resolver (c-ares: UDP to the resolv.conf
#     server, answered in process): the file intact;
#   - nmap -sT: the target by name, and by its placeholder, whose reverse
#     lookup (nmap's own DNS) is answered with the name at once.
# Each runs with the library alone (--no-backstop: the in-process path is
# what answers) and as a user runs it (the backstop on). Leak and port-53
# counters stay 0; the same programs without socksify move them.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sx_setup microsocks apt-get dpkg-deb dpkg-scanpackages gzip aria2c nmap \
    getent cmp
name=$SX_DNS_NAME		# only the proxy namespace knows it
sx_dns_setup			# the client's resolver: counted, rejected

# --- the repository: one package, flat ("deb URL ./") ------------------
repo=$SX_TMP/repo
mkdir -p "$repo/pkg/DEBIAN" "$repo/pkg/usr/share/sx-hello" ||
    sx_error "mkdir $repo"
printf '%s\n' "Package: sx-hello" "Version: 1.0" "Architecture: all" \
    "Maintainer: socksify tests <tests@sx.test>" \
    "Description: socksify test package" >"$repo/pkg/DEBIAN/control"
printf 'hello through the proxy\n' >"$repo/pkg/usr/share/sx-hello/hello"
deb=$repo/sx-hello_1.0_all.deb
dpkg-deb --root-owner-group -Zgzip --build "$repo/pkg" "$deb" \
    >"$SX_TMP/dpkg-deb.log" 2>&1 ||
    sx_error "dpkg-deb: $(cat "$SX_TMP/dpkg-deb.log")"
rm -rf "$repo/pkg"
(cd "$repo" && dpkg-scanpackages . /dev/null >Packages 2>/dev/null &&
    gzip -9k Packages) || sx_error "dpkg-scanpackages"
grep -q '^Package: sx-hello$' "$repo/Packages" ||
    sx_error "dpkg-scanpackages did not list sx-hello"
sx_bg_listen "http (repository)" "$SX_NS_S" "$SX_TMP/http.repo.log" \
    "$SX_PYTHON" -u -m http.server --bind "$SX_SERVER4" --directory "$repo" 0
repo_port=$SX_LAST_PORT
start_http "$SX_NS_S" "$SX_SERVER4"
http_port=$SX_LAST_PORT
start_microsocks "$SX_NS_P" "$SX_PROXY4"
conf=$SX_TMP/socksify.conf
sx_conf "$conf" "proxy = socks5://$SX_PROXY4:$SX_LAST_PORT" "timeout = 5"

# A private apt root: its own sources, lists, cache; no system config.
apt=$SX_TMP/apt
mkdir -p "$apt/parts" "$apt/state/lists/partial" \
    "$apt/cache/archives/partial" || sx_error "mkdir $apt"
printf 'deb [trusted=yes] http://%s:%s/ ./\n' "$name" "$repo_port" \
    >"$apt/sources.list"
cat >"$apt/apt.conf" <<EOF
Dir::Etc::main "/dev/null";
Dir::Etc::Parts "$apt/parts";
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/parts";
Dir::State "$apt/state";
Dir::State::status "/dev/null";
Dir::Cache "$apt/cache";
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::Retries "0";
EOF

SHOW=()
ms() { echo $(($(date +%s%N) / 1000000)); }

# run TAG MODE CMD...: CMD in the client namespace, through socksify with
# MODE (--no-backstop, or "" for the default) or without it (MODE "-");
# $SX_TMP/TAG.{out,err}, status in $rc, time taken in $took (ms).
# Counters reset first.
run()
{
	local tag=$1 mode=$2 t0
	shift 2
	SHOW+=("$tag.out" "$tag.err")
	leak_reset
	t0=$(ms)
	if [ "$mode" = - ]; then
		sx_client "$@" >"$SX_TMP/$tag.out" 2>"$SX_TMP/$tag.err"
	else
		sx_run ${mode:+"$mode"} -c "$conf" "$@" >"$SX_TMP/$tag.out" \
		    2>"$SX_TMP/$tag.err"
	fi
	rc=$?
	took=$(($(ms) - t0))
}

# shellcheck disable=SC2317	# called through sx_check
has() { grep -Eq -- "$2" "$SX_TMP/$1.out"; }
# shellcheck disable=SC2317
err_has() { grep -Eq -- "$2" "$SX_TMP/$1.err"; }

nothing_leaked()
{
	local l d
	l=$(leak_count)
	d=$(dns_count)
	sx_check "$1: nothing around the proxy (leak $l, dns $d)" \
	    test "$l" -eq 0 -a "$d" -eq 0
}

# shellcheck disable=SC2317
apt_lists() { compgen -G "$apt/state/lists/*_Packages" >/dev/null; }

# --- the counters work: the same programs without socksify --------------
run plain-apt - env APT_CONFIG="$apt/apt.conf" apt-get -q update
sx_check "without socksify apt cannot resolve $name" \
    has plain-apt "(Temporary failure|Could not) resolv"
sx_check "without socksify apt's lookups are counted on port 53" \
    test "$(dns_count)" -gt 0
run plain-aria - aria2c --summary-interval=0 -d "$SX_TMP/plain-dl" \
    "http://$name:$http_port/file"
sx_check "without socksify aria2c fails (exit $rc)" test "$rc" -ne 0
sx_check "without socksify c-ares's queries are counted on port 53" \
    test "$(dns_count)" -gt 0
sx_check "aria2c resolves with c-ares (Async DNS)" \
    sh -c "aria2c -v | grep -q '^Enabled Features:.*Async DNS'"

for mode in --no-backstop ""; do
	m=${mode:-backstop}
	label="${mode:-default (backstop)}"
	rm -rf "$apt/state/lists" "$apt/cache"
	mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial"

	# --- apt-get update / download -------------------------------------
	run "apt-$m" "$mode" env SOCKSIFY_LOG=debug \
	    APT_CONFIG="$apt/apt.conf" apt-get -q update
	sx_check "$label: apt-get update exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$label: apt fetched the package list" apt_lists
	sx_check "$label: apt reported no failure" \
	    sx_lacks "$SX_TMP/apt-$m.out" '^(W|E): '
	sx_check "$label: apt's SRV question (res_query) answered NODATA" \
	    err_has "apt-$m" "dns _http\._tcp\.$name type 33: no dns_server: NODATA"
	sx_check "$label: apt-get update took $took ms (< 5000: no timeout)" \
	    test "$took" -lt 5000
	nothing_leaked "$label: apt-get update"
	rm -rf "$SX_TMP/dl-$m"
	mkdir -p "$SX_TMP/dl-$m"
	# shellcheck disable=SC2016	# the inner shell's $1 and $2
	run "download-$m" "$mode" sh -c 'cd "$1" && exec env APT_CONFIG="$2" \
	    apt-get -q download sx-hello' sh "$SX_TMP/dl-$m" "$apt/apt.conf"
	sx_check "$label: apt-get download exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$label: the .deb is intact" \
	    cmp -s "$deb" "$SX_TMP/dl-$m/sx-hello_1.0_all.deb"
	nothing_leaked "$label: apt-get download"

	# --- aria2c (c-ares) -------------------------------------------------
	run "aria-$m" "$mode" aria2c --summary-interval=0 \
	    --console-log-level=warn -d "$SX_TMP/dl-$m" -o aria.file \
	    "http://$name:$http_port/file"
	sx_check "$label: aria2c exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$label: aria2c's file is intact" \
	    cmp -s "$SX_HTTP_FILE" "$SX_TMP/dl-$m/aria.file"
	nothing_leaked "$label: aria2c"

	# --- nmap -sT --------------------------------------------------------
	# -Pn: host discovery sends ICMP and raw TCP probes, which no proxy
	# carries; port 1 is closed on the server.
	run "nmap-$m" "$mode" nmap -sT -Pn -p "$http_port,1" "$name"
	sx_check "$label: nmap exits 0 (got $rc)" test "$rc" -eq 0
	sx_check "$label: nmap finds $http_port open" \
	    has "nmap-$m" "^$http_port/tcp +open "
	sx_check "$label: nmap finds 1 closed" has "nmap-$m" "^1/tcp +closed "
	sx_check "$label: nmap took ${took} ms (< 5000)" test "$took" -lt 5000
	nothing_leaked "$label: nmap by name"
	# By the placeholder: only the reverse lookup can name the target.
	run "nmap-ph-$m" "$mode" sh -c "ph=\$(getent ahostsv4 $name |
	    head -n 1 | cut -d' ' -f1); echo \"placeholder \$ph\";
	    exec nmap -sT -Pn -p $http_port \"\$ph\""
	ph=$(sed -n 's/^placeholder //p' "$SX_TMP/nmap-ph-$m.out")
	sx_check "$label: nmap of the placeholder ($ph): reverse DNS names it" \
	    has "nmap-ph-$m" "^Nmap scan report for $name \\($ph\\)\$"
	sx_check "$label: ... and finds $http_port open" \
	    has "nmap-ph-$m" "^$http_port/tcp +open "
	sx_check "$label: ... in ${took} ms (< 5000)" test "$took" -lt 5000
	nothing_leaked "$label: nmap by placeholder"
done

# shellcheck disable=SC2317
proxy_saw() { grep -Fq "connected to $1" "$SX_TMP/microsocks.$SX_PROXY4.log"; }
sx_check "the proxy was asked for $name:$repo_port (ATYP domain)" \
    proxy_saw "$name:$repo_port"
sx_check "the proxy was asked for $name:$http_port" proxy_saw "$name:$http_port"

[ "$SX_FAILED" -eq 0 ] || {
	for f in "${SHOW[@]}"; do
		[ -s "$SX_TMP/$f" ] && sx_show "$f" "$SX_TMP/$f"
	done
}
sx_done
