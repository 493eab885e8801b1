# SPDX-License-Identifier: MIT
"""Bad-input and timing probes of a DNS server on port 53, for the
integration scenarios (run under socksify, the answers come from the
in-process answerer).

usage: dnsprobe.py garbage SERVER NAME
       dnsprobe.py pending SERVER NAME

garbage: datagrams that are not queries, on one connected UDP socket,
then a real question on the same socket (the program goes on), a real
question with sendto() on an unconnected socket, junk on a TCP connection
(not DNS: the answerer closes it, "tcpjunk eof") and a real question on a
new one.  One line per case:
  CASE none                       nothing came back within 0.3 s
  CASE rcode=R id=XXXX qd=N       a response header
  CASE answer=ADDR from=IP,PORT   a response with an A record
pending: a question that needs the proxy (MX, dns_server set, the proxy
silent) on a non-blocking socket; how long select() waits (its own 1 s
timeout, not the proxy's); an A question answered meanwhile; a blocking
recv() bounded by SO_RCVTIMEO 1 s; then the late answer to the first
question (up to 8 s).  Lines:
  nonblock got=none|reply waited=S
  meanwhile answer=ADDR waited=S
  blocking err=ERRNONAME|reply waited=S
  late rcode=R waited=S           (or: late none waited=S)
Exit 0, 2 on usage errors.
"""

import errno
import select
import socket
import struct
import sys
import time


def query(qid, name, qtype=1, flags=0x0100):
    q = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack("!HH", qtype, 1)


def first_a(r):
    """The first A record's address of response r, or None."""
    qd, an = struct.unpack("!HH", r[4:8])
    p = 12

    def skip_name(p):
        while p < len(r):
            n = r[p]
            if n == 0:
                return p + 1
            if n & 0xC0 == 0xC0:
                return p + 2
            p += 1 + n
        return p

    for _ in range(qd):
        p = skip_name(p) + 4
    for _ in range(an):
        p = skip_name(p)
        rtype, _, _, rdlen = struct.unpack("!HHIH", r[p:p + 10])
        p += 10
        if rtype == 1 and rdlen == 4:
            return socket.inet_ntoa(r[p:p + 4])
        p += rdlen
    return None


def describe(r, src=None):
    if r is None:
        return "none"
    if len(r) < 12:
        return "short=%d" % len(r)
    a = first_a(r)
    if a is not None:
        return "answer=%s" % a + (" from=%s,%d" % src[:2] if src else "")
    return "rcode=%d id=%s qd=%d" % (r[3] & 15, r[:2].hex(), r[5])


def wait(s, t):
    r, _, _ = select.select([s], [], [], t)
    return bool(r)


def ask(s, msg, t=0.3):
    s.send(msg)
    if not wait(s, t):
        return None
    return s.recv(65536)


def garbage(server, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, 53))
    longname = b"".join(b"\x33" + b"x" * 51 for _ in range(5))
    cases = [
        ("empty", b""),
        ("short", b"\x12\x34\x01"),
        ("junk", b"\x12\x35\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\x07garbage"),
        ("long", b"\x12\x36\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         + longname + b"\x00\x00\x01\x00\x01"),
        ("loop", b"\x12\x37\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\xc0\x0c\x00\x01\x00\x01"),
        ("response", b"\x12\x38\x81\x80" + b"\x00" * 8),
        ("noise", bytes((i * 151 + 7) & 0xFF for i in range(512))),
    ]
    for label, msg in cases:
        print(label, describe(ask(s, msg)), flush=True)
    print("after", describe(ask(s, query(0x4242, name), 2)), flush=True)
    s.close()

    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(query(0x4343, name), (server, 53))
    r = src = None
    if wait(u, 2):
        r, src = u.recvfrom(65536)
    print("sendto", describe(r, src), flush=True)
    u.close()

    t = socket.create_connection((server, 53), timeout=2)
    t.sendall(b"\x00\x03abc")
    try:
        b = t.recv(65536)
        what = "eof" if not b else "reply=%d" % len(b)
    except socket.timeout:
        what = "timeout"
    except OSError as e:
        what = errno.errorcode.get(e.errno, str(e.errno))
    print("tcpjunk", what, flush=True)
    t.close()

    t = socket.create_connection((server, 53), timeout=2)
    q = query(0x4444, name)
    t.sendall(struct.pack("!H", len(q)) + q)
    data = b""
    try:
        while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
            b = t.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        pass
    print("tcp", describe(data[2:] if len(data) > 2 else None), flush=True)
    t.close()


def pending(server, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    s.connect((server, 53))
    t0 = time.monotonic()
    s.send(query(0x4d58, name, 15))
    got = wait(s, 1.0)
    print("nonblock got=%s waited=%.2f" % ("reply" if got else "none",
          time.monotonic() - t0), flush=True)
    t0 = time.monotonic()
    s.send(query(0x4141, name))
    r = s.recv(65536) if wait(s, 2.0) else None
    print("meanwhile %s waited=%.2f" % (describe(r), time.monotonic() - t0),
          flush=True)

    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                 struct.pack("ll", 1, 0))
    b.connect((server, 53))
    t0 = time.monotonic()
    b.send(query(0x4d59, name, 15))
    try:
        b.recv(65536)
        what = "reply"
    except OSError as e:
        what = errno.errorcode.get(e.errno, str(e.errno))
    print("blocking err=%s waited=%.2f" % (what, time.monotonic() - t0),
          flush=True)
    b.close()

    t0 = time.monotonic()
    r = s.recv(65536) if wait(s, 8.0) else None
    print("late %s waited=%.2f" % ("none" if r is None else
          "rcode=%d id=%s" % (r[3] & 15, r[:2].hex()),
          time.monotonic() - t0), flush=True)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("garbage", "pending"):
        print(__doc__, file=sys.stderr)
        return 2
    (garbage if sys.argv[1] == "garbage" else pending)(sys.argv[2],
                                                        sys.argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
