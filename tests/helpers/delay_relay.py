# SPDX-License-Identifier: MIT
"""delay_relay.py LISTEN_ADDR TARGET_HOST TARGET_PORT MS: a TCP relay that
holds each chunk MS milliseconds in each direction (a proxy far away),
concurrently for every connection. The listening port is chosen by the
kernel (read it back with ss)."""
import asyncio
import socket
import sys


async def pump(reader, writer, delay):
    """Each chunk leaves `delay` after it arrived (a link's latency: the
    chunks of one stream are not delayed one after another)."""
    loop = asyncio.get_running_loop()
    last = loop.time()

    def write(data):
        if not writer.is_closing():
            writer.write(data)

    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            last = loop.time() + delay
            loop.call_at(last, write, data)
    except OSError:
        pass
    await asyncio.sleep(max(0.0, last - loop.time()) + 0.001)
    try:
        await writer.drain()
        writer.close()
    except OSError:
        pass


async def main():
    listen, host, port, ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    delay = ms / 1000.0

    async def serve(cr, cw):
        try:
            ur, uw = await asyncio.open_connection(host, port)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, uw, delay), pump(ur, cw, delay))

    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    server = await asyncio.start_server(serve, listen, 0, family=family,
                                        backlog=256)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
