// `atoll start` and `atoll migrate`'s decisions (migrate_plan.hpp).
#include "atoll/ssi/migrate_plan.hpp"

namespace atl::ssi {
namespace {

std::string kib_text(std::uint64_t kib) {
    return std::to_string((kib + 1023) / 1024) + " MiB";
}

}  // namespace

std::string held_by_a_move(const std::string& name, const std::string& node) {
    return "'" + name + "' is being moved already (by another atoll migrate or freeze; if none runs, one was killed: "
           "atoll exec " + node + " -- atoll workload resume " + name + " frees it)";
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
        return held_by_a_move(f.name, f.source);
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

namespace {

// The last two bytes of a valid dotted address.
unsigned low16(std::string_view address) {
    unsigned parts[4] = {0, 0, 0, 0};
    std::size_t k = 0;
    for (const char c : address) {
        if (c == '.')
            ++k;
        else if (k < 4)
            parts[k] = parts[k] * 10 + static_cast<unsigned>(c - '0');
    }
    return (parts[2] << 8) | parts[3];
}

}  // namespace

std::optional<std::string> choose_workload_address(std::string_view want,
                                                   const std::map<std::string, std::string>& taken,
                                                   std::string_view network_of, std::string& why, bool& usage) {
    usage = false;
    const auto free = [&](const std::string& a) { return taken.find(a) == taken.end(); };
    if (want != "auto") {
        if (!valid_ipv4(want)) {
            usage = true;
            return why = "--ip: '" + std::string(want) + "' is neither auto nor an IPv4 address", std::nullopt;
        }
        if (const auto it = taken.find(std::string(want)); it != taken.end())
            return why = std::string(want) + " is " + it->second, std::nullopt;
        return std::string(want);
    }
    const auto dot = network_of.rfind('.');
    if (!valid_ipv4(network_of) || dot == std::string_view::npos)
        return why = "the node has no IPv4 address to take a network from; give --ip ADDR", std::nullopt;
    const std::string prefix(network_of.substr(0, dot + 1));
    for (int k = 100; k <= 254; ++k)
        if (const std::string a = prefix + std::to_string(k); free(a))
            return a;
    return why = "no free address in " + prefix + "100-254: give --ip ADDR", std::nullopt;
}

std::string workload_veth_name(std::string_view address) {
    static constexpr char hex[] = "0123456789abcdef";
    const unsigned v = low16(address);
    std::string s = "wl";
    for (int shift = 12; shift >= 0; shift -= 4)
        s += hex[(v >> shift) & 0xf];
    return s;
}

int workload_veth_index(std::string_view address) { return 100000 + static_cast<int>(low16(address)); }

}  // namespace atl::ssi
