"""A TCP proxy that records every request frame clients send to a broker.

    record_proxy.py LISTEN_PORT BROKER_PORT OUT_DIR

Each request frame (the bytes after its 4-byte size) is written to OUT_DIR/requests as
KEY-vVERSION-SHA1 (the first 12 hex digits of its SHA-1), so the same request sent twice is kept
once. Each response is passed back untouched and written to OUT_DIR/responses the same way, its
content prefixed with the API key and version of its request (2 bytes each, big-endian: what the
response_frame fuzz target reads first). The broker must advertise LISTEN_PORT, so clients that
reconnect after Metadata come back through the proxy. Used by capture.sh to build the fuzz corpus
from real clients' requests and the broker's answers to them.
"""

import asyncio
import hashlib
import os
import sys


def frames(buf):
    """Splits off the complete frames at the front of buf: (frames, rest)."""
    out = []
    while len(buf) >= 4:
        size = int.from_bytes(buf[:4], "big", signed=True)
        if size < 0 or len(buf) < 4 + size:
            break
        out.append(buf[4 : 4 + size])
        buf = buf[4 + size :]
    return out, buf


def save(directory, key, version, content):
    digest = hashlib.sha1(content).hexdigest()[:12]
    path = os.path.join(directory, f"{key}-v{version}-{digest}")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(content)


async def pump(reader, writer, on_frame):
    """Passes bytes from reader to writer untouched, calling on_frame for each whole frame."""
    buf = b""
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
        done, buf = frames(buf + data)
        for frame in done:
            on_frame(frame)
    writer.close()


def recorder(out_dir):
    """on_frame callbacks for one connection: requests, and the answers to them."""
    asked = {}  # correlation id -> (API key, version) of the requests awaiting an answer

    def request(frame):
        if len(frame) >= 8:
            key = int.from_bytes(frame[0:2], "big", signed=True)
            version = int.from_bytes(frame[2:4], "big", signed=True)
            asked[frame[4:8]] = (key, version)
            save(os.path.join(out_dir, "requests"), key, version, frame)

    def response(frame):
        request = asked.pop(frame[0:4], None)
        if request is not None:
            key, version = request
            prefix = key.to_bytes(2, "big", signed=True) + version.to_bytes(2, "big", signed=True)
            save(os.path.join(out_dir, "responses"), key, version, prefix + frame)

    return request, response


async def main():
    listen_port, broker_port, out_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for d in ("requests", "responses"):
        os.makedirs(os.path.join(out_dir, d), exist_ok=True)

    async def handle(client_reader, client_writer):
        try:
            broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", broker_port)
        except OSError:
            client_writer.close()
            return
        on_request, on_response = recorder(out_dir)
        await asyncio.gather(
            pump(client_reader, broker_writer, on_request),
            pump(broker_reader, client_writer, on_response),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


asyncio.run(main())
