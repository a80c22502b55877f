#!/usr/bin/env bash
# Boot-time benchmark (make bench): a partition started by `atoll boot`
# against a cold QEMU boot of the same kernel and initramfs, in one run.
#
#   boot-bench.sh ROOT OUT_DIR [ROUNDS]
#
# Both boot the partition root, build/images/rootfs.cpio.gz: what a
# partition needs (busybox, init, atoll, atolld, atoll.ko). The box adds its
# test tools to every other partition it boots (/etc/atoll/initrd.d); here
# they are left out on both sides.
#
# Partition: the box boots partitions 1 and 2 of its plan; the command then
# runs `atoll boot` for partition 3 (its default kernel: the vmlinux,
# started without its decompressor), which returns when the partition's init
# has loaded atoll.ko and its heartbeat shows in the lagoon (userspace
# reached): the whole command is timed by the host. The host's own steps
# are in the box's host-console.log ("host side N ms: ...").
# Cold: qemu-system-x86_64 -kernel bzImage -initrd rootfs.cpio.gz with one
# vCPU and 1 GiB, same accelerator; timed from QEMU's start until init prints
# its status line (which it does after loading atoll.ko, as in a partition).
set -euo pipefail
root=${1:?usage: boot-bench.sh ROOT OUT_DIR [ROUNDS]}
out=${2:?}
rounds=${3:-3}
images=$root/build/images
mkdir -p "$out"
accel=${BOX_ACCEL:-tcg}
case $accel in tcg) accel_args=(-accel tcg,thread=multi -cpu max) ;; kvm) accel_args=(-accel kvm -cpu host) ;; esac

now() { date +%s.%N; }

cold_boot() {
    local log=$out/cold-$1.log start t
    rm -f "$log"
    start=$(now)
    qemu-system-x86_64 -machine q35 "${accel_args[@]}" -smp 1 -m 1G -display none -monitor none \
        -no-reboot -kernel "$images/bzImage" -initrd "$images/rootfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 atoll.partition=9" -serial "file:$log" </dev/null &
    local pid=$!
    for _ in $(seq 1 1200); do
        if grep -q 'atoll: partition 9 up' "$log" 2>/dev/null; then
            t=$(echo "$(now) - $start" | bc)
            kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
            echo "$t"
            return 0
        fi
        sleep 0.05
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    echo "cold boot $1 did not reach init (log: $log)" >&2
    return 1
}

# The whole `atoll boot` command, from reading the images to the partition's
# heartbeat, timed by the host's clock (10 ms resolution).
partition_boot() {
    local o
    o=$(BOX_BOOT=1,2 BOX_LOGDIR=$out/box-$1 make -s -C "$root" run \
        CMD='s=$(cut -d" " -f1 /proc/uptime); atoll boot --plan /etc/atoll/box.plan --id 3 --initrd /usr/share/atoll/rootfs.cpio.gz >/dev/null || exit 1; e=$(cut -d" " -f1 /proc/uptime); echo "@@T $s $e"' 2>/dev/null) || {
        echo "partition boot $1 failed (logs: $out/box-$1)" >&2; return 1; }
    sed -n 's/^@@T \([0-9.]*\) \([0-9.]*\)$/\1 \2/p' <<<"$o" | awk '{ printf "%.2f\n", $2 - $1 }'
}

. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
echo "boot-bench: $rounds rounds, accel $accel" >&2
: > "$out/boot.tsv"
for r in $(seq 1 "$rounds"); do
    c=$(cold_boot "$r")
    p=$(partition_boot "$r")
    echo "boot-bench: round $r: cold QEMU boot ${c}s, partition boot ${p}s" >&2
    printf '%s\t%s\t%s\n' "$r" "$c" "$p" >> "$out/boot.tsv"
done
python3 - "$out/boot.tsv" <<'PY' | tee "$out/boot-summary.md"
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
cold = statistics.median(float(r[1]) for r in rows)
part = statistics.median(float(r[2]) for r in rows)
print(f"| boot to userspace (median of {len(rows)}) | seconds |")
print("|---|---|")
print(f"| cold `qemu -kernel` (1 vCPU, 1 GiB) | {cold:.2f} |")
print(f"| `atoll boot` partition | {part:.2f} |")
print(f"| ratio partition / cold | {part / cold:.2f} |")
r = sorted(float(x[2]) / float(x[1]) for x in rows)
print(f"\nPer round (cold and partition boots alternate): partition / cold "
      f"{r[0]:.2f}x / {statistics.median(r):.2f}x / {r[-1]:.2f}x (min / median / max)")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/boot-summary.md"
