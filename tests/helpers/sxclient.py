# SPDX-License-Identifier: MIT
"""Small TCP/HTTP client for the integration scenarios.

usage: sxclient.py MODE HOST PORT [PATH] [-o FILE]
  MODE get       blocking socket.create_connection, HTTP/1.0 GET PATH
       aget      asyncio.open_connection (non-blocking connect), same GET
       connect   blocking connect only
       aconnect  asyncio connect only
No client-side timeout on purpose: a connect error must come from the
connect() call (or the preloaded library), not from Python; callers bound
the run with timeout(1).

stdout, one line:  OK peer=ADDR,PORT bytes=N elapsed=S
               or  ERR ExceptionClass ERRNONAME elapsed=S
The response body goes to FILE.  Exit 0 on OK with status 200 (or a
connect-only success), 1 otherwise, 2 on usage errors.
"""

import argparse
import asyncio
import errno
import socket
import sys
import time


def request(host, path):
    return ("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, host)).encode()


def split_response(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no end of headers in %d bytes" % len(data))
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        raise ValueError("bad status line %r" % head.split(b"\r\n", 1)[0])
    return body


def peer_text(peer):
    return "%s,%s" % (peer[0], peer[1])


def blocking(args):
    s = socket.create_connection((args.host, args.port))
    with s:
        peer = s.getpeername()
        if args.mode == "connect":
            return peer, b""
        s.sendall(request(args.host, args.path))
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        return peer, split_response(b"".join(chunks))


async def nonblocking(args):
    reader, writer = await asyncio.open_connection(args.host, args.port)
    try:
        peer = writer.get_extra_info("peername")
        if args.mode == "aconnect":
            return peer, b""
        writer.write(request(args.host, args.path))
        await writer.drain()
        return peer, split_response(await reader.read())
    finally:
        writer.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["get", "aget", "connect", "aconnect"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("path", nargs="?", default="/file")
    ap.add_argument("-o", dest="out")
    args = ap.parse_args()

    t0 = time.monotonic()
    try:
        if args.mode in ("get", "connect"):
            peer, body = blocking(args)
        else:
            peer, body = asyncio.run(nonblocking(args))
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno))
        print("ERR %s %s elapsed=%.2f (%s)"
              % (type(e).__name__, name, time.monotonic() - t0, e))
        return 1
    except ValueError as e:
        print("ERR ValueError - elapsed=%.2f (%s)"
              % (time.monotonic() - t0, e))
        return 1
    if args.out:
        with open(args.out, "wb") as f:
            f.write(body)
    print("OK peer=%s bytes=%d elapsed=%.2f"
          % (peer_text(peer), len(body), time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
