#!/usr/bin/env bash
# The Debian 12 root (issue 17): the host boots it from its virtio disk, every
# partition mounts it read-only over NFS with a RAM layer on top. In every
# kernel the cluster layer's tools are there; /home is shared read-write; a
# partition's writes to / stay its own and go with a restart; the host's
# root cannot be written from a partition; a partition whose root cannot be
# reached stops with the reason "root unavailable".
. "$(dirname "$0")/lib.sh"
export BOX_ROOT=debian

box '
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
echo @@DONE
atoll run 2 -- "cat /etc/debian_version; mpichversion | head -1; criu --version"
echo @@TOOLS
for n in host p1 p2 p3; do
    atoll exec $n -- bash -c "echo \$(hostname) \$(cat /etc/debian_version) \$(python3 -c \"print(1)\") \
        \$(criu --version | head -1 | cut -d\" \" -f2) \$(mpichversion | head -1 | tr -d \" \") \
        \$(test -s /etc/protocols && test -s /etc/services && echo netbase) \$(readlink /proc/1/exe)"
done
echo @@HOME
echo from-host > /home/from-host.txt
atoll exec p2 -- cat /home/from-host.txt
atoll exec p3 -- sh -c "echo from-p3 > /home/from-p3.txt"
cat /home/from-p3.txt
echo @@ROOTWRITE
atoll exec p1 -- sh -c "echo p1-only > /p1-only.txt; cat /p1-only.txt"
ls /p1-only.txt 2>&1 | grep -c "No such file"
atoll exec p2 -- sh -c "ls /p1-only.txt 2>&1" | grep -c "No such file"
echo @@LOWER
atoll exec p1 -- sh -c "touch /run/atoll/lower/x 2>&1; echo rc=\$?"
atoll exec p1 -- sh -c "touch /usr/bin/atoll && echo overlay-ok"
echo @@RESTART
{ atoll stop 1 && atoll restart 1; } >/dev/null 2>&1; echo "restart rc=$?"
i=0; while ! atoll exec p1 -- true 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
atoll exec p1 -- sh -c "ls /p1-only.txt 2>&1" | grep -c "No such file"
atoll exec p1 -- cat /home/from-host.txt
echo @@ROOTFAIL
atoll stop 3 >/dev/null 2>&1
atoll restart 3 --cmdline atoll.root_server=10.77.0.254 >/dev/null 2>&1
i=0; while ! atoll list | grep -q "^3  *stopped" && [ $i -lt 180 ]; do sleep 0.5; i=$((i+1)); done
atoll list | grep "^3 "
atoll log 3 | grep -c "root unavailable: "
echo @@END
'
check "box command succeeded (rc=$rc)" test "$rc" = 0
done_out=$(section DONE)
check "atoll run 2 prints Debian 12, MPICH and CRIU" \
    grep -Eq '^12\.[0-9]+$' <<<"$(sed -n 1p <<<"$done_out")"
check "  ... mpichversion" grep -q "MPICH Version" <<<"$done_out"
check "  ... criu --version" grep -q "Version: 3\." <<<"$done_out"
tools=$(section TOOLS)
for n in host p1 p2 p3; do
    check "$n: Debian 12, python3, criu, mpich, /etc/protocols and /etc/services" \
        grep -Eq "^$n 12\.[0-9]+ 1 3\.[0-9.]+ MPICHVersion: 4\.[0-9.]+ netbase " <<<"$tools"
done
home=$(section HOME)
check "a file the host writes in /home is read in p2" test "$(sed -n 1p <<<"$home")" = from-host
check "a file p3 writes in /home is read on the host" test "$(sed -n 2p <<<"$home")" = from-p3
rw=$(section ROOTWRITE)
check "p1 writes to its own /" test "$(sed -n 1p <<<"$rw")" = p1-only
check "  ... invisible to the host" test "$(sed -n 2p <<<"$rw")" = 1
check "  ... invisible to p2" test "$(sed -n 3p <<<"$rw")" = 1
lower=$(section LOWER)
check "the host's root, as p1 mounts it, refuses a write" grep -q "Read-only file system" <<<"$lower"
check "p1 may change its copy of /usr/bin/atoll (RAM layer)" grep -q "^overlay-ok$" <<<"$lower"
restart=$(section RESTART)
check "atoll stop 1 (a clean stop on the Debian root) and atoll restart 1 succeed" grep -q "^restart rc=0$" <<<"$restart"
check "after the restart p1's file is gone" test "$(sed -n 2p <<<"$restart")" = 1
check "and /home is mounted again" test "$(sed -n 3p <<<"$restart")" = from-host
rootfail=$(section ROOTFAIL)
check "a partition whose root cannot be reached stops by itself, reason 'root unavailable'" \
    grep -Eq "^3 +stopped .*root unavailable" <<<"$rootfail"
check "  ... and says why on its console" test "$(sed -n 2p <<<"$rootfail")" -ge 1
pass
