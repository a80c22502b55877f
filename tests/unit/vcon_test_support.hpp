// Test support for vcon: a console area placed against PROT_NONE guard
// pages on both sides, so any read or write outside it faults.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>

#include "guarded_memory.hpp"

namespace atl::vcon::test {

// A console area between guard pages.
class GuardedArea : public atl::test::GuardedMemory {
public:
    using GuardedMemory::GuardedMemory;
    [[nodiscard]] atoll_vcon* header() const { return reinterpret_cast<atoll_vcon*>(span().data()); }
};

inline std::span<const std::byte> bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline std::string text(std::span<const std::byte> b, std::size_t n) {
    return std::string(reinterpret_cast<const char*>(b.data()), n);
}

}  // namespace atl::vcon::test
