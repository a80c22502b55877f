#!/usr/bin/env bash
# atolld on the build machine itself: three daemons on loopback addresses
# (node 0 "host" on 127.0.0.1, 1 "p1" on 127.0.0.2, 2 "p2" on 127.0.0.3, the
# last with a key of its own), each with its own local socket, driven by the
# atoll command through ATOLLD_SOCKET. What the box's test-atolld checks
# with real partitions, here in seconds and without a box:
#
#  - the two nodes with the cluster key see each other up; the one with the
#    wrong key is never up, and an exec routed to it is refused with a
#    message that says so, running nothing;
#  - eight execs in a row from host to p1, each with its own output and
#    exit status, over reused connections: no host->p1 connection is left
#    in TIME_WAIT (wire revision 4 keeps a finished job's connection idle
#    for the next; before it, each exec closed one);
#  - a client killed before its job ends ends the job on the node: its
#    process is gone within 10 s; and nothing of any job outlives the test.
#
#   test-atolld-loopback.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?usage: test-atolld-loopback.sh BUILD_DIR}" && pwd) || exit 1
atolld=$build/ssi/atolld
atoll=$build/ssi/atoll
fails=0
check() {
    local what=$1; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
for f in "$atolld" "$atoll"; do
    [ -x "$f" ] || { echo "FAIL: $f missing (run make)"; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A port nobody listens on (hex in /proc/net/tcp, state 0A = LISTEN).
port=0
for p in $(seq $((20000 + $$ % 20000)) $((20100 + $$ % 20000))); do
    hex=$(printf '%04X' "$p")
    if ! awk -v h=":$hex" '$2 ~ h"$" { f = 1 } END { exit !f }' /proc/net/tcp; then port=$p; break; fi
done
[ "$port" != 0 ] || { echo "FAIL: no free port"; exit 1; }
porthex=$(printf '%04X' "$port")

"$atolld" --new-key "$work/key" && "$atolld" --new-key "$work/other.key" ||
    { echo "FAIL: atolld --new-key"; exit 1; }
printf '0 host 127.0.0.1\n1 p1 127.0.0.2\n2 p2 127.0.0.3\n' > "$work/nodes"
start() {   # ID NAME ADDRESS KEY
    "$atolld" --id "$1" --name "$2" --key "$4" --nodes "$work/nodes" --socket "$work/$2.sock" \
        --port "$port" --listen "$3" > "$work/$2.log" 2>&1 &
    pids+=($!)
}
start 0 host 127.0.0.1 "$work/key"
start 1 p1 127.0.0.2 "$work/key"
start 2 p2 127.0.0.3 "$work/other.key"
on_host() { ATOLLD_SOCKET=$work/host.sock timeout 30 "$atoll" "$@"; }

up=0
for _ in $(seq 1 50); do
    nodes=$(on_host nodes 2>/dev/null)
    if awk '$2 == "p1" && $4 == "up" { f = 1 } END { exit !f }' <<<"$nodes"; then up=1; break; fi
    sleep 0.2
done
check "p1 is up in the host's atoll nodes" test "$up" = 1
sleep 1.5   # a membership round more: p2 has been asked by now
nodes=$(on_host nodes 2>/dev/null)
check "p2, with another key, is not up" \
    awk '$2 == "p2" { seen = 1; if ($4 == "up") bad = 1 } END { exit !(seen && !bad) }' <<<"$nodes"
wrong=$(on_host exec p2 -- sh -c "echo ran > $work/p2-ran" 2>&1); rc=$?
check "an exec routed to p2 is refused (rc $rc) and runs nothing" \
    test "$rc" != 0 -a ! -e "$work/p2-ran"
check "the refusal says why: $wrong" grep -q "cluster key" <<<"$wrong"
# p2 goes: its own dials to p1 fail their handshake and leave TIME_WAITs
# that look like ours (every connection leaves 127.0.0.1 by default).
kill "${pids[2]}" 2>/dev/null
wait "${pids[2]}" 2>/dev/null
unset 'pids[2]'
sleep 0.5
# local ports of host->p1 connections in TIME_WAIT: local 127.0.0.1
# (0100007F), remote 127.0.0.2 (0200007F):port, state 06
time_wait() { awk -v r="0200007F:$porthex" '$3 == r && $4 == "06" && $2 ~ /^0100007F:/ { print $2 }' /proc/net/tcp | sort; }
tw_before=$(time_wait)

outs=""
for i in 1 2 3 4 5 6 7 8; do
    o=$(on_host exec p1 -- sh -c "echo run-$i; exit $i" 2>&1)
    outs="$outs $o/$?"
done
check "8 execs in a row, each its own output and status" \
    test "$outs" = " run-1/1 run-2/2 run-3/3 run-4/4 run-5/5 run-6/6 run-7/7 run-8/8"
tw=$(comm -13 <(echo "$tw_before") <(time_wait) | grep -c .)
check "no host->p1 connection closed by the execs ($tw new in TIME_WAIT)" test "$tw" = 0

mark=atolld-loopback-$$
(ATOLLD_SOCKET=$work/host.sock exec "$atoll" exec p1 -- sh -c "exec sleep 300 # $mark" >/dev/null 2>&1) &
client=$!
running=0
for _ in $(seq 1 50); do
    pgrep -f "sleep 300 # $mark" >/dev/null && { running=1; break; }
    sleep 0.2
done
check "a job runs on p1 for a client" test "$running" = 1
{ kill -KILL "$client"; wait "$client"; } 2>/dev/null   # (quiet: bash reports the kill)
gone=0
for _ in $(seq 1 50); do
    pgrep -f "sleep 300 # $mark" >/dev/null || { gone=1; break; }
    sleep 0.2
done
check "the client killed, its job on p1 ends" test "$gone" = 1
after=$(on_host exec p1 -- echo still-serving 2>&1)
check "p1 serves the next exec" test "$after" = still-serving

kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
pids=()
check "nothing of any job is left" test -z "$(pgrep -f "sleep 300 # $mark")"
if [ "$fails" != 0 ]; then
    for n in host p1 p2; do echo "--- $n.log"; tail -20 "$work/$n.log"; done
    echo "FAIL [atolld-loopback]: $fails check(s) failed"
    exit 1
fi
echo "PASS [atolld-loopback]"
