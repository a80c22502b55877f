#!/usr/bin/env bash
# The Debian root against the initramfs root (issue 17; make bench): for each
# root, ROUNDS box runs in one bench run. Each boots partitions 1 and 2 of
# the plan, then measures partition 3:
#   boot     from `atoll boot --id 3` until atolld in p3 runs a command
#            (userspace reached and its services up), timed in the host
#   memory   MemAvailable in p3 once it is up
#   read     sequential reads in p3, cold (the first read; on the Debian
#            root it comes over NFS), timed by atoll-timeit: /usr/bin/atoll
#            (in both roots), and the largest file of the root
# Medians with min and max, ratios Debian / initramfs, this machine's load.
#
#   userland-bench.sh ROOT OUT_DIR [ROUNDS]
set -euo pipefail
root=${1:?usage: userland-bench.sh ROOT OUT_DIR [ROUNDS]}
out=${2:?}
rounds=${3:-3}
mkdir -p "$out"

cmd='
s=$(cut -d" " -f1 /proc/uptime)
atoll boot --plan /etc/atoll/box.plan --id 3 >/dev/null || exit 1
i=0; while ! atoll exec p3 -- true 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
e=$(cut -d" " -f1 /proc/uptime)
echo "@@boot $s $e"
echo "@@mem $(atoll exec p3 -- awk "/^MemAvailable:/ { print \$2 }" /proc/meminfo)"
f=$(atoll exec p3 -- sh -c "find /usr -xdev -type f -size +1024k -exec ls -ln {} + 2>/dev/null | sort -n -k5 | tail -n 1 | awk \"{ print \\\$5, \\\$NF }\"")
echo "@@file $f"
a=$(atoll exec p3 -- sh -c "ls -ln /usr/bin/atoll" | awk "{ print \$5 }")
echo "@@read $a $(atoll exec p3 -- atoll-timeit 1 dd if=/usr/bin/atoll of=/dev/null bs=1M)"
echo "@@readbig ${f%% *} $(atoll exec p3 -- atoll-timeit 1 dd if=${f#* } of=/dev/null bs=1M)"
'
: > "$out/userland.tsv"
. "$(dirname "$0")/machine.sh"
busy0=$(machine_busy)
load0=$(cut -d" " -f1 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
    for kind in initramfs debian; do
        o=$(BOX_ROOT=$kind BOX_BOOT=1,2 BOX_LOGDIR=$out/box-$kind-$r make -s -C "$root" run CMD="$cmd" \
            2>"$out/make-$kind-$r.stderr") || {
            echo "userland-bench: $kind round $r failed (logs: $out/box-$kind-$r)" >&2; exit 1; }
        boot=$(sed -n 's/^@@boot \([0-9.]*\) \([0-9.]*\)$/\1 \2/p' <<<"$o" | awk '{ printf "%.2f", $2 - $1 }')
        mem=$(sed -n 's/^@@mem \([0-9]*\)$/\1/p' <<<"$o")
        file=$(sed -n 's/^@@file //p' <<<"$o")
        # "@@read BYTES MICROSECONDS STATUS" -> MB/s
        read=$(awk '$1 == "@@read" && $4 == 0 { printf "%.1f", $2 / $3 }' <<<"$o")
        readbig=$(awk '$1 == "@@readbig" && $4 == 0 { printf "%.1f", $2 / $3 }' <<<"$o")
        [ -n "$boot" ] && [ -n "$mem" ] && [ -n "$read" ] && [ -n "$readbig" ] || {
            echo "userland-bench: $kind round $r: no result in: $o" >&2; exit 1; }
        echo "userland-bench: round $r $kind: boot ${boot}s, MemAvailable $((mem / 1024)) MiB, read /usr/bin/atoll ${read} MB/s, $file ${readbig} MB/s" >&2
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$kind" "$boot" "$mem" "$read" "$file" "$readbig" >> "$out/userland.tsv"
    done
done
python3 - "$out/userland.tsv" "$load0" "$(cut -d" " -f1 /proc/loadavg)" <<'PY' | tee "$out/userland-summary.md"
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l]
def col(kind, i): return [float(r[i]) for r in rows if r[1] == kind]
print(f"| partition 3 ({len(rows)//2} rounds each) | initramfs median (min-max) | Debian median (min-max) | Debian / initramfs |")
print("|---|---|---|---|")
for name, i, scale, unit in (("boot until atolld runs a command", 2, 1, "s"),
                             ("MemAvailable once up", 3, 1/1024, "MiB"),
                             ("cold sequential read of /usr/bin/atoll", 4, 1, "MB/s"),
                             ("cold sequential read, largest file of the root", 6, 1, "MB/s")):
    a = [v * scale for v in col("initramfs", i)]; b = [v * scale for v in col("debian", i)]
    fmt = lambda v: f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) {unit}"
    print(f"| {name} | {fmt(a)} | {fmt(b)} | {statistics.median(b) / statistics.median(a):.2f}x |")
files = sorted({(r[1], r[5]) for r in rows})
print()
print("Files read: " + "; ".join(f"{k}: `{f.split(' ', 1)[1]}` ({int(f.split(' ')[0]) >> 20} MiB)" for k, f in files))
print(f"Build machine load (1 min) before/after: {sys.argv[2]} / {sys.argv[3]}")
PY
machine_note "$busy0" "$load0" "$(cut -d" " -f1 /proc/loadavg)" | tee -a "$out/userland-summary.md"
