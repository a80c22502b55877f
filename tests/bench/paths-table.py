#!/usr/bin/env python3
"""The speed of the paths everything rides on (issue 15), as one table.

    paths-table.py BENCH_DIR

Reads what one `make bench` (or `make bench-paths`) run left in BENCH_DIR:
pipeline.json (run-bench.sh), boot/boot.tsv (boot-bench.sh) and
vnet/vnet.tsv (vnet-bench.sh), and writes BENCH_DIR/paths.md: each path as a
ratio against its baseline measured in the same run, min / median / max over
the rounds where the benchmark interleaves its two sides, and the goal.
"""
import json
import os
import statistics
import sys

bench = sys.argv[1]


def tsv(path):
    t = {}
    with open(path) as f:
        for line in f:
            kind, rnd, v = line.rstrip("\n").split("\t")
            t.setdefault(kind, []).append(float(v))
    return t


def spread(r, fmt="{:.2f}x"):
    r = sorted(r)
    return f"{fmt.format(r[0])} / **{fmt.format(statistics.median(r))}** / {fmt.format(r[-1])}"


rows = []   # (path, measured, goal, verdict)


def verdict(value, goal, at_most):
    ok = value <= goal if at_most else value >= goal
    return "met" if ok else "not met"


vnet_path = os.path.join(bench, "vnet", "vnet.tsv")
if os.path.exists(vnet_path):
    t = tsv(vnet_path)
    lo, vn = t.get("rtt_loopback", []), t.get("rtt_vnet", [])
    if lo and len(lo) == len(vn):
        r = [b / a for a, b in zip(lo, vn)]
        rows.append(("ping p1 → p2 vs loopback in p1 (time)", spread(r), "≤ 1.5x",
                     verdict(statistics.median(r), 1.5, True)))
    for size, what, goal in ((1, "time per message", 1.5), (65536, "throughput", 0.8),
                             (4194304, "throughput", 0.9)):
        lo, vn = t.get(f"pplo_{size}", []), t.get(f"ppvnet_{size}", [])
        if not lo or len(lo) != len(vn):
            continue
        if size == 1:
            r = [b / a for a, b in zip(lo, vn)]
            rows.append((f"ping-pong, one {size}-byte message at a time, vs loopback ({what})",
                         spread(r), f"≤ {goal}x", verdict(statistics.median(r), goal, True)))
        else:
            r = [a / b for a, b in zip(lo, vn)]
            label = "64 KiB" if size == 65536 else "4 MiB"
            rows.append((f"ping-pong, one {label} message at a time, vs loopback ({what})",
                         spread(r), f"≥ {goal}x", verdict(statistics.median(r), goal, False)))
    lo, vn = t.get("loopback", []), t.get("vnet64k", [])
    if lo and len(lo) == len(vn):
        r = [b / a for a, b in zip(lo, vn)]
        rows.append(("TCP stream (iperf3) p1 → p2 vs loopback, default MTU", spread(r), "≥ 0.9x",
                     verdict(statistics.median(r), 0.9, False)))

boot_path = os.path.join(bench, "boot", "boot.tsv")
if os.path.exists(boot_path):
    r = []
    with open(boot_path) as f:
        for line in f:
            _, cold, part = line.split("\t")
            r.append(float(part) / float(cold))
    rows.append(("partition boot vs cold QEMU boot of the same kernel (time)", spread(r), "≤ 0.5x",
                 verdict(statistics.median(r), 0.5, True)))

pipe_path = os.path.join(bench, "pipeline.json")
if os.path.exists(pipe_path):
    with open(pipe_path) as f:
        data = json.load(f)
    ri = next((b for b in data["benchmarks"] if b.get("aggregate_name") == "median"
               and b["run_name"].startswith("RoundTripsInterleaved")), None)
    if ri:
        rows.append(("pipeline round trip vs bare atomic ping-pong (host threads, time)",
                     f"{ri['pipeline_x_min']:.2f}x / **{ri['pipeline_x_median']:.2f}x** / "
                     f"{ri['pipeline_x_max']:.2f}x", "≤ 2x",
                     verdict(ri["pipeline_x_median"], 2.0, True)))

lines = ["| path | this run: min / **median** / max over rounds | goal | |", "|---|---|---|---|"]
lines += [f"| {p} | {m} | {g} | {v} |" for p, m, g, v in rows]
for name in ("boot/boot-summary.md", "vnet/vnet-summary.md"):
    path = os.path.join(bench, name)
    if os.path.exists(path):
        with open(path) as f:
            note = [l.rstrip("\n") for l in f if l.startswith("The machine was")]
        if note:
            lines.append("")
            lines.append(f"{name.split('/')[0]}: {note[-1]}")
text = "\n".join(lines) + "\n"
with open(os.path.join(bench, "paths.md"), "w") as f:
    f.write(text)
print(text, end="")
