"""A tiny Starlette app served by uvicorn for ws1011's interop tests (peers no one here wrote).

Usage: python asgi_app.py
Binds 127.0.0.1 on a free port, serves the app with uvicorn and prints `READY <port>` once listening.

Routes:
  /echo                 accept, echo text messages
  /raise-after-accept   accept, then raise on the first message (uvicorn drops the socket: no close frame)
  /raise-before-accept  raise before accepting (uvicorn answers HTTP 500)
"""
import asyncio
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute


async def echo(websocket):
    await websocket.accept()
    while True:
        message = await websocket.receive_text()
        await websocket.send_text(message)


async def raise_after_accept(websocket):
    await websocket.accept()
    await websocket.receive_text()
    raise RuntimeError("interop: handler failed after accept")


async def raise_before_accept(websocket):
    raise RuntimeError("interop: handler failed before accept")


app = Starlette(routes=[
    WebSocketRoute("/echo", echo),
    WebSocketRoute("/raise-after-accept", raise_after_accept),
    WebSocketRoute("/raise-before-accept", raise_before_accept),
])


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", ws_ping_interval=None, lifespan="off")
    server = uvicorn.Server(config)
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
