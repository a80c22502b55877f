// Whole-request validation, then the writers that only accept its result.
#include "atoll/kb/boot_plan.hpp"

#include "atoll/kb/bootparams.hpp"

namespace atl::kb {

namespace {

// Built only to be checked (write_boot_params builds it again): the record
// is 536 bytes, too many to carry in every plan. Not inlined, so that its
// frame is gone before plan_boot's layout step runs.
[[gnu::noinline]] Error check_handoff(const nk::HandoffSpec& spec) {
    return nk::handoff_build(spec).error();
}

}  // namespace

Result<BootPlan> plan_boot(const BootRequest& req, BootRefusal& why) {
    why = BootRefusal{};
    BootPlan plan;
    plan.request_ = req;

    // Each step's result lives in its own if-scope, so the compiler can give
    // them one stack slot: plan_boot runs on a kernel stack.
    if (const Result<KernelImage> image = parse_kernel(req.kernel, why.image); image.ok()) {
        plan.image_ = *image;
    } else {
        why.stage = BootStage::image;
        return image.error();
    }
    if (const Result<InitrdFormat> format = check_initrd(req.initrd, why.initrd); format.ok()) {
        plan.initrd_format_ = *format;
    } else {
        why.stage = BootStage::initrd;
        return format.error();
    }
    if (const Status s = check_cmdline(req.cmdline, plan.image_.cmdline_size, why.cmdline); !s.ok()) {
        why.stage = BootStage::cmdline;
        return s.error();
    }

    if (const Error e = check_handoff(req.handoff); e != Error::ok) {
        why.stage = BootStage::handoff;
        why.handoff = e;
        return e;
    }

    const LayoutSizes sizes{req.initrd.size(), cmdline_bytes(req.cmdline), setup_data_bytes};
    if (const Result<BootLayout> layout = plan_layout(req.handoff.memory, plan.image_, sizes, why.layout);
        layout.ok()) {
        plan.layout_ = *layout;
    } else {
        why.stage = BootStage::layout;
        return layout.error();
    }
    plan.valid_ = true;
    return plan;
}

Status write_boot_params(const BootPlan& plan, std::span<std::byte> params_page,
                         std::span<std::byte> setup_data_buf) {
    if (plan.empty())
        return Error::invalid_argument;
    if (params_page.size() != ATOLL_BP_SIZE || setup_data_buf.size() < setup_data_bytes)
        return Error::bad_size;
    const BootRequest& req = plan.request();
    const Result<atoll_handoff> handoff = nk::handoff_build(req.handoff);
    if (!handoff.ok())   // not ATOLL_TRY: that would copy the 536-byte record
        return handoff.error();

    const BootLayout& l = plan.layout();
    BootParamsSpec spec;
    spec.setup_header = plan.image().setup_header;
    spec.cmdline = l.cmdline.start;
    spec.initrd = l.initrd;
    spec.setup_data = l.setup_data.start;
    spec.ram = req.handoff.memory;
    if (req.lagoon_in_e820)
        spec.lagoon = req.handoff.lagoon;
    // Both inputs were checked above and by plan_boot (sizes, the record,
    // RAM sorted and clear of the lagoon), so neither writer refuses after
    // the other wrote; boot_params goes first all the same, as the one
    // whose own checks are wider.
    ATOLL_TRY(fill_boot_params(spec, params_page));
    return write_setup_data(*handoff, setup_data_buf);
}

Status write_boot_cmdline(const BootPlan& plan, std::span<std::byte> dst) {
    if (plan.empty())
        return Error::invalid_argument;
    return write_cmdline(plan.request().cmdline, dst);
}

const char* boot_stage_name(BootStage s) {
    switch (s) {
    case BootStage::none: return "none";
    case BootStage::image: return "kernel image";
    case BootStage::initrd: return "initramfs";
    case BootStage::cmdline: return "command line";
    case BootStage::handoff: return "hand-off";
    case BootStage::layout: return "memory layout";
    }
    return "unknown";
}

void describe(const BootRefusal& r, nk::TextWriter& out) {
    switch (r.stage) {
    case BootStage::none: out.str("boot request accepted"); return;
    case BootStage::image: describe(r.image, out); return;
    case BootStage::initrd: describe(r.initrd, out); return;
    case BootStage::cmdline: describe(r.cmdline, out); return;
    case BootStage::handoff:
        out.str("hand-off record refused: ").str(error_name(r.handoff))
            .str(" (partition id, CPUs, RAM ranges, lagoon or clock values)");
        return;
    case BootStage::layout: describe(r.layout, out); return;
    }
    out.str("boot request refused");
}

}  // namespace atl::kb
