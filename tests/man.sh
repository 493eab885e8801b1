#!/bin/sh
# SPDX-License-Identifier: MIT
# The manual pages: mandoc -T lint clean at warning level, and in step with
# the program: every option of `socksify --help` is documented in
# socksify(1) (and no other), every key of socksify.conf and
# src/core/config.c in socksify.conf(5) (and no other).
#
# groff (via man --warnings) is also asked, when installed.
#
# Environment: srcdir (source top; default: the parent of this script's
# directory), SOCKSIFY_BIN (the wrapper; without it the --help text is
# taken from scripts/socksify.in), SOCKSIFY_TEST_STRICT=1 (a missing
# mandoc is an error, 99, rather than a skip, 77).
set -u

srcdir=${srcdir:-$(dirname "$0")/..}
man1=$srcdir/doc/socksify.1
man5=$srcdir/doc/socksify.conf.5
fail=0

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc not found (apt-get install mandoc)"
	[ "${SOCKSIFY_TEST_STRICT:-0}" = 1 ] && exit 99
	exit 77
fi
for f in "$man1" "$man5" "$srcdir/socksify.conf"; do
	[ -r "$f" ] || { echo "FAIL: $f not found"; exit 1; }
done

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# --- 1. lint --------------------------------------------------------------
for f in "$man1" "$man5"; do
	mandoc -T lint -W warning "$f" >"$tmp/lint" 2>&1
	st=$?
	if [ "$st" -eq 0 ] && [ ! -s "$tmp/lint" ]; then
		ok "mandoc -T lint -W warning $(basename "$f")"
	else
		bad "mandoc -T lint -W warning $(basename "$f") (status $st):"
		cat "$tmp/lint"
	fi
done

# groff, through man(1), when it is there: no formatting warnings at 80
# columns either (long unbreakable lines, bad table widths).
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	for f in "$man1" "$man5"; do
		MANWIDTH=80 MAN_KEEP_FORMATTING=0 man --warnings -l "$f" \
		    >/dev/null 2>"$tmp/groff"
		if [ -s "$tmp/groff" ]; then
			bad "man --warnings $(basename "$f"):"
			cat "$tmp/groff"
		else
			ok "man --warnings $(basename "$f")"
		fi
	done
fi

# --- 2. socksify(1) against --help ------------------------------------------
# Options are words starting with '-' at the start of the indented lines of
# the help text, e.g. "  -h, --help  show ...".
if [ -n "${SOCKSIFY_BIN:-}" ] && [ -x "$SOCKSIFY_BIN" ]; then
	"$SOCKSIFY_BIN" --help >"$tmp/help" 2>&1 ||
	    bad "$SOCKSIFY_BIN --help failed"
	help_from="$SOCKSIFY_BIN --help"
else
	sed -n "/<<'USAGE'/,/^USAGE/p" "$srcdir/scripts/socksify.in" \
	    >"$tmp/help"
	help_from="scripts/socksify.in"
fi
options() {	# option words of indented "-x ..." lines on stdin
	sed -n 's/^[[:space:]]\{1,\}\(-[-[:alnum:]]\{1,\}\(, *-[-[:alnum:]]\{1,\}\)*\).*/\1/p' |
	    tr -c -- '-[:alnum:]' '\n' | grep -E '^--?[[:alnum:]]' | sort -u
}
options <"$tmp/help" >"$tmp/help.opts"
[ -s "$tmp/help.opts" ] || bad "no options found in $help_from"

# The rendered OPTIONS section: tags are the lines indented by 5 columns.
MANWIDTH=80 mandoc -T ascii "$man1" | col -b >"$tmp/man1.txt"
sed -n '/^OPTIONS$/,/^[A-Z][A-Z ]*$/p' "$tmp/man1.txt" |
    grep -E '^     -' | options >"$tmp/man.opts"
while read -r o; do
	if grep -qxF -- "$o" "$tmp/man.opts"; then
		ok "option $o of --help is in socksify.1"
	else
		bad "option $o of $help_from is not in the OPTIONS of socksify.1"
	fi
done <"$tmp/help.opts"
while read -r o; do
	grep -qxF -- "$o" "$tmp/help.opts" ||
	    bad "socksify.1 documents $o, which $help_from does not list"
done <"$tmp/man.opts"

# --- 3. socksify.conf(5) against the example file and the parser -------------
# Keys in the example: "key = ..." or "#key = ..." / "# key = ...".
sed -n 's/^#\{0,1\}[[:space:]]*\([a-z][a-z0-9_]*\)[[:space:]]*=.*/\1/p' \
    "$srcdir/socksify.conf" >"$tmp/keys"
# Keys the parser knows: the config_keys[] table of src/core/config.c.
if [ -r "$srcdir/src/core/config.c" ]; then
	sed -n 's/^[[:space:]]*{[[:space:]]*"\([a-z][a-z0-9_]*\)",[[:space:]]*set_[a-z_]*[[:space:]]*},.*/\1/p' \
	    "$srcdir/src/core/config.c" >>"$tmp/keys"
fi
sort -u "$tmp/keys" -o "$tmp/keys"
[ -s "$tmp/keys" ] || bad "no keys found in socksify.conf"
# Documented keys: ".It Cm key No = ..." items.
sed -n 's/^\.It Cm \([a-z][a-z0-9_]*\) No =.*/\1/p' "$man5" |
    sort -u >"$tmp/man.keys"
while read -r k; do
	if grep -qxF -- "$k" "$tmp/man.keys"; then
		ok "key $k is in socksify.conf.5"
	else
		bad "key $k (socksify.conf, src/core/config.c) is not" \
		    "documented in socksify.conf.5"
	fi
done <"$tmp/keys"
while read -r k; do
	grep -qxF -- "$k" "$tmp/keys" ||
	    bad "socksify.conf.5 documents key $k, which the parser does not know"
done <"$tmp/man.keys"

if [ "$fail" -eq 0 ]; then
	echo "man pages: pass"
else
	echo "man pages: FAIL"
fi
exit "$fail"
