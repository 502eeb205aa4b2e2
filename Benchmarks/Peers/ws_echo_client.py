#!/usr/bin/env python3
"""Echo round trips with the Python `websockets` client: the peer of ws1011's client in `make bench`.

One connection; send a binary message, wait for its echo, repeat until --seconds pass or --max round
trips are done. Prints one JSON object (same fields as the Swift harness's ClientEchoLoad outcome).
"""
import argparse
import asyncio
import json
import sys
import time

import websockets

try:  # websockets >= 13
    from websockets.asyncio.client import connect
except ImportError:  # older releases
    from websockets import connect


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 1)) - 1))
    return sorted_values[rank]


async def run(url, size, seconds, max_trips):
    payload = bytes((i * 7) & 0xFF for i in range(size))
    latencies = []
    error = None
    async with connect(url, max_size=None, compression=None, ping_interval=None) as ws:
        start = time.perf_counter()
        deadline = start + seconds
        while len(latencies) < max_trips and time.perf_counter() < deadline:
            sent = time.perf_counter()
            await ws.send(payload)
            reply = await asyncio.wait_for(ws.recv(), timeout=5)
            if not isinstance(reply, (bytes, bytearray)) or len(reply) != size:
                error = "unexpected reply"
                break
            latencies.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - start
    latencies.sort()
    trips = len(latencies)
    ms = [v * 1000 for v in latencies]
    return {
        "client": "python websockets " + websockets.__version__,
        "python": sys.version.split()[0],
        "connections": 1,
        "messageBytes": size,
        "seconds": elapsed,
        "roundTrips": trips,
        "messagesPerSecond": trips / elapsed if elapsed > 0 else 0,
        "megabytesPerSecond": trips * size / elapsed / 1e6 if elapsed > 0 else 0,
        "latency": {
            "samples": trips,
            "p50Ms": percentile(ms, 0.50),
            "p90Ms": percentile(ms, 0.90),
            "p99Ms": percentile(ms, 0.99),
            "p999Ms": percentile(ms, 0.999),
            "maxMs": ms[-1] if ms else 0.0,
        },
        "errors": [error] if error else [],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--max", type=int, default=200000)
    args = parser.parse_args()
    if not args.url.startswith("ws://127.0.0.1"):
        sys.exit("only ws://127.0.0.1 targets are allowed in the benchmark")
    print(json.dumps(asyncio.run(run(args.url, args.size, min(args.seconds, 60.0), args.max))))


if __name__ == "__main__":
    main()
