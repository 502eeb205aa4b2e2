"""A python-socketio ASGI server under uvicorn for ws1011's socketio profile (a peer no one here wrote).

Usage: python socketio_app.py MODE
Binds 127.0.0.1 on a free port and prints `READY <port>` once listening. Engine.IO pings every 1 s and waits
2 s for the pong (pingInterval 1000, pingTimeout 2000), so the probe sees real Engine.IO heartbeats.

Modes:
  healthy        namespace / and /chat: the event `message` is answered with `reply` (to the sender only)
  failing        the `message` handler raises: python-socketio logs the exception and answers nothing
  refuse         the connect handler of / raises ConnectionRefusedError('not authorized'): 44 CONNECT_ERROR
"""
import asyncio
import socket
import sys

import socketio
import uvicorn

mode = sys.argv[1] if len(sys.argv) > 1 else "healthy"
sio = socketio.AsyncServer(async_mode="asgi", ping_interval=1, ping_timeout=2, cors_allowed_origins="*")


@sio.event
async def connect(sid, environ, auth):
    if mode == "refuse":
        raise socketio.exceptions.ConnectionRefusedError("not authorized")


@sio.event
async def message(sid, data):
    if mode == "failing":
        raise RuntimeError("interop: the message handler failed")
    await sio.emit("reply", {"echo": data}, to=sid)


@sio.on("message", namespace="/chat")
async def chat_message(sid, data):
    await sio.emit("reply", {"echo": data, "room": "chat"}, to=sid, namespace="/chat")


@sio.on("connect", namespace="/chat")
async def chat_connect(sid, environ, auth):
    pass


app = socketio.ASGIApp(sio)


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
