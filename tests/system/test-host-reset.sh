#!/usr/bin/env bash
# The host refuses machine resets while partitions run (issue 5): reboot(2)
# for restart, halt and power-off fails with EBUSY and the kernel says why;
# the partitions keep running. Once they are all stopped, the box's own
# power-off at the end of the command goes through (the run ends normally).
. "$(dirname "$0")/lib.sh"

box 'reboot -f; echo "reboot rc=$?"
poweroff -f; echo "poweroff rc=$?"
halt -f; echo "halt rc=$?"
echo @@DMESG; dmesg | grep "atoll: refusing"
echo @@LIST; atoll list
echo @@STOP; atoll stop --all --force
echo @@AFTER; atoll list'
check "box command succeeded and the box powered off normally (rc=$rc)" test "$rc" = 0
for what in reboot poweroff halt; do
    check "$what -f failed in the host" grep -q "^$what rc=[1-9]" <<<"$out"
done
check "the kernel said why, for each" test "$(section DMESG | grep -c 'partition(s) still run')" -ge 3
for what in restart power-off halt; do
    check "the kernel names the refused $what" grep -q "refusing $what from" <<<"$(section DMESG)"
done
check "all 3 partitions still running afterwards" test "$(section LIST | grep -c ' running ')" = 3
check "atoll stop --all --force stopped all 3" test "$(section STOP | grep -c ': stopped')" = 3
check "then none is running" test "$(section AFTER | grep -c ' running ')" = 0
pass
