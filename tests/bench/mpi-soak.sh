#!/usr/bin/env bash
# The MPI soak of issue 12 (make bench): in one box on the Debian root,
# COUNT consecutive jobs of 4 ranks over the host and p1..p3 with the MPI
# example, for MPICH and then Open MPI, each job bounded by 120 s. Zero
# hangs and zero failures is the goal. Prints per-MPI counts and job
# durations (min / median / max); a failed or hung job's output stays in
# the box's /home (OUT_DIR/box has the consoles).
#
#   mpi-soak.sh ROOT OUT_DIR [COUNT]
set -euo pipefail
root=${1:?usage: mpi-soak.sh ROOT OUT_DIR [COUNT]}
out=${2:?}
count=${3:-100}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)

cmd="$(cat "$here/../system/mpi-soak.box")"'
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
cd /home
soak mpich '"$count"'
soak openmpi '"$count"'
for f in /home/soak-*.log; do [ -e "$f" ] && { echo "@@log $f"; cat "$f"; }; done
echo "@@load $(cut -d" " -f1-3 /proc/loadavg)"'
load0=$(cut -d" " -f1 /proc/loadavg)
o=$(BOX_ROOT=debian BOX_LOGDIR=$out/box BOX_TIMEOUT=$((count * 300 + 600)) make -s -C "$root" run CMD="$cmd" \
    2>"$out/make.stderr") || { echo "mpi-soak: the box run failed (logs: $out/box)" >&2; exit 1; }
printf '%s\n' "$o" > "$out/soak.out"
python3 - "$out/soak.out" "$load0" "$(cut -d" " -f1 /proc/loadavg)" <<'PY' | tee "$out/soak-summary.md"
import statistics, sys
jobs = {}
summary = []
for line in open(sys.argv[1]):
    w = line.split()
    if w[:1] == ["soakjob"]:
        jobs.setdefault(w[1], []).append((int(w[3]), float(w[4])))
    elif line.startswith("soak "):
        summary.append(line.strip())
print("| MPI | jobs | ok | failed (status) | hung (120 s) | job s min | median | max |")
print("|---|---|---|---|---|---|---|---|")
for mpi, js in jobs.items():
    t = [s for rc, s in js if rc == 0]
    bad = [rc for rc, s in js if rc not in (0, 124)]
    hung = sum(1 for rc, s in js if rc == 124)
    stats = f"{min(t):.1f} | {statistics.median(t):.1f} | {max(t):.1f}" if t else "- | - | -"
    print(f"| {mpi} | {len(js)} | {len(t)} | {len(bad)} {sorted(set(bad)) if bad else ''} | {hung} | {stats} |")
print()
print("; ".join(summary) + f". Machine load average: {sys.argv[2]} at the start, {sys.argv[3]} at the end.")
PY
