# bench/figure8.sh: figure 8 of bench/run (sourced by it; uses its helpers
# run, record, recfail, get, spread, cell, emit, tool_setup, tool_confs).
# Event loops through a proxy 20 ms away: N parallel connects + a small
# echo in asyncio, node and curl --parallel, each tool side by side with
# the client's own SOCKS5 (the limit); a 5 ms timer in the same loop
# gives the worst stall.  Then one asyncio connect to a proxy that never
# answers.  See bench/README.md, figure 8.
# shellcheck shell=bash disable=SC2154,SC2153,SC2004  # arrays of bench/run

DR_PORT=1090 SILENT_PORT=1091 HTTP_PORT=8080
DELAY_MS=${BENCH_DELAY_MS:-10}
if [ "$QUICK" = 1 ]; then
	read -r -a F8_NS <<< "${BENCH_F8_N:-1 10}"
	F8_ROUNDS=${BENCH_F8_ROUNDS:-2}
else
	read -r -a F8_NS <<< "${BENCH_F8_N:-1 10 100}"
	F8_ROUNDS=${BENCH_F8_ROUNDS:-3}
fi
# the client's own deadline, within BENCH_TIMEOUT (the kill) with room
F8_DEADLINE=${BENCH_F8_DEADLINE:-$((TMO / 3))}
F8_TMO=$(( TMO > F8_DEADLINE + 10 ? TMO : F8_DEADLINE + 10 ))
read -r -a F8_CLIENTS <<< "${BENCH_F8_CLIENTS:-asyncio node curl}"
F8_SILENT_DEADLINE=${BENCH_F8_SILENT_DEADLINE:-5}
F8_NMAX=${F8_NS[${#F8_NS[@]} - 1]}
PY3=/usr/bin/python3

# f8_setup: the relay in front of microsocks, the silent peer, nginx
f8_setup() {
	local ok=0
	ip netns exec "$NS" "$BIN/delayrelay" -l "127.0.0.1:$DR_PORT" -u "127.0.0.1:$MS_PORT" \
	    -d "$DELAY_MS" > "$WORK/delayrelay.out" 2> "$WORK/delayrelay.err" &
	DAEMONS+=($!)
	ip netns exec "$NS" "$BIN/delayrelay" -l "127.0.0.1:$SILENT_PORT" -S \
	    > "$WORK/silent.out" 2> "$WORK/silent.err" &
	DAEMONS+=($!)
	F8_NGINX=
	if command -v nginx >/dev/null; then
		mkdir -p "$WORK/nginx/tmp"
		# only the proxy's source address gets 204; the others 403
		# (return/if run in the rewrite phase, before allow/deny would)
		cat > "$WORK/nginx/nginx.conf" <<-EOF
		daemon off;
		worker_processes 1;
		pid $WORK/nginx/nginx.pid;
		error_log $WORK/nginx/error.log;
		events { worker_connections 4096; }
		http {
			access_log off;
			client_body_temp_path $WORK/nginx/tmp;
			proxy_temp_path $WORK/nginx/tmp;
			fastcgi_temp_path $WORK/nginx/tmp;
			uwsgi_temp_path $WORK/nginx/tmp;
			scgi_temp_path $WORK/nginx/tmp;
			server {
				listen $TARGET:$HTTP_PORT backlog=4096;
				location / {
					if (\$remote_addr != $SRC) { return 403; }
					return 204;
				}
			}
		}
		EOF
		ip netns exec "$NS" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" \
		    -e "$WORK/nginx/error.log" > "$WORK/nginx/out" 2>&1 &
		DAEMONS+=($!)
	else
		F8_NGINX="nginx not installed"
	fi
	tool_confs "$DR_PORT"
	tool_confs "$SILENT_PORT" 2000
	printf 'timeout = 2\n' > "$WORK/socksify-timeout2.conf"
	for _ in $(seq 50); do
		inns "$BIN/handclient" -x "127.0.0.1:$DR_PORT" -n 1 "$TARGET" \
		    "$ECHO_PORT" >/dev/null 2>&1 && { ok=1; break; }
		sleep 0.1
	done
	[ $ok = 1 ] || { say "figure 8: delayrelay not answering: $(cat "$WORK/delayrelay.err")"; return 1; }
	if [ -z "$F8_NGINX" ]; then
		ok=0
		for _ in $(seq 50); do
			[ "$(inns curl -s -o /dev/null -w '%{http_code}' --socks5 \
			    "127.0.0.1:$DR_PORT" "http://$TARGET:$HTTP_PORT/")" = 204 ] &&
				{ ok=1; break; }
			sleep 0.1
		done
		[ $ok = 1 ] || F8_NGINX="nginx not answering: $(tail -n 1 "$WORK/nginx/error.log" 2>/dev/null)"
	fi
	return 0
}

# f8_cmd CLIENT TOOL PORT N [CLIENT ARGS...]: CMD for one run, or status 1
# with the reason in F8SKIP
f8_cmd() {
	local c=$1 t=$2 port=$3 n=$4 i prog=()
	shift 4
	F8SKIP=
	tool_setup "$t" "$port"
	[ -n "$TSKIP" ] && { F8SKIP=$TSKIP; return 1; }
	case $c in
	asyncio)
		[ -x "$PY3" ] || { F8SKIP="$PY3 missing"; return 1; }
		prog=("$PY3" "$HERE/aioclient.py" -n "$n" -c "$TARGET:$ECHO_PORT" "$@")
		[ "$t" = limit ] && prog+=(-x "127.0.0.1:$port") ;;
	node)
		command -v node >/dev/null || { F8SKIP="node not installed"; return 1; }
		prog=(node "$HERE/nodeclient.js" -n "$n" -c "$TARGET:$ECHO_PORT" "$@")
		[ "$t" = limit ] && prog+=(-x "127.0.0.1:$port") ;;
	curl)
		command -v curl >/dev/null || { F8SKIP="curl not installed"; return 1; }
		[ -n "$F8_NGINX" ] && { F8SKIP=$F8_NGINX; return 1; }
		prog=(curl -sS --no-progress-meter --parallel --parallel-immediate
		    --parallel-max "$n" -H 'Connection: close' -m "$F8_DEADLINE"
		    --trace-ascii "$WORK/curl.trace" --trace-time
		    -w '%{http_code} %{num_connects}\n')
		# the limit: curl's own SOCKS5 code, in its own multi loop
		if [ "$t" = limit ]; then prog+=(--socks5 "127.0.0.1:$port")
		else prog+=(--noproxy '*'); fi
		for ((i = 0; i < n; i++)); do prog+=("http://$TARGET:$HTTP_PORT/$i"); done ;;
	*) die "figure 8: unknown client $c (asyncio, node, curl)" ;;
	esac
	[ "$t" = limit ] && TWRAP=() TENV=()
	CMD=(env "${TENV[@]}" "${TWRAP[@]}" "${prog[@]}")
}

# trace_span FILE: ms from the first to the last line of a curl
# --trace-time trace (wall clock, HH:MM:SS.micro; midnight wraps)
trace_span() {
	awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+$/ {
		split($1, a, ":"); t = a[1] * 3600 + a[2] * 60 + a[3]
		if (n++ == 0) first = t; last = t }
	    END { if (n < 2) exit 1; d = last - first; if (d < 0) d += 86400
		  printf "%.1f", d * 1000 }' "$1"
}

# f8_why N: the reason of a failed client run, from its key=value line
# and the tool's own error line (the client's summary line dropped)
f8_why() {
	local why=
	if [ "${KV[frozen]:-0}" = 1 ]; then
		why="event loop frozen at the deadline, ${KV[ok]} of $1 done"
	elif [ -n "${KV[ok]:-}" ]; then
		why="${KV[fail]} of $1 failed, first: ${KV[err]:-?} after $(fmt "${KV[err_ms]:-0}" 0) ms"
	fi
	case $REASON in
	aioclient:*|nodeclient:*) REASON= ;;
	esac
	printf '%s%s%s' "$why" "${why:+${REASON:+; }}" "$REASON"
}

# f8_run KEY CLIENT N: one run of CMD, recorded under KEY
f8_run() {
	local k=$1 c=$2 n=$3 ok bad
	rm -f "$WORK/curl.trace"
	run "$F8_TMO" "${CMD[@]}"
	if [ "$c" = curl ]; then
		ok=$(grep -c '^204 1$' "$WORK/out")
		if [ "$ok" = "$n" ] && [ -z "$REASON" ] && t=$(trace_span "$WORK/curl.trace"); then
			record "$k" "$t"
		else
			bad=$(grep -v '^204 1$' "$WORK/out" | sort | uniq -c |
			    awk '{ printf "%s%s× HTTP %s", s, $1, $2; s = ", " }')
			recfail "$k" "$((n - ok)) of $n failed${bad:+ ($bad)}${REASON:+: $REASON}"
		fi
		return
	fi
	if [ -z "$REASON" ] && [ "${KV[ok]:-}" = "$n" ]; then
		record "$k" "${KV[total_ms]}"
		record "$k.stall" "${KV[stall_ms]}"
		record "$k.idle" "${KV[idle_stall_ms]}"
	else
		recfail "$k" "$(f8_why "$n")"
	fi
}

# f8_silent KEY TOOL: one asyncio connect through a proxy that never answers
f8_silent() {
	local k=$1 t=$2 out
	if [ "$t" = limit ]; then
		f8_cmd asyncio limit "$SILENT_PORT" 1 -d "$F8_SILENT_DEADLINE" -t 2
	else
		f8_cmd asyncio "$t" "$SILENT_PORT" 1 -d "$F8_SILENT_DEADLINE"
	fi || { recfail "$k" "$F8SKIP"; return; }
	[ "$t" = socksify ] && CMD=(env "SOCKSIFY_CONF=$WORK/socksify-timeout2.conf" "${CMD[@]:1}")
	run "$(( F8_TMO > F8_SILENT_DEADLINE + 10 ? F8_TMO : F8_SILENT_DEADLINE + 10 ))" "${CMD[@]}"
	if [ -z "${KV[stall_ms]:-}" ]; then recfail "$k" "$REASON"; return; fi
	record "$k" "${KV[stall_ms]}"
	# the outcome: what the connect ended with (the time is a median)
	if [ "${KV[frozen]:-0}" = 1 ]; then
		out="loop frozen until the client gave up (${F8_SILENT_DEADLINE} s)"
		FROZEN[$k]=1
	elif [ "${KV[ok]:-0}" = 1 ]; then out="connected (?)"
	else out=${KV[err]:-?}; record "$k.err_ms" "${KV[err_ms]:-0}"; fi
	[ -z "${DETAIL[$k]:-}" ] && DETAIL[$k]=$out
	[ "${DETAIL[$k]}" != "$out" ] && [[ ${DETAIL[$k]} != *", rounds differ" ]] &&
		DETAIL[$k]="${DETAIL[$k]}/$out, rounds differ"
	return 0
}

# f8_gaveup KEY: skip later rounds: never succeeded, and failed twice or
# ran into a deadline (each such run costs the whole deadline)
f8_gaveup() {
	dead "$1" && { [ "${NFAIL[$1]}" -ge 2 ] ||
	    [[ ${FAIL[$1]} == *deadline* || ${FAIL[$1]} == *frozen* || ${FAIL[$1]} == timeout* ]]; }
}

figure8() {
	local r c n t k v b s e
	declare -gA FROZEN
	f8_setup || { emit "## 8. Event loops through a proxy $((2 * DELAY_MS)) ms away"; emit ""; emit "fail (delayrelay not answering)"; emit ""; return; }
	say "figure 8: event loops (${F8_CLIENTS[*]}) × N=${F8_NS[*]} × ${#TOOLS[@]} tools × $F8_ROUNDS rounds, proxy $((2 * DELAY_MS)) ms away"
	for ((r = 0; r < F8_ROUNDS; r++)); do
		for c in "${F8_CLIENTS[@]}"; do
			for n in "${F8_NS[@]}"; do
				for t in "${TOOLS[@]}"; do
					k="f8|$c|$n|$t"
					f8_gaveup "$k" && continue
					# a tool that cannot do one connect is not
					# tried with more
					if [ "$n" != "${F8_NS[0]}" ] && f8_gaveup "f8|$c|${F8_NS[0]}|$t"; then
						[ -n "${FAIL[$k]:-}" ] || recfail "$k" "not run: fails at N=${F8_NS[0]}"
						continue
					fi
					if f8_cmd "$c" "$t" "$DR_PORT" "$n" -d "$F8_DEADLINE"; then
						f8_run "$k" "$c" "$n"
					else
						recfail "$k" "$F8SKIP"
					fi
				done
			done
		done
		for t in "${TOOLS[@]}"; do
			k="f8s|$t"
			{ f8_gaveup "$k" || [ -n "${FROZEN[$k]:-}" ]; } && continue
			f8_silent "$k" "$t"
		done
	done

	emit "## 8. Event loops through a proxy $((2 * DELAY_MS)) ms away: N parallel connects + 1-byte echo"
	emit ""
	emit "| client | N | tool | total ms | spread | × one connect | worst stall ms | spread | idle stall ms |"
	emit "|---|---:|---|---:|---:|---:|---:|---:|---:|"
	for c in "${F8_CLIENTS[@]}"; do
		for n in "${F8_NS[@]}"; do
			for t in "${TOOLS[@]}"; do
				k="f8|$c|$n|$t"
				if ! v=$(get "$k"); then emit "| $c | $n | $t | $(cell "$k" 1) | | | | | |"; continue; fi
				b=$(get "f8|$c|${F8_NS[0]}|$t") || b=
				s=$(awk -v v="$v" -v b="$b" 'BEGIN { if (b > 0) printf "%.1f", v / b; else printf "–" }')
				if [ "$c" = curl ]; then
					emit "| $c | $n | $t | $(fmt "$v" 1)$(flaky "$k") | $(spread "$k") | $s | n/a | | |"
				else
					emit "| $c | $n | $t | $(fmt "$v" 1)$(flaky "$k") | $(spread "$k") | $s | $(fmt "$(get "$k.stall")" 1) | $(spread "$k.stall") | $(fmt "$(get "$k.idle")" 1) |"
				fi
			done
		done
	done
	emit ""
	emit "Proxy = bench/delayrelay (each chunk held ${DELAY_MS} ms each way) in front of microsocks; a connect + echo is three round trips (greeting, CONNECT, echo). total = first connect started → last echo back, measured by the client (curl: first → last line of its \`--trace-time\` trace; curl has no timer, so total time only). × one connect = total ÷ the N=${F8_NS[0]} total of the same client and tool: 1× means all N ran in parallel, N× one after another. worst stall = the worst lateness of a 5 ms timer in the client's own loop during the run; idle stall = the same in 100 ms before the connects (the machine's own jitter). limit = the client speaking SOCKS5 itself in its loop (curl: \`--socks5\`). Medians of $F8_ROUNDS rounds; spread = (max − min) / median; the client gives up after $F8_DEADLINE s."
	emit ""
	emit "## 8b. A proxy that never answers: one asyncio connect, the loop's worst stall"
	emit ""
	emit "| tool | outcome | worst stall ms | spread |"
	emit "|---|---|---:|---:|"
	for t in "${TOOLS[@]}"; do
		k="f8s|$t"
		if ! v=$(get "$k"); then emit "| $t | $(cell "$k" 1) | | |"; continue; fi
		e=$(get "$k.err_ms") && e=" after $(fmt "$e" 0) ms"
		emit "| $t | ${DETAIL[$k]:-}$e | ${FROZEN[$k]:+≥ }$(fmt "$v" 1) | $(spread "$k") |"
	done
	emit ""
	emit "bench/delayrelay -S on 127.0.0.1:$SILENT_PORT accepts and reads but never answers. socksify runs with \`timeout = 2\`, proxychains4 with tcp_read_time_out 2000; torsocks and Dante have no such setting. limit = the asyncio client's own SOCKS5 with a 2 s asyncio timeout. The client gives up after ${F8_SILENT_DEADLINE} s (a watchdog thread reports a loop still frozen then: ≥)."
	emit ""
}

# f8_targets: the targets of issue 14 for socksify (after the issue 7 table)
f8_targets() {
	local c m l s
	emit "## Targets (issue 14), socksify"
	emit ""
	emit "| target | measured | verdict |"
	emit "|---|---|---|"
	for c in "${F8_CLIENTS[@]}"; do
		m=$(ratio "f8|$c|$F8_NMAX|socksify" "f8|$c|${F8_NS[0]}|socksify")
		l=$(ratio "f8|$c|$F8_NMAX|limit" "f8|$c|${F8_NS[0]}|limit")
		[ -n "$m" ] && m=$(awk -v m="$m" 'BEGIN { printf "%.1f", m / 100 }')
		[ -n "$l" ] && l=$(awk -v m="$l" 'BEGIN { printf "%.1f", m / 100 }')
		target "$c: $F8_NMAX parallel connects ≤ 2× one connect" \
		    "${m:-–}× (limit ${l:-–}×)" "$m" '<=' 2
		[ "$c" = curl ] && continue
		s=$(get "f8|$c|$F8_NMAX|socksify.stall") || s=
		l=$(get "f8|$c|$F8_NMAX|limit.stall") || l=
		target "$c: worst timer stall ≤ 20 ms during $F8_NMAX connects" \
		    "$([ -n "$s" ] && fmt "$s" 1 || printf '–') ms (limit $([ -n "$l" ] && fmt "$l" 1 || printf '–') ms)" "$s" '<=' 20
	done
	s=$(get "f8s|socksify") || s=
	target "silent proxy (\`timeout = 2\`): worst timer stall ≤ 20 ms" \
	    "$([ -n "$s" ] && fmt "$s" 1 || printf '–') ms" "$s" '<=' 20
	emit ""
}
