# Shared helpers for the system tests (sourced). Every test boots the box
# through exactly the path users have: `make run CMD=...`.
#
# Each box run keeps its console logs in build/test-logs/<test>/<n>/: the
# host's (host-console.log) and every partition's (partition-N-console.log).
# On a failure the test names that folder, prints the tail of each, exits 1.
set -uo pipefail

ATOLL_ROOT=${ATOLL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# The root every kernel of a test's box runs (doc/userland.md, "Two roots").
# The platform's tests (boot, lifecycle, consoles, vnet, atolld) run the
# busybox initramfs, whose partitions boot in half the time of the Debian
# root's, so that make test keeps to its time; they pass on the Debian root
# too: TEST_ROOT=debian make test. The tests of the Debian root itself set
# BOX_ROOT=debian after sourcing this file.
export BOX_ROOT=${TEST_ROOT:-initramfs}
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
    # What the box command printed around the failed check: the section a
    # test names in $context, else the end of its output.
    if [ -n "${context:-}" ]; then
        echo "  --- the box command's output under test" >&2
        printf '%s\n' "$context" | tail -n 40 | sed 's/^/  | /' >&2
    elif [ -s "${logs:-}/stdout" ]; then
        echo "  --- tail of $logs/stdout" >&2
        tail -n 25 "$logs/stdout" | sed 's/^/  | /' >&2
    fi
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
# "host") or in partition N (NODE "pN") through its console (`atoll run`):
# for the tests of vnet, the console is a channel that does not ride on the
# network under test.
box_on='on() { if [ "$1" = host ]; then sh -c "$2"; else atoll run "${1#p}" --timeout 300 -- "$2"; fi; }'
# Prepended to a box command: `ex NODE CMD` runs the shell command CMD on
# NODE through atolld (`atoll exec`), once NODE's daemon answers (up to a
# minute after a boot or restart). Whatever CMD leaves in the background
# ends with it (atolld's no-orphan rule, setsid or not): a server that must
# outlive CMD is started through the console (`on`).
box_ex='ex() { _i=0; while ! atoll exec "$1" -- true 2>/dev/null && [ $_i -lt 120 ]; do sleep 0.5; _i=$((_i+1)); done; atoll exec "$1" -- sh -c "$2"; }'

# section NAME: the lines of $out after the line "@@NAME", up to the next "@@" line.
section() { awk -v s="@@$1" '$0 == s { on = 1; next } /^@@/ { on = 0 } on' <<<"$out"; }

pass() { echo "PASS [$test_name]: $checks checks (logs: $test_logs)"; }
