// The core self-test: the nanokernel's own logic (lagoon layout and
// validation, hand-off build/parse, pipeline semantics, plan validation)
// exercised end to end on caller-given scratch memory. The same code runs
// in the kernel object at load (kmod/core_bridge.cpp, with the kernel's
// flags, in kernel context) and in the host unit tests, so a difference
// between the two builds shows up as a failing check in one of them.
//
// Freestanding: no heap, no statics; every object bigger than a few
// hundred bytes lives in the scratch buffer, so no frame comes near the
// kernel's 2 KiB limit.
#pragma once

#include <cstddef>

#include "atoll/nk/fmt.hpp"

namespace atl::nk {

// Scratch the self-test needs: a lagoon laid out for the maximum CPU and
// partition counts, a corrupted copy of it, and the test's objects.
inline constexpr std::size_t selftest_scratch_size = 2 * 1024 * 1024;

// Runs every check in order and stops at the first failure. `scratch`
// must be 64-byte aligned and at least selftest_scratch_size bytes; its
// contents are overwritten. Returns the number of checks passed (> 0),
// `msg` holding a summary ("lagoon (6), handoff (3), ..."), or -N when
// check N failed, `msg` saying which and why.
[[nodiscard]] int core_selftest(void* scratch, std::size_t size, TextWriter& msg);

}  // namespace atl::nk
