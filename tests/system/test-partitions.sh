#!/usr/bin/env bash
# First light: the box boots the host and 3 partitions of 1 CPU each; each
# partition is a real kernel on its own CPU and RAM; they run in parallel.
. "$(dirname "$0")/lib.sh"

box 'atoll list
echo @@JSON
atoll list --json
echo @@HOST
grep -c ^processor /proc/cpuinfo
cat /sys/devices/system/cpu/online
for n in 1 2 3; do
  echo "@@P$n"
  atoll run $n --timeout 120 -- "grep -c ^processor /proc/cpuinfo; grep ^apicid /proc/cpuinfo; cat /proc/cmdline; grep MemTotal /proc/meminfo; uname -r" || echo "run-failed $n"
done
echo @@LOG1
atoll log 1 | head -n 5
echo @@PLAN
atoll plan --partitions 3 --lagoon-size 64M --write /tmp/again.plan >/dev/null && cmp /tmp/again.plan /etc/atoll/box.plan && echo plan-same'
check "box command succeeded (rc=$rc)" test "$rc" = 0
json=$(sed -n '/^@@JSON$/,/^@@HOST$/p' <<<"$out" | sed '1d;$d')
check "atoll list --json: 3 running partitions on APICs 1,2,3" python3 - "$json" "$logs/box.plan" <<'PY'
import json, sys
parts = json.loads(sys.argv[1])["partitions"]
assert [p["id"] for p in parts] == [1, 2, 3], parts
assert all(p["state"] == "running" for p in parts), parts
assert [p["cpus"] for p in parts] == [[1], [2], [3]], parts
assert all(p["memory_bytes"] >= 512 << 20 for p in parts), parts
PY
host=$(sed -n '/^@@HOST$/,/^@@P1$/p' <<<"$out")
check "the host's /proc/cpuinfo lists only its own CPU" grep -qx 1 <<<"$host"
check "the host's online CPUs are 0 only" grep -qx 0 <<<"$host"
for n in 1 2 3; do
    p=$(sed -n "/^@@P$n\$/,/^@@/p" <<<"$out")
    check "partition $n answers atoll run" test -n "$p" -a -z "$(grep run-failed <<<"$p")"
    check "partition $n sees exactly 1 CPU" grep -qx 1 <<<"$p"
    check "partition $n runs on APIC ID $n" grep -Eq "^apicid[[:space:]]*: $n\$" <<<"$p"
    check "partition $n got its command line" grep -q "atoll.partition=$n" <<<"$p"
    mem=$(grep MemTotal <<<"$p" | awk '{ print $2 }')
    planned=$(awk -v id=$n '$1 == "partition" && $2 == id { print $0 }' "$logs/box.plan")
    check "partition $n has most of its planned memory (MemTotal ${mem:-?} KiB; plan: $planned)" \
        test "${mem:-0}" -gt $((400 * 1024))
    check "partition $n runs our kernel" grep -q -- '-atoll' <<<"$p"
done
check "atoll log 1 shows partition 1's boot from its first message" \
    grep -q 'Linux version' <<<"$(sed -n '/^@@LOG1$/,/^@@PLAN$/p' <<<"$out")"
check "atoll plan on the running host plans the whole machine (same plan as booted)" \
    grep -qx plan-same <<<"$out"
pass
