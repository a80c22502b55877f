// The one main() of atoll_bench: every tests/bench/*.cpp only registers
// benchmarks.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
