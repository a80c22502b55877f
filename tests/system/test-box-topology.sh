#!/usr/bin/env bash
# The host sees the vCPUs, NUMA nodes and memory the box was asked for, the
# command line reaches it, and `make run CMD=` passes output through.
. "$(dirname "$0")/lib.sh"

BOX_PARTITIONS=0 box 'nproc
ls -d /sys/devices/system/node/node* | wc -l
cat /sys/devices/system/node/node0/cpulist /sys/devices/system/node/node1/cpulist
sed -n "s/^MemTotal: *\([0-9]*\).*/\1/p" /proc/meminfo
cat /proc/cmdline'
check "box command succeeded (rc=$rc)" test "$rc" = 0
mapfile -t l <<<"$out"
check "4 vCPUs online (got '${l[0]:-}')" test "${l[0]:-}" = 4
check "2 NUMA nodes (got '${l[1]:-}')" test "${l[1]:-}" = 2
check "node0 has CPUs 0-1, node1 CPUs 2-3 (got '${l[2]:-}' '${l[3]:-}')" test "${l[2]:-} ${l[3]:-}" = "0-1 2-3"
mem_kib=${l[4]:-0}
# 4 GiB asked; the kernel keeps some for itself and firmware holes, so expect
# between 3.5 GiB and 4 GiB of MemTotal.
check "MemTotal ${mem_kib} KiB is ~4 GiB" test "$mem_kib" -gt $((3584 * 1024)) -a "$mem_kib" -le $((4096 * 1024))
check "kernel command line reached the host (got '${l[5]:-}')" grep -q 'atoll.box=1' <<<"${l[5]:-}"
check "console shows the init status line" grep -q 'atoll: partition 0 up: 4 cpus' "$logs/host-console.log"
pass
