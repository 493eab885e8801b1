#!/bin/bash
# SPDX-License-Identifier: MIT
# Code outside src/hooks must call real_* (a bare connect()/close() from
# inside the library would re-enter our own hook), and src/core must make
# no syscalls or network calls.
set -eu
top=${srcdir:-.}
fail=0
hooked='connect|close|getpeername|sendto|sendmsg|sendmmsg|send|write|recvfrom|recvmsg|recv|read|getaddrinfo|freeaddrinfo|getnameinfo|gethostbyname|gethostbyname2|gethostbyname_r|gethostbyname2_r|gethostbyaddr|gethostbyaddr_r|dup2|dup3|close_range|recvmmsg|syscall'
if out=$(grep -nE "(^|[^_a-zA-Z0-9>.])($hooked)[[:space:]]*\(" \
	"$top"/src/runtime/*.c "$top"/src/core/*.c | grep -vE '^\S+:[0-9]+:\s*(\*|/\*)'); then
	echo "FAIL: bare hooked libc calls outside src/hooks (use real_*):"
	echo "$out"
	fail=1
fi
if out=$(grep -nE '\b(socket|connect|send|recv|read|write|open|poll|fcntl|getsockopt|mmap|ioctl)[[:space:]]*\(' \
	"$top"/src/core/*.c | grep -vE '^\S+:[0-9]+:\s*(\*|/\*)'); then
	echo "FAIL: syscalls in src/core (it must stay pure):"
	echo "$out"
	fail=1
fi
[ "$fail" = 0 ] && echo "ok: no bare hooked calls outside src/hooks, src/core is pure"
exit "$fail"
