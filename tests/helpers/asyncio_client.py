# SPDX-License-Identifier: MIT
# asyncio_client: N parallel asyncio connections (open_connection, a line
# sent and read back) while a 5 ms timer runs in the same loop; prints one
# line per connection and "SUMMARY ok=N of=N elapsed=S maxstall_ms=N", the
# worst lateness of the timer.
#   asyncio_client.py HOST PORT N
import asyncio, errno, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

async def one(i):
    r, w = await asyncio.open_connection(host, port)
    try:
        msg = b"line %d\n" % i
        w.write(msg)
        await w.drain()
        return await asyncio.wait_for(r.readexactly(len(msg)), 5) == msg
    finally:
        w.close()

async def ticker(stop, stalls):
    last = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.monotonic()
        stalls.append(now - last - 0.005)
        last = now

async def main():
    stop, stalls = asyncio.Event(), [0.0]
    t = asyncio.create_task(ticker(stop, stalls))
    await asyncio.sleep(0.05)
    t0 = time.monotonic()
    res = await asyncio.gather(*(one(i) for i in range(n)),
                               return_exceptions=True)
    el = time.monotonic() - t0
    stop.set()
    await t
    for i, r in enumerate(res):
        if r is True:
            print("conn %d: OK echo=exact" % i)
        elif isinstance(r, OSError):
            print("conn %d: ERR %s" % (i, errno.errorcode.get(r.errno, r.errno)))
        else:
            print("conn %d: ERR %r" % (i, r))
    print("SUMMARY ok=%d of=%d elapsed=%.2f maxstall_ms=%.0f" % (
        sum(1 for r in res if r is True), n, el, max(stalls) * 1000))

asyncio.run(main())
