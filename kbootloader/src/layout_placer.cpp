// Edge-candidate placement (see layout_placer.hpp for why it is exact).
#include "atoll/kb/layout_placer.hpp"

namespace atl::kb {

namespace {

constexpr std::uint64_t max_u64 = ~std::uint64_t{0};

}  // namespace

bool Placer::in_taken(std::uint64_t at) const {
    for (std::size_t i = 0; i < taken_count_; ++i)
        if (taken_[i].start.value() <= at && at < taken_[i].end.value())
            return true;
    return false;
}

bool Placer::fits(std::uint64_t at, std::uint64_t size, Window w) const {
    if (size == 0 || at < w.floor || size > w.ceiling || at > w.ceiling - size)
        return false;
    const PhysRange piece{PhysAddr{at}, PhysAddr{at + size}};
    bool inside = false;
    for (const PhysRange& r : ram_)
        inside = inside || r.contains(piece);
    if (!inside)
        return false;
    for (std::size_t i = 0; i < taken_count_; ++i)
        if (taken_[i].overlaps(piece))
            return false;
    return true;
}

Result<PhysAddr> Placer::lowest(std::uint64_t size, std::uint64_t align, Window w) const {
    bool found = false;
    std::uint64_t best = 0;
    const auto consider = [&](std::uint64_t edge) {
        if (edge > max_u64 - (align - 1))
            return;
        const std::uint64_t at = (edge + align - 1) & ~(align - 1);
        if ((!found || at < best) && fits(at, size, w)) {
            best = at;
            found = true;
        }
    };
    consider(w.floor);
    for (const PhysRange& r : ram_)
        consider(r.start.value());
    for (std::size_t i = 0; i < taken_count_; ++i)
        consider(taken_[i].end.value());
    if (!found)
        return Error::exhausted;
    return PhysAddr{best};
}

Result<PhysAddr> Placer::highest(std::uint64_t size, std::uint64_t align, Window w) const {
    bool found = false;
    std::uint64_t best = 0;
    const auto consider = [&](std::uint64_t edge) {
        if (edge < size)
            return;
        const std::uint64_t at = (edge - size) & ~(align - 1);
        if ((!found || at > best) && fits(at, size, w)) {
            best = at;
            found = true;
        }
    };
    consider(w.ceiling);
    for (const PhysRange& r : ram_)
        consider(r.end.value());
    for (std::size_t i = 0; i < taken_count_; ++i)
        consider(taken_[i].start.value());
    if (!found)
        return Error::exhausted;
    return PhysAddr{best};
}

std::uint64_t Placer::largest_free(Window w) const {
    std::uint64_t largest = 0;
    const auto consider = [&](std::uint64_t start) {
        if (start < w.floor || start >= w.ceiling || in_taken(start))
            return;
        std::uint64_t end = 0;
        for (const PhysRange& r : ram_)
            if (r.start.value() <= start && start < r.end.value())
                end = r.end.value();
        if (end == 0)
            return;
        if (end > w.ceiling)
            end = w.ceiling;
        for (std::size_t i = 0; i < taken_count_; ++i)
            if (taken_[i].start.value() > start && taken_[i].start.value() < end)
                end = taken_[i].start.value();
        if (end - start > largest)
            largest = end - start;
    };
    consider(w.floor);
    for (const PhysRange& r : ram_)
        consider(r.start.value());
    for (std::size_t i = 0; i < taken_count_; ++i)
        consider(taken_[i].end.value());
    return largest;
}

Status Placer::take(PhysRange r) {
    if (taken_count_ == max_taken)
        return Error::exhausted;
    taken_[taken_count_++] = r;
    return Error::ok;
}

}  // namespace atl::kb
