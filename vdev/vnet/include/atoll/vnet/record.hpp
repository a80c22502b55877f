// Records in ring data (see atoll/abi/vnet.h): sizes, the check word, and
// the one place headers are read and written.
#pragma once

#include <cstdint>

#include "atoll/abi/vnet.h"
#include "atoll/vnet/shared.hpp"

namespace atl::vnet::record {

inline constexpr std::uint32_t header = sizeof(atoll_vnet_record);

// Ring bytes a frame of `length` bytes takes: header, frame, alignment.
[[nodiscard]] constexpr std::uint64_t total(std::uint32_t length) {
    return header + ((std::uint64_t{length} + ATOLL_VNET_RECORD_ALIGN - 1) & ~std::uint64_t{ATOLL_VNET_RECORD_ALIGN - 1});
}

// A private copy of a header: loaded once, then checked and used.
struct Header {
    std::uint32_t length = 0;
    std::uint16_t kind = 0;
    std::uint16_t flags = 0;
    std::uint32_t seq = 0;
    std::uint32_t check = 0;

    [[nodiscard]] constexpr bool check_ok() const {
        return check == ATOLL_VNET_RECORD_CHECK(length, kind, flags, seq);
    }
};

[[nodiscard]] constexpr Header make(std::uint32_t length, std::uint16_t kind, std::uint16_t flags,
                                    std::uint32_t seq) {
    return Header{length, kind, flags, seq, ATOLL_VNET_RECORD_CHECK(length, kind, flags, seq)};
}

// `at` is ATOLL_VNET_RECORD_ALIGN-aligned and at least `header` bytes
// before the end of the ring data (callers guarantee both).
[[nodiscard]] inline Header load_at(const std::uint8_t* at) {
    const auto& r = *reinterpret_cast<const atoll_vnet_record*>(at);
    constexpr auto relaxed = std::memory_order_relaxed;
    return Header{load(r.length, relaxed), load(r.kind, relaxed), load(r.flags, relaxed), load(r.seq, relaxed),
                  load(r.check, relaxed)};
}

inline void store_at(std::uint8_t* at, const Header& h) {
    auto& r = *reinterpret_cast<atoll_vnet_record*>(at);
    constexpr auto relaxed = std::memory_order_relaxed;
    shared(r.length).store(h.length, relaxed);
    shared(r.kind).store(h.kind, relaxed);
    shared(r.flags).store(h.flags, relaxed);
    shared(r.seq).store(h.seq, relaxed);
    shared(r.check).store(h.check, relaxed);
}

}  // namespace atl::vnet::record
