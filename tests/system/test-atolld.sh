#!/usr/bin/env bash
# atolld (issue 11): the daemons of the host and three partitions find each
# other; atoll exec runs commands on other kernels with stdin, separate
# stdout and stderr, exit statuses and signals, or on a pseudo-terminal (-t,
# driven through atoll-pty); no remote process outlives
# its client (Ctrl-C or SIGKILL), nor its exec (setsid); atoll ps and atoll kill reach processes
# by NODE:PID; atoll top sees the busiest process; atoll cp copies both ways with modes and checksums; hostile
# connections are refused and the
# daemon keeps serving; a partition that dies mid-exec ends the client with
# 255 naming it; a stopped partition shows as stopped; execs one after
# another reuse the daemons' connection (none is closed).
. "$(dirname "$0")/lib.sh"

box '
# Until every daemon answers (bounded: a loop on the state, not a timed check).
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
echo @@NODES; atoll nodes; atoll nodes --json
echo @@STATUS
atoll exec p2 -- sh -c "exit 7"; echo "rc=$?"
atoll exec p2 -- sh -c "kill -9 \$\$"; echo "rc=$?"
atoll exec p1 -- nosuchcommand 2>/tmp/e; echo "rc=$?"; cat /tmp/e
echo @@STDIN
echo hello | atoll exec p3 -- cat
echo @@BIG
dd if=/dev/urandom of=/tmp/big bs=1M count=10 2>/dev/null
sha256sum < /tmp/big
atoll exec p1 -- sha256sum < /tmp/big
echo @@STREAMS
atoll exec p2 -- sh -c "echo to-out; echo to-err >&2" >/tmp/o 2>/tmp/e; echo "rc=$?"
echo "out: $(cat /tmp/o)"; echo "err: $(cat /tmp/e)"
echo @@ALL
atoll exec --all -- hostname | sort
echo @@ENV
atoll exec p3 --env GREETING=hi --cwd /tmp -- sh -c "echo \$GREETING \$(pwd)"
echo @@REUSE
# Closed connections to p2 (10.77.0.3:7117) waiting out TIME_WAIT here.
tw() { awk "\$3 == \"03004D0A:1BCD\" && \$4 == \"06\"" /proc/net/tcp | wc -l; }
before=$(tw)
for i in 1 2 3 4 5 6 7 8; do atoll exec p2 -- sh -c "echo run$i; exit $i"; echo "rc=$?"; done
echo "closed: $(($(tw) - before))"
echo @@PTY
printf "tty\nstty size\necho \$((6*7))\nsleep 1006 &\njobs\nexit 3\n" |
    atoll-pty --size 40x100 sh -c "atoll exec -t p1 -- sh -i; echo rc=\$?" | tr -d "\r"
atoll exec p1 -- sh -c "ps -e -o args | grep -c \"[s]leep 1006\""
atoll exec -t --all -- true 2>/tmp/terr; echo "rc=$? $(head -1 /tmp/terr)"
echo @@SIGINT
atoll exec p2 -- sleep 1001 & c=$!
i=0; while ! atoll exec p2 -- sh -c "ps -e -o args | grep -q \"[s]leep 1001\"" && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
kill -INT $c; wait $c; echo "rc=$?"
atoll exec p2 -- sh -c "ps -e -o args | grep -c \"[s]leep 1001\""
echo @@SIGKILL
atoll exec p3 -- sh -c "sleep 1002 & sleep 1003" & c=$!
i=0; while ! atoll exec p3 -- sh -c "ps -e -o args | grep -q \"[s]leep 1003\"" && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
kill -KILL $c; wait $c 2>/dev/null
i=0; while atoll exec p3 -- sh -c "ps -e -o args | grep -q \"[s]leep 100[23]\"" && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
atoll exec p3 -- sh -c "ps -e -o args | grep -c \"[s]leep 100[23]\""
echo @@ESCAPE
atoll exec p3 -- sh -c "setsid sleep 1007 </dev/null >/dev/null 2>&1 & echo started"; echo "rc=$?"
i=0; while atoll exec p3 -- sh -c "ps -e -o args | grep -q \"[s]leep 1007\"" && [ $i -lt 25 ]; do sleep 0.2; i=$((i+1)); done
atoll exec p3 -- sh -c "ps -e -o args | grep -c \"[s]leep 1007\""
echo @@PS
atoll exec p1 -- sleep 1005 >/dev/null & c=$!
i=0; while ! atoll ps --node p1 | grep -q " sleep 1005$" && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
line=$(atoll ps | grep "^p1:.* sleep 1005$"); echo "$line"
atoll kill "${line%% *}"; echo "rc=$?"
wait $c; echo "rc=$?"
atoll ps --node p1 --json | grep -c "\"sleep 1005\""
atoll kill p1:1; echo "rc=$?"
echo @@TOP
atoll exec p2 -- sh -c "while :; do :; done" & c=$!
i=0; while ! atoll ps --node p2 | grep -q "while :" && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
atoll top --once --json -n 3
kill -INT $c; wait $c
echo @@CP
dd if=/dev/urandom of=/tmp/cpsrc bs=1k count=3000 2>/dev/null; chmod 750 /tmp/cpsrc
atoll cp /tmp/cpsrc p2:/tmp/; echo "rc=$?"
atoll exec p2 -- sh -c "stat -c %a /tmp/cpsrc; sha256sum < /tmp/cpsrc; cp /tmp/cpsrc /tmp/back; chmod 604 /tmp/back"
atoll cp p2:/tmp/back /tmp/back; echo "rc=$?"
stat -c %a /tmp/back; sha256sum < /tmp/back; sha256sum < /tmp/cpsrc
atoll cp p2:/nope /tmp/x; echo "rc=$?"
echo @@HOSTILE
for f in garbage wrong-key oversized exec-first; do atoll-fault atolld p1 $f; echo "rc=$?"; done
atoll exec p1 -- sh -c "ls /tmp/atoll-fault-was-here 2>/dev/null; echo still-serving"
echo @@BAD
atoll exec p9 -- touch /tmp/p9-ran; echo "rc=$?"
ls /tmp/p9-ran 2>&1
atoll exec -- true; echo "rc=$?"
echo @@CRASH
atoll exec p2 -- sleep 1004 >/dev/null 2>/tmp/crash & c=$!
i=0; while ! atoll exec p2 -- sh -c "ps -e -o args | grep -q \"[s]leep 1004\"" && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
atoll stop --force 2 >/dev/null
wait $c; echo "rc=$?"; cat /tmp/crash
echo @@STOPPED
atoll stop 3 >/dev/null
i=0; while ! atoll nodes | grep -q "^3 .* stopped" && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done
atoll nodes
echo @@END'
check "box command succeeded (rc=$rc)" test "$rc" = 0
nodes=$(section NODES)
for n in host p1 p2 p3; do
    check "atoll nodes shows $n up" grep -Eq "^[0-9]+ +$n +10\.77\.0\.[0-9]+ +up " <<<"$nodes"
done
check "atoll nodes --json lists four nodes" python3 -c '
import json, sys
text = sys.stdin.read(); j = json.loads(text[text.index("{"):])
assert [n["name"] for n in j["nodes"]] == ["host", "p1", "p2", "p3"], j
assert all(n["state"] == "up" and n["cpus"] >= 1 and n["mem_total_kib"] > 0 for n in j["nodes"]), j' <<<"$nodes"
# The box plan puts p1 on NUMA node 0 with the host, p2 and p3 on node 1;
# a partition does not know its own, the host table says it.
check "... with each kernel's NUMA node: host 0, p1 0, p2 1, p3 1" python3 -c '
import json, sys
text = sys.stdin.read(); j = json.loads(text[text.index("{"):])
assert [n["numa_node"] for n in j["nodes"]] == [0, 0, 1, 1], j' <<<"$nodes"
st=$(section STATUS)
check "exit 7 comes back as 7" test "$(sed -n 1p <<<"$st")" = rc=7
check "a command killed by SIGKILL gives 137" test "$(sed -n 2p <<<"$st")" = rc=137
check "a missing command gives 127 and says so, naming the node" \
    test "$(sed -n 3p <<<"$st")" = rc=127 -a -n "$(grep "p1: cannot run 'nosuchcommand': command not found" <<<"$st")"
check "stdin reaches the remote command" test "$(section STDIN)" = hello
big=$(section BIG | awk '{ print $1 }')
check "10 MiB through sha256sum on p1 match" test "$(wc -l <<<"$big")" = 2 -a "$(sort -u <<<"$big" | wc -l)" = 1
streams=$(section STREAMS)
check "stdout and stderr stay separate" \
    test "$(sed -n 2p <<<"$streams")" = "out: to-out" -a "$(sed -n 3p <<<"$streams")" = "err: to-err"
check "--all runs on every node, prefixed" \
    test "$(section ALL | tr '\n' ' ')" = "host: host p1: p1 p2: p2 p3: p3 "
check "--env and --cwd are passed" test "$(section ENV)" = "hi /tmp"
reuse=$(section REUSE)
check "eight execs in a row on p2: each its own output and status" \
    test "$(head -16 <<<"$reuse" | tr '\n' ' ')" = "run1 rc=1 run2 rc=2 run3 rc=3 run4 rc=4 run5 rc=5 run6 rc=6 run7 rc=7 run8 rc=8 "
check "... over connections kept between them: none closed" \
    test "$(sed -n 's/^closed: //p' <<<"$reuse")" -le 0
pty=$(section PTY)
# (Output lines may start with the shell's prompt: the terminal echoed all
# the input at once, before the shell read it.)
check "-t: the command runs on a pseudo-terminal" grep -Eq "(^| )/dev/pts/[0-9]+$" <<<"$pty"
check "-t: of this terminal's size (40x100)" grep -Eq "(^| )40 100$" <<<"$pty"
check "-t: input typed reaches the shell" grep -Eq "(^| )42$" <<<"$pty"
check "-t: the shell has job control" grep -Eq "\[1\].*Running.*sleep 1006" <<<"$pty"
check "-t: the exit status comes back" grep -Eq "(^| )rc=3$" <<<"$pty"
check "-t: the shell's background job did not outlive it" test "$(tail -2 <<<"$pty" | head -1)" = 0
check "-t with several nodes is a usage error, and says why" \
    grep -q "^rc=2 atoll: -t takes one node" <<<"$(tail -1 <<<"$pty")"
sigint=$(section SIGINT)
check "Ctrl-C ends the remote sleep: status 130" test "$(sed -n 1p <<<"$sigint")" = rc=130
check "and no such process is left on p2" test "$(sed -n 2p <<<"$sigint")" = 0
check "SIGKILL of the client leaves nothing of its process group on p3" test "$(section SIGKILL)" = 0
check "a process that left the session (setsid) does not outlive its exec (the job's cgroup)" \
    test "$(section ESCAPE)" = "$(printf 'started\nrc=0\n0')"
ps=$(section PS)
check "atoll ps lists the process atoll exec started, as p1:PID" grep -Eq "^p1:[0-9]+ +root +S .* sleep 1005$" <<<"$ps"
check "atoll kill NODE:PID sends TERM: the exec ends with 143" \
    test "$(sed -n 2p <<<"$ps")" = rc=0 -a "$(sed -n 3p <<<"$ps")" = rc=143
check "and atoll ps no longer shows it" test "$(sed -n 4p <<<"$ps")" = 0
check "atoll kill refuses a kernel's init" grep -q "p1:1: init is not killed" <<<"$ps"
check "atoll top --once --json: four nodes, the busy loop on p2 first" python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
assert [n["name"] for n in j["nodes"]] == ["host", "p1", "p2", "p3"], j["nodes"]
top = j["processes"][0]
assert top["node"] == "p2" and "while :" in top["command"] and top["cpu_percent"] > 50, top' <<<"$(section TOP)"
cp=$(section CP)
sums=$(grep -oE '^[0-9a-f]{64}' <<<"$cp" | sort -u)
check "atoll cp to p2 and back: status 0 both ways" test "$(grep -c '^rc=0$' <<<"$cp")" = 2
check "modes kept both ways (750 there, 604 back)" \
    test "$(sed -n 2p <<<"$cp")" = 750 -a "$(sed -n 5p <<<"$cp")" = 604
check "the same SHA-256 on both sides, both ways" test "$(wc -l <<<"$sums")" = 1
check "a missing remote file is refused by name" \
    test "$(tail -1 <<<"$cp")" = rc=1 -a -n "$(grep 'p2:/nope: not a regular file' <<<"$cp")"
hostile=$(section HOSTILE)
check "garbage, a wrong key, an oversized frame and an early EXEC: each connection closed" \
    test "$(grep -c '^atolld closed the connection$' <<<"$hostile")" = 4
check "the wrong key is refused as such" grep -q "atolld answered REFUSED: wrong cluster key" <<<"$hostile"
check "the early EXEC ran nothing, and the daemon still serves" \
    test "$(tail -1 <<<"$hostile")" = still-serving -a "$(grep -c atoll-fault-was-here <<<"$hostile")" = 0
bad=$(section BAD)
check "an unknown node is refused, naming the nodes" grep -q "no node 'p9' in the cluster (nodes: host, p1, p2, p3)" <<<"$bad"
check "an unknown node runs nothing, here or anywhere" grep -q "p9-ran.*No such file" <<<"$bad"
check "an unknown node gives status 1, a usage error 2" \
    test "$(grep -c '^rc=1$' <<<"$bad")" = 1 -a "$(grep -c '^rc=2$' <<<"$bad")" = 1
crash=$(section CRASH)
check "p2 stopped by force mid-exec: status 255" test "$(sed -n 1p <<<"$crash")" = rc=255
check "with a message naming p2" grep -q "atoll exec: p2: " <<<"$crash"
check "atoll nodes shows p3 stopped after atoll stop 3" grep -Eq "^3 +p3 .* stopped " <<<"$(section STOPPED)"
pass
