#!/usr/bin/env bash
# vnet benchmark (make bench): TCP throughput (iperf3) and ping round trips
# between partitions over vnet0, against loopback inside one partition as the
# baseline, measured in the same box run; then 3 pairs at once.
#
#   vnet-bench.sh ROOT OUT_DIR [ROUNDS] [SECONDS]
#
#   loopback    iperf3 in p1 to 127.0.0.1 (MTU 65536): the baseline
#   vnet64k     p1 -> p2 over vnet0 as it comes up: MTU 65535 between the
#               kernels (box/rootfs/vnet-up)
#   aggregate   p1 -> p2, p2 -> p3, p3 -> p1 at once: the sum
#   rtt         ping -c 20: p1 to 127.0.0.1 and p1 to p2 (average, ms)
#   pingpong    atoll-pingpong, one message at a time, sizes 1 B to 4 MiB:
#               p1 to p2 over vnet0 against p1 to itself over loopback,
#               the two interleaved in every round; the per-round ratio
#               of the medians, then min / median / max over rounds. Once
#               as the kernels come up (busy reading on: vnet-up) and once
#               with net.core.busy_read at 0 in p1 and p2, for reference
#   vnet1500    p1 -> p2 with the bench lowering vnet0 to MTU 1500 at the
#               end, for reference (the MTU of an ordinary Ethernet)
# Throughputs are iperf3's receiver figure (Mbit/s); each run is SECONDS long.
set -euo pipefail
root=${1:?usage: vnet-bench.sh ROOT OUT_DIR [ROUNDS] [SECONDS]}
out=${2:?}
rounds=${3:-3}
secs=${4:-5}
mkdir -p "$out"

cmd='on() { atoll run "$1" --timeout 120 -- "$2"; }
rx="| awk \"/receiver/ { print \\\$7 }\""
for n in 1 2 3; do on $n "iperf3 -s -D" >/dev/null || exit 1; done
sleep 1
for r in $(seq 1 '"$rounds"'); do
  echo "@@loopback $r $(on 1 "iperf3 -c 127.0.0.1 -t '"$secs"' -f m $rx")"
  echo "@@vnet64k $r $(on 1 "iperf3 -c p2 -t '"$secs"' -f m $rx")"
done
for r in $(seq 1 '"$rounds"'); do
  for n in 1 2 3; do
    on $n "rm -f /tmp/agg; (iperf3 -c p$((n % 3 + 1)) -t '"$secs"' -f m $rx > /tmp/agg 2>&1 &)" >/dev/null
  done
  sleep $(('"$secs"' + 3))
  sum=0
  for n in 1 2 3; do
    v=$(on $n "i=0; while [ ! -s /tmp/agg ] && [ \$i -lt 30 ]; do sleep 1; i=\$((i+1)); done; cat /tmp/agg")
    sum=$(awk -v a="$sum" -v b="$v" "BEGIN { print a + b }")
  done
  echo "@@aggregate $r $sum"
done
# busybox says "round-trip min/avg/max", iputils "rtt min/avg/max/mdev"
avg="| awk -F/ \"/^round-trip / { print \\\$4 } /^rtt / { print \\\$5 }\""
for r in $(seq 1 '"$rounds"'); do
  echo "@@rtt_loopback $r $(on 1 "ping -c 20 -i 0.2 127.0.0.1 $avg")"
  echo "@@rtt_vnet $r $(on 1 "ping -c 20 -i 0.2 p2 $avg")"
done
# Ping-pong: servers started after busy_read is set (a socket takes the
# setting when it is made, an accepted one from its listener).
pp_serve() {
  on 2 "kill \$(pidof atoll-pingpong) 2>/dev/null; echo $1 > /proc/sys/net/core/busy_read; (atoll-pingpong serve 7390 </dev/null >/dev/null 2>&1 &)" &&
  on 1 "kill \$(pidof atoll-pingpong) 2>/dev/null; echo $1 > /proc/sys/net/core/busy_read; (atoll-pingpong serve 7391 </dev/null >/dev/null 2>&1 &)" && sleep 1
}
pp_rounds() {
  for r in $(seq 1 '"$rounds"'); do
    on 1 "atoll-pingpong 127.0.0.1 7391 1 1k 64k 1m 4m" |
      awk -v r=$r -v k=${1}lo "/^pingpong / { print \"@@\" k \"_\" \$2, r, \$5 }"
    on 1 "atoll-pingpong 10.77.0.3 7390 1 1k 64k 1m 4m" |
      awk -v r=$r -v k=${1}vnet "/^pingpong / { print \"@@\" k \"_\" \$2, r, \$5 }"
  done
}
on 1 "cat /proc/sys/net/core/busy_read" | sed "s/^/@@busy_read 0 /"
pp_serve "$(on 1 "cat /proc/sys/net/core/busy_read")" || exit 1
pp_rounds pp
pp_serve 0 || exit 1
pp_rounds ppnobr
on 1 "cat /sys/class/net/vnet0/statistics/tx_dropped" | sed "s/^/@@tx_dropped 0 /"
on 1 "cat /sys/class/net/vnet0/mtu" | sed "s/^/@@default_mtu 0 /"
for n in 1 2 3; do on $n "ip link set vnet0 mtu 1500" || exit 1; done
for r in $(seq 1 '"$rounds"'); do
  echo "@@vnet1500 $r $(on 1 "iperf3 -c p2 -t '"$secs"' -f m $rx")"
done'
echo "vnet-bench: $rounds rounds of ${secs}s in one box" >&2
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
o=$(BOX_LOGDIR=$out/box BOX_TIMEOUT=1800 make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "vnet-bench: the box run failed (logs: $out/box)" >&2; exit 1; }
sed -n 's/^@@\([a-z0-9_]*\) \([0-9]*\) \([0-9][0-9.]*\)$/\1\t\2\t\3/p' <<<"$o" > "$out/vnet.tsv"
python3 - "$out/vnet.tsv" <<'PY' | tee "$out/vnet-summary.md"
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    kind, _, v = line.rstrip("\n").split("\t")
    t.setdefault(kind, []).append(float(v))
for need in ("loopback", "vnet1500", "vnet64k", "aggregate", "rtt_loopback", "rtt_vnet"):
    if not t.get(need):
        sys.exit(f"vnet-bench: no {need} figure (see the box log)")
m = {k: statistics.median(v) for k, v in t.items()}
n = len(t["loopback"])
print(f"| measurement (median of {n}) | value | ratio to loopback |")
print("|---|---|---|")
print(f"| TCP, loopback in p1 (baseline) | {m['loopback']:.0f} Mbit/s | 1.00 |")
mtu = f"{t['default_mtu'][0]:.0f}" if "default_mtu" in t else "?"
print(f"| TCP, p1 -> p2, default MTU ({mtu}) | {m['vnet64k']:.0f} Mbit/s | {m['vnet64k'] / m['loopback']:.2f} |")
print(f"| TCP, 3 pairs at once (sum), default MTU | {m['aggregate']:.0f} Mbit/s | {m['aggregate'] / m['loopback']:.2f} |")
print(f"| TCP, p1 -> p2, MTU lowered to 1500 (reference) | {m['vnet1500']:.0f} Mbit/s | {m['vnet1500'] / m['loopback']:.2f} |")
print(f"| ping, loopback in p1 (baseline) | {m['rtt_loopback']:.3f} ms | 1.00 |")
print(f"| ping, p1 -> p2 | {m['rtt_vnet']:.3f} ms | {m['rtt_vnet'] / m['rtt_loopback']:.2f} |")


def spread(v):
    return f"{min(v):.0f} / {statistics.median(v):.0f} / {max(v):.0f}"

# Ping-pong: per round, vnet's median one-way time over loopback's (like
# against like), then min / median / max of those ratios over rounds.
def pingpong(prefix, title):
    print(f"\n{title}\n")
    print("| size (bytes) | loopback in p1: one-way µs, min / median / max over rounds | p1 -> p2 over vnet0 | time vnet / loopback, per round: min / median / max | throughput vnet / loopback (median) |")
    print("|---|---|---|---|---|")
    for size in (1, 1024, 65536, 1048576, 4194304):
        lo, vn = t.get(f"{prefix}lo_{size}", []), t.get(f"{prefix}vnet_{size}", [])
        if not lo or len(lo) != len(vn):
            sys.exit(f"vnet-bench: ping-pong {prefix} {size}: {len(lo)} loopback and {len(vn)} vnet figures (see the box log)")
        r = sorted(b / a for a, b in zip(lo, vn))
        med = statistics.median(r)
        thr = f"{1 / med:.2f}x" if size >= 65536 else "-"
        print(f"| {size} | {spread(lo)} | {spread(vn)} | {r[0]:.2f}x / {med:.2f}x / {r[-1]:.2f}x | {thr} |")

br = f"{t['busy_read'][0]:.0f} µs" if "busy_read" in t else "?"
pingpong("pp", f"Ping-pong, one message at a time (atoll-pingpong), as the kernels come up: busy reading {br}")
pingpong("ppnobr", "The same with busy reading off in p1 and p2 (net.core.busy_read 0), for reference")
if "tx_dropped" in t:
    print(f"\np1's vnet0 tx_dropped after the run: {t['tx_dropped'][0]:.0f} frames")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/vnet-summary.md"
