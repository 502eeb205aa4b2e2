"""A tiny Python `websockets` server for ws1011's interop tests (a peer no one here wrote).

Usage: python ws_server.py MODE
Binds 127.0.0.1 on a free port and prints `READY <port>` on stdout once it accepts connections.

Modes:
  echo            echo every message back
  raise           accept, then raise in the handler on the first message (websockets sends close 1011)
  keepalive       echo, with the library's keepalive: ping every 1 s, close 1011 when no pong within 1 s
  keepalive-slack echo, ping every 0.5 s, close 1011 when no pong within 2 s (answered pings on a busy machine)
  subprotocol     only supports the subprotocol `chat.v1` (an offer of anything else is rejected)
  policy          accept, then close 1008 "unauthorized" right away (an app's auth rejection after accept)
  goodbye         echo the first message, then close 1000 "done" (a normal application close)
"""
import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def raise_after_accept(ws):
    await ws.recv()
    raise RuntimeError("interop: handler failed after accept")


async def policy(ws):
    await ws.close(1008, "unauthorized")


async def goodbye(ws):
    message = await ws.recv()
    await ws.send(message)
    await ws.close(1000, "done")


async def main(mode):
    options = {"ping_interval": None}
    handler = echo
    if mode == "raise":
        handler = raise_after_accept
    elif mode == "keepalive":
        options = {"ping_interval": 1, "ping_timeout": 1}
    elif mode == "keepalive-slack":
        options = {"ping_interval": 0.5, "ping_timeout": 2}
    elif mode == "subprotocol":
        options["subprotocols"] = ["chat.v1"]
    elif mode == "policy":
        handler = policy
    elif mode == "goodbye":
        handler = goodbye
    elif mode != "echo":
        print(f"unknown mode {mode!r}", file=sys.stderr)
        sys.exit(2)
    async with serve(handler, "127.0.0.1", 0, **options) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "echo"))
