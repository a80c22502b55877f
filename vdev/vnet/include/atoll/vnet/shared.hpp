// Access to vnet fields in the segment, which other kernels write at the
// same time: every load and store of an index, link word or record header
// goes through std::atomic_ref, so each is read exactly once into a local
// (a snapshot) that is then validated and used; the compiler may not re-read
// it. Frame bytes are copied plainly: the head/tail protocol orders them,
// and a peer scribbling over them can corrupt a frame's contents, never the
// bounds we copy within.
#pragma once

#include <atomic>
#include <cstdint>

#include "atoll/abi/vnet.h"

namespace atl::vnet {

static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint16_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint64_t>::required_alignment <= alignof(std::uint64_t));

template <class T>
[[nodiscard]] inline std::atomic_ref<T> shared(T& field) {
    return std::atomic_ref<T>(field);
}

// atomic_ref needs a non-const object; a load does not write it.
template <class T>
[[nodiscard]] inline T load(const T& field, std::memory_order order) {
    return std::atomic_ref<T>(const_cast<T&>(field)).load(order);
}

}  // namespace atl::vnet
