# SPDX-License-Identifier: MIT
# selectors_client: N non-blocking connects waited for with one of
# Python's selectors (epoll, poll, select): the first write readiness of
# each, SO_ERROR, then a line sent and read back on each connected one.
#   selectors_client.py epoll|poll|select HOST PORT N
# Output: "conn I: OK echo=exact|wrong" or "conn I: ERR ENAME", then
# "SUMMARY ok=N err=N".
import errno
import selectors
import socket
import sys
import time

kind, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4])
sel = {"epoll": selectors.EpollSelector, "poll": selectors.PollSelector,
       "select": selectors.SelectSelector}[kind]()
socks, result = [], {}
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    rc = s.connect_ex((host, port))
    socks.append(s)
    if rc in (0, errno.EINPROGRESS):
        sel.register(s, selectors.EVENT_WRITE, i)
    else:
        result[i] = rc
end = time.monotonic() + 15
while len(result) < n and time.monotonic() < end:
    for key, _ in sel.select(timeout=0.2):
        s = key.fileobj
        result[key.data] = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        sel.unregister(s)
ok = err = 0
# All lines go out first: a server that serves one connection after the
# other must not wait for us.
for i, s in enumerate(socks):
    if result.get(i, errno.ETIME) == 0:
        s.setblocking(True)
        s.settimeout(5)
        try:
            s.sendall(b"line %d\n" % i)
        except OSError as e:
            result[i] = e.errno or errno.EIO
for i, s in enumerate(socks):
    rc = result.get(i, errno.ETIME)
    if rc:
        print("conn %d: ERR %s" % (i, errno.errorcode.get(rc, rc)))
        err += 1
        continue
    msg = b"line %d\n" % i
    try:
        got = b""
        while len(got) < len(msg):
            b = s.recv(len(msg) - len(got))
            if not b:
                break
            got += b
        print("conn %d: OK echo=%s" % (i, "exact" if got == msg else "wrong"))
        ok += 1
    except OSError as e:
        print("conn %d: ERR %s" % (i, errno.errorcode.get(e.errno, e)))
        err += 1
    s.close()
print("SUMMARY ok=%d err=%d" % (ok, err))
