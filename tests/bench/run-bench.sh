#!/usr/bin/env bash
# Run the benchmarks and summarise them with the machine they ran on.
#
#   run-bench.sh BUILD_CMAKE_DIR OUT_DIR
#
# Builds atoll_bench in BUILD_CMAKE_DIR, runs it with 3 repetitions
# (aggregates only), and leaves in OUT_DIR:
#   pipeline.json   Google Benchmark's own JSON (every aggregate)
#   summary.md      the machine, the median of each benchmark, and the
#                   pipeline round trip as a multiple of the bare ping-pong
#                   measured in the same run
# The table is printed too. Speed goals are judged by the ratio, never by
# absolute times: those depend on the machine and on what else it runs.
# Extra arguments after OUT_DIR go to atoll_bench (e.g. --benchmark_filter=).
set -euo pipefail
build=${1:?usage: run-bench.sh BUILD_CMAKE_DIR OUT_DIR [atoll_bench args...]}
out=${2:?usage: run-bench.sh BUILD_CMAKE_DIR OUT_DIR [atoll_bench args...]}
shift 2
command -v python3 >/dev/null || { echo "bench: python3 not found (package python3)" >&2; exit 1; }

cmake --build "$build" --target atoll_bench -- --no-print-directory >&2 ||
    { echo "bench: building atoll_bench failed (is ATOLL_BENCH on in $build?)" >&2; exit 1; }
bin=$(find "$build" -type f -name atoll_bench -perm -u+x | head -n 1)
[ -n "$bin" ] || { echo "bench: no atoll_bench under $build" >&2; exit 1; }

mkdir -p "$out"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
cpus=$(nproc)
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $bin on ${model:-unknown CPU}, $cpus CPUs, load $load" >&2
[ "$cpus" -ge 2 ] || echo "bench: warning: 1 CPU: the two-thread benchmarks measure scheduling, not cache transfers" >&2

"$bin" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/pipeline.json" --benchmark_out_format=json "$@" >&2

btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
python3 - "$out/pipeline.json" "$out/summary.md" "$model" "$cpus" "$(uname -srm)" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$load" "${btype:-unknown}" <<'EOF'
import json, sys

src, dst, model, cpus, kernel, date, load, btype = sys.argv[1:9]
with open(src) as f:
    data = json.load(f)

# Median of each benchmark (aggregate rows are named NAME_median).
medians, cvs, order = {}, {}, []
for b in data["benchmarks"]:
    if b.get("aggregate_name") == "cv":
        cvs[b["run_name"]] = b["real_time"]   # a fraction, not a time
    if b.get("aggregate_name") != "median":
        continue
    name = b["run_name"]
    order.append(name)
    medians[name] = b

def ns(b):
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    return b["real_time"] * scale

lines = ["# Benchmark summary", "",
         f"- machine: {model or 'unknown CPU'}, {cpus} CPUs (`nproc`)",
         f"- kernel: {kernel}",
         f"- date: {date}",
         f"- load average before the run: {load}, after: {open('/proc/loadavg').read().split()[0]}",
         f"- build: {btype} (atoll_bench), Google Benchmark library "
         f"{data['context'].get('library_build_type', '?')}; 3 repetitions, medians", "",
         "| benchmark | median (ns) | spread (cv) | note |", "|---|---:|---:|---|"]
for name in order:
    b = medians[name]
    note = b.get("label", "")
    if "items_per_second" in b:
        note = (note + "; " if note else "") + f"{b['items_per_second'] / 1e6:.1f} M items/s"
    cv = f"{cvs[name] * 100:.0f}%" if name in cvs else ""
    lines.append(f"| {name} | {ns(b):.1f} | {cv} | {note} |")

ping = medians.get("AtomicPingPong/real_time")
lines.append("")
for name in ("DoorbellPingPong", "PipelineRoundTrip", "PipelineRoundTripPolled"):
    b = medians.get(name + "/real_time")
    if ping and b:
        lines.append(f"- {name} / AtomicPingPong = **{ns(b) / ns(ping):.2f}x**")
if not ping:
    lines.append("- AtomicPingPong not measured in this run: no ratios")
# The interleaved rounds: ratios taken within one round (bench_interleaved.cpp),
# the figure to judge the goal by; counters are medians over repetitions.
ri = next((b for n, b in medians.items() if n.startswith("RoundTripsInterleaved")), None)
if ri:
    def sp(k):
        return f"{ri[k + '_min']:.2f}x / **{ri[k + '_median']:.2f}x** / {ri[k + '_max']:.2f}x"
    lines.append("")
    lines.append("Interleaved rounds (RoundTripsInterleaved: a block of each kind in turn, the "
                 "ratio within each round; min / median / max over rounds):")
    lines.append("")
    lines.append(f"- bare ping-pong in those rounds: {ri['bare_ns_min']:.0f} / "
                 f"{ri['bare_ns_median']:.0f} / {ri['bare_ns_max']:.0f} ns")
    lines.append(f"- DoorbellPingPong / bare: {sp('doorbell_x')}")
    lines.append(f"- PipelineRoundTrip / bare: {sp('pipeline_x')}")
lines.append("")
lines.append("Ratios are against the bare ping-pong of the same run; the goal for the "
             "pipeline round trip is within 2x.")
# Spinning threads on a busy machine measure the scheduler, not the caches.
busy = float(load.split()[0]) >= float(cpus)
noisy = [n for n in order if n.startswith(("AtomicPingPong", "DoorbellPingPong", "PipelineRoundTrip"))
         and cvs.get(n, 0) > 0.10]
if busy or noisy:
    lines.append("")
    lines.append("**Not a valid measurement:** "
                 + ("the machine was busy (load average >= CPUs)" if busy else "")
                 + ("; " if busy and noisy else "")
                 + (f"{len(noisy)} two-thread benchmark(s) varied by more than 10% between "
                    "repetitions" if noisy else "")
                 + ". Spinning threads then measure preemption, not cache-line transfers: "
                   "rerun on an idle machine."
                 + (" The interleaved rounds' ratios are taken within each round and stand."
                    if ri and not busy else ""))
text = "\n".join(lines) + "\n"
with open(dst, "w") as f:
    f.write(text)
print(text, end="")
EOF
echo "bench: results in $out/summary.md and $out/pipeline.json" >&2
