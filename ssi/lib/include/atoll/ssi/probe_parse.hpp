// Parsers for the Linux files the machine probe reads. Pure functions of
// the text, so that tests can feed them anything; each throws Failure
// naming the file's content that it could not read.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "atoll/core/strong.hpp"

namespace atl::ssi {

// A sysfs CPU or node list: "0-3,8,10-11" (empty text: empty list).
[[nodiscard]] std::vector<unsigned> parse_id_list(std::string_view text);

// /proc/cpuinfo: each "processor" with its "apicid".
struct CpuInfo {
    unsigned processor = 0;
    ApicId apic;
};
[[nodiscard]] std::vector<CpuInfo> parse_cpuinfo(std::string_view text);

// /proc/iomem: the top-level "System RAM" lines, as half-open ranges
// (iomem's end is inclusive), sorted.
[[nodiscard]] std::vector<PhysRange> parse_iomem_ram(std::string_view text);

// /proc/zoneinfo: each node's span, from the lowest zone start_pfn to the
// highest start_pfn + spanned, in bytes. Zones with nothing spanned are
// skipped; a node with no populated zone is absent.
struct NodeSpan {
    unsigned node = 0;
    PhysRange span;
};
[[nodiscard]] std::vector<NodeSpan> parse_zoneinfo(std::string_view text);

}  // namespace atl::ssi
