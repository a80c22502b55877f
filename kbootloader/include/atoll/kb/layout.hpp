// Where a partition's boot pieces go in its RAM: the kernel (with room for
// init_size), the initramfs, the boot_params page, the command line and the
// Atoll setup_data record. Every piece lies inside one RAM range, starts on
// its own page and shares no page with another, so the kernel glue can map
// and copy them in any order. Pure arithmetic: nothing is written.
#pragma once

#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/kb/kernel_image.hpp"
#include "atoll/nk/fmt.hpp"

namespace atl::kb {

inline constexpr std::uint64_t page_size = 4096;

enum class Piece : std::uint8_t { kernel, initrd, boot_params, cmdline, setup_data };

struct LayoutSizes {
    std::uint64_t initrd = 0;      // bytes, > 0
    std::uint64_t cmdline = 0;     // bytes including the NUL, > 0
    std::uint64_t setup_data = 0;  // setup_data header + record, > 0
};

// Physical placement. Ranges are the exact bytes each piece occupies; the
// kernel's is its whole init_size window (the payload is copied at its start).
struct BootLayout {
    PhysRange kernel{};
    PhysAddr entry{};        // kernel.start + entry_offset: the 64-bit entry point
    PhysRange initrd{};
    PhysRange boot_params{}; // one page; RSI at entry
    PhysRange cmdline{};
    PhysRange setup_data{};
};

enum class LayoutError : std::uint8_t {
    none,
    no_ram,              // no RAM ranges
    too_many_ranges,     // more than ATOLL_MAX_MEM_RANGES (got)
    empty_range,         // range `index` is empty or reversed
    unsorted_ranges,     // range `index` overlaps or precedes range index-1
    low_memory,          // range `index` starts in the first MiB (got = start)
    bad_input,           // a zero size, or an image descriptor with a bad alignment
    too_small,           // RAM in total is less than the pieces in total
    below_pref_address,  // nothing at or above pref_address (want) holds the kernel
    needs_low_memory,    // `piece` fits only above the image's 4 GiB limit (want = limit)
    no_room,             // `piece` (want bytes) fits nowhere; got = largest free block
};

struct LayoutRefusal {
    LayoutError reason = LayoutError::none;
    Piece piece = Piece::kernel;
    std::uint32_t index = 0;
    std::uint64_t got = 0;
    std::uint64_t want = 0;
    // too_small: RAM in total and what it had to hold.
    std::uint64_t ram = 0;
    std::uint64_t kernel = 0;
    std::uint64_t initrd = 0;
    std::uint64_t boot_data = 0;
};

// `ram`: the partition's RAM, sorted, disjoint, non-empty ranges above the
// first MiB. The kernel goes lowest (at pref_address when that is in RAM),
// the initramfs highest, the small pieces lowest in what is left. On failure
// `why` says which rule or which piece; on success it is cleared.
[[nodiscard]] Result<BootLayout> plan_layout(std::span<const PhysRange> ram, const KernelImage& image,
                                             const LayoutSizes& sizes, LayoutRefusal& why);

[[nodiscard]] const char* piece_name(Piece p);
[[nodiscard]] const char* layout_error_name(LayoutError e);
[[nodiscard]] Error layout_error_code(LayoutError e);
void describe(const LayoutRefusal& r, nk::TextWriter& out);

}  // namespace atl::kb
