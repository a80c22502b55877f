// The ABI headers: sizes, offsets, alignment, constants. The headers
// assert most of this themselves; these tests pin the values a reader in
// another kernel build depends on, so a change shows up as a test diff.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "atoll/abi/handoff.h"
#include "atoll/abi/lagoon.h"

namespace {

template <class T>
constexpr bool abi_type = std::is_standard_layout_v<T> && std::is_trivially_copyable_v<T>;

TEST(AbiLayout, StructuresAreStandardLayout) {
    EXPECT_TRUE(abi_type<atoll_handoff>);
    EXPECT_TRUE(abi_type<atoll_mem_range>);
    EXPECT_TRUE(abi_type<atoll_lagoon_header>);
    EXPECT_TRUE(abi_type<atoll_lagoon_region>);
    EXPECT_TRUE(abi_type<atoll_partition_state>);
    EXPECT_TRUE(abi_type<atoll_cpu_slot>);
    EXPECT_TRUE(abi_type<atoll_stage_log>);
}

TEST(AbiLayout, HandoffSizeAndOffsets) {
    EXPECT_EQ(sizeof(atoll_handoff), 536u);
    EXPECT_EQ(offsetof(atoll_handoff, apic_ids), 24u);
    EXPECT_EQ(offsetof(atoll_handoff, mem_ranges), 296u);
    EXPECT_EQ(offsetof(atoll_handoff, lagoon_phys), 424u);
    EXPECT_EQ(offsetof(atoll_handoff, lagoon_size), 432u);
    EXPECT_EQ(offsetof(atoll_handoff, lapic_timer_hz), 444u);
    EXPECT_EQ(offsetof(atoll_handoff, wallclock_nsec), 456u);
    EXPECT_EQ(offsetof(atoll_handoff, flags), 460u);
}

TEST(AbiLayout, LagoonStructuresOwnWholeCacheLines) {
    EXPECT_EQ(sizeof(atoll_lagoon_header) % 64, 0u);
    EXPECT_EQ(sizeof(atoll_partition_state), 64u);
    EXPECT_EQ(alignof(atoll_partition_state), 64u);
    EXPECT_EQ(sizeof(atoll_stage_log) % 64, 0u);
    EXPECT_EQ(alignof(atoll_cpu_slot), 64u);
    EXPECT_EQ(sizeof(atoll_cpu_slot) % 64, 0u);
    // The stall word shares its line with nothing the posters write.
    EXPECT_EQ(offsetof(atoll_cpu_slot, stall) % 64, 0u);
    EXPECT_EQ(offsetof(atoll_cpu_slot, stats) % 64, 0u);
    for (unsigned s = 0; s < ATOLL_STAGE_COUNT; ++s)
        EXPECT_EQ((offsetof(atoll_cpu_slot, logs) + s * sizeof(atoll_stage_log)) % 64, 0u);
    EXPECT_EQ(sizeof(atoll_cpu_slot), 1728u);
}

TEST(AbiLayout, LogGeometryCoversEveryVirq) {
    EXPECT_EQ(ATOLL_LOG_WORDS * 64u, ATOLL_VIRQ_COUNT);
    EXPECT_LE(ATOLL_LOG_WORDS, 64u);   // one summary word suffices
    EXPECT_EQ(sizeof(atoll_stage_log::words) / sizeof(atoll_u64), ATOLL_LOG_WORDS);
    EXPECT_EQ(ATOLL_VIRQ_TABLE_SIZE, ATOLL_VIRQ_COUNT * sizeof(atoll_u32));
}

TEST(AbiLayout, SignaturesReadAsText) {
    const atoll_u64 lagoon = ATOLL_LAGOON_SIGNATURE;
    const atoll_u64 handoff = ATOLL_HANDOFF_SIGNATURE;
    EXPECT_EQ(std::memcmp(&lagoon, "ATOLLLAG", 8), 0);
    EXPECT_EQ(std::memcmp(&handoff, "ATOLLHOF", 8), 0);
}

TEST(AbiLayout, SetupDataTypeOutsideLinuxRange) {
    // Linux's SETUP_* types are small integers; SETUP_INDIRECT is 1 << 31.
    EXPECT_GT(ATOLL_SETUP_DATA_TYPE, 0xffffu);
    EXPECT_LT(ATOLL_SETUP_DATA_TYPE, 0x80000000u);
}

TEST(AbiLayout, VirqEntryFieldsDisjoint) {
    EXPECT_EQ(ATOLL_VIRQ_ALLOCATED & ATOLL_VIRQ_OWNER_MASK, 0u);
    EXPECT_EQ(ATOLL_VIRQ_ALLOCATED & ATOLL_VIRQ_STAGE_MASK, 0u);
    EXPECT_EQ(ATOLL_VIRQ_OWNER_MASK & ATOLL_VIRQ_STAGE_MASK, 0u);
    EXPECT_EQ(ATOLL_VIRQ_ALLOCATED | ATOLL_VIRQ_OWNER_MASK | ATOLL_VIRQ_STAGE_MASK |
                  ATOLL_VIRQ_RESERVED_MASK,
              0xffffffffu);
}

}  // namespace
