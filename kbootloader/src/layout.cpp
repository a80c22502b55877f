// Boot piece placement in partition RAM.
#include "atoll/kb/layout.hpp"

#include "atoll/abi/abi.h"
#include "atoll/kb/layout_placer.hpp"

namespace atl::kb {

namespace {

constexpr std::uint64_t max_u64 = ~std::uint64_t{0};
constexpr std::uint64_t first_mib = 1 * MiB;
constexpr std::uint64_t four_gib = 4 * GiB;

constexpr std::uint64_t page_round(std::uint64_t n) { return (n + page_size - 1) & ~(page_size - 1); }
constexpr std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > max_u64 - b ? max_u64 : a + b; }

struct Refuser {
    LayoutRefusal& why;

    Error operator()(LayoutRefusal r) {
        why = r;
        return layout_error_code(r.reason);
    }
};

// The input ranges: non-empty, sorted, disjoint, clear of the first MiB
// (the host's real-mode memory; the DESIGN notes Linux needs it excluded).
Status check_ram(std::span<const PhysRange> ram, std::uint64_t& total, Refuser refuse) {
    if (ram.empty())
        return refuse({.reason = LayoutError::no_ram});
    if (ram.size() > ATOLL_MAX_MEM_RANGES)
        return refuse({.reason = LayoutError::too_many_ranges, .got = ram.size(), .want = ATOLL_MAX_MEM_RANGES});
    total = 0;
    for (std::size_t i = 0; i < ram.size(); ++i) {
        const auto idx = static_cast<std::uint32_t>(i);
        if (ram[i].empty())
            return refuse({.reason = LayoutError::empty_range, .index = idx});
        if (i > 0 && ram[i].start < ram[i - 1].end)
            return refuse({.reason = LayoutError::unsorted_ranges, .index = idx});
        if (ram[i].start.value() < first_mib)
            return refuse({.reason = LayoutError::low_memory, .index = idx, .got = ram[i].start.value(),
                           .want = first_mib});
        total = sat_add(total, ram[i].size());
    }
    return Error::ok;
}

struct Pieces {
    std::uint64_t kernel, initrd, boot_params, cmdline, setup_data;   // page rounded
};

// One piece: place it, or say precisely why not. Trying again without the
// 4 GiB ceiling, then without the pref_address floor, tells which limit was
// the one in the way.
struct Placement {
    Placer& placer;
    Refuser refuse;

    Result<PhysAddr> place(Piece piece, std::uint64_t size, std::uint64_t align, Window w, bool top_down) {
        const auto try_at = [&](Window win) {
            return top_down ? placer.highest(size, align, win) : placer.lowest(size, align, win);
        };
        const Result<PhysAddr> at = try_at(w);
        if (at.ok()) {
            ATOLL_TRY(placer.take(PhysRange{*at, *at + size}));
            return at;
        }
        if (w.ceiling != max_u64 && try_at(Window{w.floor, max_u64}).ok())
            return refuse({.reason = LayoutError::needs_low_memory, .piece = piece, .got = size,
                           .want = w.ceiling});
        if (w.floor != 0 && try_at(Window{0, w.ceiling}).ok())
            return refuse({.reason = LayoutError::below_pref_address, .piece = piece, .got = size,
                           .want = w.floor});
        return refuse({.reason = LayoutError::no_room, .piece = piece, .got = placer.largest_free(w),
                       .want = size});
    }
};

}  // namespace

Result<BootLayout> plan_layout(std::span<const PhysRange> ram, const KernelImage& image, const LayoutSizes& sizes,
                               LayoutRefusal& why) {
    Refuser refuse{why};
    std::uint64_t total = 0;
    ATOLL_TRY(check_ram(ram, total, refuse));
    const std::uint64_t align = image.alignment;
    if (sizes.initrd == 0 || sizes.cmdline == 0 || sizes.setup_data == 0 || image.init_size == 0 ||
        align < page_size || (align & (align - 1)) != 0)
        return refuse({.reason = LayoutError::bad_input});

    // Anything bigger than all of RAM cannot fit; checking that first also
    // keeps the page rounding and the sums below from overflowing.
    const std::uint64_t boot_data_raw = sat_add(sat_add(page_size, sizes.cmdline), sizes.setup_data);
    if (sizes.initrd > total || boot_data_raw > total)
        return refuse({.reason = LayoutError::too_small, .ram = total, .kernel = image.init_size,
                       .initrd = sizes.initrd, .boot_data = boot_data_raw});
    const Pieces p{page_round(image.init_size), page_round(sizes.initrd), page_size, page_round(sizes.cmdline),
                   page_round(sizes.setup_data)};
    const std::uint64_t boot_data = p.boot_params + p.cmdline + p.setup_data;
    if (sat_add(sat_add(p.kernel, p.initrd), boot_data) > total)
        return refuse({.reason = LayoutError::too_small, .ram = total, .kernel = p.kernel, .initrd = p.initrd,
                       .boot_data = boot_data});

    // Without XLF_CAN_BE_LOADED_ABOVE_4G every piece stays below 4 GiB,
    // and the initrd also below initrd_addr_max (its highest byte).
    Window low{};
    Window initrd_window{};
    if (!image.can_load_above_4g()) {
        low.ceiling = four_gib;
        initrd_window.ceiling = std::uint64_t{image.initrd_addr_max} + 1 < four_gib
                                    ? std::uint64_t{image.initrd_addr_max} + 1
                                    : four_gib;
    }
    // A relocatable kernel loaded below pref_address moves itself up to
    // pref_address (arch/x86/boot/compressed/head_64.S), which may not be
    // our RAM: pref_address is a floor, not a hint.
    Window kernel_window = low;
    kernel_window.floor = image.pref_address;

    Placer placer{ram};
    Placement pl{placer, refuse};
    BootLayout out;
    // The kernel first and lowest, the initrd from the top so that the two
    // big pieces leave one gap between them; the small pieces anywhere.
    const Result<PhysAddr> kernel = pl.place(Piece::kernel, p.kernel, align, kernel_window, false);
    ATOLL_TRY(kernel);
    const Result<PhysAddr> initrd = pl.place(Piece::initrd, p.initrd, page_size, initrd_window, true);
    ATOLL_TRY(initrd);
    const Result<PhysAddr> params = pl.place(Piece::boot_params, p.boot_params, page_size, low, false);
    ATOLL_TRY(params);
    const Result<PhysAddr> cmdline = pl.place(Piece::cmdline, p.cmdline, page_size, low, false);
    ATOLL_TRY(cmdline);
    const Result<PhysAddr> setup = pl.place(Piece::setup_data, p.setup_data, page_size, low, false);
    ATOLL_TRY(setup);

    out.kernel = PhysRange{*kernel, *kernel + image.init_size};
    out.entry = *kernel + image.entry_offset;
    out.initrd = PhysRange{*initrd, *initrd + sizes.initrd};
    out.boot_params = PhysRange{*params, *params + page_size};
    out.cmdline = PhysRange{*cmdline, *cmdline + sizes.cmdline};
    out.setup_data = PhysRange{*setup, *setup + sizes.setup_data};
    why = LayoutRefusal{};
    return out;
}

}  // namespace atl::kb
