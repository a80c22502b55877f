#!/usr/bin/env bash
# atoll.ko (the C++ core built with the kernel's flags) loads in the host
# kernel and its in-kernel self-test passes; unload and reload work.
. "$(dirname "$0")/lib.sh"

BOX_PARTITIONS=0 box 'dmesg | grep "atoll:"
grep -q "^atoll " /proc/modules && echo loaded
rmmod atoll && echo unloaded
# Where each root keeps it: the initramfs, or the atoll package (Debian).
for ko in "/lib/modules/$(uname -r)/extra/atoll.ko" /lib/modules/atoll/atoll.ko; do
    [ -e "$ko" ] && break
done
insmod "$ko" && echo reloaded
dmesg | grep -c "core self-test passed"'
check "box command succeeded (rc=$rc)" test "$rc" = 0
check "in-kernel self-test passed at boot" grep -q 'atoll: core self-test passed' <<<"$out"
check "the self-test ran the vnet ring core in the kernel" grep -q 'atoll: core self-test passed.* vnet (' <<<"$out"
check "module listed in /proc/modules" grep -qx loaded <<<"$out"
check "module unloads and reloads" grep -qx reloaded <<<"$out"
check "self-test passed again on reload" test "$(tail -n 1 <<<"$out")" = 2
pass
