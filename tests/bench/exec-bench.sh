#!/usr/bin/env bash
# atolld exec latency (issue 11; make bench): in one box, COUNT runs each of
# a remote `true` through atoll exec (host -> p2), the same through the
# console (atoll run), and a local `sh -c true` on the host, interleaved in
# rounds of 10 of each, each run timed
# in the box's host by atoll-timeit (CLOCK_MONOTONIC). Median, 99th percentile, min, max and
# execs per second (sequential), with ratios against the local baseline;
# a run on a machine that was not idle is flagged (machine.sh).
#
#   exec-bench.sh ROOT OUT_DIR [COUNT]
set -euo pipefail
root=${1:?usage: exec-bench.sh ROOT OUT_DIR [COUNT]}
out=${2:?}
count=${3:-200}
mkdir -p "$out"

cmd='
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
r=0; while [ $r -lt '"$((count / 10))"' ]; do
  atoll-timeit 10 sh -c true | sed "s/^/@@local $r /"
  atoll-timeit 10 atoll exec p2 -- true | sed "s/^/@@exec $r /"
  atoll-timeit 10 atoll run 2 -- true | sed "s/^/@@run $r /"
  r=$((r+1))
done
echo "@@load $(cut -d" " -f1-3 /proc/loadavg)"'
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
o=$(BOX_LOGDIR=$out/box BOX_TIMEOUT=3600 make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "exec-bench: the box run failed (logs: $out/box)" >&2; exit 1; }
printf '%s\n' "$o" > "$out/exec.out"
python3 - "$out/exec.out" "$load0" "$(cut -d" " -f1 /proc/loadavg)" <<'PY' | tee "$out/exec-summary.md"
import statistics, sys
t = {}
rounds = {}
box_load = ""
for line in open(sys.argv[1]):
    w = line.split()
    if w and w[0] in ("@@local", "@@exec", "@@run"):
        if w[3] != "0":
            sys.exit(f"exec-bench: a {w[0][2:]} run failed with status {w[3]}")
        t.setdefault(w[0][2:], []).append(int(w[2]) / 1000)
        rounds.setdefault((w[0][2:], int(w[1])), []).append(int(w[2]) / 1000)
    elif w and w[0] == "@@load":
        box_load = " ".join(w[1:])
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
base = statistics.median(t["local"])
print("| command (from the host) | runs | median ms | p99 ms | min ms | max ms | execs/s | median vs local |")
print("|---|---|---|---|---|---|---|---|")
for k, name in (("local", "`sh -c true` (local)"), ("exec", "`atoll exec p2 -- true`"), ("run", "`atoll run 2 -- true`")):
    v = t[k]; m = statistics.median(v)
    print(f"| {name} | {len(v)} | {m:.1f} | {q(v, .99):.1f} | {min(v):.1f} | {max(v):.1f} | {1000 * len(v) / sum(v):.0f} | {m / base:.1f}x |")
print()
# Per round (10 runs of each, interleaved, so that noise hits both sides):
# the ratio of the medians, min / median / max over the rounds.
for k in ("exec", "run"):
    r = sorted(statistics.median(rounds[(k, i)]) / statistics.median(rounds[("local", i)])
               for i in sorted({i for (_, i) in rounds}))
    print(f"{k} / local per round ({len(r)} rounds): min {r[0]:.1f}x, median {statistics.median(r):.1f}x, max {r[-1]:.1f}x")
print()
print(f"atoll run / atoll exec, medians: {statistics.median(t['run']) / statistics.median(t['exec']):.1f}x. "
      f"Timer: CLOCK_MONOTONIC in the box's host (atoll-timeit). Machine load average: {sys.argv[2]} at the start, "
      f"{sys.argv[3]} at the end; the box's host: {box_load}.")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/exec-summary.md"
