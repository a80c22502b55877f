#!/usr/bin/env bash
# The most partitions the default box memory allows (issue 5): 15, the ABI's
# limit (partition ids 1..15), each with an even share of the default 4 GiB
# (146 MiB on the host's node, 256 MiB on the other; the minimum is
# 128 MiB), on a box with 16 vCPUs. All come up, then all stop cleanly at
# once; one more partition is refused before QEMU starts.
. "$(dirname "$0")/lib.sh"
export BOX_CPUS=16 BOX_PARTITIONS=15

box 'atoll list
echo @@STOP; atoll stop --all --timeout 120
echo @@AFTER; atoll list'
check "box command succeeded (rc=$rc)" test "$rc" = 0
check "15 partitions running" test "$(awk '/^@@/ { exit } / running /' <<<"$out" | wc -l)" = 15
check "each has at least the 128 MiB minimum" \
    awk '/^@@/ { exit } / running / { n++; m = $5; sub(/M$/, "", m); if (m + 0 >= 128) ok++ } END { exit !(n == 15 && ok == 15) }' <<<"$out"
check "atoll stop --all stopped all 15" test "$(section STOP | grep -c ': stopped')" = 15
check "all 15 stopped on request" test "$(section AFTER | grep -c 'stopped .*stop requested')" = 15
sixteen=$(BOX_PARTITIONS=16 make -s -C "$ATOLL_ROOT" run CMD=true 2>&1); r16=$?
check "a 16th partition is refused before QEMU starts" test "$r16" != 0
check "and the refusal names the limit" grep -q "BOX_PARTITIONS=16" <<<"$sixteen"
pass
