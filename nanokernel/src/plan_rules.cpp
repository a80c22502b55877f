// Rule names and the refusal list.
#include "atoll/nk/plan_rules.hpp"

namespace atl::nk {

const char* rule_name(Rule r) {
    switch (r) {
    case Rule::capacity: return "capacity";
    case Rule::no_partitions: return "no-partitions";
    case Rule::partition_id: return "partition-id";
    case Rule::no_cpu: return "no-cpu";
    case Rule::no_memory: return "no-memory";
    case Rule::empty_range: return "empty-range";
    case Rule::alignment: return "alignment";
    case Rule::min_memory: return "min-memory";
    case Rule::overlap: return "overlap";
    case Rule::outside_pool: return "outside-pool";
    case Rule::outside_ram: return "outside-ram";
    case Rule::unknown_cpu: return "unknown-cpu";
    case Rule::host_cpu: return "host-cpu";
    case Rule::duplicate_cpu: return "duplicate-cpu";
    case Rule::split_core: return "split-core";
    case Rule::unknown_node: return "unknown-node";
    case Rule::wrong_node: return "wrong-node";
    }
    return "unknown-rule";
}

TextWriter Refusals::add(Rule rule) {
    if (count_ >= max_refusals) {
        ++dropped_;
        return TextWriter(nullptr, 0);
    }
    Refusal& r = items_[count_++];
    r.rule = rule;
    TextWriter w(r.message, sizeof r.message);
    w.str("rule ").str(rule_name(rule)).str(": ");
    return w;
}

std::span<const Refusal> Refusals::list() const {
    return {items_.data(), count_ < max_refusals ? count_ : max_refusals};
}

bool Refusals::has(Rule rule) const {
    for (const auto& r : list())
        if (r.rule == rule)
            return true;
    return false;
}

}  // namespace atl::nk
