#!/usr/bin/env bash
# vnet under a scribbling kernel (issues 6 and 16): the host's test tool
# atoll-fault writes garbage over the indices of the ring that carries p1's
# frames to p2, one of each kind on an idle ring (recovery within one link
# check), then over heads, tails and queued records' lengths while p1
# streams 32 MiB to p2. The
# receiver must drop and count (rx_errors), never crash or read outside the
# ring; TCP retransmits what was dropped, so the file arrives intact; and
# traffic elsewhere is untouched.
. "$(dirname "$0")/lib.sh"

box "$box_on"'
errors() { on $1 "cat /sys/class/net/vnet0/statistics/rx_errors /sys/class/net/vnet0/statistics/tx_errors" | tr "\n" " "; echo; }
echo @@BEFORE
errors p2
echo @@IDLE
# An idle ring, one scribble of each kind (issue 16): then wait until both
# kernels ran a link check (their counters move: no timing), and the first
# ping must go through. tests/bench/vnet-faults-soak.sh runs 200 of each.
next_check() { on $1 "f=/sys/class/net/vnet0/atoll/link_checks; c=\$(cat \$f); i=0; while [ \$(cat \$f) = \$c ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done"; }
for f in "head +3" "head +65536" "head +262144" "head +262128" "head -64" "tail 0xdead00000" \
         "tail_gen +1" "kick_at -64" "space_at 0" "length +1"; do
  atoll-fault vnet 1 2 $f
  next_check p2; next_check p1
  on p1 "ping -c 1 -W 5 p2 >/dev/null && echo ping ok after $f"
done
echo @@LOAD
on p1 "dd if=/dev/urandom of=/tmp/f bs=1M count=32 2>/dev/null; sha256sum < /tmp/f"
on p2 "rm -f /tmp/f; (sleep 600 | nc -l -p 6001 > /tmp/f &)" >/dev/null
sleep 1
on p1 "rm -f /tmp/sent; (nc p2 6001 < /tmp/f; echo rc=\$? > /tmp/sent) >/dev/null 2>&1 &" >/dev/null
for i in 1 2 3 4 5 6 7 8; do
  for f in "head +4096" "length +1" "tail 0x123456780" "head +3"; do atoll-fault vnet 1 2 $f >/dev/null; done
  sleep 0.3
done
echo scribbled
on p1 "i=0; while [ ! -s /tmp/sent ] && [ \$i -lt 240 ]; do sleep 1; i=\$((i+1)); done; cat /tmp/sent"
on p2 "i=0; while pidof nc >/dev/null && [ \$i -lt 60 ]; do sleep 1; i=\$((i+1)); done; sha256sum < /tmp/f"
echo @@AFTER
errors p2
on p1 "ping -c 2 -W 5 p2 >/dev/null && echo ok p1 p2"
on p2 "ping -c 2 -W 5 p1 >/dev/null && echo ok p2 p1"
on p1 "ping -c 2 -W 5 p3 >/dev/null && echo ok p1 p3"
on p3 "cat /sys/class/net/vnet0/statistics/rx_errors" | sed "s/^/p3 rx_errors /"
echo @@BAD
atoll-fault vnet 1 1 head 0 2>&1; echo "rc=$?"
atoll-fault vnet 1 2 middle 0 2>&1; echo "rc=$?"
echo @@END'
check "box command succeeded (rc=$rc)" test "$rc" = 0
read -r rx0 _ <<<"$(section BEFORE)"
idle=$(section IDLE)
for f in "head +3" "head +65536" "head +262144" "head +262128" "head -64" "tail 0xdead00000" \
         "tail_gen +1" "kick_at -64" "space_at 0" "length +1"; do
    check "after a scribbled $f and one link check, p1's first ping reaches p2" grep -qx "ping ok after $f" <<<"$idle"
done
load=$(section LOAD)
check "scribbling went on during the transfer" grep -qx scribbled <<<"$load"
check "p1's sender finished" grep -qx "rc=0" <<<"$load"
sums=$(grep -E '^[0-9a-f]{64}' <<<"$load" | awk '{ print $1 }')
check "the 32 MiB arrived intact (same SHA-256 at both ends)" \
    test "$(wc -l <<<"$sums")" = 2 -a "$(sort -u <<<"$sums" | wc -l)" = 1
after=$(section AFTER)
read -r rx1 _ <<<"$(head -1 <<<"$after")"
check "p2 counted the scribbles as receive errors ($rx0 -> $rx1)" test "${rx1:-0}" -gt "${rx0:-0}"
for pair in "p1 p2" "p2 p1" "p1 p3"; do
    check "$pair still talk" grep -qx "ok $pair" <<<"$after"
done
check "p3, on other rings, counted nothing" grep -qx "p3 rx_errors 0" <<<"$after"
bad=$(section BAD)
check "atoll-fault refuses a ring from a node to itself" grep -q "no vnet ring from 1 to 1" <<<"$bad"
check "atoll-fault refuses an unknown field" grep -q "unknown FIELD 'middle'" <<<"$bad"
check "both refusals exit 1" test "$(grep -c '^rc=1$' <<<"$bad")" = 2
pass
