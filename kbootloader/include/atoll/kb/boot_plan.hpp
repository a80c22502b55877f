// The bootloader's top level: a boot request (kernel, initramfs, command
// line, the partition's hand-off values) is validated whole into a
// BootPlan, and only a BootPlan can be written out. The kernel glue then
// copies the payload, initramfs and command line to the plan's addresses,
// writes boot_params and setup_data with write_boot_params(), and starts
// the boot CPU at layout().entry with RSI = layout().boot_params.start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/kb/boot_cmdline.hpp"
#include "atoll/kb/kernel_image.hpp"
#include "atoll/kb/initrd.hpp"
#include "atoll/kb/layout.hpp"
#include "atoll/nk/fmt.hpp"
#include "atoll/nk/handoff.hpp"

namespace atl::kb {

// Everything a boot needs. The spans (and those inside `handoff`) point at
// the caller's buffers, which must outlive any plan made from the request
// and stay unchanged while it is used.
struct BootRequest {
    std::span<const std::byte> kernel{};  // the whole kernel file: a vmlinux (ELF) or a bzImage
    std::span<const std::byte> initrd{};  // the whole initramfs file (required: partitions have no disks)
    std::span<const char> cmdline{};      // without a terminating NUL
    nk::HandoffSpec handoff{};            // .memory is the partition's RAM: placement and e820 use it too
    bool lagoon_in_e820 = true;           // list the lagoon in the e820 map as RESERVED
};

// Which check refused a request; the matching field has the details.
enum class BootStage : std::uint8_t { none, image, initrd, cmdline, handoff, layout };

struct BootRefusal {
    BootStage stage = BootStage::none;
    ImageRefusal image{};
    InitrdRefusal initrd{};
    CmdlineRefusal cmdline{};
    Error handoff = Error::ok;  // nk::handoff_build's verdict
    LayoutRefusal layout{};
};

// A request that passed every check, with its placement. Only plan_boot()
// fills one; a default BootPlan is empty and write_boot_params refuses it.
class BootPlan {
public:
    BootPlan() = default;

    [[nodiscard]] bool empty() const { return !valid_; }
    [[nodiscard]] const KernelImage& image() const { return image_; }
    [[nodiscard]] const BootLayout& layout() const { return layout_; }
    [[nodiscard]] InitrdFormat initrd_format() const { return initrd_format_; }
    [[nodiscard]] const BootRequest& request() const { return request_; }

    // What to copy where: each of segments() to layout().kernel.start plus
    // its offset, then zeros to its size; initrd() to layout().initrd.start
    // (write_boot_cmdline() does the command line).
    [[nodiscard]] std::span<const KernelSegment> segments() const { return image_.loaded_segments(); }
    [[nodiscard]] std::span<const std::byte> initrd() const { return request_.initrd; }

private:
    friend Result<BootPlan> plan_boot(const BootRequest& req, BootRefusal& why);

    BootRequest request_{};
    KernelImage image_{};
    BootLayout layout_{};
    InitrdFormat initrd_format_{};
    bool valid_ = false;
};

// Checks, in order: image, initramfs, command line (against the image's
// cmdline_size), hand-off record (the nanokernel's own builder and
// validator), placement. Writes nothing; on failure `why` says which stage
// and why, on success its stage is none.
[[nodiscard]] Result<BootPlan> plan_boot(const BootRequest& req, BootRefusal& why);

// Fills the boot_params page (ATOLL_BP_SIZE bytes, mapped from
// layout().boot_params) and the setup_data buffer (setup_data_bytes, mapped
// from layout().setup_data). Every check runs before the first byte is
// written: on failure neither buffer has changed.
[[nodiscard]] Status write_boot_params(const BootPlan& plan, std::span<std::byte> params_page,
                                       std::span<std::byte> setup_data_buf);

// The command line and its NUL, for the bytes mapped from layout().cmdline.
[[nodiscard]] Status write_boot_cmdline(const BootPlan& plan, std::span<std::byte> dst);

[[nodiscard]] const char* boot_stage_name(BootStage s);
void describe(const BootRefusal& r, nk::TextWriter& out);

}  // namespace atl::kb
