"""A TCP proxy that records every request frame clients send to a broker.

    record_proxy.py LISTEN_PORT BROKER_PORT OUT_DIR

Each request frame (the bytes after its 4-byte size) is written to OUT_DIR as
KEY-vVERSION-SHA1 (the first 12 hex digits of its SHA-1), so the same request sent twice is kept
once. Responses are passed back untouched. The broker must advertise LISTEN_PORT, so clients
that reconnect after Metadata come back through the proxy. Used by capture.sh to build the fuzz
corpus from real clients' requests.
"""

import asyncio
import hashlib
import os
import sys


async def pipe_requests(reader, writer, out_dir):
    buf = b""
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
        buf += data
        while len(buf) >= 4:
            size = int.from_bytes(buf[:4], "big", signed=True)
            if size < 0 or len(buf) < 4 + size:
                break
            frame, buf = buf[4 : 4 + size], buf[4 + size :]
            if len(frame) >= 4:
                key = int.from_bytes(frame[0:2], "big", signed=True)
                version = int.from_bytes(frame[2:4], "big", signed=True)
                digest = hashlib.sha1(frame).hexdigest()[:12]
                path = os.path.join(out_dir, f"{key}-v{version}-{digest}")
                if not os.path.exists(path):
                    with open(path, "wb") as f:
                        f.write(frame)
    writer.close()


async def pipe(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def main():
    listen_port, broker_port, out_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)

    async def handle(client_reader, client_writer):
        try:
            broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", broker_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pipe_requests(client_reader, broker_writer, out_dir),
            pipe(broker_reader, client_writer),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print("READY", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
