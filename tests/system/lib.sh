# Shared helpers for the system tests (sourced). Every test boots the box
# through exactly the path users have: `make run CMD=...`.
#
# Each box run keeps its console logs in build/test-logs/<test>/<n>/: the
# host's (host-console.log) and every partition's (partition-N-console.log).
# On a failure the test names that folder, prints the tail of each, exits 1.
set -uo pipefail

ATOLL_ROOT=${ATOLL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
test_name=$(basename "$0" .sh)
test_name=${test_name#test-}
test_logs=$ATOLL_ROOT/build/test-logs/$test_name
rm -rf "$test_logs"
mkdir -p "$test_logs"
run_no=0
checks=0

# box CMD: run CMD in the box; sets $out (stdout+stderr of CMD), $rc, $logs.
box() {
    run_no=$((run_no + 1))
    logs=$test_logs/$run_no
    mkdir -p "$logs"
    out=$(BOX_LOGDIR=$logs make -s -C "$ATOLL_ROOT" run CMD="$1" 2>"$logs/make.stderr")
    rc=$?
    printf '%s\n' "$out" > "$logs/stdout"
}

fail() {
    echo "FAIL [$test_name]: $*" >&2
    echo "  console logs of this run are kept in: $test_logs" >&2
    for f in "$test_logs"/*/host-console.log "$test_logs"/*/partition-*-console.log \
             "$test_logs"/*/make.stderr; do
        [ -s "$f" ] || continue
        echo "  --- tail of $f" >&2
        tail -n 12 "$f" | sed 's/^/  | /' >&2
    done
    exit 1
}

check() {   # check DESCRIPTION CONDITION...
    local what=$1; shift
    if "$@"; then checks=$((checks + 1)); echo "ok: $what"; else fail "$what"; fi
}

# Prepended to a box command: `on NODE CMD` runs CMD on the host (NODE
# "host") or in partition N (NODE "pN", through `atoll run`).
box_on='on() { if [ "$1" = host ]; then sh -c "$2"; else atoll run "${1#p}" --timeout 300 -- "$2"; fi; }'

# section NAME: the lines of $out after the line "@@NAME", up to the next "@@" line.
section() { awk -v s="@@$1" '$0 == s { on = 1; next } /^@@/ { on = 0 } on' <<<"$out"; }

pass() { echo "PASS [$test_name]: $checks checks (logs: $test_logs)"; }
