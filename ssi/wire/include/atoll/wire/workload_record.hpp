// What a node says of one of its workloads (`atoll workload list`, and the
// answer of spawn, restore and resume), read by `atoll` on another node:
// one line per workload,
//
//   w2 NAME PID STATE RSS_KIB MOVING ADDRESS CMD...
//
// "w2" is the line's revision (w1 had no ADDRESS): a reader skips lines of
// another revision and counts them, so that a node of another atoll is
// named, not taken for one without workloads. NAME a valid workload name
// (names.hpp); PID > 0, the workload's init in the node's PID namespace;
// STATE running, stopped or gone; RSS_KIB of all its processes; MOVING 0
// or 1 (a migration holds it); ADDRESS the workload's own IPv4 address
// (atoll start --ip) in dotted decimal, or "-" for none; CMD the rest of
// the line, not empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atl::wire {

struct WorkloadRecord {
    std::string name;
    std::int64_t pid = 0;
    std::string state;
    std::uint64_t rss_kib = 0;
    bool moving = false;
    std::string address;   // "" when it shares its node's network
    std::string command;
    bool operator==(const WorkloadRecord&) const = default;
};

[[nodiscard]] std::string format_workload_record(const WorkloadRecord& r);
// An IPv4 address in dotted decimal, as a record and `atoll start --ip` take it.
[[nodiscard]] bool valid_ipv4(std::string_view text);
// nullopt for a line that is not a record of this revision.
[[nodiscard]] std::optional<WorkloadRecord> parse_workload_record(std::string_view line);
// Every record of a `list` answer; other lines are skipped, and those that
// carry another revision's tag ("w2 ...") are counted in `other_revision`.
[[nodiscard]] std::vector<WorkloadRecord> parse_workload_records(std::string_view text,
                                                                 std::size_t* other_revision = nullptr);

}  // namespace atl::wire
