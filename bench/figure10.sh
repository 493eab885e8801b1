# bench/figure10.sh: figure 10 of bench/run (sourced by it; uses its helpers
# run, record, recfail, get, spread, cell, fmt, pct, emit).
# DNS questions a program sends itself (port 53): answered inside the
# program by socksify's answerer, against dnsmasq answering the same
# questions on loopback. bench/dnsq sends N queries, keeping W in flight.
# See bench/README.md, figure 10.
# shellcheck shell=bash disable=SC2154,SC2153  # arrays of bench/run

F10_PORT=5353			# dnsmasq, in the bench namespace
F10_N=${BENCH_F10_N:-$([ "$QUICK" = 1 ] && echo 20000 || echo 100000)}
F10_ROUNDS=${BENCH_F10_ROUNDS:-$([ "$QUICK" = 1 ] && echo 2 || echo 3)}

# f10_setup: dnsmasq answering *.bench.test with one address
f10_setup() {
	command -v dnsmasq >/dev/null || return 1
	ip netns exec "$NS" dnsmasq --no-daemon --no-resolv --no-hosts \
	    --listen-address=127.0.0.1 --bind-interfaces --port="$F10_PORT" \
	    --address=/bench.test/10.77.0.9 --cache-size=10000 \
	    --pid-file="$WORK/dnsmasq.pid" > "$WORK/dnsmasq.out" 2>&1 &
	DAEMONS+=($!)
	for _ in $(seq 50); do
		inns "$BIN/dnsq" -s 127.0.0.1 -p "$F10_PORT" -n 1 \
		    >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

figure10() {
	local r w k c v base
	local -a CASES10=("dnsmasq" "socksify") WINS=(1 16)

	say "figure 10: DNS answers ($F10_N queries × ${#WINS[@]} windows × $F10_ROUNDS rounds)"
	f10_setup || { emit "## 10. DNS answers per second"; emit ""; emit "fail (dnsmasq not answering)"; emit ""; return; }
	for ((r = 0; r < F10_ROUNDS; r++)); do
		for w in "${WINS[@]}"; do
			for c in "${CASES10[@]}"; do
				k="f10|$c|$w"
				gaveup "$k" && continue
				if [ "$c" = dnsmasq ]; then
					CMD=("$BIN/dnsq" -s 127.0.0.1 -p "$F10_PORT")
				else
					# the socksified program asks a server it
					# cannot reach: answered in process
					CMD=(env "SOCKSIFY_PROXY=socks5://127.0.0.1:$MS_PORT"
					    "$SOCKSIFY" "${SOCKSIFY_ARGV[@]}" -q
					    "$BIN/dnsq" -s 192.0.2.53 -p 53)
				fi
				if run "$TMO" "${CMD[@]}" -n "$F10_N" -w "$w"; then
					record "$k" "${KV[qps]}"
					record "$k.us" "${KV[us_per]}"
				else
					recfail "$k" "$REASON"
				fi
			done
		done
	done
	emit "## 10. DNS questions a program sends itself: answers per second"
	emit ""
	emit "| server | window | answers/s | spread | % dnsmasq | µs per answer |"
	emit "|---|---:|---:|---:|---:|---:|"
	for w in "${WINS[@]}"; do
		base=$(get "f10|dnsmasq|$w")
		for c in "${CASES10[@]}"; do
			k="f10|$c|$w"
			if dead "$k"; then emit "| $c | $w | $(cell "$k" 0) | | | |"; continue; fi
			v=$(get "$k")
			emit "| $c | $w | $(fmt "$v" 0)$(flaky "$k") | $(spread "$k") | $(pct "$v" "$base") | $(fmt "$(get "$k.us")" 1) |"
		done
	done
	emit ""
	emit "bench/dnsq sends $F10_N A queries for q<i mod 1000>.bench.test over one connected UDP socket, window = queries in flight, and checks every answer (ID, QR, question, NOERROR). dnsmasq = dnsmasq $(ver dnsmasq-base) on 127.0.0.1 with the names configured (cache warm after the first 1000). socksify = the same dnsq run under socksify asking 192.0.2.53 (unreachable): socksify answers inside the program with placeholders from its name map; nothing is sent. window 1 shows the cost per question; 16 the throughput. Medians of $F10_ROUNDS rounds."
	emit ""
}
