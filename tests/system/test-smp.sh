#!/usr/bin/env bash
# SMP partitions (issue 5): a partition of 2+ CPUs brings the others up
# itself, through the host's AP start page, and uses them all at once.
#
# The box has 6 vCPUs on 2 nodes (APIC 0-2 and 4-6: QEMU aligns each socket
# to a power of two). The plan gives each of the
# 2 partitions the free CPUs of one node: partition 1 gets APIC 1-2,
# partition 2 gets APIC 4-6. No timing thresholds: only CPU counts, APIC IDs,
# tick counters that moved and the order of events.
. "$(dirname "$0")/lib.sh"
export BOX_CPUS=6 BOX_PARTITIONS=2

box "$box_ex"'
atoll list
echo @@P1; ex p1 "nproc; cat /sys/devices/system/cpu/online; grep ^apicid /proc/cpuinfo"
echo @@P2; ex p2 "nproc; cat /sys/devices/system/cpu/online"
echo @@SPIN; ex p1 "atoll-spin 0 1"
echo @@STOP; atoll stop 1 && atoll restart 1 && ex p1 nproc
echo @@FORCE; atoll stop --force 2 && atoll restart 2 && ex p2 nproc'
check "box command succeeded (rc=$rc)" test "$rc" = 0
p1=$(section P1); p2=$(section P2); spin=$(section SPIN)
check "partition 1 has 2 CPUs online" test "$(head -1 <<<"$p1")" = 2
check "partition 1's online mask is 0-1" grep -qx '0-1' <<<"$p1"
check "partition 1's CPUs are APIC 1 and 2" \
    test "$(grep apicid <<<"$p1" | awk '{ print $NF }' | sort | tr '\n' ' ')" = "1 2 "
check "partition 2 has 3 CPUs online" test "$(head -1 <<<"$p2")" = 3
check "partition 2's online mask is 0-2" grep -qx '0-2' <<<"$p2"
check "both pinned loops finished" test "$(grep -c '^loop [01] [0-9.]* [0-9.]*$' <<<"$spin")" = 2
check "both CPUs' tick counters moved" \
    awk '$1 == "ticks" { n++; if ($4 > $3) moved++ } END { exit !(n == 2 && moved == 2) }' <<<"$spin"
check "the two loops overlapped in time (latest start before earliest end)" \
    awk '$1 == "loop" { if (!n++ || $3 > s) s = $3; if (n == 1 || $4 < e) e = $4 } END { exit !(n == 2 && s < e) }' <<<"$spin"
check "a clean stop and restart bring both CPUs back" test "$(section STOP | tail -1)" = 2
check "a force-stop and restart bring all 3 CPUs back" test "$(section FORCE | tail -1)" = 3
pass
