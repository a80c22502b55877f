#!/usr/bin/env bash
# A CPU-bound loop in each partition makes progress at the same time as one
# in the host: they run on different CPUs, in parallel. Each loop reports
# when it started and ended (host clock, from the host's side); all four
# intervals must overlap. No timing thresholds: only the order of events.
. "$(dirname "$0")/lib.sh"

box 'spin="i=0; while [ \$i -lt 300000 ]; do i=\$((i+1)); done; echo spun"
for n in 1 2 3; do
  ( s=$(cut -d" " -f1 /proc/uptime); atoll run $n --timeout 300 -- "$spin" >/tmp/out$n; e=$(cut -d" " -f1 /proc/uptime); echo "$n $s $e $(cat /tmp/out$n)" >/tmp/t$n ) &
done
s=$(cut -d" " -f1 /proc/uptime); sh -c "$spin" >/tmp/out0; e=$(cut -d" " -f1 /proc/uptime); echo "0 $s $e $(cat /tmp/out0)" >/tmp/t0
wait
cat /tmp/t0 /tmp/t1 /tmp/t2 /tmp/t3'
check "box command succeeded (rc=$rc)" test "$rc" = 0
check "all four loops finished" test "$(grep -c ' spun$' <<<"$out")" = 4
check "the four loops overlapped in time (latest start before earliest end)" \
    awk '{ if (NR == 1 || $2 > s) s = $2; if (NR == 1 || $3 < e) e = $3 } END { exit !(s < e) }' <<<"$out"
pass
