// One node's free RAM for the planner; see planner_memory.hpp.
#include "planner_memory.hpp"

#include "atoll/nk/plan.hpp"

namespace atl::nk::planner_detail {

namespace {
constexpr std::uint64_t align_up(std::uint64_t v) {
    return (v + plan_alignment - 1) & ~(plan_alignment - 1);
}
constexpr std::uint64_t align_down(std::uint64_t v) { return v & ~(plan_alignment - 1); }
}  // namespace

bool FreeRam::init(const NumaNode& node, std::uint64_t keep) {
    count = 0;
    std::uint64_t left = keep;
    for (const auto& r : node.ram()) {   // sorted: the host keeps the lowest addresses
        std::uint64_t start = r.start.value();
        if (left >= r.size()) {
            left -= r.size();
            continue;
        }
        start += left;
        left = 0;
        const std::uint64_t s = align_up(start);
        const std::uint64_t e = align_down(r.end.value());
        if (s < e && count < max_node_ranges)
            pieces[count++] = PhysRange{PhysAddr{s}, PhysAddr{e}};
    }
    return left == 0;
}

std::uint64_t FreeRam::bytes() const {
    std::uint64_t sum = 0;
    for (std::uint32_t i = 0; i < count; ++i)
        sum += pieces[i].size();
    return sum;
}

void FreeRam::drop_empty() {
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < count; ++i)
        if (!pieces[i].empty())
            pieces[kept++] = pieces[i];
    count = kept;
}

bool FreeRam::take_contiguous(std::uint64_t size, PhysRange& out) {
    for (std::uint32_t i = 0; i < count; ++i) {
        if (pieces[i].size() >= size) {
            out = PhysRange{pieces[i].start, pieces[i].start + size};
            pieces[i].start = out.end;
            drop_empty();
            return true;
        }
    }
    return false;
}

Status FreeRam::take_into(std::uint64_t size, Partition& p) {
    if (bytes() < size)
        return Error::exhausted;
    std::uint64_t left = size;
    for (std::uint32_t i = 0; i < count && left > 0; ++i) {
        const std::uint64_t n = pieces[i].size() < left ? pieces[i].size() : left;
        const PhysRange chunk{pieces[i].start, pieces[i].start + n};
        ATOLL_TRY(p.add_memory(chunk));
        pieces[i].start = chunk.end;
        left -= n;
    }
    drop_empty();
    return Error::ok;
}

}  // namespace atl::nk::planner_detail
