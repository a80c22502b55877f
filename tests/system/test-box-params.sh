#!/usr/bin/env bash
# Impossible box parameters are refused with a clear message before QEMU starts.
. "$(dirname "$0")/lib.sh"

refused() {   # refused VAR=VALUE PATTERN
    local msg
    msg=$(env "$1" make -s -C "$ATOLL_ROOT" run CMD=true 2>&1 >/dev/null)
    local r=$?
    [ "$r" != 0 ] && grep -q -- "$2" <<<"$msg" && ! grep -q 'box: booting' <<<"$msg"
}
check "0 vCPUs refused" refused BOX_CPUS=0 'BOX_CPUS=0: need a whole number'
check "uneven vCPU split refused" refused BOX_CPUS=3 'cannot be split evenly'
check "too little memory refused" refused BOX_MEM=256M 'need at least'
check "malformed memory refused" refused BOX_MEM=lots 'give a size'
check "unknown acceleration refused" refused BOX_ACCEL=xen 'unknown acceleration'
check "0 NUMA nodes refused" refused BOX_NODES=0 'BOX_NODES=0'
pass
