#!/usr/bin/env bash
# vnet recovery soak (issue 16; make bench): in one box, COUNT scribbles of
# each kind on the ring that carries p1's frames to p2, each followed by a
# wait for p1's next link check (its counter moves: no timing) and one ping
# from p1 to p2, which must succeed. Counts the failures per kind; zero is
# the bar. system.vnet-faults runs one of each kind in `make test`.
#
#   vnet-faults-soak.sh ROOT OUT_DIR [COUNT]
#
# BUSY=N also keeps N busy loops running on the machine that runs the box
# (the failure of issue 16 came from a loaded machine).
set -euo pipefail
root=${1:?usage: vnet-faults-soak.sh ROOT OUT_DIR [COUNT]}
out=${2:?}
count=${3:-200}
busy=${BUSY:-0}
mkdir -p "$out"

# Kinds: a FIELD and a VALUE for atoll-fault; "rand16" is a random multiple
# of 16 below 2^40 (a plausible head), "rand" any 64-bit value.
kinds='head:+65536 head:+262144 head:+262128 head:rand16 head:rand head:-64 tail:rand length:+1'

cmd='
hex() { od -An -N$1 -tx1 /dev/urandom | tr -d " \n"; }
for k in '"$kinds"'; do
  field=${k%%:*}; how=${k#*:}
  fails=0
  for i in $(seq 1 '"$count"'); do
    case $how in
      rand16) v=$(printf "0x%x" $(( 0x$(hex 5) / 16 * 16 )));;
      rand) v=0x$(hex 8);;
      *) v=$how;;
    esac
    atoll-fault vnet 1 2 $field $v >/dev/null || { fails=$((fails + 1)); continue; }
    atoll run 1 --timeout 60 -- "f=/sys/class/net/vnet0/atoll/link_checks; c=\$(cat \$f); n=0; while [ \$(cat \$f) = \$c ] && [ \$n -lt 200 ]; do sleep 0.05; n=\$((n+1)); done; ping -c 1 -W 5 p2 >/dev/null" \
      || { fails=$((fails + 1)); echo "fail: $field $v (try $i)"; }
  done
  echo "@@soak $field:$how '"$count"' $fails"
done
atoll run 2 -- "cat /sys/class/net/vnet0/statistics/rx_errors" | sed "s/^/@@rx_errors /"'

pids=()
for _ in $(seq 1 "$busy"); do (while :; do :; done) & pids+=($!); done
trap '[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null' EXIT
load0=$(cut -d" " -f1 /proc/loadavg)
start=$(date +%s)
echo "vnet-faults-soak: $count scribbles of each kind in one box (busy loops: $busy)" >&2
o=$(BOX_LOGDIR=$out/box BOX_TIMEOUT=7200 make -s -C "$root" run CMD="$cmd" 2>"$out/make.stderr") || {
    echo "vnet-faults-soak: the box run failed (logs: $out/box)" >&2; printf '%s\n' "$o" > "$out/soak.out"; exit 1; }
load1=$(cut -d" " -f1 /proc/loadavg)
printf '%s\n' "$o" > "$out/soak.out"
{
    echo "| scribble on ring p1 -> p2 | tries | failed pings |"
    echo "|---|---|---|"
    sed -n 's/^@@soak \([^ ]*\) \([0-9]*\) \([0-9]*\)$/| \1 | \2 | \3 |/p' <<<"$o"
    echo
    echo "p2 rx_errors after the run: $(sed -n 's/^@@rx_errors //p' <<<"$o");" \
         "$(( $(date +%s) - start )) s; busy loops: $busy; load average $load0 at the start, $load1 at the end" \
         "($(nproc) CPUs)."
} | tee "$out/soak-summary.md"
total=$(sed -n 's/^@@soak [^ ]* [0-9]* \([0-9]*\)$/\1/p' <<<"$o" | paste -sd+ | bc)
[ "${total:-1}" = 0 ]
