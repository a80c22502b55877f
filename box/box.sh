#!/usr/bin/env bash
# The Atoll development box: QEMU q35 with N vCPUs in M NUMA nodes.
#
#   box.sh IMAGES_DIR                 interactive: host console on this terminal
#   box.sh IMAGES_DIR --cmd 'CMD'     boot, run CMD in the host partition, print
#                                     its output, power off, exit with its status
#   box.sh --check                    validate the parameters only (no QEMU)
#
# Parameters come from the environment (the Makefile exports them):
#   BOX_CPUS=4 BOX_NODES=2 BOX_MEM=4G BOX_ACCEL=tcg BOX_APPEND= BOX_TIMEOUT=900
#   BOX_PARTITIONS=3    partitions the host boots (from a plan made in the box)
#   BOX_BOOT=1,2        boot only these partitions of the plan (default: all)
#   BOX_LOGDIR=build/logs/<time>   where this run keeps its console logs
#   BOX_ROOT=initramfs  what every kernel runs: initramfs (busybox and Atoll's
#                       tools) or debian (the Debian 12 root: the host boots
#                       BOX_DISK from virtio-blk, partitions mount it over
#                       NFS; doc/userland.md)
#   BOX_DISK=IMAGES_DIR/../disk/root.img   the Debian root disk
#
# Serial ports: ttyS0 is the host console (logged to host-console.log), ttyS1
# the raw command channel (cmd.out). Exit statuses of --cmd mode: CMD's own,
# or 124 when the box ran past BOX_TIMEOUT, 125 when the box stopped without
# reporting a status (kernel panic, failed boot): read the console log.
# The status is also written to BOX_LOGDIR/status (make run reports any
# failure as 2, so scripts read the exact status there).
set -euo pipefail

die() { echo "box: $*" >&2; exit 2; }

cpus=${BOX_CPUS:-4}
nodes=${BOX_NODES:-2}
mem=${BOX_MEM:-4G}
accel=${BOX_ACCEL:-tcg}
append=${BOX_APPEND:-}
timeout_s=${BOX_TIMEOUT:-900}
partitions=${BOX_PARTITIONS:-3}
boot_ids=${BOX_BOOT:-}
root_kind=${BOX_ROOT:-initramfs}

# ---- validate every parameter before anything starts
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_uint "$cpus" && [ "$cpus" -ge 1 ] && [ "$cpus" -le 64 ] ||
    die "BOX_CPUS=$cpus: need a whole number of vCPUs from 1 to 64"
is_uint "$nodes" && [ "$nodes" -ge 1 ] && [ "$nodes" -le 8 ] ||
    die "BOX_NODES=$nodes: need a whole number of NUMA nodes from 1 to 8"
[ $((cpus % nodes)) = 0 ] ||
    die "BOX_CPUS=$cpus cannot be split evenly over BOX_NODES=$nodes NUMA nodes"
if [[ $mem =~ ^([0-9]+)([MmGg])$ ]]; then
    mem_mib=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]} in [Gg]) mem_mib=$((mem_mib * 1024)) ;; esac
else
    die "BOX_MEM=$mem: give a size such as 4G or 6144M"
fi
min_node_mib=512
[ "$mem_mib" -ge $((nodes * min_node_mib)) ] ||
    die "BOX_MEM=$mem: $nodes NUMA nodes need at least $((nodes * min_node_mib))M ($min_node_mib M per node)"
node_mib=$((mem_mib / nodes))
[ $((node_mib * nodes)) = "$mem_mib" ] && [ $((node_mib % 2)) = 0 ] ||
    die "BOX_MEM=$mem does not split into $nodes equal nodes of whole 2 MiB pages"
case $accel in
tcg) accel_args=(-accel tcg,thread=multi,tb-size=256 -cpu max) ;;
kvm) [ -w /dev/kvm ] || die "BOX_ACCEL=kvm: /dev/kvm is missing or not writable (use BOX_ACCEL=tcg)"
     accel_args=(-accel kvm -cpu host) ;;
*)   die "BOX_ACCEL=$accel: unknown acceleration; use tcg (default) or kvm" ;;
esac
is_uint "$timeout_s" && [ "$timeout_s" -ge 10 ] || die "BOX_TIMEOUT=$timeout_s: need whole seconds, at least 10"
is_uint "$partitions" && [ "$partitions" -lt "$cpus" ] && [ "$partitions" -le 15 ] ||
    die "BOX_PARTITIONS=$partitions: need 0 to $((cpus - 1 < 15 ? cpus - 1 : 15)) (the host keeps one of the $cpus vCPUs)"

case $root_kind in initramfs|debian) ;;
*) die "BOX_ROOT=$root_kind: use initramfs (busybox) or debian (the Debian 12 root)" ;; esac
[ -z "$boot_ids" ] || [[ $boot_ids =~ ^[0-9]+(,[0-9]+)*$ ]] ||
    die "BOX_BOOT=$boot_ids: give partition ids of the plan, e.g. 1,2"

if [ "${1:-}" = --check ]; then
    echo "box: ok: $cpus vCPUs in $nodes NUMA nodes, ${mem_mib}M ($node_mib M per node), $accel, $partitions partitions, $root_kind root"
    exit 0
fi

images=${1:?usage: box.sh IMAGES_DIR [--cmd CMD] | --check}
shift
cmd=
have_cmd=0
if [ "${1:-}" = --cmd ]; then
    have_cmd=1
    cmd=${2:-}
    [ -n "$cmd" ] || die "--cmd needs a command"
fi

qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found; it comes with Debian package 'qemu-system-x86' (make deps)"
for f in bzImage host.cpio.gz boot.cpio.gz; do
    [ -r "$images/$f" ] || die "$images/$f missing; run 'make' first"
done
disk_args=()
if [ "$root_kind" = debian ]; then
    disk=${BOX_DISK:-$images/../disk/root.img}
    [ -r "$disk" ] || die "$disk missing; run 'make' first (it builds the Debian root)"
    # Copy-on-write: a box run never changes the image (writes go to a
    # temporary overlay QEMU drops at exit).
    home=$(dirname "$disk")/home.img
    [ -r "$home" ] || die "$home missing; run 'make' first"
    disk_args=(-drive "file=$disk,format=raw,if=virtio,snapshot=on"
               -drive "file=$home,format=raw,if=virtio,snapshot=on")
fi

root=$(cd "$(dirname "$0")/.." && pwd)
logdir=${BOX_LOGDIR:-$root/build/logs/$(date +%Y%m%d-%H%M%S)-$$}
mkdir -p "$logdir"

# ---- the machine: one socket per NUMA node, memory split evenly
per_node=$((cpus / nodes))
machine=(-machine q35 -smp "$cpus,sockets=$nodes,cores=$per_node,threads=1" -m "${mem_mib}M")
for ((n = 0; n < nodes; n++)); do
    machine+=(-object "memory-backend-ram,id=ram$n,size=${node_mib}M"
              -numa "node,nodeid=$n,cpus=$((n * per_node))-$(((n + 1) * per_node - 1)),memdev=ram$n")
done
# vectors=0: INTx instead of MSI-X. QEMU 7.2's TCG once aborted in the MSI-X
# table emulation (msix_table_mmio_write assertion) while a 16-vCPU host
# probed the device; the outside link needs no per-queue vectors.
# The outside world is QEMU's user networking on vnet's own subnet: the host
# bridges eth0 and vnet0 (box/rootfs/init), so every partition is on the
# same Ethernet as QEMU's gateway (.254) and DNS (.253); its DHCP pool
# (.200 up) stays clear of the partitions' fixed addresses.
net=(-netdev "user,id=wan0,net=10.77.0.0/24,host=10.77.0.254,dns=10.77.0.253,dhcpstart=10.77.0.200,ipv6-net=fd77::/64,ipv6-host=fd77::fe,ipv6-dns=fd77::fd"
     -device virtio-net-pci,netdev=wan0,vectors=0)

# ---- the partition plan. The pool must be reserved when the host boots, so
# the harness does what a person does on a real PC: boot once, run `atoll
# plan` there, and put its kernel parameters on the host's command line. The
# result is cached per box shape and images. The lagoon is 64M: its VNET
# region then gives every pair of the 16 possible nodes a 256 KiB ring, enough
# for 64 KiB frames (doc/vnet.md).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc/atoll"
plan_params=
if [ "$partitions" -gt 0 ]; then
    key=$(printf '%s\n' "$cpus $nodes $mem_mib $partitions" "$(cat "$images/.key" 2>/dev/null)" |
          sha256sum | cut -c1-16)
    cache=$root/build/box-plans/$key
    if [ ! -s "$cache/box.plan" ] || [ ! -s "$cache/params" ]; then
        echo "box: planning $partitions partitions inside the box (once per box shape)" >&2
        mkdir -p "$cache"
        if ! probe=$(BOX_PARTITIONS=0 BOX_LOGDIR=$logdir/plan-probe "$0" "$images" --cmd \
                "atoll plan --partitions $partitions --lagoon-size 64M --write /tmp/box.plan --kernel-params && echo @@PLAN && cat /tmp/box.plan"); then
            die "atoll plan failed inside the box: $probe (logs: $logdir/plan-probe)"
        fi
        printf '%s\n' "${probe%%@@PLAN*}" | head -n 1 > "$cache/params"
        printf '%s\n' "${probe#*@@PLAN}" | sed '1{/^$/d}' > "$cache/box.plan"
    fi
    plan_params=$(cat "$cache/params")
    cp "$cache/box.plan" "$work/etc/atoll/box.plan"
    cp "$cache/box.plan" "$logdir/box.plan"
fi
# IPI broadcasts stay off in the host (atoll.ko also forces that while CPUs
# are lent); the parameter makes it so from the first moment.
# atoll.busy_read=200: under TCG a vnet crossing takes a few hundred
# microseconds, not the few of real hardware that vnet-up's default of 50
# is for (doc/vnet.md, "Busy reading"); init passes it on to the partitions.
kcmdline="console=ttyS0,115200 panic=-1 atoll.box=1 no_ipi_broadcast=1 atoll.busy_read=200 $plan_params $append"
[ -n "$boot_ids" ] && kcmdline="$kcmdline atoll.box_boot=$boot_ids"
initrd=$images/host.cpio.gz
if [ "$root_kind" = debian ]; then
    kcmdline="$kcmdline atoll.root=/dev/vda"
    initrd=$images/boot.cpio.gz
fi

# ---- the plan and the command travel as one more initramfs archive
[ "$have_cmd" = 1 ] && printf '%s\n' "$cmd" > "$work/etc/atoll/cmd"
(cd "$work" && find etc | cpio -o -H newc --quiet --owner 0:0) | gzip -1 > "$work/extra.cpio.gz"
cat "$initrd" "$work/extra.cpio.gz" > "$work/initrd"

# Serial ports: ttyS0 host console, ttyS1 command channel, ttyS2 partition
# console logs (written by the host after the command), ttyS3 partitions'
# earlyprintk when debugging (BOX_APPEND=atoll.box_debug=1).
if [ "$have_cmd" = 0 ]; then
    echo "box: $cpus vCPUs, $nodes NUMA nodes, ${mem_mib}M, $accel, $partitions partitions; Ctrl-A X quits; logs in $logdir" >&2
    "$qemu" "${machine[@]}" "${accel_args[@]}" "${net[@]}" "${disk_args[@]}" -nographic -no-reboot \
        -kernel "$images/bzImage" -initrd "$work/initrd" -append "$kcmdline" \
        -serial mon:stdio -serial "file:$logdir/cmd.out" -serial "file:$logdir/partitions.log" \
        -serial "file:$logdir/partitions-early.log"
    exit $?
fi
rm -f "$logdir/cmd.out"
printf '%s\n' "$cmd" > "$logdir/cmd"

echo "box: booting $cpus vCPUs, $nodes NUMA nodes, ${mem_mib}M, $accel (logs: $logdir)" >&2
start=$(date +%s)
set +e
# BOX_QEMU_ARGS: extra QEMU options for debugging, e.g.
#   BOX_QEMU_ARGS="-d cpu_reset,guest_errors -D /tmp/qemu-debug.log"
# shellcheck disable=SC2086
# QEMU 7.2's TCG itself has crashed at boot (SIGSEGV in PCI enumeration,
# before the host kernel ran any code of ours; seen once in a fresh-clone
# run). A QEMU that dies of SIGSEGV or SIGABRT before the command printed
# anything is started once more; its first console log is kept beside.
for attempt in 1 2; do
    timeout --foreground -k 10 "$timeout_s" "$qemu" "${machine[@]}" "${accel_args[@]}" "${net[@]}" "${disk_args[@]}" ${BOX_QEMU_ARGS:-} \
        -display none -monitor none -no-reboot \
        -kernel "$images/bzImage" -initrd "$work/initrd" -append "$kcmdline" \
        -serial "file:$logdir/host-console.log" -serial "file:$logdir/cmd.out" \
        -serial "file:$logdir/partitions.log" -serial "file:$logdir/partitions-early.log" \
        </dev/null >"$logdir/qemu.log" 2>&1
    qrc=$?
    { [ "$qrc" = 139 ] || [ "$qrc" = 134 ]; } && [ "$attempt" = 1 ] && [ ! -s "$logdir/cmd.out" ] || break
    echo "box: QEMU crashed (status $qrc) before the command ran; starting it once more" \
         "(first console log: $logdir/host-console.crashed.log)" >&2
    [ -e "$logdir/host-console.log" ] && mv "$logdir/host-console.log" "$logdir/host-console.crashed.log"
done
set -e
elapsed=$(($(date +%s) - start))

# Split the partitions' consoles (written by the host after the command).
if [ -s "$logdir/partitions.log" ]; then
    awk -v dir="$logdir" '/^@@ATOLL-PARTITION [0-9]+@@/ { n = $2; sub(/@@/, "", n); f = dir "/partition-" n "-console.log"; next }
                          f { print > f }' "$logdir/partitions.log"
fi

out=$logdir/cmd.out
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    [ -e "$out" ] && cat "$out"
    echo 124 > "$logdir/status"
    echo "box: timed out after ${timeout_s}s (BOX_TIMEOUT); console log: $logdir/host-console.log" >&2
    exit 124
fi
trailer=$( [ -e "$out" ] && tail -c 64 "$out" | grep -ao '@@ATOLL-EXIT [0-9]*@@' | tail -n 1 || true)
if [ -z "$trailer" ]; then
    [ -e "$out" ] && cat "$out"
    echo 125 > "$logdir/status"
    echo "box: the box stopped (qemu status $qrc) without reporting the command's status;" \
         "console log: $logdir/host-console.log" >&2
    tail -n 15 "$logdir/host-console.log" >&2 2>/dev/null || true
    exit 125
fi
rc=${trailer#@@ATOLL-EXIT }; rc=${rc%@@}
# Print the output without the trailer (which starts with a newline).
size=$(stat -c %s "$out")
head -c $((size - ${#trailer} - 2)) "$out"
echo "$rc" > "$logdir/status"
echo "box: command exited with status $rc after ${elapsed}s" >&2
exit "$rc"
