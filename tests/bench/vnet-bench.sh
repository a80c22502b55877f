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
avg="| awk -F/ \"/round-trip/ { print \\\$4 }\""
for r in $(seq 1 '"$rounds"'); do
  echo "@@rtt_loopback $r $(on 1 "ping -c 20 -i 0.2 127.0.0.1 $avg")"
  echo "@@rtt_vnet $r $(on 1 "ping -c 20 -i 0.2 p2 $avg")"
done
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
sed -n 's/^@@\([a-z0-9_]*\) \([0-9]*\) \([0-9.]*\)$/\1\t\2\t\3/p' <<<"$o" > "$out/vnet.tsv"
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
if "tx_dropped" in t:
    print(f"\np1's vnet0 tx_dropped after the run: {t['tx_dropped'][0]:.0f} frames")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/vnet-summary.md"
