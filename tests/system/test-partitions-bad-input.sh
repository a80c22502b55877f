#!/usr/bin/env bash
# Bad boot requests get a clear error and change nothing: the partition list
# stays the same, the CPU stays online in the host, and a correct boot of the
# same partition works afterwards. A console of a partition that does not
# exist is refused at once (issue 18); a real one attaches. The box boots partitions 1 and 2 of its
# 3-partition plan, leaving APIC 3 and partition 3's memory free.
. "$(dirname "$0")/lib.sh"

BOX_BOOT=1,2 box 'set -- $(awk "\$1 == \"partition\" && \$2 == 3 { print \$8, \$9 }" /etc/atoll/box.plan)
mem3="$1 $2"; start3=$1
set -- $(awk "\$1 == \"partition\" && \$2 == 2 { print \$8, \$9 }" /etc/atoll/box.plan)
mem2="$1 $2"
try() { name=$1; shift; echo "@@$name"; "$@" 2>&1; echo "rc=$?"; }
try host-cpu atoll boot --id 3 --cpus 0 --memory "$mem3" --node 1 --no-wait
try busy-cpu atoll boot --id 3 --cpus 1 --memory "$mem3" --node 1 --no-wait
try missing-cpu atoll boot --id 3 --cpus 9 --memory "$mem3" --node 1 --no-wait
try overlap atoll boot --id 3 --cpus 3 --memory "$mem2" --node 1 --no-wait
try outside-pool atoll boot --id 3 --cpus 3 --memory "0x10000000 512M" --node 0 --no-wait
try too-small atoll boot --id 3 --cpus 3 --memory "$start3 64M" --node 1 --no-wait
try existing-id atoll boot --id 1 --cpus 3 --memory "$mem3" --node 1 --no-wait
try missing-kernel atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1 --kernel /nonexistent --no-wait
head -c 300000 /usr/share/atoll/bzImage > /tmp/short.bzImage
try truncated-kernel atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1 --kernel /tmp/short.bzImage --no-wait
dd if=/dev/urandom of=/tmp/random.bzImage bs=1024 count=2048 2>/dev/null
try corrupt-kernel atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1 --kernel /tmp/random.bzImage --no-wait
head -c 1000000 /usr/share/atoll/rootfs.cpio.gz > /tmp/short.cpio.gz
try truncated-initrd atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1 --initrd /tmp/short.cpio.gz --no-wait
# An initramfs of several archives: a bad one after a good one is named.
try truncated-second-initrd atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1 \
    --initrd /usr/share/atoll/rootfs.cpio.gz --initrd /tmp/short.cpio.gz --no-wait
try missing-second-initrd atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1 \
    --initrd /usr/share/atoll/rootfs.cpio.gz --initrd /nonexistent.cpio --no-wait
try console-unknown atoll console 9 </dev/null
try console-wait timeout 5 atoll console --wait 2 9 </dev/null
echo @@console-attach
printf "echo console-\$((6*7))\r\035q" | atoll console 1 > /tmp/console.out 2>&1; echo "rc=$?"
grep -c "atoll: detached" /tmp/console.out
# (bash on the Debian root starts the line with its bracketed-paste escape;
# the typed line itself reads "console-$((6*7))")
i=0; while ! atoll log 1 | grep -q "console-42" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
atoll log 1 | grep -c "console-42"
echo @@STATE
atoll list --json
cat /sys/devices/system/cpu/cpu3/online
try good atoll boot --id 3 --cpus 3 --memory "$mem3" --node 1
echo @@AFTER
atoll list --json
echo @@TOOLS
atoll run 3 -- test -x /usr/bin/atoll-pingpong; echo "rc=$?"'
check "box command succeeded (rc=$rc)" test "$rc" = 0
case_out() { sed -n "/^@@$1\$/,/^rc=/p" <<<"$out"; }
refused() {   # refused CASE PATTERN
    local c; c=$(case_out "$1")
    grep -qx 'rc=1' <<<"$c" && grep -Eqi -- "$2" <<<"$c"
}
check "host boot CPU refused" refused host-cpu 'rule host-cpu'
check "a CPU of another partition refused" refused busy-cpu 'rule duplicate-cpu'
check "a CPU the machine lacks refused" refused missing-cpu 'rule unknown-cpu'
check "memory of another partition refused" refused overlap 'rule overlap'
check "memory outside the pool refused" refused outside-pool 'rule outside-pool'
check "too little memory refused" refused too-small 'rule min-memory'
check "an existing partition id refused" refused existing-id 'exists already'
check "a missing kernel file refused" refused missing-kernel 'kernel image /nonexistent'
check "a truncated kernel refused" refused truncated-kernel 'truncat|short|needs'
check "a corrupt kernel refused" refused corrupt-kernel 'not a kernel image|signature|magic'
check "a truncated initramfs refused" refused truncated-initrd 'corrupt or truncated'
check "a truncated second archive of the initramfs refused by name" \
    refused truncated-second-initrd '/tmp/short.cpio.gz is corrupt or truncated'
check "a missing second archive of the initramfs refused by name" \
    refused missing-second-initrd 'initramfs /nonexistent.cpio: No such file'
check "atoll console of an unknown partition is refused at once, naming those that exist" \
    refused console-unknown 'no partition 9 \(partitions: 1, 2\)'
check "atoll console --wait 2 on a partition that never comes gives up with status 1" \
    refused console-wait 'did not attach its console in time'
attach=$(sed -n '/^@@console-attach$/,/^@@STATE$/p' <<<"$out")
check "atoll console 1 attaches, types, and detaches with Ctrl-] q (status 0)" \
    test "$(sed -n 2p <<<"$attach")" = rc=0 -a "$(sed -n 3p <<<"$attach")" = 1
check "what was typed on p1's console ran there" test "$(sed -n 4p <<<"$attach")" -ge 1
state=$(sed -n '/^@@STATE$/,/^@@good$/p' <<<"$out")
check "after the refusals only partitions 1 and 2 exist" python3 - "$(sed -n 2p <<<"$state")" <<'PY'
import json, sys
assert [p["id"] for p in json.loads(sys.argv[1])["partitions"]] == [1, 2]
PY
check "the host still has CPU 3 online" test "$(sed -n 3p <<<"$state")" = 1
check "a correct boot of partition 3 then works" grep -qx 'rc=0' <<<"$(case_out good)"
check "and all three run" python3 - "$(sed -n '/^@@AFTER$/,/^@@TOOLS$/p' <<<"$out" | sed '1d;$d')" <<'PY'
import json, sys
parts = json.loads(sys.argv[1])["partitions"]
assert [p["id"] for p in parts] == [1, 2, 3] and all(p["state"] == "running" for p in parts), parts
PY
check "partition 3's default initramfs has the test tools too (rootfs, then /etc/atoll/initrd.d)" \
    grep -qx 'rc=0' <<<"$(sed -n '/^@@TOOLS$/,$p' <<<"$out")"
pass
