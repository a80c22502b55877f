// The MPI example of doc/mpi.md: a ring, an allreduce and a barrier, where
// every rank reports the kernel it runs on. Built twice, against MPICH
// (/usr/lib/atoll/examples/mpi-ring) and Open MPI (mpi-ring.openmpi):
// the two MPIs are not binary compatible.
//
//   mpi-ring [ROUNDS]     ROUNDS times around the ring (default 1)
//
// Rank 0 prints one line per rank (its node name, the kernel's boot id,
// which differs between partitions, and its CPU), then one line per check;
// the exit status is 0 only if every result is exact.
#include <mpi.h>

#include "where.hpp"

#include <cstdio>
#include <cstdlib>
#include <vector>

using atoll_example::Where;
using atoll_example::where_am_i;

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 1;

    // Where every rank runs, gathered at rank 0 (as bytes: a plain struct).
    const Where me = where_am_i();
    std::vector<Where> all(static_cast<std::size_t>(size));
    MPI_Gather(&me, sizeof me, MPI_BYTE, all.data(), sizeof me, MPI_BYTE, 0, MPI_COMM_WORLD);

    // The ring: a token goes around `rounds` times, every rank adding its
    // rank + 1; it comes back to 0 as rounds * size * (size + 1) / 2.
    long token = 0;
    const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    for (int r = 0; r < rounds; ++r) {
        if (rank == 0) {
            token += 1;
            if (size > 1) {
                MPI_Send(&token, 1, MPI_LONG, next, 0, MPI_COMM_WORLD);
                MPI_Recv(&token, 1, MPI_LONG, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            }
        } else {
            MPI_Recv(&token, 1, MPI_LONG, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            token += rank + 1;
            MPI_Send(&token, 1, MPI_LONG, next, 0, MPI_COMM_WORLD);
        }
    }
    const long ring_want = static_cast<long>(rounds) * size * (size + 1) / 2;

    // The allreduce: every rank must see the same exact sum.
    const long mine = rank + 1;
    long sum = 0;
    MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    const long sum_want = static_cast<long>(size) * (size + 1) / 2;
    int sum_ok = sum == sum_want ? 1 : 0, all_ok = 0;
    MPI_Allreduce(&sum_ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);

    MPI_Barrier(MPI_COMM_WORLD);

    int status = 0;
    if (rank == 0) {
        for (int r = 0; r < size; ++r) {
            const Where& w = all[static_cast<std::size_t>(r)];
            std::printf("rank %d of %d on %s (kernel %s, cpu %d)\n", r, size, w.node, w.boot_id, w.cpu);
        }
        const bool ring_ok = rounds < 1 || token == ring_want;
        std::printf("ring: %d round(s), token %ld, expected %ld: %s\n", rounds, token, ring_want,
                    ring_ok ? "ok" : "WRONG");
        std::printf("allreduce: sum %ld on every rank, expected %ld: %s\n", sum, sum_want, all_ok ? "ok" : "WRONG");
        std::printf("barrier: ok\n");
        status = ring_ok && all_ok ? 0 : 1;
        std::fflush(stdout);
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return status;
}
