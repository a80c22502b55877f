#!/usr/bin/env bash
# MPI on SMP partitions (issue 12), on the Debian root: a box of 6 vCPUs
# with p1 of 2 CPUs and p2 of 3. Four MPICH ranks, two per partition: the
# two ranks of one partition talk through shared memory and ranks of
# different partitions through TCP on vnet0, as UCX's own log says. The
# ping-pong example runs with both MPIs, refuses bad input; a program built
# with a plain `mpicc` in /home on the host runs on the partitions; the TCP
# ping-pong tool of the benchmarks (atoll-pingpong) works across
# partitions. Timings are the benchmark's business (make bench), not this
# test's.
. "$(dirname "$0")/lib.sh"
export BOX_ROOT=debian BOX_CPUS=6 BOX_PARTITIONS=2

box "$box_ex"'
i=0; while [ "$(atoll nodes | grep -c " up ")" -lt 3 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
cd /home
echo @@CPUS; atoll nodes --json | tr -d " " | grep -o "\"name\":\"p[12]\"[^}]*\"cpus\":[0-9]*" | sed "s/.*name\":\"\(p[12]\)\".*cpus\":/\1 /"
echo @@SHM
# MPICH hangs now and then (doc/mpi.md, "Not yet"): a hung job is ended at
# 120 s and tried once more, saying so.
UCX_LOG_LEVEL=info timeout 120 atoll mpirun -n 4 --nodes p1,p2 --per-node 2 /usr/lib/atoll/examples/mpi-ring 2 >/tmp/shm.out 2>&1; r=$?
if [ $r = 124 ]; then echo "mpich-hang: retried" >&2
    UCX_LOG_LEVEL=info timeout 120 atoll mpirun -n 4 --nodes p1,p2 --per-node 2 /usr/lib/atoll/examples/mpi-ring 2 >/tmp/shm.out 2>&1; r=$?; fi
cat /tmp/shm.out; echo "rc=$r"
echo @@PP_MPICH
timeout 120 atoll mpirun -n 2 --nodes p1,p2 --per-node 1 /usr/lib/atoll/examples/mpi-pingpong 1 64k >/tmp/pp.out 2>&1; r=$?
if [ $r = 124 ]; then echo "mpich-hang: retried" >&2
    timeout 120 atoll mpirun -n 2 --nodes p1,p2 --per-node 1 /usr/lib/atoll/examples/mpi-pingpong 1 64k >/tmp/pp.out 2>&1; r=$?; fi
cat /tmp/pp.out; echo "rc=$r"
echo @@PP_OPENMPI
atoll mpirun --mpi openmpi -n 2 --nodes p1 /usr/lib/atoll/examples/mpi-pingpong.openmpi 1 64k; echo "rc=$?"
echo @@PP_BAD
atoll mpirun --mpi openmpi -n 1 --nodes p1 /usr/lib/atoll/examples/mpi-pingpong.openmpi; echo "rc=$?"
atoll mpirun --mpi openmpi -n 2 --nodes p1 /usr/lib/atoll/examples/mpi-pingpong.openmpi 0x; echo "rc=$?"
echo @@MPICC
cat > /home/mpi-hello.c <<\SRC
#include <mpi.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int rank, size;
    char host[64];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    gethostname(host, sizeof host);
    printf("hello from rank %d of %d on %s\n", rank, size, host);
    MPI_Finalize();
    return 0;
}
SRC
mpicc -o /home/mpi-hello /home/mpi-hello.c && atoll mpirun -n 2 --nodes p1,p2 --per-node 1 /home/mpi-hello; echo "rc=$?"
echo @@TCP
atoll exec p2 -- atoll-pingpong serve 7390 </dev/null >/dev/null 2>&1 & s=$!
sleep 2
atoll exec p1 -- atoll-pingpong "$(awk "\$2 == \"p2\" { print \$3 }" /etc/atoll/nodes)" 7390 1 64k 1m; echo "rc=$?"
kill $s; wait $s 2>/dev/null
echo @@END'
check "box command succeeded (rc=$rc)" test "$rc" = 0
check "p1 has 2 CPUs and p2 has 3" test "$(section CPUS | tr '\n' ' ')" = "p1 2 p2 3 "

shm=$(section SHM)
check "4 ranks over p1 and p2: rc 0" grep -qx "rc=0" <<<"$shm"
check "ranks 0 and 1 on p1, 2 and 3 on p2" test "$(grep -oE '^rank [0-3] of 4 on p[12]' <<<"$shm" | sort | tr '\n' ' ')" = \
    "rank 0 of 4 on p1 rank 1 of 4 on p1 rank 2 of 4 on p2 rank 3 of 4 on p2 "
check "the ring, the allreduce and the barrier are exact" \
    test "$(grep -cE '^(ring: 2 round\(s\), token 20, expected 20|allreduce: sum 10 on every rank, expected 10|barrier): ok$' <<<"$shm")" = 3
# UCX logs one "ep_cfg[N]: tag(...)" line per kind of endpoint a rank opens,
# naming the transports; its log lines start with [NODE:PID:THREAD]. Self
# (self/memory0) aside, each partition's ranks must have one kind on shared
# memory only (to the rank of their own kernel) and one on TCP over vnet0
# only (to the other kernel's ranks).
for n in p1 p2; do
    tags=$(grep -E "^\[[0-9.]+\] +\[$n:" <<<"$shm" | grep -oE 'ep_cfg\[[0-9]+\]: tag\([^)]*\)' | sed 's/.*tag(//; s/)//' |
        grep -v '^self/' | sort -u)
    check "$n: UCX tags ranks of its own kernel over shared memory only" \
        grep -Eq '^((sysv|posix|cma|xpmem|knem)/memory ?)+$' <<<"$tags"
    check "$n: UCX tags ranks of the other kernel over TCP on vnet0 only" grep -qx 'tcp/vnet0' <<<"$tags"
    check "$n: no endpoint mixes shared memory and TCP" test -z "$(grep 'memory' <<<"$tags" | grep 'tcp')"
done

pp=$(section PP_MPICH)
check "mpi-pingpong across p1 and p2 (MPICH): rc 0" grep -qx "rc=0" <<<"$pp"
check "... rank 0 on p1, rank 1 on p2" test "$(grep -oE '^rank [01] of 2 on p[12]' <<<"$pp" | tr '\n' ' ')" = \
    "rank 0 of 2 on p1 rank 1 of 2 on p2 "
check "... a line per size" test "$(grep -cE '^pingpong (1 200|65536 50) [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+$' <<<"$pp")" = 2
po=$(section PP_OPENMPI)
check "mpi-pingpong inside p1 (Open MPI): rc 0 and a line per size" \
    test "$(grep -cE '^pingpong (1|65536) [0-9]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+$' <<<"$po")/$(grep '^rc=' <<<"$po")" = "2/rc=0"
bad=$(section PP_BAD)
check "mpi-pingpong refuses one rank" grep -q "mpi-pingpong: needs 2 ranks (it has 1)" <<<"$bad"
check "mpi-pingpong refuses a size that is not one" grep -q "mpi-pingpong: '0x' is not a size" <<<"$bad"
check "... both with status 2" test "$(grep '^rc=' <<<"$bad" | tr '\n' ' ')" = "rc=2 rc=2 "
cc=$(section MPICC)
check "a program built with plain mpicc in /home on the host runs on p1 and p2: rc 0" grep -qx "rc=0" <<<"$cc"
check "... one rank on each" test "$(grep -E '^hello from rank [01] of 2 on p[12]$' <<<"$cc" | sort | tr '\n' ' ')" = \
    "hello from rank 0 of 2 on p1 hello from rank 1 of 2 on p2 "
tcp=$(section TCP)
check "atoll-pingpong p1 to p2: rc 0 and a line per size" \
    test "$(grep -cE '^pingpong (1|65536|1048576) [0-9]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+$' <<<"$tcp")/$(grep '^rc=' <<<"$tcp")" = "3/rc=0"
pass
