#!/usr/bin/env python3
"""A fleet held by the Python `websockets` client: the peer of ws1011's fleet probe in `make bench`.

Opens --connections connections to --url (in batches, so the server's backlog is not flooded), keeps each
alive with the library's own ping every second for --seconds after the last opened, and prints one JSON
object: how many opened, and the process's resident memory (VmRSS, KiB) before the first connect and while
all are held.
"""
import argparse
import asyncio
import json

try:  # websockets >= 13
    from websockets.asyncio.client import connect
except ImportError:  # older releases
    from websockets import connect


def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def run(url, count, seconds):
    before = rss_kib()
    connections = []

    async def one():
        try:
            connections.append(await asyncio.wait_for(connect(url, ping_interval=1, ping_timeout=20, max_size=2**20), 20))
        except Exception:
            pass

    for start in range(0, count, 100):
        await asyncio.gather(*(one() for _ in range(start, min(count, start + 100))))
    await asyncio.sleep(seconds)
    held = rss_kib()
    alive = sum(1 for c in connections if c.state.name == "OPEN") if connections and hasattr(connections[0], "state") else len(connections)
    await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
    print(json.dumps({"opened": len(connections), "alive": alive, "rssBeforeKiB": before, "rssHeldKiB": held}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    asyncio.run(run(args.url, max(1, min(args.connections, 10000)), max(0.1, min(args.seconds, 120))))


if __name__ == "__main__":
    main()
