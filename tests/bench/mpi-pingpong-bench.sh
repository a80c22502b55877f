#!/usr/bin/env bash
# MPI ping-pong across partitions against shared memory (issue 12; make
# bench). One box of 6 vCPUs on the Debian root, with two SMP partitions
# (p1: 2 CPUs, p2: 3 CPUs). In ROUNDS interleaved rounds, so that noise hits
# every side alike:
#
#   shm   two MPICH ranks inside p1 (UCX's shared memory): the baseline
#   vnet  one MPICH rank in p1, one in p2 (UCX's TCP over vnet0)
#   tcp   atoll-pingpong p1 -> p2 (plain TCP over vnet0, no MPI): reference
#   lo    atoll-pingpong inside p1 over loopback: TCP without crossing kernels
#
# each the same sizes, one message at a time (mpi-pingpong, atoll-pingpong).
# Prints per size and side the min / median / max over rounds of each
# round's median one-way time, and the ratios the issue sets goals for:
# small-message latency vnet/shm (goal within 3x) and 1 and 4 MiB bandwidth
# vnet/shm (goal at least 0.5x).
#
#   mpi-pingpong-bench.sh ROOT OUT_DIR [ROUNDS]
set -euo pipefail
root=${1:?usage: mpi-pingpong-bench.sh ROOT OUT_DIR [ROUNDS]}
out=${2:?}
rounds=${3:-3}
mkdir -p "$out"
sizes="1 1k 64k 1m 4m"

# A job that hangs (MPICH's rare hang, doc/mpi.md) is ended at 300 s and
# that round's side is tried once more, saying so.
cmd='
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 3 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
atoll nodes
cd /home
atoll exec p2 -- atoll-pingpong serve 7390 </dev/null >/dev/null 2>&1 &
atoll exec p1 -- atoll-pingpong serve 7391 </dev/null >/dev/null 2>&1 &
sleep 2
side() {
    for try in 1 2; do
        case $1 in
        shm)  timeout 300 atoll mpirun -n 2 --nodes p1 /usr/lib/atoll/examples/mpi-pingpong '"$sizes"' ;;
        vnet) timeout 300 atoll mpirun -n 2 --nodes p1,p2 --per-node 1 /usr/lib/atoll/examples/mpi-pingpong '"$sizes"' ;;
        tcp)  timeout 300 atoll exec p1 -- atoll-pingpong "$(awk "\$2 == \"p2\" { print \$3 }" /etc/atoll/nodes)" 7390 '"$sizes"' ;;
        lo)   timeout 300 atoll exec p1 -- atoll-pingpong 127.0.0.1 7391 '"$sizes"' ;;
        esac > /tmp/pp.out 2>&1
        rc=$?
        [ $rc = 0 ] && break
        echo "@@retry $1 $2 status $rc"; cat /tmp/pp.out
    done
    sed "s/^/@@$1 $2 /" /tmp/pp.out
}
r=0; while [ $r -lt '"$rounds"' ]; do side shm $r; side vnet $r; side tcp $r; side lo $r; r=$((r+1)); done
echo "@@load $(cut -d" " -f1-3 /proc/loadavg)"'
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1-3 /proc/loadavg)
o=$(BOX_ROOT=debian BOX_CPUS=6 BOX_PARTITIONS=2 BOX_LOGDIR=$out/box BOX_TIMEOUT=$((rounds * 1000 + 600)) \
    make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "mpi-pingpong-bench: the box run failed (logs: $out/box)" >&2; exit 1; }
printf '%s\n' "$o" > "$out/pingpong.out"
python3 - "$out/pingpong.out" "$load0" "$(cut -d" " -f1-3 /proc/loadavg)" <<'PY' | tee "$out/pingpong-summary.md"
import statistics, sys
med = {}      # (side, size) -> [per-round median one-way us]
where = {}    # side -> set of "rank N of M on NODE" lines
retries, box_load = [], ""
for line in open(sys.argv[1]):
    w = line.split()
    if not w:
        continue
    if w[0] in ("@@shm", "@@vnet", "@@tcp", "@@lo"):
        side = w[0][2:]
        if w[2] == "pingpong" and len(w) == 9:
            med.setdefault((side, int(w[3])), []).append(float(w[6]))
        elif w[2] == "rank":
            where.setdefault(side, set()).add(" ".join(w[2:8]))
    elif w[0] == "@@retry":
        retries.append(f"{w[1]} round {w[2]} (status {w[4]})")
    elif w[0] == "@@load":
        box_load = " ".join(w[1:])
sizes = sorted({s for (_, s) in med})
if not sizes:
    sys.exit("mpi-pingpong-bench: no results (see pingpong.out)")
def fmt(v):
    return f"{min(v):.1f} / {statistics.median(v):.1f} / {max(v):.1f}"
print("One-way time per message in microseconds, min / median / max over rounds of each round's median:")
print()
print("| size (bytes) | shm: 2 ranks in p1 | vnet: p1 and p2 | tcp: p1 to p2, no MPI | lo: TCP inside p1 | vnet / shm (per round: min / median / max) | vnet / tcp | tcp / lo | bandwidth vnet / shm (MB/s) |")
print("|---|---|---|---|---|---|---|---|---|")
for s in sizes:
    a, b, c, d = (med.get((k, s), []) for k in ("shm", "vnet", "tcp", "lo"))
    if not (a and b and c and d):
        continue
    m = statistics.median
    # Rounds interleave the sides, so a round's ratio compares like with like.
    r = sorted(y / x for x, y in zip(a, b))
    ratio = f"{statistics.median(r):.1f}x ({r[0]:.1f} / {statistics.median(r):.1f} / {r[-1]:.1f})"
    bw = (f"{s / statistics.median(b):.0f} / {s / statistics.median(a):.0f} = {statistics.median(a) / statistics.median(b):.2f}x"
          if s >= 65536 else "-")
    print(f"| {s} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {fmt(d)} | {ratio} | {m(b) / m(c):.1f}x | {m(c) / m(d):.1f}x | {bw} |")
print()
for side in ("shm", "vnet"):
    print(f"- {side}: " + "; ".join(sorted(where.get(side, []))))
print(f"- Retried after a hang or failure: {', '.join(retries) if retries else 'none'}.")
print(f"- Machine load average: {sys.argv[2]} at the start, {sys.argv[3]} at the end; the box's host: {box_load}.")
PY
machine_note "$busy0" "$(cut -d" " -f1 <<<"$load0")" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/pingpong-summary.md"
