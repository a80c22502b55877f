// Access to plain ABI fields that other kernels write concurrently.
//
// The ABI structures are C (no std::atomic members), so every access to a
// field another kernel may touch goes through std::atomic_ref. The lagoon
// fields are naturally aligned by their asserted layout, which is what
// atomic_ref requires (checked here for the two widths we use).
#pragma once

#include <atomic>
#include <cstdint>

namespace atl::nk {

static_assert(std::atomic_ref<std::uint64_t>::required_alignment <= alignof(std::uint64_t));
static_assert(std::atomic_ref<std::uint32_t>::required_alignment <= alignof(std::uint32_t));
static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free);

template <class T>
[[nodiscard]] inline std::atomic_ref<T> shared(T& field) {
    return std::atomic_ref<T>(field);
}

}  // namespace atl::nk
