// A node's record of a workload (workload_record.hpp).
#include "atoll/wire/workload_record.hpp"

#include <algorithm>
#include <charconv>

#include "atoll/wire/names.hpp"

namespace atl::wire {
namespace {

constexpr std::string_view tag = "w2";

// The next space-separated word of `s` from `at`.
std::string_view word(std::string_view s, std::size_t& at) {
    while (at < s.size() && s[at] == ' ')
        ++at;
    const std::size_t start = at;
    while (at < s.size() && s[at] != ' ')
        ++at;
    return s.substr(start, at - start);
}

template <typename T>
bool number(std::string_view w, T& out) {
    if (w.empty())
        return false;
    const auto r = std::from_chars(w.data(), w.data() + w.size(), out);
    return r.ec == std::errc() && r.ptr == w.data() + w.size();
}

// "w" and digits, not this revision's.
bool other_tag(std::string_view w) {
    if (w.size() < 2 || w[0] != 'w' || w == tag)
        return false;
    for (std::size_t i = 1; i < w.size(); ++i)
        if (w[i] < '0' || w[i] > '9')
            return false;
    return true;
}

}  // namespace

bool valid_ipv4(std::string_view text) {
    int parts = 0;
    std::size_t at = 0;
    while (parts < 4) {
        const auto dot = text.find('.', at);
        const auto part = text.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
        unsigned v = 0;
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0') || !number(part, v) || v > 255)
            return false;
        ++parts;
        if (dot == std::string_view::npos)
            break;
        at = dot + 1;
    }
    return parts == 4 && std::count(text.begin(), text.end(), '.') == 3;
}

std::string format_workload_record(const WorkloadRecord& r) {
    return std::string(tag) + " " + r.name + " " + std::to_string(r.pid) + " " + r.state + " " +
           std::to_string(r.rss_kib) + " " + (r.moving ? "1" : "0") + " " + (r.address.empty() ? "-" : r.address) +
           " " + r.command;
}

std::optional<WorkloadRecord> parse_workload_record(std::string_view line) {
    WorkloadRecord r;
    std::size_t at = 0;
    if (word(line, at) != tag)
        return std::nullopt;
    r.name = std::string(word(line, at));
    if (!valid_workload_name(r.name) || !number(word(line, at), r.pid) || r.pid <= 0)
        return std::nullopt;
    r.state = std::string(word(line, at));
    if (r.state != "running" && r.state != "stopped" && r.state != "gone")
        return std::nullopt;
    if (!number(word(line, at), r.rss_kib))
        return std::nullopt;
    const auto moving = word(line, at);
    if (moving != "0" && moving != "1")
        return std::nullopt;
    r.moving = moving == "1";
    const auto address = word(line, at);
    if (address != "-" && !valid_ipv4(address))
        return std::nullopt;
    r.address = address == "-" ? "" : std::string(address);
    while (at < line.size() && line[at] == ' ')
        ++at;
    r.command = std::string(line.substr(at));
    if (r.command.empty())
        return std::nullopt;
    return r;
}

std::vector<WorkloadRecord> parse_workload_records(std::string_view text, std::size_t* other_revision) {
    std::vector<WorkloadRecord> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = text.substr(0, nl);
        if (auto r = parse_workload_record(line)) {
            out.push_back(std::move(*r));
        } else if (other_revision) {
            std::size_t at = 0;
            if (other_tag(word(line, at)))
                ++*other_revision;
        }
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return out;
}

}  // namespace atl::wire
