#!/bin/bash
# SPDX-License-Identifier: MIT
# Inside the library nothing calls a hooked name: src/runtime and src/core
# call real_* (a bare connect()/close() would re-enter our own hook), and
# a hook that needs another hook's behaviour calls its hidden sx_* entry
# point (src/hooks/hooks.h), never the exported name through the PLT.
# src/core must make no syscalls or network calls.
set -eu
top=${srcdir:-.}
fail=0
hooked='connect|close|getpeername|sendto|sendmsg|sendmmsg|send|write|recvfrom|recvmsg|recv|read|getaddrinfo|freeaddrinfo|getnameinfo|gethostbyname|gethostbyname2|gethostbyname_r|gethostbyname2_r|gethostbyaddr|gethostbyaddr_r|dup2|dup3|close_range|closefrom|fclose|recvmmsg|syscall|readv|writev|res_nquery|res_query|res_nsearch|res_search|res_nquerydomain|res_querydomain|res_nsend|res_send|__res_nquery|__res_query|__res_nsearch|__res_search|__res_nquerydomain|__res_querydomain|__res_nsend|__res_send|bind|listen|accept|accept4|getsockname|epoll_ctl|getsockopt|poll|ppoll|select|pselect|__poll_chk|__ppoll_chk'
# The hook list must be the exported one: a new hook is linted too.
map_names=$(sed -n 's/^[[:space:]]*\([a-z_0-9]*\);$/\1/p' "$top/src/socksify.map" | sort)
lint_names=$(printf '%s\n' "$hooked" | tr '|' '\n' | sort)
if [ "$map_names" != "$lint_names" ]; then
	echo "FAIL: the hooked names here differ from src/socksify.map:"
	diff <(echo "$map_names") <(echo "$lint_names") || true
	fail=1
fi
# Code lines only: comments (whole-line and trailing /* ... */) removed;
# in src/hooks a definition ("name(" at the start of a line) is allowed.
code_lines()
{
	awk '{
		line = $0
		gsub(/\/\*.*\*\//, "", line)
		if (line ~ /^[[:space:]]*(\*|\/\*)/) next
		print FILENAME ":" FNR ": " line
	}' "$@"
}
if out=$(code_lines "$top"/src/runtime/*.c "$top"/src/core/*.c "$top"/src/hooks/*.c |
	grep -E "(^|[^_a-zA-Z0-9>.])($hooked)[[:space:]]*\(" |
	grep -vE "^\S*/src/hooks/[^:]*:[0-9]+: ($hooked)\("); then
	echo "FAIL: bare hooked calls inside the library (use real_* or sx_*):"
	echo "$out"
	fail=1
fi
if out=$(code_lines "$top"/src/core/*.c |
	grep -E '\b(socket|connect|send|recv|read|write|open|poll|fcntl|getsockopt|mmap|ioctl)[[:space:]]*\('); then
	echo "FAIL: syscalls in src/core (it must stay pure):"
	echo "$out"
	fail=1
fi
[ "$fail" = 0 ] && echo "ok: no hooked name called inside the library, src/core is pure"
exit "$fail"
