#!/usr/bin/env bash
# The MPICH finalize fix (ssi/mpi/mpich_finalize.cpp, doc/mpi.md "MPICH's
# finalize") on the build machine itself, with Debian's MPICH and UCX:
# JOBS jobs of 4 ranks of the MPI example over UCX's TCP transport, with the
# fix preloaded, must all finish exact. Without the fix, half or more of
# such jobs hang in MPI_Finalize on one host (9 of 10 in one run of this
# loop without LD_PRELOAD). Open MPI over UCX with the fix preloaded is
# unchanged (the fix does nothing without MPICH).
# A hung job is ended at 60 s and fails the test; no timing is asserted.
#
#   test-mpich-finalize.sh BUILD_DIR [JOBS]
set -uo pipefail
build=$(cd "${1:?usage: test-mpich-finalize.sh BUILD_DIR [JOBS]}" && pwd) || exit 1
jobs=${2:-${ATOLL_MPICH_FINALIZE_JOBS:-30}}
fix=$build/ssi/libatoll-mpich-finalize.so
ring=$build/ssi/examples/mpi-ring
fails=0
check() {
    local what=$1; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
for f in "$fix" "$ring" "$ring.openmpi"; do
    [ -e "$f" ] || { echo "FAIL: $f missing (run make)"; exit 1; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out" || exit 1

ok=0; hung=0
for i in $(seq 1 "$jobs"); do
    LD_PRELOAD=$fix UCX_TLS=tcp,self UCX_NET_DEVICES=lo timeout -k 5 60 mpiexec.mpich -n 4 "$ring" 2 > "job$i.out" 2>&1
    rc=$?
    if [ $rc = 0 ] && [ "$(grep -cE '^(ring|allreduce|barrier).*ok$' "job$i.out")" = 3 ]; then
        ok=$((ok + 1))
    else
        [ $rc = 124 ] && hung=$((hung + 1))
        echo "job $i: status $rc"; sed 's/^/| /' "job$i.out"
    fi
done
check "MPICH over UCX TCP with the fix: $ok of $jobs jobs exact ($hung hung)" test "$ok" = "$jobs"

# Open MPI made to use UCX (it calls ucp_disconnect_nb too, and more UCX
# after it): the fix must only pass its calls on.
LD_PRELOAD=$fix UCX_TLS=tcp,self timeout -k 5 120 mpirun.openmpi --allow-run-as-root --oversubscribe \
    --mca pml ucx --mca pml_ucx_tls any --mca pml_ucx_devices any -np 2 "$ring.openmpi" 2 > ompi.out 2>&1
rc=$?
check "Open MPI over UCX with the fix preloaded: status $rc, results exact" \
    test "$rc/$(grep -cE '^(ring|allreduce|barrier).*ok$' ompi.out)" = "0/3"
[ $rc = 0 ] || sed 's/^/| /' ompi.out
if [ $fails = 0 ]; then echo "PASS"; exit 0; fi
echo "$fails check(s) failed"; exit 1
