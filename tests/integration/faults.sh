#!/bin/bash
# SPDX-License-Identifier: MIT
# Fail closed against a misbehaving proxy: tests/helpers/fault_peer.c in the
# proxy namespace plays one fault per case (silent, short or malformed
# replies, every REP code, resets, ...). For each, a Python program run
# through socksify gets the errno of the README table from connect() (a
# blocking and a non-blocking socket), socksify writes exactly one line on
# stderr, and the program carries on. The odd-but-valid replies (trickled,
# domain BND.ADDR of length 0 and 255, data right behind the reply) connect
# and the data is exact. Nothing leaves the client around the proxy.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck disable=SC2119	# no binaries beyond the harness's own
sx_setup
sx_build_fault_peer

# The program: connect (blocking, or non-blocking then poll), report the
# errno, or verify the echo (and the extra bytes first, for "extra"); then
# print a final marker to show it is still running.
client=$SX_TMP/fclient.py
cat >"$client" <<'EOF'
import errno, os, select, socket, sys, time

host, port, variant, check = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4]
t0 = time.monotonic()


def elapsed():
    return "elapsed=%.2f" % (time.monotonic() - t0)


def read_n(s, n):
    got = b""
    while len(got) < n:
        b = s.recv(n - len(got))
        if not b:
            break
        got += b
    return got


s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                  socket.SOCK_STREAM)
try:
    if variant == "nb":
        s.setblocking(False)
        rc = s.connect_ex((host, port))
        if rc == errno.EINPROGRESS:
            select.select([], [s], [], 10)
            rc = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if rc:
            raise OSError(rc, os.strerror(rc))
        s.setblocking(True)
    else:
        s.connect((host, port))
except OSError as e:
    print("ERR %s %s %s" % (type(e).__name__,
                            errno.errorcode.get(e.errno, str(e.errno)),
                            elapsed()))
else:
    res = "CONNECTED"
    try:
        s.settimeout(5)
        if check == "extra":
            res += " first=%s" % read_n(s, 10).decode(errors="replace")
        msg = b"payload-%d:" % os.getpid() + bytes(range(256)) * 40
        s.sendall(msg)
        got = read_n(s, len(msg))
        res += " echo=%s" % ("exact" if got == msg else
                             "wrong(%d/%d)" % (len(got), len(msg)))
    except OSError as e:
        res += " DATAERR %s" % errno.errorcode.get(e.errno, str(e.errno))
    print(res, elapsed())
s.close()
print("ALIVE", sum(range(1, 11)))
EOF

target4=$SX_SERVER4	# never reached: the fault peer connects nowhere
target6=$SX_SERVER6
tport=8080
auth=fpuser:fppass
failed=()

# n_lines FILE: number of socksify: diagnostics in FILE.
n_lines() { grep -Ec '^socksify(\[[0-9]+\])?: ' "$1"; }

# shellcheck disable=SC2317	# called through sx_check
elapsed_within()
{
	awk -v lo="$2" -v hi="$3" '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^elapsed=/) {
				e = substr($i, 9) + 0
				ok = (e >= lo && e <= hi)
			}
	} END { exit !ok }' "$1"
}

# fault_case MODE EXPECT [4|6]: EXPECT is an errno name (or NAME|NAME for
# aliases), "echo" or "extra".
fault_case()
{
	local mode=$1 expect=$2 fam=${3:-4} paddr target conf cred='' v tag
	local rc nl lo=0 hi=1.5 before=$SX_FAILED timeout=5
	if [ "$fam" = 6 ]; then
		paddr=$SX_PROXY6 target=$target6
	else
		paddr=$SX_PROXY4 target=$target4
	fi
	case $mode in auth-*) cred=$auth@ ;; esac
	case $mode in silent) timeout=1 lo=0.8 hi=3.5 ;; esac
	start_fault_peer "$SX_NS_P" "$paddr" "$mode" -n 2 -t 10
	tag=$mode.v$fam
	conf=$SX_TMP/$tag.conf
	if [ "$fam" = 6 ]; then
		sx_conf "$conf" \
		    "proxy = socks5://${cred}[$paddr]:$SX_LAST_PORT" \
		    "timeout = $timeout"
	else
		sx_conf "$conf" "proxy = socks5://$cred$paddr:$SX_LAST_PORT" \
		    "timeout = $timeout"
	fi
	for v in block nb; do
		sx_run -c "$conf" "$SX_PYTHON" "$client" "$target" "$tport" \
		    "$v" "$expect" >"$SX_TMP/$tag.$v.out" \
		    2>"$SX_TMP/$tag.$v.err"
		rc=$?
		nl=$(n_lines "$SX_TMP/$tag.$v.err")
		case $expect in
		echo|extra)
			local want="^CONNECTED echo=exact "
			[ "$expect" = extra ] &&
			    want="^CONNECTED first=EXTRA-DATA echo=exact "
			sx_check "$mode/v$fam/$v: connects, data exact" \
			    grep -q "$want" "$SX_TMP/$tag.$v.out"
			sx_check "$mode/v$fam/$v: no socksify: line (got $nl)" \
			    test "$nl" -eq 0
			;;
		*)
			sx_check "$mode/v$fam/$v: connect() fails with $expect" \
			    grep -Eq "^ERR [A-Za-z]+ ($expect) " \
			    "$SX_TMP/$tag.$v.out"
			sx_check "$mode/v$fam/$v: exactly one socksify: line" \
			    test "$nl" -eq 1
			sx_check "$mode/v$fam/$v: within $lo-$hi s" \
			    elapsed_within "$SX_TMP/$tag.$v.out" "$lo" "$hi"
			;;
		esac
		sx_check "$mode/v$fam/$v: program went on (exit $rc)" \
		    grep -q '^ALIVE 55$' "$SX_TMP/$tag.$v.out"
	done
	cp "$SX_FAULT_LOG" "$SX_TMP/$tag.peer" 2>/dev/null
	[ "$SX_FAILED" -eq "$before" ] || failed+=("$tag")
}

SECONDS=0
fault_case refuse ECONNREFUSED
fault_case rst ECONNRESET
fault_case silent ETIMEDOUT
fault_case close-method-0 ECONNRESET
fault_case close-method-1 ECONNRESET
for n in 0 1 2 3 4 5 6 7 8 9; do
	fault_case "close-after-$n" ECONNRESET
done
fault_case bad-version EPROTO
fault_case garbage EPROTO
fault_case method-ff EACCES
fault_case method-unknown EPROTO
fault_case auth-fail EACCES
fault_case rep-1 ECONNREFUSED
fault_case rep-2 EACCES
fault_case rep-3 ENETUNREACH
fault_case rep-4 EHOSTUNREACH
fault_case rep-5 ECONNREFUSED
fault_case rep-6 ETIMEDOUT
fault_case rep-7 "EOPNOTSUPP|ENOTSUP"	# the same number on Linux
fault_case rep-8 EAFNOSUPPORT
fault_case rep-9 EPROTO
fault_case rep-255 EPROTO
fault_case bad-atyp EPROTO
fault_case rst-mid ECONNRESET
fault_case ok echo
fault_case auth-ok echo
fault_case trickle echo
fault_case domain-0 echo
fault_case domain-255 echo
fault_case extra extra
# The same over an IPv6 proxy.
fault_case ok echo 6
fault_case rep-5 ECONNREFUSED 6
fault_case rst-mid ECONNRESET 6
fault_case close-after-4 ECONNRESET 6
sx_log "cases took ${SECONDS}s"

sx_check "leak counter is 0" test "$(leak_count)" -eq 0
sx_check "dns counter is 0" test "$(dns_count)" -eq 0

for tag in "${failed[@]}"; do
	for f in block.out block.err nb.out nb.err peer; do
		[ -e "$SX_TMP/$tag.$f" ] && sx_show "$tag.$f" "$SX_TMP/$tag.$f"
	done
done
sx_done
