#!/usr/bin/env bash
# Lifecycle benchmark (make bench): how long a clean stop, a force-stop and a
# restart take, and how long the host takes to notice a crash, measured in
# one box run against the baseline of a first `atoll boot` of the same
# partition in the same run.
#
#   lifecycle-bench.sh ROOT OUT_DIR [ROUNDS]
#
# Every time is the host's /proc/uptime (10 ms resolution) around the whole
# command, as a user sees it:
#   boot      atoll boot --id 3 (returns when the heartbeat shows)
#   stop      atoll stop 3 (init's shutdown, park, report)
#   restart   atoll restart 3 (returns when the heartbeat shows)
#   force     atoll stop --force 3 (INIT, park)
#   crash     from typing `echo c > /proc/sysrq-trigger` into partition 3
#             until `atoll list` shows it stopped (the host's monitor polls
#             every 250 ms)
set -euo pipefail
root=${1:?usage: lifecycle-bench.sh ROOT OUT_DIR [ROUNDS]}
out=${2:?}
rounds=${3:-5}
mkdir -p "$out"

cmd='t() { cut -d" " -f1 /proc/uptime; }
s=$(t); atoll boot --plan /etc/atoll/box.plan --id 3 >/dev/null || exit 1; echo "@@boot 0 $s $(t)"
for r in $(seq 1 '"$rounds"'); do
  s=$(t); atoll stop 3 >/dev/null || exit 1; echo "@@stop $r $s $(t)"
  s=$(t); atoll restart 3 >/dev/null || exit 1; echo "@@restart $r $s $(t)"
  s=$(t); atoll stop --force 3 >/dev/null || exit 1; echo "@@force $r $s $(t)"
  atoll restart 3 >/dev/null || exit 1
  s=$(t); (atoll run 3 --timeout 2 -- "echo c > /proc/sysrq-trigger" >/dev/null 2>&1 &)
  while ! atoll list | grep -q "^3 *stopped"; do :; done; echo "@@crash $r $s $(t)"
  atoll restart 3 >/dev/null || exit 1
done'
echo "lifecycle-bench: $rounds rounds in one box" >&2
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
o=$(BOX_BOOT=1,2 BOX_LOGDIR=$out/box make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "lifecycle-bench: the box run failed (logs: $out/box)" >&2; exit 1; }
sed -n 's/^@@\([a-z]*\) \([0-9]*\) \([0-9.]*\) \([0-9.]*\)$/\1\t\2\t\3\t\4/p' <<<"$o" > "$out/lifecycle.tsv"
python3 - "$out/lifecycle.tsv" <<'PY' | tee "$out/lifecycle-summary.md"
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
t = {}
for kind, _, s, e in rows:
    t.setdefault(kind, []).append(float(e) - float(s))
boot = t["boot"][0]
n = len(t["stop"])
print(f"| operation (median of {n}; boot: once) | seconds | ratio to first boot |")
print("|---|---|---|")
print(f"| `atoll boot` (baseline) | {boot:.2f} | 1.00 |")
for kind, label in (("stop", "`atoll stop` (clean)"), ("force", "`atoll stop --force`"),
                    ("restart", "`atoll restart`"), ("crash", "crash noticed (sysrq c to `stopped (panic)`)")):
    m = statistics.median(t[kind])
    print(f"| {label} | {m:.2f} | {m / boot:.2f} |")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/lifecycle-summary.md"
