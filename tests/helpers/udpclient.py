# SPDX-License-Identifier: MIT
"""UDP (and TCP Fast Open) client for the integration scenarios.

usage: udpclient.py MODE HOST PORT [--size N] [--wait S]
                    [--portfile FILE --gofile FILE]
  MODE sendto    blocking sendto() / recvfrom()
       connect   connect(), send() / recv(), getpeername()
       rw        connect(), os.write() / os.read()
       recvmsg   sendmsg() / recvmsg()
       select    non-blocking socket, sendto(), select(), recvfrom()
       poll      the same with poll()
       epoll     the same with epoll
       stranger  sendto/recvfrom once, write the local port to --portfile,
                 wait for --gofile (meanwhile someone else sends junk to
                 that port), check that a non-blocking read returns no
                 junk, then sendto/recvfrom again
       dns       a DNS query (type A) for --qname with sendto/recvfrom;
                 prints the first address of the answer
       tfo       TCP: sendto(MSG_FASTOPEN) of an HTTP/1.0 GET on an
                 unconnected socket, read the response

The UDP echo server (start_udp_echo in lib.sh) answers every datagram with
"IP PORT\\n" (the source it saw) followed by the datagram itself; the
client checks that the payload came back intact.  Blocking sockets are
bounded by SO_RCVTIMEO (--wait seconds), not by Python's own timeouts, so
the calls reach libc as the program made them.

stdout, one line:
  OK mode=M from=IP,PORT saw=IP,PORT bytes=N [junk=dropped]
  OK mode=dns from=IP,PORT answer=ADDR
  OK mode=tfo peer=IP,PORT bytes=N
  ERR ExceptionClass ERRNONAME errno=N      (timeout: ERR Timeout ETIMEDOUT)
  BAD what went wrong
Exit 0 on OK, 1 otherwise, 2 on usage errors.
"""

import argparse
import errno
import os
import select
import socket
import struct
import sys
import time

MSG_FASTOPEN = 0x20000000


class Timeout(Exception):
    pass


class Bad(Exception):
    pass


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def addr_text(addr):
    if addr is None:
        return "-"
    return "%s,%s" % (addr[0], addr[1])


def payload_of(size, seq):
    # Recognisable, position-dependent bytes: a shifted or truncated echo
    # does not compare equal.
    head = b"sx%d:" % seq
    body = bytes((i * 7 + seq) & 0xFF for i in range(max(size - len(head), 0)))
    return (head + body)[:size] if size >= len(head) else head[:size]


def parse_echo(data, sent):
    line, sep, rest = data.partition(b"\n")
    if not sep:
        raise Bad("reply without a header line: %r" % data[:40])
    parts = line.decode("ascii", "replace").split()
    if len(parts) != 2:
        raise Bad("bad reply header %r" % line[:60])
    if rest != sent:
        raise Bad("payload differs: sent %d bytes, got %d back"
                  % (len(sent), len(rest)))
    return (parts[0], int(parts[1]))


def set_rcvtimeo(s, seconds):
    sec = int(seconds)
    usec = int((seconds - sec) * 1e6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                 struct.pack("@ll", sec, usec))


def blocking_call(fn, *args):
    try:
        return fn(*args)
    except BlockingIOError:     # SO_RCVTIMEO expired
        raise Timeout() from None


def wait_readable(args, s):
    deadline = args.wait
    if args.mode == "select":
        r, _, _ = select.select([s], [], [], deadline)
        ok = bool(r)
    elif args.mode == "poll":
        p = select.poll()
        p.register(s, select.POLLIN)
        ok = bool(p.poll(deadline * 1000))
    else:
        ep = select.epoll()
        try:
            ep.register(s.fileno(), select.EPOLLIN)
            ok = bool(ep.poll(deadline))
        finally:
            ep.close()
    if not ok:
        raise Timeout()


def nb_recvfrom(args, s):
    """recvfrom on a non-blocking socket after readiness; a dropped
    datagram (EAGAIN after readiness) means wait again."""
    end = time.monotonic() + args.wait
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise Timeout()
        wait_readable(argparse.Namespace(mode=args.mode, wait=left), s)
        try:
            return s.recvfrom(65535)
        except BlockingIOError:
            continue


def one_udp(args):
    dest = (args.host, args.port)
    s = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
    sent = payload_of(args.size, 1)
    extra = ""
    with s:
        if args.mode in ("select", "poll", "epoll"):
            s.setblocking(False)
        else:
            set_rcvtimeo(s, args.wait)
        if args.mode == "sendto":
            n = s.sendto(sent, dest)
            data, frm = blocking_call(s.recvfrom, 65535)
        elif args.mode == "connect":
            s.connect(dest)
            n = s.send(sent)
            data = blocking_call(s.recv, 65535)
            frm = s.getpeername()
        elif args.mode == "rw":
            s.connect(dest)
            n = os.write(s.fileno(), sent)
            data = blocking_call(os.read, s.fileno(), 65535)
            frm = s.getpeername()
        elif args.mode == "recvmsg":
            n = s.sendmsg([sent], [], 0, dest)
            data, _, flags, frm = blocking_call(s.recvmsg, 65535)
            if flags & socket.MSG_TRUNC:
                raise Bad("MSG_TRUNC set on a complete datagram")
        elif args.mode in ("select", "poll", "epoll"):
            n = s.sendto(sent, dest)
            data, frm = nb_recvfrom(args, s)
        elif args.mode == "stranger":
            n = s.sendto(sent, dest)
            data, frm = blocking_call(s.recvfrom, 65535)
            parse_echo(data, sent)
            port = s.getsockname()[1]
            with open(args.portfile + ".tmp", "w") as f:
                f.write("%d\n" % port)
            os.rename(args.portfile + ".tmp", args.portfile)
            end = time.monotonic() + args.wait
            while not os.path.exists(args.gofile):
                if time.monotonic() > end:
                    raise Bad("no go file")
                time.sleep(0.05)
            # The junk has arrived: a non-blocking read must not return it.
            s.setblocking(False)
            r, _, _ = select.select([s], [], [], 1.0)
            try:
                junk, jfrom = s.recvfrom(65535)
                raise Bad("junk delivered: %r from %s"
                          % (junk[:40], addr_text(jfrom)))
            except BlockingIOError:
                extra = " junk=dropped" if r else " junk=none-seen"
            s.setblocking(True)
            set_rcvtimeo(s, args.wait)
            sent = payload_of(args.size, 2)
            n = s.sendto(sent, dest)
            data, frm = blocking_call(s.recvfrom, 65535)
        else:
            raise Bad("unknown mode")
        if n != len(sent):
            raise Bad("sent %d of %d bytes" % (n, len(sent)))
        saw = parse_echo(data, sent)
    return "OK mode=%s from=%s saw=%s bytes=%d%s" % (
        args.mode, addr_text(frm), addr_text(saw), len(sent), extra)


def dns(args):
    qid = os.getpid() & 0xFFFF
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in args.qname.rstrip(".").split("."):
        query += bytes([len(label)]) + label.encode("ascii")
    query += b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
    with s:
        set_rcvtimeo(s, args.wait)
        s.sendto(query, (args.host, args.port))
        data, frm = blocking_call(s.recvfrom, 65535)
    rid, flags, qd, an = struct.unpack("!HHHH", data[:8])
    if rid != qid or not flags & 0x8000:
        raise Bad("not an answer to our query")
    if flags & 0xF or an == 0:
        raise Bad("rcode %d, %d answers" % (flags & 0xF, an))
    pos = len(query)    # the question comes back as it was sent
    for _ in range(an):
        if data[pos] & 0xC0 == 0xC0:
            pos += 2
        else:
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        rtype, _, _, rdlen = struct.unpack("!HHIH", data[pos:pos + 10])
        pos += 10
        if rtype == 1 and rdlen == 4:
            return "OK mode=dns from=%s answer=%s" % (
                addr_text(frm), socket.inet_ntoa(data[pos:pos + 4]))
        pos += rdlen
    raise Bad("no A record in the answer")


def tfo(args):
    req = ("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n"
           % (args.path, args.host)).encode()
    s = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    with s:
        set_rcvtimeo(s, args.wait)
        n = s.sendto(req, MSG_FASTOPEN, (args.host, args.port))
        if n != len(req):
            raise Bad("sendto sent %d of %d bytes" % (n, len(req)))
        peer = s.getpeername()
        chunks = []
        while True:
            b = blocking_call(s.recv, 65536)
            if not b:
                break
            chunks.append(b)
    data = b"".join(chunks)
    head, sep, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if not sep or b" 200 " not in status + b" ":
        raise Bad("bad response %r" % status[:60])
    if args.out:
        with open(args.out, "wb") as f:
            f.write(body)
    return "OK mode=tfo peer=%s bytes=%d" % (addr_text(peer), len(body))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["sendto", "connect", "rw", "recvmsg",
                                     "select", "poll", "epoll", "stranger",
                                     "dns", "tfo"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--wait", type=float, default=3.0)
    ap.add_argument("--portfile")
    ap.add_argument("--gofile")
    ap.add_argument("--path", default="/file")
    ap.add_argument("--qname", default="udp.sx.test")
    ap.add_argument("-o", dest="out")
    args = ap.parse_args()
    if args.mode == "stranger" and not (args.portfile and args.gofile):
        ap.error("stranger needs --portfile and --gofile")
    try:
        if args.mode == "tfo":
            line = tfo(args)
        elif args.mode == "dns":
            line = dns(args)
        else:
            line = one_udp(args)
        rc = 0
    except Timeout:
        line, rc = "ERR Timeout ETIMEDOUT errno=%d" % errno.ETIMEDOUT, 1
    except Bad as e:
        line, rc = "BAD %s" % e, 1
    except OSError as e:
        name = errno.errorcode.get(e.errno, "-") if e.errno else "-"
        line, rc = "ERR %s %s errno=%s" % (type(e).__name__, name,
                                          e.errno), 1
    print(line, flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
