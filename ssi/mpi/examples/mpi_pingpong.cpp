// MPI ping-pong between ranks 0 and 1, one message at a time (doc/mpi.md,
// the benchmark of doc/results.md). Built twice, like mpi-ring:
// /usr/lib/atoll/examples/mpi-pingpong (MPICH) and mpi-pingpong.openmpi.
//
//   mpi-pingpong [SIZE[k|m]]...    message sizes (default 1 1k 64k 1m 4m)
//
// For each size, rank 0 sends a message to rank 1 and waits for it to come
// back, over and over: first a warm-up (so that connections and buffers are
// set up), then REPEATS timed batches. It prints where both ranks run, then
// one line per size:
//
//   pingpong SIZE ITERS min_us median_us max_us MBps
//
// where the times are one-way (half a round trip, the usual convention),
// min / median / max over the batches, and MBps is SIZE / median one-way
// time (10^6 bytes per second). Ranks beyond 1 wait at the final barrier.
// The exit status is 0 only if every message came back with its content.
#include <mpi.h>

#include "where.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

constexpr int repeats = 9;

using atoll_example::Where;
using atoll_example::where_am_i;

// "64k" -> 65536; 0 for anything that is not a positive size up to 64 MiB.
long parse_size(const char* s) {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (end == s || v <= 0)
        return 0;
    if (*end == 'k' || *end == 'K')
        v <<= 10, ++end;
    else if (*end == 'm' || *end == 'M')
        v <<= 20, ++end;
    return *end == '\0' && v <= (64L << 20) ? v : 0;
}

// Enough round trips per batch that a batch is long against the clock's
// resolution and the scheduler's noise, few enough that 4 MiB stays short.
int iterations_for(long size) {
    if (size <= 1024)
        return 200;
    if (size <= 65536)
        return 50;
    return size <= (1L << 20) ? 10 : 4;
}

// One batch of ITERS round trips of SIZE bytes between ranks 0 and 1;
// returns the one-way time in microseconds (rank 0) and whether every
// message came back with the pattern it left with.
double batch(int rank, long size, int iters, std::vector<unsigned char>& buf, bool& intact) {
    const int n = static_cast<int>(size);
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    for (int i = 0; i < iters; ++i) {
        const auto mark = static_cast<unsigned char>(i * 7 + 1);
        if (rank == 0) {
            buf.front() = mark;
            buf.back() = mark;
            MPI_Send(buf.data(), n, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf.data(), n, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            intact = intact && buf.front() == mark && buf.back() == mark;
        } else if (rank == 1) {
            MPI_Recv(buf.data(), n, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf.data(), n, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
        }
    }
    return (MPI_Wtime() - t0) * 1e6 / (2.0 * iters);
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    std::vector<long> sizes;
    for (int i = 1; i < argc; ++i) {
        const long s = parse_size(argv[i]);
        if (s == 0) {
            if (rank == 0)
                std::fprintf(stderr, "mpi-pingpong: '%s' is not a size (1 to 64m, k and m suffixes)\n", argv[i]);
            MPI_Finalize();
            return 2;
        }
        sizes.push_back(s);
    }
    if (sizes.empty())
        sizes = {1, 1L << 10, 64L << 10, 1L << 20, 4L << 20};
    if (size < 2) {
        if (rank == 0)
            std::fprintf(stderr, "mpi-pingpong: needs 2 ranks (it has %d)\n", size);
        MPI_Finalize();
        return 2;
    }

    const Where me = where_am_i();
    std::vector<Where> all(static_cast<std::size_t>(size));
    MPI_Gather(&me, sizeof me, MPI_BYTE, all.data(), sizeof me, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank == 0)
        for (int r = 0; r < 2; ++r)
            std::printf("rank %d of %d on %s (kernel %s, cpu %d)\n", r, size, all[r].node, all[r].boot_id,
                        all[r].cpu);

    bool intact = true;
    for (const long s : sizes) {
        std::vector<unsigned char> buf(static_cast<std::size_t>(s), 0x5a);
        const int iters = iterations_for(s);
        batch(rank, s, std::max(2, iters / 4), buf, intact);  // warm-up
        std::vector<double> us;
        for (int b = 0; b < repeats; ++b)
            us.push_back(batch(rank, s, iters, buf, intact));
        if (rank == 0) {
            std::sort(us.begin(), us.end());
            const double med = us[us.size() / 2];
            std::printf("pingpong %ld %d %.1f %.1f %.1f %.1f\n", s, iters, us.front(), med, us.back(),
                        static_cast<double>(s) / med);
            std::fflush(stdout);
        }
    }
    int ok = intact ? 1 : 0, all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (rank == 0 && !all_ok)
        std::printf("pingpong: a message came back changed\n");
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return all_ok ? 0 : 1;
}
