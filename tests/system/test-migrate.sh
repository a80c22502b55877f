#!/usr/bin/env bash
# Workloads and their moves between kernels (issue 14, doc/migration.md),
# on the Debian root: atoll start runs a counter on p1 as a workload (its
# own namespaces and cgroup, detached); atoll migrate moves it p1 -> p2 ->
# p3 -> host -> p1 with CRIU pre-copy while it appends each number to a log
# in /home: no number lost or repeated, and the count goes on from its own
# memory; bad requests (unknown workload or node, the node it is on, a taken
# name, a workload another move holds) are refused before anything is
# frozen; a move whose restore fails
# (a file open in the tmpfs of the source) leaves the workload running on
# the source; nothing of a move is left behind; and a command atolld runs
# inherits none of its sockets (CRIU refuses a workload holding them).
. "$(dirname "$0")/lib.sh"
export BOX_ROOT=debian

box '
wait_for() { _n=$(($1 * 2)); shift; while ! "$@" && [ $_n -gt 0 ]; do sleep 0.5; _n=$((_n - 1)); done; "$@"; }
nodes_up() { [ "$(atoll nodes | grep -c " up ")" -ge 4 ]; }
wait_for 90 nodes_up
printf "#!/bin/sh\ni=0\nwhile :; do i=\$((i + 1)); echo \$i >> /home/count.log; sleep 0.1; done\n" > /home/counter.sh
chmod +x /home/counter.sh
rm -f /home/count.log
echo @@FDS
atoll exec p1 -- sh -c "ls -l /proc/\$\$/fd" | grep -c socket | sed "s/^/sockets: /"
echo @@START
atoll start --name c p1 -- /home/counter.sh; echo "rc=$?"
sleep 2
atoll workloads
echo @@MOVES
for d in p2 p3 host p1; do
    atoll migrate c $d; echo "rc=$?"
    sleep 1
done
atoll workloads
echo @@BAD
atoll migrate nope p2; echo "rc=$?"
atoll migrate c p9; echo "rc=$?"
atoll migrate c p1; echo "rc=$?"
atoll start --name c p2 -- sleep 100; echo "rc=$?"
atoll start --name "a/b" p2 -- sleep 100; echo "rc=$?"
atoll exec p1 -- atoll workload lock c
atoll migrate c p2; echo "rc=$?"
atoll exec p1 -- atoll workload resume c >/dev/null
echo @@FAIL
atoll start --name t p2 -- sh -c "exec 3>/run/held-by-t; while :; do echo x >&3; sleep 0.2; done"; echo "rc=$?"
atoll migrate t p3; echo "rc=$?"
atoll workloads | grep -E "^t "
atoll exec p3 -- atoll workload list
echo @@COUNT
before=$(wc -l < /home/count.log); sleep 2; after=$(wc -l < /home/count.log)
echo "still counting: $before -> $after"
atoll exec p1 -- atoll workload end c; atoll exec p2 -- atoll workload end t
sleep 1
awk "NR != \$1 { bad++ } END { print NR \" numbers, \" bad + 0 \" out of place\" }" /home/count.log
echo @@LEFT
atoll workloads; echo "rc=$?"
ls /home/.atoll/migrate 2>/dev/null | grep -c . | sed "s/^/image dirs left: /"
echo @@END'
check "box command succeeded (rc=$rc)" test "$rc" = 0
check "a command run by atolld inherits none of its sockets" grep -qx "sockets: 0" <<<"$(section FDS)"
start=$(section START)
context=$start
check "atoll start: the counter runs on p1" grep -q "^c started on p1 (pid [0-9]*)$" <<<"$start"
check "... atoll workloads lists it" grep -Eq "^c +p1 +[0-9]+ +running " <<<"$start"
moves=$(section MOVES)
context=$moves
check "four moves, each rc 0" test "$(grep -cx 'rc=0' <<<"$moves")" = 4
for d in p2 p3 host p1; do
    check "... it ran on $d after its move" grep -q "^c runs on $d (pid [0-9]*); downtime [0-9.]* s" <<<"$moves"
done
check "... pre-copy rounds were made" grep -q "^  round 1: " <<<"$moves"
check "... and it is back on p1, running" grep -Eq "^c +p1 +[0-9]+ +running " <<<"$moves"
bad=$(section BAD)
context=$bad
check "an unknown workload is refused" grep -q "no node runs a workload named 'nope'" <<<"$bad"
check "an unknown node is refused" grep -q "no node named 'p9'" <<<"$bad"
check "a move to where it runs is refused" grep -q "'c' runs on p1 already" <<<"$bad"
check "a taken name is refused" grep -q "a workload named 'c' runs on p1 already" <<<"$bad"
check "a bad name is refused as usage" grep -q "is not a workload name" <<<"$bad"
check "a second move of a workload being moved is refused" grep -q "'c' is being moved already" <<<"$bad"
check "the refusals exit 1, 1, 1, 1, 2 and 1" \
    test "$(grep '^rc=' <<<"$bad" | tr '\n' ' ')" = "rc=1 rc=1 rc=1 rc=1 rc=2 rc=1 "
fail=$(section FAIL)
context=$fail
check "a move whose restore fails exits 1, saying so" \
    test -n "$(grep -x 'rc=1' <<<"$fail")" -a -n "$(grep "move of 't' failed: the restore on p3 failed" <<<"$fail")"
check "... and it runs on at the source" grep -Eq "^t +p2 +[0-9]+ +running " <<<"$fail"
count=$(section COUNT)
context=$count
check "the counter was still counting at the end" grep -Eq "^still counting: [0-9]+ -> [0-9]+$" <<<"$count"
check "... no number lost or repeated over four moves" grep -Eq "^[0-9]+ numbers, 0 out of place$" <<<"$count"
left=$(section LEFT)
context=$left
check "nothing left: no workload, no images" \
    test -z "$(grep -E '^[A-Za-z0-9_.-]+ +(host|p[0-9]+) +[0-9]+ ' <<<"$left")" -a -n "$(grep -x 'image dirs left: 0' <<<"$left")"
pass
