#!/usr/bin/env bash
# Partition lifecycle and containment: a crash, a power-off and a reboot
# inside partitions park them and are reported, never resetting the box; a
# clean stop and restart repeated while counters advance in the others; a
# partition hung with interrupts off is marked hung and force-stopped;
# released CPUs return to the host; bad requests are refused; partitions
# start from the vmlinux by default and from the bzImage when asked.
. "$(dirname "$0")/lib.sh"

box 'state() { atoll list | awk -v id=$1 "\$1 == id { print \$2 (\$2 == \"running\" ? \"\" : \" \" \$NF) }"; }
counter() { atoll run $1 -- "cat /tmp/counter"; }
for n in 2 3; do
  atoll run $n -- "(i=0; while true; do i=\$((i+1)); echo \$i > /tmp/counter; sleep 0.2; done) >/dev/null 2>&1 &"
done
sleep 1
echo "@@C0 $(counter 2) $(counter 3)"
for i in 1 2 3 4 5 6 7 8 9 10; do
  atoll stop 1 >/dev/null || echo "stop-failed $i"
  atoll restart 1 >/dev/null || echo "restart-failed $i"
done
echo "@@LOOP $(atoll run 1 -- hostname) $(state 1)"
echo "@@C1 $(counter 2) $(counter 3)"
atoll run 2 --timeout 5 -- "echo c > /proc/sysrq-trigger" >/dev/null 2>&1; sleep 2
echo "@@CRASH $(state 2)"
echo "@@PANICLOG $(atoll log 2 | grep -a -c "Kernel panic - not syncing: sysrq")"
echo "@@OTHERS $(atoll ping 1 >/dev/null && atoll ping 3 >/dev/null && echo alive)"
atoll restart 2 >/dev/null; echo "@@RESTART2 $(atoll run 2 -- hostname)"
atoll run 3 --timeout 5 -- "poweroff -f" >/dev/null 2>&1; sleep 2; echo "@@POWEROFF $(state 3)"
atoll restart 3 >/dev/null
atoll run 1 --timeout 5 -- "reboot -f" >/dev/null 2>&1; sleep 2; echo "@@REBOOT $(state 1)"
atoll restart 1 >/dev/null
atoll run 2 --timeout 3 -- "echo 1 > /sys/module/atoll/parameters/hang" >/dev/null 2>&1; sleep 6
echo "@@HUNG $(state 2)"
atoll stop --force 2 >/dev/null; echo "@@FORCED $(state 2)"
atoll stop --force 2 2>&1 | sed "s/^/@@SECONDFORCE /"
atoll stop 9 2>&1 | sed "s/^/@@UNKNOWN /"
atoll restart 3 2>&1 | sed "s/^/@@RESTARTRUNNING /"
dd if=/dev/urandom of=/tmp/bad.bzImage bs=1024 count=1024 2>/dev/null
atoll restart 2 --kernel /tmp/bad.bzImage 2>&1 | sed "s/^/@@BADIMAGE /"
{ printf "\177ELF\002\001\001"; head -c 100000 /dev/urandom; } > /tmp/bad.vmlinux
atoll restart 2 --kernel /tmp/bad.vmlinux 2>&1 | sed "s/^/@@BADELF /"
echo "@@AFTERBAD $(state 2)"
atoll restart 2 --kernel /usr/share/atoll/bzImage >/dev/null
echo "@@RESTART2B $(atoll run 2 -- hostname) $(dmesg | grep -c "partition 2 started on APIC [0-9]*: bzImage at")"
echo "@@VMLINUX $(dmesg | grep -c "started on APIC [0-9]*: vmlinux at")"
atoll stop 3 >/dev/null && atoll release 3 >/dev/null
echo "@@RELEASED $(cat /sys/devices/system/cpu/cpu3/online) $(atoll list | grep -c "^3 ")"
echo "@@C2 $(counter 2)"'
check "box command succeeded (rc=$rc)" test "$rc" = 0
field() { sed -n "s/^@@$1 //p" <<<"$out"; }
check "10 stop/restart cycles of partition 1 without a failure" test -z "$(grep -E 'stop-failed|restart-failed' <<<"$out")"
check "partition 1 runs after the cycles ($(field LOOP))" test "$(field LOOP)" = "p1 running"
read -r a2 a3 <<<"$(field C0)"; read -r b2 b3 <<<"$(field C1)"
check "counters in partitions 2 and 3 advanced meanwhile ($a2->$b2, $a3->$b3)" \
    test "${b2:-0}" -gt "${a2:-0}" -a "${b3:-0}" -gt "${a3:-0}"
check "a sysrq crash: partition 2 stopped, reason panic ($(field CRASH))" test "$(field CRASH)" = "stopped panic"
check "its panic is readable in atoll log 2" test "$(field PANICLOG)" -ge 1
check "the other partitions kept running" test "$(field OTHERS)" = alive
check "partition 2 restarts after the crash" test "$(field RESTART2)" = p2
check "poweroff -f inside: stopped, powered off ($(field POWEROFF))" test "$(field POWEROFF)" = "stopped off"
check "reboot -f inside: stopped, rebooted ($(field REBOOT))" test "$(field REBOOT)" = "stopped rebooted"
check "interrupts off: partition 2 is marked hung ($(field HUNG))" test "$(field HUNG)" = "hung lost"
check "force-stop works on it ($(field FORCED))" test "$(field FORCED)" = "stopped force-stopped"
check "a second force-stop is refused" grep -q 'stopped already' <<<"$(field SECONDFORCE)"
check "stop of an unknown partition is refused" grep -q 'no partition 9' <<<"$(field UNKNOWN)"
check "restart of a running partition is refused" grep -q 'not stopped' <<<"$(field RESTARTRUNNING)"
check "restart with a corrupt image is refused" grep -q 'not a kernel image' <<<"$(field BADIMAGE)"
check "restart with a corrupt vmlinux is refused ($(field BADELF))" grep -q 'x86-64\|vmlinux\|Linux kernel' <<<"$(field BADELF)"
check "and the partition stays stopped ($(field AFTERBAD))" test "$(field AFTERBAD)" = "stopped force-stopped"
check "partitions start from the vmlinux by default ($(field VMLINUX) boots)" test "$(field VMLINUX)" -ge 10
check "a restart from the bzImage (its decompressor) then works ($(field RESTART2B))" test "$(field RESTART2B)" = "p2 1"
check "released: CPU 3 is the host's again, partition 3 gone" test "$(field RELEASED)" = "1 0"
check "the box was never reset (the counter still answers)" test -n "$(field C2)"
pass
