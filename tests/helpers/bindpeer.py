#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Both ends of an inbound connection for tests/integration/bind.sh.

  bindpeer.py server HOST                      (server namespace)
      Listens on HOST:0 (the port on stdout, "PORT n"). Per control
      connection: reads "CALL IP PORT", connects there, logs
      "call IP PORT from LIP LPORT", sends "FROM LIP LPORT\\n" and
      PAYLOAD_LEN bytes of pattern A, reads PAYLOAD_LEN bytes and logs
      "B ok" or "B bad".

  bindpeer.py accept HOST PORT [--nonblock] [--unbound]
      (client namespace, under socksify) Connects to the server at
      HOST:PORT, binds 0.0.0.0:0 (not at all with --unbound), listens,
      prints "BND IP PORT" (getsockname), asks the server to CALL there,
      accepts one connection and checks it: the peer is who the server
      says it is, pattern A arrives whole, pattern B goes back. With
      --nonblock: accept is EAGAIN first, nothing is ready for poll or
      epoll until the server is asked, then both see the listener
      readable. Prints "OK" at the end; any failure is "ERR ..." and
      exit 1.

  bindpeer.py aborted HOST PORT
      Connects to HOST:PORT, binds, listens, and expects accept() to fail
      with ECONNABORTED: prints "ECONNABORTED" (exit 0) or "ERR ...".

  bindpeer.py refused HOST PORT
      Connects to HOST:PORT, binds, and expects listen() and then
      getsockname() to fail with EOPNOTSUPP: prints "EOPNOTSUPP listen"
      and "EOPNOTSUPP getsockname" (exit 0) or "ERR ...".
"""
import errno
import select
import socket
import sys

PAYLOAD_LEN = 256 * 1024
TIMEOUT = 10


def pattern(tag, n):
    out = bytearray()
    i = 0
    while len(out) < n:
        out += b"%s%08d\n" % (tag, i)
        i += 1
    return bytes(out[:n])


def read_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        b = s.recv(min(65536, n - len(buf)))
        if not b:
            break
        buf += b
    return bytes(buf)


def read_line(s):
    buf = bytearray()
    while not buf.endswith(b"\n") and len(buf) < 1024:
        b = s.recv(1)
        if not b:
            break
        buf += b
    return buf.decode(errors="replace").strip()


def fail(msg):
    print("ERR", msg, flush=True)
    sys.exit(1)


def server(host):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    lsock = socket.socket(fam, socket.SOCK_STREAM)
    lsock.bind((host, 0))
    lsock.listen(8)
    print("PORT", lsock.getsockname()[1], flush=True)
    while True:
        ctl, _ = lsock.accept()
        ctl.settimeout(TIMEOUT)
        try:
            words = read_line(ctl).split()
            if len(words) != 3 or words[0] != "CALL":
                print("bad request", words, flush=True)
                continue
            d = socket.create_connection((words[1], int(words[2])),
                                         timeout=TIMEOUT)
            lip, lport = d.getsockname()[:2]
            print("call", words[1], words[2], "from", lip, lport,
                  flush=True)
            d.sendall(b"FROM %s %d\n" % (lip.encode(), lport))
            d.sendall(pattern(b"A", PAYLOAD_LEN))
            got = read_exact(d, PAYLOAD_LEN)
            print("B ok" if got == pattern(b"B", PAYLOAD_LEN) else
                  "B bad (%d bytes)" % len(got), flush=True)
            d.close()
        except OSError as e:
            print("error", type(e).__name__, e, flush=True)
        finally:
            ctl.close()


def listener(unbound):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if not unbound:
        s.bind(("0.0.0.0", 0))
    s.listen(1)
    return s


def readable_now(s, ep):
    p = select.poll()
    p.register(s, select.POLLIN)
    return bool(p.poll(0)) or bool(ep.poll(0))


def accept(host, port, nonblock, unbound):
    ctl = socket.create_connection((host, port), timeout=TIMEOUT)
    s = listener(unbound)
    ip, bport = s.getsockname()[:2]
    print("BND", ip, bport, flush=True)
    ep = select.epoll()
    ep.register(s.fileno(), select.EPOLLIN)
    if nonblock:
        s.setblocking(False)
        try:
            s.accept()
            fail("accept() before the peer did not say EAGAIN")
        except BlockingIOError as e:
            if e.errno != errno.EAGAIN:
                fail("accept() before the peer: %s" % e)
            print("EAGAIN", flush=True)
        if readable_now(s, ep):
            fail("the listener is ready before the peer connected")
    ctl.sendall(b"CALL %s %d\n" % (ip.encode(), bport))
    if nonblock:
        p = select.poll()
        p.register(s, select.POLLIN)
        if not p.poll(TIMEOUT * 1000):
            fail("poll(): the listener never became readable")
        print("POLLIN", flush=True)
        if not ep.poll(TIMEOUT):
            fail("epoll: the listener never became readable")
        print("EPOLLIN", flush=True)
    # Blocking otherwise (no timeout: the caller bounds the run).
    c, peer = s.accept()
    c.setblocking(True)
    c.settimeout(TIMEOUT)
    words = read_line(c).split()
    if len(words) != 3 or words[0] != "FROM":
        fail("no FROM line: %r" % words)
    if (peer[0], peer[1]) != (words[1], int(words[2])):
        fail("accept() said %s, the server says %s %s" % (peer, words[1],
             words[2]))
    if c.getpeername()[:2] != peer[:2]:
        fail("getpeername() %s != accept() %s" % (c.getpeername(), peer))
    print("PEER", peer[0], peer[1], flush=True)
    if read_exact(c, PAYLOAD_LEN) != pattern(b"A", PAYLOAD_LEN):
        fail("pattern A did not arrive whole")
    c.sendall(pattern(b"B", PAYLOAD_LEN))
    c.shutdown(socket.SHUT_WR)
    if c.recv(1) != b"":
        fail("data after pattern A")
    print("OK", flush=True)


def aborted(host, port):
    ctl = socket.create_connection((host, port), timeout=TIMEOUT)
    s = listener(False)
    s.settimeout(TIMEOUT)
    try:
        s.accept()
        fail("accept() succeeded")
    except socket.timeout:
        fail("accept() timed out")
    except OSError as e:
        if e.errno != errno.ECONNABORTED:
            fail("accept(): %s" % e)
    print("ECONNABORTED", flush=True)
    ctl.close()


def refused(host, port):
    ctl = socket.create_connection((host, port), timeout=TIMEOUT)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 0))
    for what, call in (("listen", lambda: s.listen(1)),
                       ("getsockname", s.getsockname)):
        try:
            got = call()
            fail("%s() succeeded: %r" % (what, got))
        except OSError as e:
            if e.errno != errno.EOPNOTSUPP:
                fail("%s(): %s" % (what, e))
        print("EOPNOTSUPP", what, flush=True)
    ctl.close()


def main(argv):
    if len(argv) >= 2 and argv[0] == "server":
        server(argv[1])
    elif len(argv) >= 3 and argv[0] == "accept":
        accept(argv[1], int(argv[2]), "--nonblock" in argv[3:],
               "--unbound" in argv[3:])
    elif len(argv) >= 3 and argv[0] == "aborted":
        aborted(argv[1], int(argv[2]))
    elif len(argv) >= 3 and argv[0] == "refused":
        refused(argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
