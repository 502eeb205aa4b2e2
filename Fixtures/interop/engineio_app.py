"""python-engineio's ASGI server under uvicorn, for ws1011's interop tests (a stack no one here wrote).

Usage: python engineio_app.py [PING_INTERVAL_S] [PING_TIMEOUT_S]
Serves Engine.IO v4 at /engine.io/ on 127.0.0.1 (a free port) and prints `READY <port>` once listening. The server announces its ping interval and timeout in
the open packet (`0{"sid":…,"pingTimeout":…,"pingInterval":…}`), sends the ping packet `2` every interval and
closes a connection whose pong `3` does not come within the timeout (engineio/async_socket.py).
"""
import asyncio
import socket
import sys

import engineio
import uvicorn

interval = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0

eio = engineio.AsyncServer(async_mode="asgi", ping_interval=interval, ping_timeout=timeout, logger=True)


@eio.on("message")
async def message(sid, data):
    await eio.send(sid, data)


app = engineio.ASGIApp(eio)



async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", ws_ping_interval=None, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            return
        await asyncio.sleep(0.02)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
