// `atoll start` and `atoll migrate`'s decisions (migrate_plan.hpp).
#include "atoll/ssi/migrate_plan.hpp"

#include <charconv>

namespace atl::ssi {
namespace {

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

std::string kib_text(std::uint64_t kib) {
    return std::to_string((kib + 1023) / 1024) + " MiB";
}

}  // namespace

std::string format_workload_record(const WorkloadRecord& r) {
    return r.name + " " + std::to_string(r.pid) + " " + r.state + " " + std::to_string(r.rss_kib) + " " +
           (r.moving ? "1" : "0") + " " + r.command;
}

std::optional<WorkloadRecord> parse_workload_record(std::string_view line) {
    WorkloadRecord r;
    std::size_t at = 0;
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
    while (at < line.size() && line[at] == ' ')
        ++at;
    r.command = std::string(line.substr(at));
    if (r.command.empty())
        return std::nullopt;
    return r;
}

std::vector<WorkloadRecord> parse_workload_records(std::string_view text) {
    std::vector<WorkloadRecord> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (auto r = parse_workload_record(text.substr(0, nl)))
            out.push_back(std::move(*r));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return out;
}

std::optional<std::string> refuse_move(const MoveFacts& f) {
    if (!valid_workload_name(f.name))
        return "'" + f.name + "' is not a workload name (1 to 32 of A-Z a-z 0-9 _ . -)";
    if (f.source.empty() || !f.record)
        return "no node runs a workload named '" + f.name + "' (atoll workloads lists them)";
    if (!f.also_on.empty())
        return "'" + f.name + "' is claimed by " + f.source + " and " + f.also_on.front() +
               ": resolve it by hand (atoll workloads)";
    if (!f.dest_known)
        return "no node named '" + f.dest + "' (atoll nodes lists them)";
    if (f.dest == f.source)
        return "'" + f.name + "' runs on " + f.dest + " already";
    if (!f.dest_up)
        return f.dest + " is not up (atoll nodes)";
    if (f.record->moving)
        return "'" + f.name + "' is being moved already (by another atoll migrate)";
    if (f.record->state != "running")
        return "'" + f.name + "' on " + f.source + " is " + f.record->state + ", not running";
    if (f.dest_has_name)
        return f.dest + " runs another workload named '" + f.name + "'";
    if (f.dest_available_kib < move_needs_kib(f.record->rss_kib))
        return f.dest + " has " + kib_text(f.dest_available_kib) + " available; '" + f.name + "' needs " +
               kib_text(f.record->rss_kib) + " for its pages on the way, as much again once restored, and " +
               kib_text(move_headroom_kib) + " for the restore";
    return std::nullopt;
}

PrecopyStep next_precopy(const PrecopyPolicy& p, const std::vector<std::uint64_t>& written) {
    const std::size_t n = written.size();
    if (p.max_rounds == 0)
        return {false, "stop-and-copy (no pre-copy round asked for)"};
    if (n == 0)
        return {true, "first round: the whole memory while it runs"};
    if (written.back() <= p.small_enough_bytes)
        return {false, "the last round was small enough to freeze now"};
    if (n >= p.max_rounds)
        return {false, "round limit reached (" + std::to_string(p.max_rounds) + ")"};
    if (n == 1)
        return {true, "next round: only what changed since the first"};
    if (static_cast<double>(written[n - 1]) >= p.min_shrink * static_cast<double>(written[n - 2]))
        return {false, "the dirty set stopped shrinking"};
    return {true, "the dirty set is still shrinking"};
}

std::vector<std::string> criu_error_lines(std::string_view log, std::size_t most) {
    std::vector<std::string> all;
    while (!log.empty()) {
        const auto nl = log.find('\n');
        const auto line = log.substr(0, nl);
        if (const auto at = line.find("Error ("); at != std::string_view::npos)
            all.emplace_back(line.substr(at));
        log = nl == std::string_view::npos ? std::string_view{} : log.substr(nl + 1);
    }
    if (all.size() > most)
        all.erase(all.begin(), all.end() - static_cast<long>(most));
    return all;
}

}  // namespace atl::ssi
