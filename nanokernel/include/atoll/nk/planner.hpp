// The planner: proposes a Plan for a machine, as `atoll plan` prints it.
//
// Policy (documented in `atoll plan --help`):
//   - the host keeps its boot CPU's whole core, and the lowest host_memory
//     bytes of RAM on its node;
//   - every other core goes to a partition; partitions are spread over the
//     NUMA nodes in proportion to their free cores, and each partition lies
//     within one node (its CPUs and its memory);
//   - the lagoon sits at the start of the pool, on the host's node;
//   - each node's remaining RAM is split evenly among that node's
//     partitions (or memory_per_partition each), 2 MiB aligned;
//   - partition ids are 1..N in node order.
// The result passes validate_plan(); the planner checks that itself.
#pragma once

#include <cstdint>

#include "atoll/core/result.hpp"
#include "atoll/nk/fmt.hpp"
#include "atoll/nk/plan.hpp"
#include "atoll/nk/topology.hpp"

namespace atl::nk {

inline constexpr std::uint64_t default_host_memory = 1 * GiB;
inline constexpr std::uint64_t default_lagoon_size = 4 * MiB;

struct PlanRequest {
    std::uint32_t partitions = 1;
    std::uint64_t memory_per_partition = 0;   // 0: split each node's free RAM evenly
    std::uint64_t host_memory = 0;            // 0: default_host_memory
    std::uint64_t lagoon_size = 0;            // 0: default_lagoon_size
};

// Fills `out` with a plan, or returns an error with the reason in `why`
// (one sentence, no rule prefix), e.g. "3 partitions need 3 free cores, the machine has 1 besides
// the host's". Error::invalid_argument: the request itself is unsound;
// Error::exhausted: the machine cannot hold it; Error::corrupt: the
// planner's own output failed validation (a bug). Hosted use: the planner
// works in about 10 KiB of stack, too much for a kernel stack; the kernel
// only validates.
[[nodiscard]] Status make_plan(const Topology& topo, const PlanRequest& request, Plan& out,
                               TextWriter& why);

}  // namespace atl::nk
