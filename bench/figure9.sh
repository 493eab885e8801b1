# bench/figure9.sh: figure 9 of bench/run (sourced by it; uses its helpers
# run, record, recfail, get, spread, cell, emit, fmt, pct, dead, flaky).
# The backstop: the supervisor path (bench/goconn.go, Go's raw system
# calls: every connect() trapped and proxied by socksify-supervise) beside
# the in-process path (bench/conn through the library) doing the same
# connects + 1-byte echo, by IP and by name; and what the backstop costs
# a dynamic program (conn with and without --no-backstop). Client CPU is
# the program's own; tree CPU (/usr/bin/time around the wrapper) adds the
# supervisor's. See bench/README.md, figure 9.
# shellcheck shell=bash disable=SC2154,SC2153  # arrays of bench/run

F9_N=${BENCH_F9_N:-$N}
F9_ROWS=(limit socksify socksify-nobackstop go-static go-cgo)

# f9_label ROW: the tool column
f9_label() {
	case $1 in
	limit) printf 'limit' ;;
	socksify) printf 'C in-process' ;;
	socksify-nobackstop) printf 'C in-process, --no-backstop' ;;
	go-static) printf 'Go static' ;;
	go-cgo) printf 'Go cgo' ;;
	esac
}

# f9_path ROW: which code carries the connect (and the name)
f9_path() {
	case $1 in
	limit) printf 'the client speaks SOCKS5' ;;
	socksify*) printf 'library (connect, getaddrinfo)' ;;
	go-static) printf 'supervisor (connect; DNS to its answerer)' ;;
	go-cgo) printf 'supervisor (connect); library (getaddrinfo, netdns=cgo)' ;;
	esac
}

# f9_build: goconn static and cgo into $BIN, or F9_SKIP says why not
f9_build() {
	local cgo
	F9_SKIP=
	command -v go >/dev/null || { F9_SKIP="go not installed (golang-go)"; return 1; }
	[ -x /usr/bin/time ] || { F9_SKIP="/usr/bin/time not installed"; return 1; }
	mkdir -p "$WORK/go"
	for cgo in 0 1; do
		if ! (cd "$WORK/go" && cp "$HERE/goconn.go" . &&
		    GOCACHE=$WORK/go/cache GOPATH=$WORK/go/path GO111MODULE=off \
		    GOFLAGS="" GOTOOLCHAIN=local CGO_ENABLED=$cgo \
		    go build -o "$BIN/goconn-$cgo" goconn.go) > "$WORK/go.build" 2>&1; then
			F9_SKIP="cannot build bench/goconn.go: $(head -n 1 "$WORK/go.build")"
			return 1
		fi
	done
}

# f9_cmd ROW HOST: CMD=(...) for one run
f9_cmd() {
	local px=("SOCKSIFY_PROXY=socks5://127.0.0.1:$MS_PORT")
	case $1 in
	limit) CMD=("$BIN/handclient" -x "127.0.0.1:$MS_PORT") ;;
	socksify) CMD=(env "${px[@]}" "$SOCKSIFY" "${SOCKSIFY_ARGV[@]}" "$BIN/conn") ;;
	socksify-nobackstop)
		CMD=(env "${px[@]}" "$SOCKSIFY" "${SOCKSIFY_ARGV[@]}" --no-backstop "$BIN/conn") ;;
	go-static) CMD=(env "${px[@]}" "$SOCKSIFY" "${SOCKSIFY_ARGV[@]}" "$BIN/goconn-0") ;;
	go-cgo)
		CMD=(env "${px[@]}" GODEBUG=netdns=cgo "$SOCKSIFY" "${SOCKSIFY_ARGV[@]}" "$BIN/goconn-1") ;;
	esac
	CMD+=(-n "$F9_N" "$2" "$ECHO_PORT")
}

figure9() {
	local r c cname host row k tu ts
	say "figure 9: the backstop ($F9_N × 2 cases × ${#F9_ROWS[@]} clients × $ROUNDS rounds)"
	f9_build
	for ((r = 0; r < ROUNDS; r++)); do
		for c in "ip:$TARGET" "name:$NAME"; do
			IFS=: read -r cname host <<< "$c"
			for row in "${F9_ROWS[@]}"; do
				k="f9|$cname|$row"
				if [ -n "$F9_SKIP" ] && [[ $row == go-* ]]; then
					recfail "$k.wall" "$F9_SKIP"; continue
				fi
				gaveup "$k.wall" && continue
				f9_cmd "$row" "$host"
				rm -f "$WORK/f9.time"
				if run "$TMO" /usr/bin/time -o "$WORK/f9.time" -f '%U %S' "${CMD[@]}"; then
					record "$k.wall" "${KV[wall_p50]}"
					record "$k.mean" "${KV[wall_us_per]}"
					record "$k.cpu" "${KV[cpu_us_per]}"
					read -r tu ts < <(tail -n 1 "$WORK/f9.time")
					record "$k.tree" "$(awk -v u="$tu" -v s="$ts" -v n="$F9_N" \
					    'BEGIN { print (u + s) * 1e6 / n }')"
				else
					recfail "$k.wall" "$REASON"
				fi
			done
		done
	done

	emit "## 9. The backstop: $F9_N sequential connect + 1-byte echo + close, supervisor path vs in process (µs per connection)"
	emit ""
	emit "| case | tool | path | wall µs (p50) | spread | wall % C in-process | wall mean µs | client CPU µs | tree CPU µs | tree CPU % C in-process |"
	emit "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for cname in ip name; do
		local cw ct w t
		cw=$(get "f9|$cname|socksify.wall") ct=$(get "f9|$cname|socksify.tree")
		for row in "${F9_ROWS[@]}"; do
			k="f9|$cname|$row"
			if ! w=$(get "$k.wall"); then
				emit "| $cname | $(f9_label "$row") | $(f9_path "$row") | $(cell "$k.wall" 1) | | | | | | |"
				continue
			fi
			t=$(get "$k.tree")
			emit "| $cname | $(f9_label "$row") | $(f9_path "$row") | $(fmt "$w" 1)$(flaky "$k.wall") | $(spread "$k.wall") | $(pct "$w" "$cw") | $(fmt "$(get "$k.mean")" 1) | $(fmt "$(get "$k.cpu")" 1) | $(fmt "$t" 1) | $(pct "$t" "$ct") |"
		done
	done
	emit ""
	emit "Same proxy (microsocks) and target as figure 1, blocking connects. C in-process = bench/conn under socksify (the backstop on: the library's own calls carry the cookie and pass the filter untrapped); --no-backstop = the same without the supervisor and its filter (the backstop's cost on a dynamic program). Go = bench/goconn.go built with CGO_ENABLED=0 (static) and =1 (dynamic; GODEBUG=netdns=cgo): its connect() is trapped, read, and made by socksify-supervise on the program's socket. By name, Go's own resolver sends A and AAAA queries to the resolv.conf server, which the supervisor answers (placeholders), and probes routes with UDP connects, all trapped; the cgo build asks the library's getaddrinfo() in process. Client CPU = getrusage of the program; tree CPU = user+sys of the whole tree (wrapper, supervisor, program; /usr/bin/time), per connection, start-up included. The in-process C rows are the reference (100%)."
	emit ""
}
