#!/usr/bin/env bash
# Slurm's launch latency on the box (issue 13; make bench): in one box of
# the Debian root, COUNT runs each of `srun -N1 -w p2 true` (a one-node
# Slurm job step: slurmctld allocates, slurmd in p2 forks slurmstepd) and of
# the same `true` through `atoll exec p2` (the baseline: atolld's remote
# execution), interleaved in rounds of 5 of each so that noise hits both,
# each run timed in the box's host by atoll-timeit (CLOCK_MONOTONIC).
# Median, min, max, and the per-round ratio (min / median / max).
#
#   slurm-bench.sh ROOT OUT_DIR [COUNT]
set -euo pipefail
root=${1:?usage: slurm-bench.sh ROOT OUT_DIR [COUNT]}
out=${2:?}
count=${3:-50}
mkdir -p "$out"

cmd='
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
i=0; while [ "$(sinfo -h -N -o %t 2>/dev/null | grep -c "^idle$")" -lt 3 ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done
cd /home
srun -N1 -w p2 true; atoll exec p2 -- true   # first runs read their programs over NFS
r=0; while [ $r -lt '"$((count / 5))"' ]; do
  atoll-timeit 5 atoll exec p2 -- true | sed "s/^/@@exec $r /"
  atoll-timeit 5 srun -N1 -w p2 true | sed "s/^/@@srun $r /"
  r=$((r+1))
done
echo "@@load $(cut -d" " -f1-3 /proc/loadavg)"'
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
o=$(BOX_ROOT=debian BOX_LOGDIR=$out/box BOX_TIMEOUT=3600 make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "slurm-bench: the box run failed (logs: $out/box)" >&2; exit 1; }
printf '%s\n' "$o" > "$out/slurm.out"
python3 - "$out/slurm.out" "$load0" "$(cut -d" " -f1 /proc/loadavg)" <<'PY' | tee "$out/slurm-summary.md"
import statistics, sys
t, rounds, box_load = {}, {}, ""
for line in open(sys.argv[1]):
    w = line.split()
    if w and w[0] in ("@@exec", "@@srun"):
        if w[3] != "0":
            sys.exit(f"slurm-bench: a {w[0][2:]} run failed with status {w[3]}")
        t.setdefault(w[0][2:], []).append(int(w[2]) / 1000)
        rounds.setdefault((w[0][2:], int(w[1])), []).append(int(w[2]) / 1000)
    elif w and w[0] == "@@load":
        box_load = " ".join(w[1:])
if "srun" not in t or "exec" not in t:
    sys.exit("slurm-bench: no timings (Slurm not ready?)")
print("| command (from the host) | runs | median ms | min ms | max ms | median vs atoll exec |")
print("|---|---|---|---|---|---|")
base = statistics.median(t["exec"])
for k, name in (("exec", "`atoll exec p2 -- true`"), ("srun", "`srun -N1 -w p2 true`")):
    v = t[k]; m = statistics.median(v)
    print(f"| {name} | {len(v)} | {m:.1f} | {min(v):.1f} | {max(v):.1f} | {m / base:.1f}x |")
print()
r = sorted(statistics.median(rounds[("srun", i)]) / statistics.median(rounds[("exec", i)])
           for i in sorted({i for (_, i) in rounds}))
print(f"srun / atoll exec per round ({len(r)} rounds of 5): min {r[0]:.1f}x, median {statistics.median(r):.1f}x, "
      f"max {r[-1]:.1f}x. Timer: CLOCK_MONOTONIC in the box's host (atoll-timeit). Machine load average: "
      f"{sys.argv[2]} at the start, {sys.argv[3]} at the end; the box's host: {box_load}.")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/slurm-summary.md"
