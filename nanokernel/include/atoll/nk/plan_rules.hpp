// The rules a plan must satisfy, and the refusals that name them. Each
// refusal carries its Rule (for code) and a message (for people) that
// names the rule and the offending values, e.g.
//   rule overlap: partition 2 memory [0x100000000, 0x140000000) overlaps
//   partition 1 memory [0x120000000, 0x160000000)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/nk/fmt.hpp"

namespace atl::nk {

enum class Rule : std::uint8_t {
    capacity,        // a count beyond its array (a corrupt plan): checked first
    no_partitions,   // a plan must start at least one partition
    partition_id,    // ids are 1..15 and unique
    no_cpu,          // each partition has at least one CPU
    no_memory,       // each partition has at least one memory range
    empty_range,     // a range with end <= start
    alignment,       // every start and size on plan_alignment (2 MiB)
    min_memory,      // each partition has at least min_partition_memory
    overlap,         // partitions, pool ranges and the lagoon are disjoint
    outside_pool,    // partition memory and the lagoon lie in the pool
    outside_ram,     // pool and lagoon lie in the machine's RAM
    unknown_cpu,     // APIC IDs exist in the topology
    host_cpu,        // the host's boot CPU is never given away
    duplicate_cpu,   // an APIC ID appears once across the plan
    split_core,      // SMT siblings stay together (when siblings are known)
    unknown_node,    // a partition's node exists
    wrong_node,      // a partition's CPUs and memory are on its node
};

// Kebab-case name, as printed in messages ("outside-pool").
[[nodiscard]] const char* rule_name(Rule r);

inline constexpr std::size_t max_refusal_text = 192;
inline constexpr std::size_t max_refusals = 16;

struct Refusal {
    Rule rule;
    char message[max_refusal_text];
};

// Up to max_refusals refusals; later ones are counted in dropped().
class Refusals {
public:
    // Starts a refusal of `rule`: the message already reads "rule NAME: ";
    // the caller appends the specifics. When full, the writer has no room
    // and the refusal is only counted.
    [[nodiscard]] TextWriter add(Rule rule);

    [[nodiscard]] std::span<const Refusal> list() const;
    [[nodiscard]] bool empty() const { return count_ == 0 && dropped_ == 0; }
    [[nodiscard]] std::uint32_t dropped() const { return dropped_; }
    [[nodiscard]] bool has(Rule rule) const;
    void clear() { count_ = 0; dropped_ = 0; }

private:
    std::array<Refusal, max_refusals> items_{};
    std::uint32_t count_ = 0;
    std::uint32_t dropped_ = 0;
};

}  // namespace atl::nk
