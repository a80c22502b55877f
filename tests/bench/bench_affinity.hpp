// Pinning the benchmark threads to CPUs (Linux), shared by the benchmarks.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <thread>

namespace atl::bench {

// Pin the calling thread to one CPU; false when the machine lacks it.
inline bool pin_to(unsigned cpu) {
    if (cpu >= std::thread::hardware_concurrency())
        return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// Let the calling thread run on every CPU again.
inline void unpin() {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i)
        CPU_SET(i, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

}  // namespace atl::bench
