// The in-kernel self-test, run on the host: the same checks atoll.ko runs
// at load, so a failure shows up here in seconds, not only after a boot.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "atoll/nk/fmt.hpp"
#include "atoll/nk/selftest.hpp"

namespace atl::nk {
namespace {

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

std::unique_ptr<void, FreeDeleter> scratch(unsigned char fill) {
    std::unique_ptr<void, FreeDeleter> p(std::aligned_alloc(64, selftest_scratch_size));
    std::memset(p.get(), fill, selftest_scratch_size);
    return p;
}

TEST(CoreSelftest, PassesOnZeroedScratch) {
    auto mem = scratch(0);
    FixedText<256> msg;
    const int rc = core_selftest(mem.get(), selftest_scratch_size, msg);
    EXPECT_GT(rc, 20) << msg.c_str();
    EXPECT_FALSE(msg.truncated());
    EXPECT_NE(std::strstr(msg.c_str(), "pipeline ("), nullptr) << msg.c_str();
    EXPECT_NE(std::strstr(msg.c_str(), "vnet ("), nullptr) << msg.c_str();
}

// The kernel's vzalloc gives zeroes, but the test must not depend on it.
TEST(CoreSelftest, PassesOnDirtyScratch) {
    auto mem = scratch(0xa5);
    FixedText<256> msg;
    EXPECT_GT(core_selftest(mem.get(), selftest_scratch_size, msg), 0) << msg.c_str();
}

TEST(CoreSelftest, RefusesSmallOrMisalignedScratchAsCheckOne) {
    auto mem = scratch(0);
    FixedText<256> msg;
    EXPECT_EQ(core_selftest(mem.get(), selftest_scratch_size - 1, msg), -1);
    EXPECT_STREQ(msg.c_str(),
                 "check 1 (scratch): 64-byte aligned scratch of selftest_scratch_size bytes");
    FixedText<256> msg2;
    EXPECT_EQ(core_selftest(static_cast<char*>(mem.get()) + 8, selftest_scratch_size - 64, msg2), -1);
}

TEST(CoreSelftest, TinyMessageBufferStaysTerminated) {
    auto mem = scratch(0);
    char tiny[8];
    TextWriter w(tiny, sizeof tiny);
    EXPECT_GT(core_selftest(mem.get(), selftest_scratch_size, w), 0);
    EXPECT_EQ(std::strlen(tiny), 7u);
}

}  // namespace
}  // namespace atl::nk
