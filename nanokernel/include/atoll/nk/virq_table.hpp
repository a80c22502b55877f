// The lagoon's virq table: which virqs exist, who receives them, on which
// stage. Any kernel allocates and releases entries by CAS; every reader
// decodes an entry through virq_decode(), which rejects anything malformed.
#pragma once

#include <cstdint>

#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/nk/lagoon.hpp"

namespace atl::nk {

struct VirqInfo {
    StageId stage;       // < ATOLL_STAGE_COUNT
    PartitionId owner;   // < the lagoon's max_partitions: the receiving partition
};

// Decode one raw entry. not_found: free (0). corrupt: anything else that
// is not a well-formed allocated entry for this lagoon.
[[nodiscard]] Result<VirqInfo> virq_decode(std::uint32_t raw, std::uint32_t max_partitions);

// Read and decode the entry of `v` (one atomic load).
[[nodiscard]] Result<VirqInfo> virq_lookup(const LagoonView& lagoon, Virq v);

// Claim the lowest free virq for (stage, owner). exhausted when none is free.
[[nodiscard]] Result<Virq> virq_allocate(const LagoonView& lagoon, StageId stage,
                                         PartitionId owner);

// Free an allocated virq. Bits still pending for it in some log are dropped
// by the dispatcher that finds them (or, if the number is re-allocated
// first, delivered as one spurious virq: handlers must tolerate those).
[[nodiscard]] Status virq_release(const LagoonView& lagoon, Virq v);

}  // namespace atl::nk
