// Byte copies into and out of a ring that another kernel or process touches
// concurrently. Every byte goes through std::atomic_ref, stored with release
// and loaded with acquire: on x86-64 both are plain moves, and they give the
// seqlock check its ordering without fences (a reader that sees a new byte
// also sees the out_claim stored before it; see atoll/abi/vcon.h). A racing
// access is then a well-defined stale value that the index protocol
// discards, not a data race, and ThreadSanitizer (which does not model
// fences) can check it. Indices are always reduced modulo the ring size
// held privately by the caller, never one read from the lagoon.
#pragma once

#include <atomic>
#include <cstdint>

namespace atl::vcon::ring {

static_assert(std::atomic_ref<std::uint8_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);

template <class T>
[[nodiscard]] inline std::atomic_ref<T> shared(T& field) {
    return std::atomic_ref<T>(field);
}

// Writes src[0, n) at stream position `pos` of a ring of `size` bytes (n <= size).
inline void put(std::uint8_t* ring, std::uint32_t size, std::uint64_t pos, const std::uint8_t* src,
                std::uint32_t n) {
    std::uint32_t at = static_cast<std::uint32_t>(pos % size);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::atomic_ref<std::uint8_t>(ring[at]).store(src[i], std::memory_order_release);
        if (++at == size)
            at = 0;
    }
}

// Reads stream positions [pos, pos + n) of a ring of `size` bytes (n <= size).
inline void get(const std::uint8_t* ring, std::uint32_t size, std::uint64_t pos, std::uint8_t* dst,
                std::uint64_t n) {
    std::uint32_t at = static_cast<std::uint32_t>(pos % size);
    for (std::uint64_t i = 0; i < n; ++i) {
        // atomic_ref needs a non-const object; the load does not write it.
        dst[i] = std::atomic_ref<std::uint8_t>(const_cast<std::uint8_t&>(ring[at]))
                     .load(std::memory_order_acquire);
        if (++at == size)
            at = 0;
    }
}

}  // namespace atl::vcon::ring
