#!/usr/bin/env bash
# `make run CMD=` exits with the command's status, and passes stdout and
# stderr through byte for byte.
. "$(dirname "$0")/lib.sh"

box 'false'
check "a failing CMD makes make run fail (rc=$rc)" test "$rc" != 0
box 'echo out; echo err >&2; exit 3'
check "exit status 3 surfaces through make (got $rc)" test "$rc" = 3
check "stdout and stderr are passed through (got '$out')" test "$out" = "$(printf 'out\nerr')"
pass
