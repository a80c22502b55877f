# Sourced by the benchmarks: how busy the build machine is, so that a run
# on a machine that was not idle is flagged next to its figures.
#
# The load average alone cannot say it: right after a box has run, its
# one-minute average still counts that box for a minute or two. What
# /proc/stat's idle time did over a few seconds says what runs now.

# machine_busy [SECONDS]: the share of all CPUs' time that was not idle
# over SECONDS (default 3), in percent, as an integer.
machine_busy() {
    local s=${1:-3} a b
    a=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat)
    sleep "$s"
    b=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {
        split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; idle = y[2] - x[2]
        print (t > 0 ? int(100 * (t - idle) / t + 0.5) : 0) }'
}

# Above this share the run is flagged: something else took a real part of
# the CPUs the box needs.
machine_busy_limit=25

# machine_note BUSY_BEFORE LOAD_BEFORE LOAD_AFTER: one line for a summary.
machine_note() {
    local busy=$1 l0=$2 l1=$3
    if [ "$busy" -gt "$machine_busy_limit" ]; then
        echo "**Flagged: the machine was not idle** (${busy}% of its CPU time busy in the 3 s before the run, above ${machine_busy_limit}%); load average $l0 at the start, $l1 at the end. Rerun on an idle machine before quoting these figures."
    else
        echo "The machine was idle before the run (${busy}% of its CPU time busy in the 3 s before it); load average $l0 at the start, $l1 at the end (the box itself keeps a 2-core machine at 1-2)."
    fi
}
