#!/usr/bin/env python3
"""pybench — ingest throughput of the Python client: pipelined one-line declarations.

The workload of `bzl-bench` (clients/bench): material imports under 5015 of one unit worth one
USD on a random item of a random one of the enterprises `bzl-bench --setup` registers (BZB…,
books HBZB…), always accepted. N connections, one process each (the client is single-threaded;
processes sidestep the GIL as bzl-bench's threads do), each a bzl.Pipeline keeping K requests in
flight, through the public API (`Pipeline.submit` of a dict, as an ERP integration would).
Counts the declarations acknowledged during the measured seconds, after a warm-up.

    bzl-bench --socket S --setup --connections 1 --inflight 1 --duration 1   # once
    PYTHONPATH=build/clients/python python3 clients/python/tools/pybench.py \\
        --socket S --connections 4 --inflight 64 --duration 10
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import time
from collections import deque
from typing import Any, Deque, Dict

import bzl


def worker(args: argparse.Namespace, index: int, prefix: str, out: Any) -> None:
    rng = random.Random(index)
    counts = {"ok": 0, "refused": 0, "measured": 0}
    with bzl.Client(args.socket, timeout=60) as c:
        start = time.monotonic()
        warm_end = start + args.warmup
        end = warm_end + args.duration
        at_warm_end = None
        futures: Deque[Any] = deque()
        seq = 0
        with c.pipeline(window=args.inflight) as p:
            while True:
                now = time.monotonic()
                if at_warm_end is None and now >= warm_end:
                    at_warm_end = counts["ok"]
                if now >= end:
                    break
                e = rng.randrange(args.enterprises) + 1
                decl: Dict[str, Any] = {
                    "id": f"{prefix}-{index}-{seq}",
                    "enterprise": f"BZB{e:07d}",
                    "book": f"HBZB{e:08d}",
                    "kind": "material",
                    "direction": "in",
                    "trade_mode": "5015",
                    "date": "2026-03-01",
                    "lines": [
                        {
                            "item": rng.randrange(args.items) + 1,
                            "qty": "1",
                            "unit": "035",
                            "value": "1",
                            "currency": "502",
                        }
                    ],
                }
                seq += 1
                futures.append(p.submit(decl))
                while futures and futures[0].done():
                    f = futures.popleft()
                    counts["ok" if f.exception() is None else "refused"] += 1
            counts["measured"] = counts["ok"] - (at_warm_end or 0)
    out.put(counts)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--socket", default=bzl.default_socket())
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--inflight", type=int, default=64)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--enterprises", type=int, default=16)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    prefix = f"PY{os.getpid()}x{int(time.time())}"
    out: Any = mp.Queue()
    procs = [
        mp.Process(target=worker, args=(args, i, prefix, out)) for i in range(args.connections)
    ]
    for pr in procs:
        pr.start()
    results = [out.get() for _ in procs]
    for pr in procs:
        pr.join()
    measured = sum(r["measured"] for r in results)
    report = {
        "connections": args.connections,
        "inflight": args.inflight,
        "duration_s": args.duration,
        "declarations_per_s": round(measured / args.duration),
        "refused": sum(r["refused"] for r in results),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"python pipelined submit: {args.connections} connection(s) x {args.inflight} "
            f"in flight: {report['declarations_per_s']} declarations/s, "
            f"{report['refused']} refused"
        )
    return 0 if report["refused"] == 0 and measured > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
