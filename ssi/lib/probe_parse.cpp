// Parsers of /proc/cpuinfo, /proc/iomem, /proc/zoneinfo and sysfs lists.
#include "atoll/ssi/probe_parse.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

namespace {

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Calls f(line) for each line.
template <class F>
void each_line(std::string_view text, F f) {
    while (!text.empty()) {
        const auto nl = text.find('\n');
        f(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

std::optional<std::uint64_t> parse_hex(std::string_view s) {
    return parse_number(std::string("0x") + std::string(s));
}

}  // namespace

std::vector<unsigned> parse_id_list(std::string_view text) {
    std::vector<unsigned> ids;
    text = trim(text);
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = trim(text.substr(0, comma));
        const auto dash = item.find('-');
        const auto lo = parse_number(item.substr(0, dash));
        const auto hi = dash == std::string_view::npos ? lo : parse_number(item.substr(dash + 1));
        if (!lo || !hi || *hi < *lo || *hi > 65535)
            throw Failure("cannot read the id list '" + std::string(text) + "'");
        for (auto i = *lo; i <= *hi; ++i)
            ids.push_back(static_cast<unsigned>(i));
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return ids;
}

std::vector<CpuInfo> parse_cpuinfo(std::string_view text) {
    std::vector<CpuInfo> cpus;
    bool have_apic = true;
    each_line(text, [&](std::string_view line) {
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return;
        const auto key = trim(line.substr(0, colon));
        const auto value = trim(line.substr(colon + 1));
        if (key == "processor") {
            if (!have_apic)
                throw Failure("/proc/cpuinfo: processor " + std::to_string(cpus.back().processor) +
                              " has no apicid line");
            const auto n = parse_number(value);
            if (!n)
                throw Failure("/proc/cpuinfo: cannot read processor number '" + std::string(value) + "'");
            cpus.push_back(CpuInfo{static_cast<unsigned>(*n), ApicId{}});
            have_apic = false;
        } else if (key == "apicid" && !cpus.empty()) {
            const auto n = parse_number(value);
            if (!n)
                throw Failure("/proc/cpuinfo: cannot read apicid '" + std::string(value) + "'");
            cpus.back().apic = ApicId{static_cast<std::uint32_t>(*n)};
            have_apic = true;
        }
    });
    if (!have_apic)
        throw Failure("/proc/cpuinfo: processor " + std::to_string(cpus.back().processor) +
                      " has no apicid line");
    if (cpus.empty())
        throw Failure("/proc/cpuinfo lists no processor");
    return cpus;
}

std::vector<PhysRange> parse_iomem_ram(std::string_view text) {
    std::vector<PhysRange> ram;
    each_line(text, [&](std::string_view line) {
        if (line.empty() || line[0] == ' ')   // nested resources are indented
            return;
        const auto colon = line.find(" : ");
        if (colon == std::string_view::npos || trim(line.substr(colon + 3)) != "System RAM")
            return;
        const auto span = trim(line.substr(0, colon));
        const auto dash = span.find('-');
        const auto lo = parse_hex(span.substr(0, dash));
        const auto hi = dash == std::string_view::npos ? std::nullopt : parse_hex(span.substr(dash + 1));
        if (!lo || !hi || *hi < *lo)
            throw Failure("/proc/iomem: cannot read '" + std::string(line) + "'");
        ram.push_back(PhysRange{PhysAddr{*lo}, PhysAddr{*hi + 1}});
    });
    std::sort(ram.begin(), ram.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    return ram;
}

std::vector<NodeSpan> parse_zoneinfo(std::string_view text) {
    struct Zone {
        std::optional<std::uint64_t> start, spanned;
    };
    std::vector<std::pair<unsigned, Zone>> zones;
    each_line(text, [&](std::string_view line) {
        const auto t = trim(line);
        if (t.starts_with("Node ")) {
            const auto comma = t.find(',');
            const auto n = parse_number(t.substr(5, comma == std::string_view::npos ? 0 : comma - 5));
            if (!n || comma == std::string_view::npos || t.find("zone", comma) == std::string_view::npos)
                throw Failure("/proc/zoneinfo: cannot read '" + std::string(t) + "'");
            zones.push_back({static_cast<unsigned>(*n), Zone{}});
            return;
        }
        if (zones.empty())
            return;
        auto& z = zones.back().second;
        // "spanned  4095" and "start_pfn:           1", each once per zone.
        if (t.starts_with("spanned ") && !z.spanned)
            z.spanned = parse_number(trim(t.substr(8)));
        else if (t.starts_with("start_pfn:") && !z.start)
            z.start = parse_number(trim(t.substr(10)));
    });
    std::map<unsigned, PhysRange> spans;
    for (const auto& [node, z] : zones) {
        if (!z.spanned || *z.spanned == 0)
            continue;
        if (!z.start)
            throw Failure("/proc/zoneinfo: a zone of node " + std::to_string(node) +
                          " spans pages but has no start_pfn");
        constexpr std::uint64_t page = 4096;
        const PhysRange r{PhysAddr{*z.start * page}, PhysAddr{(*z.start + *z.spanned) * page}};
        auto [it, fresh] = spans.try_emplace(node, r);
        if (!fresh) {
            it->second.start = std::min(it->second.start, r.start);
            it->second.end = std::max(it->second.end, r.end);
        }
    }
    std::vector<NodeSpan> out;
    for (const auto& [node, r] : spans)
        out.push_back(NodeSpan{node, r});
    return out;
}

}  // namespace atl::ssi
