#!/usr/bin/python3
"""aioclient: N parallel connects + 1-byte echo in one asyncio loop.

    aioclient.py -n N -c HOST:PORT [-x PROXY:PORT] [-p MS] [-i MS] [-d S] [-t S]

Benchmark figure 8.  Opens N connections to HOST:PORT at once (streams API,
IP literal: no resolver), writes one byte on each, reads it back, closes.
With -x the client speaks SOCKS5 itself to PROXY (greeting, CONNECT by
IPv4) inside the same loop: the ideal every socksifier is measured against.
A periodic timer of -p MS (default 5) runs in the same loop the whole time;
its lateness (fire time minus due time, the next one due a period after
each fire) is the loop's stall.  The timer runs -i MS (default 100) before
the connects start, to show the machine's own jitter (idle_stall_ms).

Last line on stdout, key=value: ok fail total_ms (first connect started to
last one finished) stall_ms (worst lateness in that window, including the
tick that was due when it ended) idle_stall_ms ticks; on failures also
err (errno name or kind of the first failure) err_ms (when it ended).
Exit 1 when any connection failed.  -d S bounds the run: connections not
done by then fail with "deadline"; if the loop itself is frozen (blocked
inside a call) a watchdog thread reports at S + 1 s with frozen=1 and the
stall so far, then exits 3.  -t S gives each connection (handshake and
echo) its own asyncio timeout, the way a program bounds a connect: it can
only fire while the loop runs.  Standard library only, /usr/bin/python3.
"""
import asyncio
import errno
import getopt
import os
import socket
import sys
import threading
import time


def fail(msg):
    sys.stderr.write("aioclient: %s\n" % msg)
    sys.exit(2)


def hostport(s):
    host, sep, port = s.rpartition(":")
    if not sep or not port.isdigit():
        fail("%s: want HOST:PORT" % s)
    return host, int(port)


def errname(e):
    # OSError(ETIMEDOUT) is a TimeoutError too: the errno comes first
    if isinstance(e, OSError) and e.errno in errno.errorcode:
        return errno.errorcode[e.errno]
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, asyncio.IncompleteReadError):
        return "EOF"
    return type(e).__name__


class Ticker:
    """A periodic timer; worst lateness since the last mark()."""

    def __init__(self, loop, period):
        self.loop, self.period = loop, period
        self.worst = 0.0
        self.ticks = 0
        self.due = None
        self.last = time.monotonic()

    def start(self):
        self.due = self.loop.time() + self.period
        self.loop.call_at(self.due, self.tick)

    def tick(self):
        now = self.loop.time()
        self.worst = max(self.worst, now - self.due)
        self.ticks += 1
        self.last = time.monotonic()
        self.due = now + self.period
        self.loop.call_at(self.due, self.tick)

    def mark(self):
        w, self.worst, self.ticks = self.worst, 0.0, 0
        return w


async def socks5(reader, writer, host, port):
    writer.write(b"\x05\x01\x00")
    rep = await reader.readexactly(2)
    if rep != b"\x05\x00":
        raise ConnectionError("SOCKS5 method reply %r" % rep)
    writer.write(b"\x05\x01\x00\x01" + socket.inet_aton(host) +
                 port.to_bytes(2, "big"))
    rep = await reader.readexactly(4)
    if rep[1] != 0:
        raise ConnectionError("SOCKS5 reply %d" % rep[1])
    skip = {1: 4, 4: 16}.get(rep[3])
    if skip is None:
        skip = (await reader.readexactly(1))[0]
    await reader.readexactly(skip + 2)


async def one(target, proxy, t0, fails, timeout):
    try:
        return await asyncio.wait_for(exchange(target, proxy), timeout)
    except Exception as e:          # every failure is counted, not raised
        fails.append((errname(e), time.monotonic() - t0, str(e)))
        return False


async def exchange(target, proxy):
    writer = None
    try:
        if proxy:
            reader, writer = await asyncio.open_connection(*proxy)
            await socks5(reader, writer, *target)
        else:
            reader, writer = await asyncio.open_connection(*target)
        writer.write(b"x")
        if await reader.readexactly(1) != b"x":
            raise ConnectionError("echo mismatch")
        return True
    finally:
        if writer is not None:
            writer.close()


def report(kv):
    print(" ".join("%s=%s" % (k, v) for k, v in kv.items()), flush=True)


async def main(n, target, proxy, period, idle, deadline, timeout):
    loop = asyncio.get_running_loop()
    ticker = Ticker(loop, period)
    ticker.start()
    await asyncio.sleep(idle)
    idle_stall = ticker.mark()
    fails = []
    t0 = time.monotonic()

    tasks = []

    def watchdog():                 # the loop may be stuck inside a call
        now = time.monotonic()
        ok = sum(1 for t in tasks if t.done() and not t.cancelled() and t.result())
        report({"ok": ok, "fail": n - ok, "total_ms": "%.1f" % ((now - t0) * 1e3),
                "stall_ms": "%.1f" % (max(ticker.worst, now - ticker.last) * 1e3),
                "idle_stall_ms": "%.1f" % (idle_stall * 1e3),
                "ticks": ticker.ticks, "frozen": 1, "err": "frozen"})
        sys.stderr.write("aioclient: event loop frozen for %.1f s at the "
                         "deadline\n" % (now - ticker.last))
        os._exit(3)
    dog = threading.Timer(deadline + 1, watchdog)
    dog.daemon = True
    dog.start()
    tasks += [asyncio.ensure_future(one(target, proxy, t0, fails, timeout))
              for _ in range(n)]
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    for t in pending:
        t.cancel()
        fails.append(("deadline", time.monotonic() - t0, "not done in %g s" % deadline))
    t1 = time.monotonic()
    # let the tick that is due now fire, so a stall at the very end counts
    await asyncio.sleep(2 * period)
    dog.cancel()
    ok = sum(1 for t in done if not t.cancelled() and t.result())
    kv = {"ok": ok, "fail": n - ok, "total_ms": "%.1f" % ((t1 - t0) * 1e3),
          "stall_ms": "%.1f" % (ticker.worst * 1e3),
          "idle_stall_ms": "%.1f" % (idle_stall * 1e3), "ticks": ticker.ticks}
    if fails:
        fails.sort(key=lambda f: f[1])
        kv["err"], kv["err_ms"] = fails[0][0], "%.1f" % (fails[0][1] * 1e3)
        sys.stderr.write("aioclient: %d of %d connections failed; first "
                         "after %.0f ms: %s %s\n" % (n - ok, n, fails[0][1] * 1e3,
                                                   fails[0][0], fails[0][2]))
    report(kv)
    return 0 if ok == n else 1


def cli():
    n, target, proxy, period, idle, deadline, timeout = 1, None, None, 5.0, 100.0, 20.0, None
    try:
        opts, args = getopt.getopt(sys.argv[1:], "n:c:x:p:i:d:t:")
    except getopt.GetoptError as e:
        fail(str(e))
    for o, v in opts:
        try:
            if o == "-n":
                n = int(v)
            elif o == "-c":
                target = hostport(v)
            elif o == "-x":
                proxy = hostport(v)
            elif o == "-p":
                period = float(v)
            elif o == "-i":
                idle = float(v)
            elif o == "-d":
                deadline = float(v)
            elif o == "-t":
                timeout = float(v)
        except ValueError:
            fail("%s %s: not a number" % (o, v))
    if args or target is None or n < 1 or period <= 0 or deadline <= 0:
        fail("usage: aioclient.py -n N -c HOST:PORT [-x PROXY:PORT] "
             "[-p MS] [-i MS] [-d S] [-t S]")
    sys.exit(asyncio.run(main(n, target, proxy, period / 1e3, idle / 1e3,
                              deadline, timeout)))


if __name__ == "__main__":
    cli()
