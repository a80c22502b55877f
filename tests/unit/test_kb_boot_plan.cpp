// The bootloader's top level: a whole request planned, written and read
// back; each stage's refusal; nothing written for a refused request.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/kb/boot_plan.hpp"
#include "atoll/kb/bootparams.hpp"
#include "kb_test_support.hpp"

namespace atl::kb {
namespace {

using test::bytes_of;
using test::get_le;
using test::make_bzimage;
using test::range;
using test::text_of;

using Request = test::BootRequestSpec;

TEST(KbBootPlan, PlansWritesAndReadsBackAWholeBoot) {
    Request in;
    BootRefusal why;
    why.stage = BootStage::layout;
    const auto plan = plan_boot(in.get(), why);
    ASSERT_TRUE(plan.ok()) << text_of(why);
    EXPECT_EQ(why.stage, BootStage::none);
    EXPECT_FALSE(plan->empty());
    EXPECT_EQ(plan->initrd_format(), InitrdFormat::gzip);
    const BootLayout& l = plan->layout();
    EXPECT_EQ(l.kernel.start.value(), 0x1'0000'0000u);
    EXPECT_EQ(l.entry.value(), 0x1'0000'0200u);
    ASSERT_EQ(plan->segments().size(), 1u);
    EXPECT_EQ(plan->segments()[0].bytes.size(), 64u * 1024);
    EXPECT_EQ(plan->segments()[0].offset, 0u);
    EXPECT_EQ(plan->segments()[0].size, 64u * 1024);
    EXPECT_EQ(plan->initrd().size(), in.initrd.size());
    EXPECT_EQ(l.initrd.size(), in.initrd.size());
    EXPECT_EQ(l.cmdline.size(), in.cmdline.size() + 1);
    EXPECT_EQ(l.setup_data.size(), setup_data_bytes);

    std::vector<std::byte> page(ATOLL_BP_SIZE);
    std::vector<std::byte> sd(setup_data_bytes);
    ASSERT_TRUE(write_boot_params(*plan, page, sd).ok());
    const auto u32 = [&](std::size_t off) { return get_le(page, off, 4); };
    EXPECT_EQ(u32(0x228) | (u32(0x0c8) << 32), l.cmdline.start.value());
    EXPECT_EQ(u32(0x218) | (u32(0x0c0) << 32), l.initrd.start.value());
    EXPECT_EQ(u32(0x21c) | (u32(0x0c4) << 32), in.initrd.size());
    EXPECT_EQ(get_le(page, 0x250, 8), l.setup_data.start.value());
    EXPECT_EQ(get_le(page, 0x1e8, 1), 3u);   // lagoon + two RAM ranges
    EXPECT_EQ(get_le(page, 0x2d0, 8), 0xc000'0000u);
    EXPECT_EQ(get_le(page, 0x2d0 + 16, 4), ATOLL_BP_E820_RESERVED);
    EXPECT_EQ(get_le(page, 0x2d0 + 20, 8), 0x1'0000'0000u);
    EXPECT_EQ(get_le(page, 0x2d0 + 40 + 8, 8), 0x2000'0000u);
    const auto h = nk::handoff_parse(sd.data() + 16, get_le(sd, 12, 4));
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->apic_ids[0], 4u);
    EXPECT_EQ(h->mem_ranges[0].start, 0x1'0000'0000u);

    std::vector<std::byte> line(l.cmdline.size());
    ASSERT_TRUE(write_boot_cmdline(*plan, line).ok());
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(line.data())), in.cmdline);
    std::vector<std::byte> short_line(in.cmdline.size());
    EXPECT_EQ(write_boot_cmdline(*plan, short_line).error(), Error::bad_size);
}

TEST(KbBootPlan, LagoonCanStayOutOfTheE820Map) {
    Request in;
    auto req = in.get();
    req.lagoon_in_e820 = false;
    BootRefusal why;
    const auto plan = plan_boot(req, why);
    ASSERT_TRUE(plan.ok());
    std::vector<std::byte> page(ATOLL_BP_SIZE);
    std::vector<std::byte> sd(setup_data_bytes);
    ASSERT_TRUE(write_boot_params(*plan, page, sd).ok());
    EXPECT_EQ(get_le(page, 0x1e8, 1), 2u);
}

BootRefusal refusal_for(const BootRequest& req) {
    BootRefusal why;
    const auto plan = plan_boot(req, why);
    EXPECT_FALSE(plan.ok());
    EXPECT_NE(why.stage, BootStage::none);
    EXPECT_FALSE(text_of(why).empty());
    return why;
}

TEST(KbBootPlan, RefusesABadImage) {
    Request in;
    in.kernel[0x1fe] = std::byte{0};
    const auto why = refusal_for(in.get());
    EXPECT_EQ(why.stage, BootStage::image);
    EXPECT_EQ(why.image.reason, ImageError::bad_boot_flag);
    EXPECT_EQ(text_of(why), "not a kernel image (vmlinux or bzImage): boot sector signature 0xaa00 (want 0xaa55)");
}

TEST(KbBootPlan, RefusesAMissingInitrd) {
    Request in;
    in.initrd.clear();
    const auto why = refusal_for(in.get());
    EXPECT_EQ(why.stage, BootStage::initrd);
    EXPECT_EQ(why.initrd.reason, InitrdError::empty);
}

TEST(KbBootPlan, RefusesACommandLineTooLongForTheImage) {
    Request in;
    in.cmdline.assign(2048, 'x');   // cmdline_size is 2047
    const auto why = refusal_for(in.get());
    EXPECT_EQ(why.stage, BootStage::cmdline);
    EXPECT_EQ(why.cmdline.reason, CmdlineError::too_long);
    EXPECT_EQ(text_of(why), "command line too long: 2048 chars, the kernel takes at most 2047");
    in.cmdline.assign(2047, 'x');
    BootRefusal ok_why;
    EXPECT_TRUE(plan_boot(in.get(), ok_why).ok());
}

TEST(KbBootPlan, RefusesANulInsideTheCommandLine) {
    Request in;
    in.cmdline = std::string("quiet\0init=/evil", 16);
    const auto why = refusal_for(in.get());
    EXPECT_EQ(why.stage, BootStage::cmdline);
    EXPECT_EQ(why.cmdline.reason, CmdlineError::embedded_nul);
    EXPECT_EQ(why.cmdline.got, 5u);
}

TEST(KbBootPlan, RefusesAHandoffTheNanokernelRefuses) {
    Request in;
    auto req = in.get();
    req.handoff.partition = PartitionId{0};   // the host
    auto why = refusal_for(req);
    EXPECT_EQ(why.stage, BootStage::handoff);
    EXPECT_EQ(why.handoff, Error::invalid_argument);
    req = in.get();
    req.handoff.lagoon = range(0x1'0000'0000, 0x1'0040'0000);   // inside the partition's RAM
    why = refusal_for(req);
    EXPECT_EQ(why.stage, BootStage::handoff);
    EXPECT_EQ(why.handoff, Error::overlap);
}

TEST(KbBootPlan, RefusesALayoutThatDoesNotFit) {
    Request in;
    in.ram = {range(0x1'0000'0000, 0x1'0040'0000), range(0x1'4000'0000, 0x1'4040'0000)};   // 8 MiB in all
    const auto why = refusal_for(in.get());
    EXPECT_EQ(why.stage, BootStage::layout);
    EXPECT_EQ(why.layout.reason, LayoutError::too_small);
}

TEST(KbBootPlan, RefusesAnImageThatCannotGoWhereThePartitionIs) {
    test::ImageSpec s;
    s.xloadflags = ATOLL_BP_XLF_KERNEL_64;   // no CAN_BE_LOADED_ABOVE_4G
    Request in;
    in.kernel = make_bzimage(s);
    const auto why = refusal_for(in.get());
    EXPECT_EQ(why.stage, BootStage::layout);
    EXPECT_EQ(why.layout.reason, LayoutError::needs_low_memory);
}

TEST(KbBootPlan, WritersRefuseAnEmptyPlanAndWrongBuffersWithoutWriting) {
    std::vector<std::byte> page(ATOLL_BP_SIZE, std::byte{0x5a});
    std::vector<std::byte> sd(setup_data_bytes, std::byte{0x5a});
    const auto stale_page = page;
    const auto stale_sd = sd;
    EXPECT_EQ(write_boot_params(BootPlan{}, page, sd).error(), Error::invalid_argument);
    EXPECT_EQ(write_boot_cmdline(BootPlan{}, page).error(), Error::invalid_argument);

    Request in;
    BootRefusal why;
    const auto plan = plan_boot(in.get(), why);
    ASSERT_TRUE(plan.ok());
    std::vector<std::byte> short_sd(setup_data_bytes - 1);
    EXPECT_EQ(write_boot_params(*plan, page, short_sd).error(), Error::bad_size);
    std::vector<std::byte> short_page(ATOLL_BP_SIZE - 1);
    EXPECT_EQ(write_boot_params(*plan, short_page, sd).error(), Error::bad_size);
    EXPECT_EQ(page, stale_page);
    EXPECT_EQ(sd, stale_sd);
}

TEST(KbBootPlan, EveryStageHasANameAndAMessage) {
    for (auto s = static_cast<unsigned>(BootStage::none); s <= static_cast<unsigned>(BootStage::layout); ++s) {
        BootRefusal r;
        r.stage = static_cast<BootStage>(s);
        EXPECT_STRNE(boot_stage_name(r.stage), "unknown");
        EXPECT_FALSE(text_of(r).empty());
    }
}

}  // namespace
}  // namespace atl::kb
