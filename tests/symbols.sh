#!/bin/bash
# SPDX-License-Identifier: MIT
# The library exports exactly the names listed in src/socksify.map.
set -eu
lib=${SOCKSIFY_LIB:?} map=${SOCKSIFY_MAP:?}
want=$(sed -n 's/^[[:space:]]*\([a-z_0-9]*\);$/\1/p' "$map" | sort)
got=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWwi]$/ { print $3 }' | sed 's/@.*//' | sort)
if [ "$want" != "$got" ]; then
	echo "FAIL: exported symbols differ from $map"
	diff <(echo "$want") <(echo "$got") || true
	exit 1
fi
[ -n "$want" ] || { echo "FAIL: no symbols in $map"; exit 1; }
# Every exported name must really interpose: the map node must stay anonymous.
if grep -qE '^[[:space:]]*[A-Za-z_][A-Za-z_0-9.]*[[:space:]]*\{' "$map"; then
	echo "FAIL: $map has a named version node (disables every hook)"
	exit 1
fi
echo "ok: $(echo "$got" | wc -l) exported symbols, all hooks: $(echo "$got" | tr '\n' ' ')"
