#!/usr/bin/env bash
# `make run CMD=` fails when the command fails, keeps the exact status in the
# run's log folder, passes stdout and stderr through, and leaves '$' in CMD
# to the box's shell (not to make).
. "$(dirname "$0")/lib.sh"

BOX_PARTITIONS=0 box 'false'
check "a failing CMD makes make run fail (rc=$rc)" test "$rc" != 0
check "status file says 1" test "$(cat "$logs/status")" = 1
BOX_PARTITIONS=0 box 'echo out; echo err >&2; exit 3'
check "exit 3 fails make run (rc=$rc)" test "$rc" != 0
check "status file says 3" test "$(cat "$logs/status")" = 3
check "the exact status is reported" grep -q 'box: command exited with status 3' "$logs/make.stderr"
check "stdout and stderr are passed through (got '$out')" test "$out" = "$(printf 'out\nerr')"
BOX_PARTITIONS=0 box 'x=dollar; echo "$x $(echo sub)"; awk "BEGIN { print \"a\" \"b\" }" </dev/null'
check "make leaves \$ in CMD alone (got '$out')" test "$out" = "$(printf 'dollar sub\nab')"
check "a succeeding CMD succeeds (rc=$rc)" test "$rc" = 0
pass
