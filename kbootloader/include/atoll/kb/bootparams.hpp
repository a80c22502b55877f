// Writers for the two records the partition kernel reads at entry: the
// boot_params page (RSI at the 64-bit entry) and the Atoll setup_data
// record it links to. Each checks all of its input, then writes; a refused
// call leaves its output untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/bootparams.h"
#include "atoll/abi/handoff.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"

namespace atl::kb {

// The setup_data record: header, then the hand-off.
inline constexpr std::size_t setup_data_bytes = sizeof(atoll_setup_data_header) + sizeof(atoll_handoff);

struct BootParamsSpec {
    std::span<const std::byte> setup_header{};  // KernelImage::setup_header: [0x1f1, header end)
    PhysAddr cmdline{};                         // NUL-terminated line
    PhysRange initrd{};                         // exact bytes
    PhysAddr setup_data{};                      // the record write_setup_data() fills
    std::span<const PhysRange> ram{};           // e820 RAM: sorted, disjoint, non-empty
    PhysRange lagoon{};                         // e820 RESERVED when non-empty; outside `ram`
};

// Fills `page` (exactly ATOLL_BP_SIZE bytes; zeroed here first, so stale
// bytes never reach the kernel) as a boot loader of unknown id:
// the image's setup header, loadflags |= LOADED_HIGH | CAN_USE_HEAP,
// command line, initrd and setup_data pointers split into the low and ext_
// halves, and an e820 map of exactly the partition's RAM (plus the lagoon).
[[nodiscard]] Status fill_boot_params(const BootParamsSpec& spec, std::span<std::byte> page);

// Writes the setup_data header (next = 0, type = ATOLL_SETUP_DATA_TYPE,
// len = sizeof(atoll_handoff)) and the record, after the nanokernel's own
// validator accepted the record. `buf` needs setup_data_bytes.
[[nodiscard]] Status write_setup_data(const atoll_handoff& handoff, std::span<std::byte> buf);

}  // namespace atl::kb
