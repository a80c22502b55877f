#!/usr/bin/env bash
# Migration downtime (issue 14; make bench): in one box of the Debian root,
# a workload of SIZE MiB (atoll-heartbeat send: every page touched, one UDP
# datagram per millisecond to the host, DIRTY MiB/s of its memory rewritten
# meanwhile) is started on p1 and moved to p2, once with pre-copy
# (`--rounds 4`, the default), once stop-and-copy (`--rounds 0`) and once
# post-copy (`--postcopy`), for SIZE 64 and 256, the three modes
# interleaved in every round (their order rotating) so that noise hits
# all. The downtime is what the workload's datagrams show at the
# host's listener (atoll-heartbeat listen: the longest gap, on the host's
# one clock); atoll migrate --json gives its total time and the parts of
# the downtime it measures (final dump, restore) and, for post-copy, how
# long the pages took to follow. Median, min and max per size and mode, and
# the per-round ratio of each mode's downtime to stop-and-copy's.
#
#   migrate-bench.sh ROOT OUT_DIR [ROUNDS] [DIRTY_MIB_PER_S]
set -euo pipefail
root=${1:?usage: migrate-bench.sh ROOT OUT_DIR [ROUNDS] [DIRTY_MIB_PER_S]}
out=${2:?}
rounds=${3:-3}
dirty=${4:-4}
mkdir -p "$out"

cmd='
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
atoll exec p1 -- criu --version >/dev/null; atoll exec p2 -- criu --version >/dev/null   # first runs read CRIU over NFS
one() {   # one SIZE MODE ROUND
  atoll-heartbeat listen 7700 > /tmp/hb.out & l=$!
  atoll start --name mb p1 -- atoll-heartbeat send 10.77.0.1 7700 $1 '"$dirty"' >/dev/null || echo "@@fail start $1 $2 $3"
  sleep 4
  case $2 in precopy) how="--rounds 4";; postcopy) how=--postcopy;; *) how="--rounds 0";; esac
  j=$(atoll migrate mb p2 $how --json 2>/tmp/mig.err) || { echo "@@fail migrate $1 $2 $3 $(head -c 300 /tmp/mig.err)"; }
  sleep 2
  kill $l; wait $l
  echo "@@run $1 $2 $3 $(cat /tmp/hb.out) json $j"
  atoll exec p2 -- atoll workload end mb >/dev/null 2>&1 || atoll exec p1 -- atoll workload end mb >/dev/null 2>&1
}
r=0; while [ $r -lt '"$rounds"' ]; do
  for s in 64 256; do
    case $((r % 3)) in
      0) one $s stop $r; one $s precopy $r; one $s postcopy $r;;
      1) one $s precopy $r; one $s postcopy $r; one $s stop $r;;
      *) one $s postcopy $r; one $s stop $r; one $s precopy $r;;
    esac
  done
  r=$((r+1))
done
echo "@@load $(cut -d" " -f1-3 /proc/loadavg)"'
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
o=$(BOX_ROOT=debian BOX_LOGDIR=$out/box BOX_TIMEOUT=5400 make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "migrate-bench: the box run failed (logs: $out/box)" >&2; exit 1; }
printf '%s\n' "$o" > "$out/migrate.out"
python3 - "$out/migrate.out" "$load0" "$(cut -d" " -f1 /proc/loadavg)" "$dirty" <<'PY' | tee "$out/migrate-summary.md"
import json, statistics, sys
runs, box_load = {}, ""
for line in open(sys.argv[1]):
    if line.startswith("@@fail"):
        sys.exit("migrate-bench: " + line[7:].strip())
    if line.startswith("@@load"):
        box_load = line.split(None, 1)[1].strip()
    if not line.startswith("@@run"):
        continue
    head, j = line.split(" json ", 1)
    w = head.split()
    size, mode, rnd = int(w[1]), w[2], int(w[3])
    hb = dict(zip(w[4::2], w[5::2]))
    m = json.loads(j)
    runs[(size, mode, rnd)] = {
        "gap": float(hb["longest_gap_ms"]) / 1000, "lost": int(hb["lost"]), "total": m["total_s"],
        "dump": m["final_dump_s"], "restore": m["restore_s"], "said": m["downtime_s"],
        "final_mib": m["final_bytes"] / 2**20, "rounds": len(m["rounds"]), "pull": m.get("pull_s", 0.0),
    }
if not runs:
    sys.exit("migrate-bench: no runs")
def s3(v):
    return f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"
print("| workload | mode | runs | downtime seen by the workload, s | final dump, s | its pages, MiB | restore, s "
      "| downtime atoll measured, s | total, s | pre-copy rounds | pages pulled after, s |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
names = {"stop": "stop-and-copy", "precopy": "pre-copy", "postcopy": "post-copy"}
for size in sorted({k[0] for k in runs}):
    for mode in ("stop", "precopy", "postcopy"):
        v = [r for k, r in runs.items() if k[0] == size and k[1] == mode]
        if not v:
            continue
        name = names[mode]
        print(f"| {size} MiB | {name} | {len(v)} | {s3([r['gap'] for r in v])} | {s3([r['dump'] for r in v])} "
              f"| {s3([r['final_mib'] for r in v])} | {s3([r['restore'] for r in v])} | {s3([r['said'] for r in v])} | {s3([r['total'] for r in v])} "
              f"| {s3([r['rounds'] for r in v])} | {s3([r['pull'] for r in v]) if mode == 'postcopy' else '-'} |")
print()
for mode in ("precopy", "postcopy"):
    for size in sorted({k[0] for k in runs}):
        rs = sorted(runs[(size, mode, i)]["gap"] / runs[(size, "stop", i)]["gap"]
                    for i in sorted({k[2] for k in runs if k[0] == size})
                    if (size, mode, i) in runs and (size, "stop", i) in runs)
        if rs:
            print(f"- {size} MiB: {names[mode]} downtime / stop-and-copy downtime per round ({len(rs)} rounds): "
                  f"min {rs[0]:.2f}x, median {statistics.median(rs):.2f}x, max {rs[-1]:.2f}x.")
print(f"\nMedian (min-max) over rounds. Workload: atoll-heartbeat, rewriting {sys.argv[4]} MiB/s of its memory. "
      f"Downtime seen: the longest gap between its 1 ms UDP datagrams at the host (CLOCK_MONOTONIC there). "
      f"Machine load average: {sys.argv[2]} at the start, {sys.argv[3]} at the end; the box's host: {box_load}.")
PY
machine_note "$busy0" "$(cut -d" " -f1 <<<"$load0")" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/migrate-summary.md"
