#!/bin/sh
# SPDX-License-Identifier: MIT
# The Debian package as a user gets it, on this machine (Debian 12, root):
# installed with apt-get beside dante-client, the main job (scripts/demo.sh:
# curl through microsocks in a namespace, by IP and by a name only the
# proxy resolves) through the installed /usr/bin/socksify, the manual
# pages, Dante's wrapper as socksify.dante, the conffile kept over a
# reinstall and two upgrades, remove and purge leaving nothing; then the
# same without dante-client, and dante-client installed after socksify.
#
# Usage: tests/package.sh socksify_VERSION_ARCH.deb
# Needs dante-client installed (scripts/install-deps.sh) and the socksify
# package not installed. Leaves the machine as it found it: dante-client
# installed, socksify not, no diversion. Exit 0 pass, 1 fail, 99 error.
# shellcheck disable=SC2016,SC2317  # '$LD_PRELOAD' is the inner shell's; t calls the checks
set -u
if [ $# -ne 1 ] || [ ! -r "$1" ]; then
	echo "usage: $0 socksify_VERSION_ARCH.deb" >&2; exit 99
fi
deb=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive
unset SOCKSIFY_BIN SOCKSIFY_LIB SOCKSIFY_CTL SOCKSIFY_CONF SOCKSIFY_PROXY SOCKSIFY_LOG
bin=/usr/bin/socksify man1=/usr/share/man/man1/socksify.1.gz
conf=/etc/socksify.conf
err() { echo "package: $*" >&2; exit 99; }
status() { s=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null); echo "${s:-not-installed}"; }

[ "$(id -u)" = 0 ] || err "run as root (it installs and removes packages)"
[ "$(status dante-client)" = installed ] ||
	err "dante-client must be installed first (sh scripts/install-deps.sh)"
[ "$(status socksify)" = not-installed ] ||
	err "the socksify package is installed: dpkg --purge socksify first"
[ -z "$(dpkg-divert --listpackage "$bin")" ] || err "$bin is already diverted"

tmp=$(mktemp -d) || exit 99
chmod 755 "$tmp"	# apt's _apt user reads the .deb files from here
# dante-client goes away and comes back: keep its .deb at hand.
dver=$(dpkg-query -W -f='${Version}' dante-client)
first() { for f in "$@"; do [ -r "$f" ] && { echo "$f"; return; }; done; }
dante_deb=$(first /var/cache/apt/archives/dante-client_"$(echo "$dver" | sed 's/:/%3a/')"_*.deb)
if [ -z "$dante_deb" ]; then
	(cd "$tmp" && apt-get download -q "dante-client=$dver" >/dev/null 2>&1)
	dante_deb=$(first "$tmp"/dante-client_*.deb)
fi
[ -n "$dante_deb" ] || err "cannot get dante-client $dver's .deb (apt-get download)"
# man-db's trigger rebuilds the whole index after each dpkg run (2.5 s
# here, a dozen runs): switched off for the test with man-db's own switch,
# and back on in cleanup. `man -w` searches the directories themselves.
mandb_flag=/var/lib/man-db/auto-update
[ ! -e "$mandb_flag" ] || mv "$mandb_flag" "$tmp/man-db-auto-update"
dante_auto=$(apt-mark showauto dante-client)	# keep apt's mark too
cleanup() {
	[ "$(status socksify)" = not-installed ] ||
		dpkg --purge socksify >/dev/null 2>&1
	[ "$(status dante-client)" = installed ] ||
		dpkg -i "$dante_deb" >/dev/null 2>&1
	[ -z "$dante_auto" ] || apt-mark auto dante-client >/dev/null
	[ ! -e "$tmp/man-db-auto-update" ] || mv "$tmp/man-db-auto-update" "$mandb_flag"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
t() {	# t NAME CMD...: CMD must succeed
	name=$1; shift
	if "$@" >"$tmp/out" 2>&1; then ok "$name"; else bad "$name:"; cat "$tmp/out"; fi
}
same() { [ "$(sha256sum <"$1")" = "$2" ]; }
is() { [ "$("$@" 2>&1)" = "$want" ]; }	# $want = output of CMD...
apt_install() { apt-get install -y -q --no-install-recommends "$@" </dev/null; }
# The wrapper on PATH is this package's: its version, its library preloaded.
ours() {
	"$bin" --version | grep -qx "socksify $upver" &&
	"$bin" --version | grep -qE '^features: sanitizers=(yes|no) backstop=(yes|no)$' &&
	[ "$("$bin" sh -c 'echo "$LD_PRELOAD"')" = "$lib" ]
}
# Dante's wrapper at $1: Dante's file, and it preloads Dante's library.
dantes() { same "$1" "$dante_sum" && "$1" sh -c 'echo "$LD_PRELOAD"' | grep -q libdsocks; }
gone() {	# gone keep-conf|all: nothing the package installed is left,
	# but what another package owns (directories, Dante's files)
	while read -r f; do
		[ "$f" = /. ] && continue
		[ "$f" = "$conf" ] && [ "$1" = keep-conf ] && continue
		if [ -e "$f" ] || [ -L "$f" ]; then
			owner=$(dpkg-query -S "$f" 2>/dev/null) || owner=
			case $owner in
			''|socksify:*) echo "left: $f"; return 1 ;;
			esac
		fi
	done <"$tmp/files"
}
undiverted() { [ -z "$(dpkg-divert --list '*socksify*')" ]; }
conffile() { dpkg-query -W -f='${Conffiles}\n' socksify | grep -q "^ $conf "; }
edited() { tail -1 "$conf" | grep -qx '# edited by tests/package.sh'; }
alone() { edited && ! ls -d "$conf".* >/dev/null 2>&1; }
purged() { ! ls -d "$conf" "$conf".* >/dev/null 2>&1; }
absent() { ! [ -e "$1" ] && ! [ -L "$1" ]; }

dante_sum=$(sha256sum <"$bin") dante_man=$(sha256sum <"$man1")
upver=$(dpkg-deb -f "$deb" Version | sed 's/-[^-]*$//')

echo "== beside dante-client"
t "apt-get install ./$(basename "$deb")" apt_install "$deb"
dpkg-query -L socksify | grep '^/' >"$tmp/files"
lib=$(grep '/libsocksify\.so$' "$tmp/files")
want=/usr/bin/socksify.dante; t "Dante's wrapper diverted to socksify.dante" is dpkg-divert --truename "$bin"
want=/usr/share/man/man1/socksify.dante.1.gz; t "Dante's socksify(1) diverted" is dpkg-divert --truename "$man1"
t "socksify is ours (version, features, $lib preloaded)" ours
t "socksify.dante runs Dante's wrapper" dantes /usr/bin/socksify.dante
t "socksify.dante(1) is Dante's page" same /usr/share/man/man1/socksify.dante.1.gz "$dante_man"
want=$man1; t "man -w socksify" is man -w socksify
want=/usr/share/man/man5/socksify.conf.5.gz; t "man -w socksify.conf" is man -w socksify.conf
want=/usr/share/man/man1/socksify.dante.1.gz; t "man -w socksify.dante" is man -w socksify.dante
t "man socksify shows our page" sh -c 'MANWIDTH=80 man socksify 2>/dev/null | grep -q libsocksify.so'
t "the installed socksify-ctl: --check names the dead proxy" sh -c \
    "'$bin' -p socks5://127.0.0.1:1 --check | grep -q '^FAIL: .*proxy unreachable'"
t "the main job through $bin (scripts/demo.sh)" env SOCKSIFY_BIN="$bin" sh "$top/scripts/demo.sh"

echo "== the conffile survives a reinstall and upgrades"
t "$conf is a conffile" conffile
echo "# edited by tests/package.sh" >>"$conf"
t "apt-get install --reinstall" apt_install --reinstall "$deb"
t "reinstall kept the edit" edited
# Upgrades: the same files under a higher version, then one whose shipped
# socksify.conf changed too (dpkg asks; --force-confold is the unattended
# answer, which keeps the user's file and puts the new one beside it).
dpkg-deb -R "$deb" "$tmp/up"
sed -i "s/^Version: .*/&+up1/" "$tmp/up/DEBIAN/control"
dpkg-deb -b "$tmp/up" "$tmp/socksify_up1.deb" >/dev/null
t "upgrade to $upver+up1" apt_install "$tmp/socksify_up1.deb"
want=$(dpkg-deb -f "$tmp/socksify_up1.deb" Version); t "version is now $want" is dpkg-query -W -f='${Version}' socksify
t "upgrade kept the edit, nothing beside it" alone
sed -i "s/+up1$/+up2/" "$tmp/up/DEBIAN/control"
echo "# a new default" >>"$tmp/up$conf"
dpkg-deb -b "$tmp/up" "$tmp/socksify_up2.deb" >/dev/null
t "upgrade to $upver+up2 (new socksify.conf), --force-confold" apt_install \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$tmp/socksify_up2.deb"
t "that upgrade kept the edit" edited
t "and put the new file beside it" grep -qx '# a new default' "$conf.dpkg-dist"

echo "== remove, purge"
t "apt-get remove socksify" apt-get remove -y -q socksify
t "no file of the package left but $conf" gone keep-conf
t "$conf kept until purge, with the edit" edited
t "no diversion left" undiverted
t "Dante's /usr/bin/socksify is back" dantes "$bin"
t "Dante's socksify(1) is back" same "$man1" "$dante_man"
want=$(printf 'dante-client: %s' "$bin"); t "dpkg: $bin belongs to dante-client" is dpkg-query -S "$bin"
t "apt-get purge socksify" apt-get purge -y -q socksify
t "$conf and its .dpkg-dist gone after purge" purged
want=not-installed; t "socksify not installed" is status socksify

echo "== without dante-client, then dante-client installed after socksify"
t "dpkg -r dante-client" dpkg -r dante-client
t "apt-get install ./$(basename "$deb")" apt_install "$deb"
t "socksify is ours" ours
t "no socksify.dante" absent /usr/bin/socksify.dante
t "apt-get purge socksify (no Dante to restore)" apt-get purge -y -q socksify
t "no $bin left" absent "$bin"
t "no diversion left" undiverted
t "no file of the package left" gone all
t "apt-get install ./$(basename "$deb") again" apt_install "$deb"
t "dpkg -i dante-client (after socksify)" dpkg -i "$dante_deb"
t "socksify is still ours" ours
t "Dante's wrapper landed on socksify.dante" dantes /usr/bin/socksify.dante
t "apt-get purge socksify" apt-get purge -y -q socksify
t "Dante's /usr/bin/socksify is back" dantes "$bin"
t "Dante's socksify(1) is back" same "$man1" "$dante_man"
t "no diversion left" undiverted
t "dpkg --verify dante-client" dpkg --verify dante-client
t "no file of the package left" gone all
t "$conf gone" purged

if [ "$fail" -eq 0 ]; then echo "package: pass"; else echo "package: FAIL"; fi
exit "$fail"
