#!/usr/bin/env bash
# Workloads and their moves between kernels (issue 14, doc/migration.md),
# on the Debian root: atoll start runs a counter on p1 as a workload (its
# own namespaces and cgroup, detached); atoll migrate moves it p1 -> p2 ->
# p3 -> host -> p1 with CRIU pre-copy, then three more times stop-and-copy
# (the first named by one of its processes, NODE:PID, as atoll ps shows),
# while it appends each number to a log in /home: no number lost or
# repeated, and the count goes on from its own memory; a move whose
# destination is force-stopped during the final dump fails and the
# workload (192 MiB, so that its pages are still on their way) runs on at
# the source within seconds, not after TCP's quarter of an hour; so does
# a post-copy move (--postcopy) whose destination is force-stopped while
# it pulls the pages; two post-copy moves keep the count whole; SIGINT
# to a move undoes it, the workload running on unlocked; a 256 MiB
# workload that rewrites 8 MiB/s of itself moves, pre-copy stopping at its
# round limit; bad requests (unknown workload or node,
# the node it is on, a taken name, a workload another move holds, a
# process in no workload) are
# refused before anything is frozen; a move whose restore fails (a file
# open in the tmpfs of the source) leaves the workload running on the
# source; a workload frozen to a file thaws on another partition after its
# own was restarted and counts on; a truncated or foreign file is refused,
# also one cut where tar itself sees a whole archive; a checkpoint leaves
# it running; a server started with its own address (atoll start --ip)
# keeps one TCP connection from the host over three moves and a failed
# one, every byte verified by SHA-256 at both ends; a listening server
# with its own address is frozen on p1 and thawed on p2, where a new
# connection to the same address reaches it (a copy of it is refused while
# the address is taken); nothing of a move is
# left behind; and a command atolld runs
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
atoll ps --workload c
echo @@STOPCOPY
p=$(atoll ps --workload c | awk "\$1 ~ /^p1:/ { print \$1; exit }")
atoll migrate "$p" p2 --rounds 0; echo "rc=$?"
for d in host p1; do
    atoll migrate c $d --rounds 0; echo "rc=$?"
done
atoll workloads
echo @@DESTDOWN
atoll start --name big p1 -- atoll-heartbeat send 127.0.0.1 7700 192 >/dev/null; echo "start rc=$?"
sleep 3
atoll workloads | awk "\$1 == \"big\" { print \"big before: \" \$2 \" \" \$3 }"
in_dump() { atoll exec p1 -- pgrep -f "criu dump" >/dev/null; }
t0=$(date +%s)
timeout 300 atoll migrate big p2 --rounds 0 > /tmp/m.out 2>&1 & m=$!
wait_for 120 in_dump
atoll stop --force 2 >/dev/null
wait $m; echo "rc=$?"
echo "ended after $(($(date +%s) - t0)) s"
cat /tmp/m.out
atoll workloads | awk "\$1 == \"big\" { print \"big after: \" \$2 \" \" \$3 \" \" \$4 }"
atoll restart 2 >/dev/null; echo "restart rc=$?"
wait_for 120 nodes_up
echo @@PCDOWN
timeout 300 atoll migrate big p2 --postcopy > /tmp/m.out 2>&1 & m=$!
wait_for 120 grep -q "^  running on p2 after " /tmp/m.out
atoll stop --force 2 >/dev/null
wait $m; echo "rc=$?"
cat /tmp/m.out
atoll workloads | awk "\$1 == \"big\" { print \"big after: \" \$2 \" \" \$3 \" \" \$4 }"
atoll exec p1 -- atoll workload end big
atoll restart 2 >/dev/null; echo "restart rc=$?"
wait_for 120 nodes_up
echo @@DIRTY
atoll start --name dirty p1 -- atoll-heartbeat send 127.0.0.1 7700 256 8 >/dev/null; echo "start rc=$?"
sleep 4
atoll migrate dirty p2; rc=$?; echo "rc=$rc"
# A failed move keeps the CRIU logs on the nodes that ran it: copied into
# the output of this test, so that a rare failure can be read afterwards.
if [ "$rc" != 0 ]; then
    for n in host p1 p2; do
        atoll exec $n -- sh -c "for f in /var/log/atoll/migrate/*/*; do echo \"== $n \$f\"; tail -n 40 \"\$f\"; done" 2>&1 | sed "s/^/@@CRIULOG /"
    done
fi
atoll workloads | grep -E "^dirty "
atoll exec p2 -- atoll workload end dirty
echo @@SIGNAL
atoll migrate c p2 > /tmp/s.out 2>&1 & m=$!
wait_for 60 grep -q "^moving c " /tmp/s.out
sleep 0.5
kill -INT $m
wait $m; echo "rc=$?"
cat /tmp/s.out
atoll workloads | grep -E "^c "
echo @@POSTCOPY
atoll migrate c p2 --postcopy; echo "rc=$?"
atoll migrate c p1 --postcopy --json; echo "rc=$?"
atoll workloads | grep -E "^c "
echo @@BAD
atoll migrate nope p2; echo "rc=$?"
atoll migrate c p9; echo "rc=$?"
atoll migrate c p1; echo "rc=$?"
atoll start --name c p2 -- sleep 100; echo "rc=$?"
atoll start --name "a/b" p2 -- sleep 100; echo "rc=$?"
atoll exec p1 -- atoll workload lock c
atoll migrate c p2; echo "rc=$?"
atoll exec p1 -- atoll workload resume c >/dev/null
atoll migrate p1:1 p2; echo "rc=$?"
atoll migrate c p2 --postcopy --rounds 2; echo "rc=$?"
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
echo @@FREEZE
printf "#!/bin/sh\ni=0\nwhile :; do i=\$((i + 1)); echo \$i >> /home/count2.log; sleep 0.1; done\n" > /home/counter2.sh
chmod +x /home/counter2.sh
rm -f /home/count2.log /home/f.ckpt /home/f2.ckpt
atoll start --name f p2 -- /home/counter2.sh >/dev/null
sleep 2
atoll freeze f; echo "rc=$?"
atoll workloads | grep -cE "^f " | sed "s/^/f listed: /"
n1=$(wc -l < /home/count2.log); sleep 2; n2=$(wc -l < /home/count2.log); echo "while frozen: $n1 -> $n2"
atoll stop --force 2 >/dev/null; atoll restart 2 >/dev/null; echo "restart rc=$?"
wait_for 120 nodes_up
atoll thaw /home/f.ckpt --on p3; echo "rc=$?"
sleep 2
atoll workloads | grep -E "^f "
n3=$(wc -l < /home/count2.log); echo "after the thaw: $n2 -> $n3"
awk "NR != \$1 { bad++ } END { print NR \" numbers, \" bad + 0 \" out of place\" }" /home/count2.log
atoll thaw /home/f.ckpt --on p1; echo "rc=$?"
head -c 20000 /home/f.ckpt > /home/cut.ckpt; atoll thaw /home/cut.ckpt --on p1; echo "rc=$?"
blk=$(tar -tRf /home/f.ckpt | awk "\$3 == \"atoll-workload\" { sub(\":\", \"\", \$2); print \$2 }")
head -c $((blk * 512 + 100)) /home/f.ckpt > /home/cut2.ckpt; tar -tf /home/cut2.ckpt >/dev/null; echo "tar on cut2: $?"
atoll thaw /home/cut2.ckpt --on p1; echo "rc=$?"
echo "not a checkpoint" > /home/junk.ckpt; atoll thaw /home/junk.ckpt --on p1; echo "rc=$?"
atoll freeze f; echo "rc=$?"
atoll checkpoint f --to /home/f2.ckpt; echo "rc=$?"
atoll thaw /home/f2.ckpt --on p1 --name f2; echo "rc=$?"
atoll workloads | grep -E "^f2? "
atoll freeze nope --to /home/nope.ckpt; echo "rc=$?"
test -e /home/nope.ckpt && echo "nope.ckpt written"
atoll exec p3 -- atoll workload end f; atoll exec p1 -- atoll workload end f2
echo @@NET
cat > /home/sink.py <<PYEOF
import hashlib, socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5000))
s.listen(1)
c, _ = s.accept()
h = hashlib.sha256()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
c.sendall(("received %d %s" % (n, h.hexdigest())).encode())
c.close()
PYEOF
cat > /home/source.py <<PYEOF
import hashlib, os, socket, sys, time
for tries in range(240):
    try:
        c = socket.create_connection((sys.argv[1], 5000), timeout=120)
        break
    except OSError:
        time.sleep(0.5)
open("/home/connected", "w").close()
h = hashlib.sha256()
n = 0
while not os.path.exists("/home/stop"):
    b = os.urandom(8192)
    c.sendall(b)
    h.update(b)
    n += len(b)
    time.sleep(0.02)
c.shutdown(socket.SHUT_WR)
print("sent %d %s" % (n, h.hexdigest()))
print(c.recv(200).decode())
PYEOF
rm -f /home/stop /home/connected
atoll start --name srv --ip auto p1 -- python3 /home/sink.py; echo "rc=$?"
addr=$(atoll workloads | awk "\$1 == \"srv\" { print \$7 }")
veth=$(echo $addr | awk -F. "{ printf \"wl%02x%02x\", \$3, \$4 }")
echo "address $addr, outer end $veth"
sleep 1
python3 /home/source.py $addr > /tmp/source.out 2>&1 & c=$!
wait_for 120 test -e /home/connected   # the server may still be starting (Python over NFS)
sleep 2
for d in p2 host p3; do atoll migrate srv $d; echo "rc=$?"; sleep 2; done
atoll exec p1 -- ip link add $veth type veth peer name ${veth}x
atoll migrate srv p1; echo "rc=$?"
atoll exec p1 -- ip link del $veth
sleep 2
atoll workloads | grep -E "^srv "
atoll exec p2 -- ping -c 1 -W 5 $addr >/dev/null; echo "ping from p2: $?"
touch /home/stop
wait $c; echo "client rc=$?"
cat /tmp/source.out
atoll exec p3 -- atoll workload end srv
echo @@NETFREEZE
rm -f /home/stop /home/connected /home/srv2.ckpt /home/srv3.ckpt
atoll start --name srv2 --ip auto p1 -- python3 /home/sink.py; echo "rc=$?"
addr2=$(atoll workloads | awk "\$1 == \"srv2\" { print \$7 }")
pid2=$(atoll workloads | awk "\$1 == \"srv2\" { print \$3 }")
listening() { atoll exec p1 -- nsenter -t $pid2 -n sh -c "ss -ltn | grep -q :5000"; }
wait_for 120 listening; echo "listening: $?"
atoll freeze srv2; echo "rc=$?"
atoll thaw /home/srv2.ckpt --on p2; echo "rc=$?"
atoll workloads | grep -E "^srv2 "
atoll checkpoint srv2 --to /home/srv3.ckpt; echo "rc=$?"
atoll thaw /home/srv3.ckpt --on p3 --name srv3; echo "rc=$?"
python3 /home/source.py $addr2 > /tmp/source2.out 2>&1 & c=$!
wait_for 120 test -e /home/connected
sleep 2
touch /home/stop
wait $c; echo "client rc=$?"
cat /tmp/source2.out
atoll exec p2 -- atoll workload end srv2
rm -f /home/srv2.ckpt /home/srv3.ckpt
echo @@RACE
atoll start --name r1 --ip auto p1 -- sleep 1000 > /tmp/r1.out 2>&1 & a=$!
atoll start --name r2 --ip auto p2 -- sleep 1000 > /tmp/r2.out 2>&1 & b=$!
wait $a; echo "rc=$?"; wait $b; echo "rc=$?"
cat /tmp/r1.out /tmp/r2.out
atoll workloads | awk "\$1 ~ /^r[12]\$/ { print \"addr \" \$7 }" | sort -u | grep -c "^addr 10" | sed "s/^/distinct addresses: /"
atoll exec p1 -- atoll workload end r1; atoll exec p2 -- atoll workload end r2
echo @@LEFT
atoll workloads; echo "rc=$?"
ls /home/.atoll/migrate 2>/dev/null | grep -c . | sed "s/^/image dirs left: /"
for n in host p1 p2 p3; do atoll exec $n -- sh -c "ls /run/atoll/incoming 2>/dev/null | wc -l" | sed "s/^/incoming on $n: /"; done
atoll ps | grep -c "[c]riu page-server" | sed "s/^/page servers: /"
atoll ps | grep -c "[c]riu \(lazy-pages\|dump\)" | sed "s/^/lazy pages daemons and dumps: /"
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
check "... atoll ps --workload c shows its processes on p1, by name" \
    test -n "$(grep -E '^p1:[0-9]+ .* c +.*counter.sh' <<<"$moves")" -a -z "$(grep -E '^(host|p2|p3):' <<<"$moves")"
sc=$(section STOPCOPY)
context=$sc
check "three more moves without pre-copy (--rounds 0), each rc 0" test "$(grep -cx 'rc=0' <<<"$sc")" = 3
check "... the first named by one of its processes, NODE:PID" grep -q "^p1:[0-9]* is in workload c: moving all of it" <<<"$sc"
check "... no pre-copy round in them" test -z "$(grep '^  round ' <<<"$sc")"
check "... and it is back on p1, running" grep -Eq "^c +p1 +[0-9]+ +running " <<<"$sc"
dd=$(section DESTDOWN)
context=$dd
check "a move whose destination is force-stopped during the final dump fails, naming it" \
    test -n "$(grep -x 'rc=1' <<<"$dd")" -a -n "$(grep "move of 'big' failed: .*p2 is stopped.*; it runs on at p1" <<<"$dd")"
check "... and it runs on at the source, the same process" \
    test -n "$(grep -E '^big before: p1 [0-9]+$' <<<"$dd")" -a \
         "$(sed -n 's/^big before: p1 //p' <<<"$dd") running" = "$(sed -n 's/^big after: p1 //p' <<<"$dd")"
check "... the destination came back" grep -qx "restart rc=0" <<<"$dd"
pcd=$(section PCDOWN)
context=$pcd
check "a post-copy move whose destination is force-stopped while it pulls the pages fails, naming it" \
    test -n "$(grep -x 'rc=1' <<<"$pcd")" -a \
         -n "$(grep "move of 'big' failed: post-copy failed after .*p2 is stopped.*; it runs on at p1" <<<"$pcd")"
check "... and the same process runs on at the source" \
    test "$(sed -n 's/^big before: p1 //p' <<<"$dd") running" = "$(sed -n 's/^big after: p1 //p' <<<"$pcd")"
check "... the destination came back" grep -qx "restart rc=0" <<<"$pcd"
dirty=$(section DIRTY)
context=$dirty
check "a 256 MiB workload rewriting 8 MiB/s moves: pre-copy stops at its limit or converges, then the move completes" \
    test -n "$(grep -x 'rc=0' <<<"$dirty")" -a -n "$(grep -E '^  round [1-4]: .*; freeze: ' <<<"$dirty")" -a \
         -n "$(grep -E '^dirty runs on p2 ' <<<"$dirty")" -a -z "$(grep -E '^  round 5' <<<"$dirty")"
check "... and runs there" grep -Eq "^dirty +p2 +[0-9]+ +running " <<<"$dirty"
sig=$(section SIGNAL)
context=$sig
check "SIGINT to atoll migrate undoes the move, saying so" \
    test -n "$(grep -x 'rc=1' <<<"$sig")" -a -n "$(grep "move of 'c' failed: interrupted by SIGINT; it runs on at p1" <<<"$sig")"
check "... and it runs on at the source, unlocked" grep -Eq "^c +p1 +[0-9]+ +running +.*iB  - +/home" <<<"$sig"
pc=$(section POSTCOPY)
context=$pc
check "two post-copy moves (--postcopy), p1 -> p2 -> p1, each rc 0" test "$(grep -cx 'rc=0' <<<"$pc")" = 2
check "... the first ran on p2 before its pages followed, then they all came" \
    test -n "$(grep -E '^  running on p2 after [0-9.]+ s; pulling ' <<<"$pc")" -a \
         -n "$(grep -E '^  pulled in [0-9.]+ s$' <<<"$pc")" -a -n "$(grep '^c runs on p2 ' <<<"$pc")"
check "... the second's JSON says post-copy, no pre-copy round" grep -q '"to": "p1", .*"rounds": \[\], "postcopy": true' <<<"$pc"
check "... and it runs on p1" grep -Eq "^c +p1 +[0-9]+ +running " <<<"$pc"
bad=$(section BAD)
context=$bad
check "an unknown workload is refused" grep -q "no node runs a workload named 'nope'" <<<"$bad"
check "an unknown node is refused" grep -q "no node named 'p9'" <<<"$bad"
check "a move to where it runs is refused" grep -q "'c' runs on p1 already" <<<"$bad"
check "a taken name is refused" grep -q "a workload named 'c' runs on p1 already" <<<"$bad"
check "a bad name is refused as usage" grep -q "is not a workload name" <<<"$bad"
check "a second move of a workload being moved is refused" grep -q "'c' is being moved already" <<<"$bad"
check "a process in no workload is refused, with the reason" grep -q "p1:1 (.*) is not in a workload, so it cannot move" <<<"$bad"
check "--postcopy with pre-copy rounds is a usage error" grep -q "^atoll: --postcopy .* drop --rounds" <<<"$bad"
check "the refusals exit 1, 1, 1, 1, 2, 1, 1 and 2" \
    test "$(grep '^rc=' <<<"$bad" | tr '\n' ' ')" = "rc=1 rc=1 rc=1 rc=1 rc=2 rc=1 rc=1 rc=2 "
fail=$(section FAIL)
context=$fail
check "a move whose restore fails exits 1, saying so" \
    test -n "$(grep -x 'rc=1' <<<"$fail")" -a -n "$(grep "move of 't' failed: the restore on p3 failed" <<<"$fail")"
check "... and it runs on at the source" grep -Eq "^t +p2 +[0-9]+ +running " <<<"$fail"
count=$(section COUNT)
context=$count
check "the counter was still counting at the end" grep -Eq "^still counting: [0-9]+ -> [0-9]+$" <<<"$count"
check "... no number lost or repeated over nine moves (two post-copy) and a failed one" grep -Eq "^[0-9]+ numbers, 0 out of place$" <<<"$count"
net=$(section NET)
context=$net
check "atoll start --ip: a server with its own address" grep -q "^srv started on p1 (pid [0-9]*, address 10\.77\.0\.[0-9]*)$" <<<"$net"
check "... moved p1 -> p2 -> host -> p3 while the host streamed to it, each rc 0" \
    test "$(grep -c "^srv runs on \(p2\|host\|p3\) " <<<"$net")" = 3
check "... a move whose restore fails (p1 holds its veth name) fails, saying so" \
    grep -q "move of .srv. failed: the restore on p1 failed" <<<"$net"
check "... and it runs on at p3, reachable" \
    test -n "$(grep -E '^srv +p3 +[0-9]+ +running ' <<<"$net")" -a -n "$(grep -x 'ping from p2: 0' <<<"$net")"
check "... the one TCP connection lost no byte over the four moves (SHA-256 both ends)" \
    test -n "$(grep -x 'client rc=0' <<<"$net")" -a \
         "$(sed -n 's/^sent \([0-9]* [0-9a-f]*\)$/\1/p' <<<"$net")" = "$(sed -n 's/^received \([0-9]* [0-9a-f]*\)$/\1/p' <<<"$net")" -a \
         -n "$(grep -E '^sent [1-9][0-9]* ' <<<"$net")"
nf=$(section NETFREEZE)
context=$nf
check "a workload with its own address, listening, is frozen and thawed on another node" \
    test -n "$(grep -x 'listening: 0' <<<"$nf")" -a -n "$(grep "^srv2 thawed on p2 (pid [0-9]*, saved on p1)" <<<"$nf")" -a \
         -n "$(grep -E '^srv2 +p2 +[0-9]+ +running +.* 10\.77\.0\.[0-9]+ ' <<<"$nf")"
check "... a copy of it (atoll checkpoint) is refused while its address is taken" \
    grep -q "its address 10\.77\.0\.[0-9]* is the address of workload srv2 on p2" <<<"$nf"
check "... and a new TCP connection to its address reaches it at p2, no byte lost (SHA-256 both ends)" \
    test -n "$(grep -x 'client rc=0' <<<"$nf")" -a \
         "$(sed -n 's/^sent \([0-9]* [0-9a-f]*\)$/\1/p' <<<"$nf")" = "$(sed -n 's/^received \([0-9]* [0-9a-f]*\)$/\1/p' <<<"$nf")" -a \
         -n "$(grep -E '^sent [1-9][0-9]* ' <<<"$nf")"
check "... the statuses: start, freeze, thaw, checkpoint 0; the copy's thaw 1" \
    test "$(grep '^rc=' <<<"$nf" | tr '\n' ' ')" = "rc=0 rc=0 rc=0 rc=0 rc=1 "
race=$(section RACE)
context=$race
check "two atoll start --ip auto at once both start, with two different addresses" \
    test "$(grep -c '^rc=0$' <<<"$race")" = 2 -a -n "$(grep -x 'distinct addresses: 2' <<<"$race")"
frz=$(section FREEZE)
context=$frz
check "atoll freeze: rc 0, saved to /home/f.ckpt" \
    test -n "$(grep -x 'rc=0' <<<"$frz")" -a -n "$(grep "^f frozen to /home/f.ckpt (" <<<"$frz")"
check "... it no longer runs, and counts nothing while frozen" \
    test -n "$(grep -x 'f listed: 0' <<<"$frz")" -a -n "$(grep -E '^while frozen: ([0-9]+) -> \1$' <<<"$frz")"
check "... thawed on p3 after its partition p2 was restarted" \
    test -n "$(grep -x 'restart rc=0' <<<"$frz")" -a -n "$(grep "^f thawed on p3 (pid [0-9]*, saved on p2)" <<<"$frz")"
check "... running there, counting on with no number lost or repeated" \
    test -n "$(grep -E '^f +p3 +[0-9]+ +running ' <<<"$frz")" -a -n "$(grep -E '^[0-9]+ numbers, 0 out of place$' <<<"$frz")"
check "a thaw under a name that runs is refused" grep -q "a workload named 'f' runs on p3" <<<"$frz"
check "a truncated checkpoint is refused" grep -q "/home/cut.ckpt is not a whole checkpoint" <<<"$frz"
check "... also one cut where tar sees a whole archive" \
  grep -qx "tar on cut2: 0" <<<"$frz"
check "... which thaw refuses: it has no manifest" \
  grep -q "/home/cut2.ckpt is not a whole checkpoint (it has no manifest" <<<"$frz"
check "a file that is not a checkpoint is refused" grep -q "/home/junk.ckpt is not a whole checkpoint" <<<"$frz"
check "freeze refuses a FILE that exists" grep -q "/home/f.ckpt exists" <<<"$frz"
check "atoll checkpoint saves and the workload runs on; its copy thaws as f2" \
    test -n "$(grep "^f checkpointed to /home/f2.ckpt (.*it runs on at p3$" <<<"$frz")" -a \
    -n "$(grep "^f2 thawed on p1 " <<<"$frz")" -a -n "$(grep -E '^f +p3 +[0-9]+ +running ' <<<"$frz")"
check "an unknown workload is not frozen, and nothing is written" \
    test -n "$(grep "no node runs a workload named 'nope'" <<<"$frz")" -a -z "$(grep 'nope.ckpt written' <<<"$frz")"
check "the freeze and thaw statuses: 0, 0, 1, 1, 1, 1, 1, 0, 0, 1" \
    test "$(grep '^rc=' <<<"$frz" | tr '\n' ' ')" = "rc=0 rc=0 rc=1 rc=1 rc=1 rc=1 rc=1 rc=0 rc=0 rc=1 "
left=$(section LEFT)
context=$left
check "nothing left: no workload, no images" \
    test -z "$(grep -E '^[A-Za-z0-9_.-]+ +(host|p[0-9]+) +[0-9]+ ' <<<"$left")" -a -n "$(grep -x 'image dirs left: 0' <<<"$left")"
check "... no received pages and no page server on any node" \
    test "$(grep -c '^incoming on [a-z0-9]*: 0$' <<<"$left")" = 4 -a -n "$(grep -x 'page servers: 0' <<<"$left")"
check "... and no post-copy dump or lazy-pages daemon" grep -qx "lazy pages daemons and dumps: 0" <<<"$left"
pass
