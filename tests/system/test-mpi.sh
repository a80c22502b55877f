#!/usr/bin/env bash
# MPI across partitions (issue 12), on the Debian root: `atoll mpirun` runs
# the MPI example over the host and p1..p3 with MPICH and with Open MPI, one
# rank per kernel and exact results; a short soak of each MPI (MPICH with
# Atoll's finalize fix, doc/mpi.md "MPICH's finalize"); bad requests are
# refused by name before anything runs; a rank's non-zero exit is the job's
# status; a partition that crashes mid-job ends the job, naming the node,
# and nothing of any job is left on any node. The long soak is in make bench
# (tests/bench/mpi-soak.sh).
. "$(dirname "$0")/lib.sh"
export BOX_ROOT=debian
soak_jobs=${ATOLL_MPI_SOAK:-3}

box "$(cat "$(dirname "$0")/mpi-soak.box")"'
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 4 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
echo @@MPICH
cd /home
timeout 120 atoll mpirun -n 4 /usr/lib/atoll/examples/mpi-ring 3; echo "rc=$?"
echo @@OPENMPI
atoll mpirun --mpi openmpi -n 4 /usr/lib/atoll/examples/mpi-ring.openmpi 3; echo "rc=$?"
echo @@SOAK
soak mpich '"$soak_jobs"'
soak openmpi '"$soak_jobs"'
echo @@BAD
atoll mpirun --nodes host,p9 /usr/lib/atoll/examples/mpi-ring; echo "rc=$?"
atoll mpirun -n 9 /usr/lib/atoll/examples/mpi-ring; echo "rc=$?"
atoll mpirun --mpi lam /usr/lib/atoll/examples/mpi-ring; echo "rc=$?"
echo @@STATUS
atoll mpirun -n 2 --nodes p1,p2 -- sh -c "exit 3"; echo "rc=$?"
echo @@PRELOAD
atoll mpirun -n 2 --nodes host,p2 -- sh -c "echo preload=\$LD_PRELOAD"
echo @@CRASH
atoll mpirun -n 4 /usr/lib/atoll/examples/mpi-ring 100000000 >/tmp/crash.out 2>&1 & c=$!
i=0; while ! atoll ps --node p3 | grep -q "mpi-ring" && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
t0=$(date +%s)
atoll stop --force 3 >/dev/null
i=0; while kill -0 $c 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
if kill -0 $c 2>/dev/null; then echo "still running after 60 s"; kill $c; fi
wait $c; echo "rc=$? after $(( $(date +%s) - t0 )) s"
sed "s/^/| /" /tmp/crash.out
echo @@LEFT
sleep 6
left=$(atoll ps 2>/dev/null | grep -E "[h]ydra_pmi_proxy|[o]rted|[m]pi-ring|[m]piexec|[m]pi-agent")
echo "$left"; echo "left=$(printf "%s" "$left" | grep -c .)"
echo @@END'
check "box command succeeded (rc=$rc)" test "$rc" = 0
for m in MPICH OPENMPI; do
    s=$(section $m)
    check "$m: rc 0" grep -qx "rc=0" <<<"$s"
    for n in host p1 p2 p3; do
        check "$m: a rank on $n" grep -Eq "^rank [0-3] of 4 on $n \(kernel [0-9a-f]{8}, cpu [0-9]+\)$" <<<"$s"
    done
    check "$m: four different kernels" test "$(grep -o 'kernel [0-9a-f]*' <<<"$s" | sort -u | wc -l)" = 4
    check "$m: ranks 0-3 alternate NUMA nodes: host, p2, p1, p3" \
        test "$(grep -E '^rank [0-3] of 4 on ' <<<"$s" | sort | awk '{ print $6 }' | tr '\n' ' ')" = "host p2 p1 p3 "
    check "$m: the ring, the allreduce and the barrier are exact" \
        test "$(grep -cE '^(ring: 3 round\(s\), token 30, expected 30|allreduce: sum 10 on every rank, expected 10|barrier): ok$' <<<"$s")" = 3
done
soak=$(section SOAK)
for m in mpich openmpi; do
    check "short soak, $m: $soak_jobs of $soak_jobs ok" grep -qx "soak $m: $soak_jobs ok, 0 failed, 0 hung of $soak_jobs" <<<"$soak"
done
bad=$(section BAD)
check "an unknown node is refused by name" grep -q "no node 'p9' in the cluster (nodes: host, p1, p2, p3)" <<<"$bad"
check "more ranks than slots is refused" grep -q "9 ranks, but only 4 slots on 4 node(s)" <<<"$bad"
check "an unknown MPI is a usage error" grep -q "mpich or openmpi, not 'lam'" <<<"$bad"
check "bad requests: 1, 1 and 2" test "$(grep -c '^rc=' <<<"$bad")" = 3 -a \
    "$(grep '^rc=' <<<"$bad" | tr '\n' ' ')" = "rc=1 rc=1 rc=2 "
check "a rank's exit status 3 is the job's" grep -qx "rc=3" <<<"$(section STATUS)"
check "every rank has the MPICH finalize fix preloaded" test "$(grep -c '^preload=/usr/lib/atoll/libatoll-mpich-finalize.so$' <<<"$(section PRELOAD)")" = 2
crash=$(section CRASH)
check "a partition crashed mid-job ends the job within 60 s" \
    test -z "$(grep 'still running' <<<"$crash")" -a -n "$(grep -E '^rc=[1-9][0-9]* after [0-9]+ s$' <<<"$crash")"
check "... naming the lost node" grep -q "^| mpi-agent: lost node p3: ending the MPI job" <<<"$crash"
check "nothing of any job is left on any node" grep -qx "left=0" <<<"$(section LEFT)"
pass
