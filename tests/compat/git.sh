#!/bin/bash
# SPDX-License-Identifier: MIT
# git clone through socksify, by IP and by a name only the proxy resolves:
#   git-http  smart HTTP: git http-backend run as CGI by a small WSGI server
#             (git-remote-http is libcurl: threaded resolver, non-blocking
#             connect)
#   git-ssh   git over ssh to an sshd (git execs ssh, which connects)
# Each clone is checked: the HEAD commit and the work tree match the source.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
# shellcheck source-path=SCRIPTDIR source=lib-compat.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-compat.sh"

cx_setup git ssh

backend=$(git --exec-path)/git-http-backend
[ -x "$backend" ] || sx_skip "git-http-backend not found ($backend)"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0

# The source repository: a few commits, some text and some binary data.
src=$SX_TMP/git-src
git init -q -b main "$src" || sx_error "git init"
for i in 1 2 3; do
	"$SX_PYTHON" -c 'import os, sys
sys.stdout.buffer.write(os.urandom(32768))' >"$src/blob$i"
	printf 'commit %s of %s\n' "$i" "$$" >"$src/README"
	git -C "$src" add -A || sx_error "git add"
	git -C "$src" -c user.name=sx -c user.email=sx@example.invalid \
	    commit -q -m "commit $i" || sx_error "git commit"
done
head=$(git -C "$src" rev-parse HEAD)

# Served over HTTP (as root) and over ssh (as the ssh user, who must own it:
# git refuses repositories of other users).
gitroot=$SX_TMP/gitroot
mkdir -p "$gitroot"
git clone -q --bare "$src" "$gitroot/repo.git" || sx_error "git clone --bare"
start_sshd "$SX_NS_S" "$SX_SERVER4"
git clone -q --bare "$src" "$CX_SSH_HOME/repo.git" ||
    sx_error "git clone --bare (ssh)"
chown -R "$CX_SSH_USER" "$CX_SSH_HOME" || sx_error "chown $CX_SSH_HOME"

# git http-backend behind wsgiref: every header the backend needs (also
# Git-Protocol, Content-Encoding) reaches it; the request log on stderr is
# 'ADDR - - [date] "GET /repo.git/info/refs?service=git-upload-pack ..." 200'.
cat >"$SX_TMP/git-http.py" <<'EOF'
import os, subprocess, sys
from wsgiref.simple_server import make_server, WSGIRequestHandler

backend, root = sys.argv[1], sys.argv[2]

def app(environ, start_response):
    env = {k: v for k, v in environ.items() if isinstance(v, str)}
    env.update(GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1",
               PATH=os.environ.get("PATH", "/usr/bin:/bin"))
    if "HTTP_GIT_PROTOCOL" in environ:
        env["GIT_PROTOCOL"] = environ["HTTP_GIT_PROTOCOL"]
    n = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(n) if n > 0 else b""
    out = subprocess.run([backend], input=body, env=env,
                         stdout=subprocess.PIPE).stdout
    head, _, data = out.partition(b"\r\n\r\n")
    status, headers = "200 OK", []
    for line in head.decode("latin-1").split("\r\n"):
        k, _, v = line.partition(":")
        if k.lower() == "status":
            status = v.strip()
        elif k:
            headers.append((k, v.strip()))
    start_response(status, headers)
    return [data]

class Handler(WSGIRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s - - [%s] %s\n" % (
            self.client_address[0], self.log_date_time_string(), fmt % args))
        sys.stderr.flush()

make_server(sys.argv[3], 0, app, handler_class=Handler).serve_forever()
EOF
git_http_log=$SX_TMP/git-http.log
sx_bg_listen git-http "$SX_NS_S" "$git_http_log" \
    "$SX_PYTHON" "$SX_TMP/git-http.py" "$backend" "$gitroot" "$SX_SERVER4"
git_http_port=$SX_LAST_PORT

# Sanity: the server works (from inside the server namespace).
ip netns exec "$SX_NS_S" timeout 20 git clone -q \
    "http://$SX_SERVER4:$git_http_port/repo.git" "$SX_TMP/git-local" \
    >"$SX_TMP/git-local.err" 2>&1 || {
	sed 's/^/  | /' "$SX_TMP/git-local.err" "$git_http_log" >&2
	sx_error "git http server does not serve a clone locally"
}

http_ok=1
if cx_san_hangs "$(git --exec-path)/git-remote-http"; then
	http_ok=0
fi

cx_plain_fails "git ls-remote" git ls-remote \
    "http://$SX_SERVER4:$git_http_port/repo.git"

# check_clone DIR: HEAD and the tree are those of the source.
check_clone()
{
	sx_check "$CX_PROG $CX_MODE: HEAD is $head" \
	    test "$(git -C "$1" rev-parse HEAD 2>/dev/null)" = "$head"
	sx_check "$CX_PROG $CX_MODE: the work tree matches" \
	    diff -r -x .git "$src" "$1"
}

# git_http MODE, git_ssh MODE: one clone each.
git_http()
{
	local host out rc
	host=$(cx_host "$1")
	if [ "$http_ok" = 0 ]; then
		cx_skip_case git-http "$1" "git-remote-http $CX_SAN_WHY"
		return
	fi
	cx_begin git-http "$1"
	out=$SX_TMP/clone-http.$1
	cx_diag "$out.err" "$git_http_log"
	SX_CLIENT_TIMEOUT=30 cx_run git clone -q \
	    "http://$host:$git_http_port/repo.git" "$out" 2>"$out.err"
	rc=$?
	sx_check "git-http $1: clone exits 0 (got $rc)" test "$rc" -eq 0
	check_clone "$out"
	cx_check_proxy "$git_http_port"
	cx_check_server "$git_http_log" \
	    "^$(cx_re "$SX_PROXY_OUT4") - .*\"POST /repo\\.git/git-upload-pack HTTP/1\\.1\" 200"
	cx_end
}

git_ssh()
{
	local host out rc
	host=$(cx_host "$1")
	cx_begin git-ssh "$1"
	out=$SX_TMP/clone-ssh.$1
	cx_diag "$out.err" "$CX_SSHD_LOG"
	SX_CLIENT_TIMEOUT=30 cx_run env \
	    GIT_SSH_COMMAND="ssh -F $CX_SSH_CONFIG" git clone -q \
	    "ssh://$host$CX_SSH_HOME/repo.git" "$out" 2>"$out.err" </dev/null
	rc=$?
	sx_check "git-ssh $1: clone exits 0 (got $rc)" test "$rc" -eq 0
	check_clone "$out"
	cx_check_proxy 22
	cx_sshd_saw
	cx_end
}

for mode in by-ip by-name; do
	git_http "$mode"
	git_ssh "$mode"
done

cx_done
