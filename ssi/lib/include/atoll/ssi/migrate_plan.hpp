// `atoll start` and `atoll migrate`'s decisions (doc/migration.md), apart
// from running anything: what a workload may be called, what a node's
// record of one says, whether a move may start, and when pre-copy stops.
//
// A workload is a process tree started by `atoll start` in its own PID,
// IPC, UTS and time namespaces and its own cgroup, so that CRIU can dump
// it whole and restore it on another kernel with the same PIDs inside.
// Each node keeps a record of the workloads it runs (`atoll workload
// list`, one line each); the move itself is CRIU's pre-dump, dump and
// restore through images on the shared /home.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/wire/names.hpp"
#include "atoll/wire/workload_record.hpp"

namespace atl::ssi {

// 1 to 32 of [A-Za-z0-9_.-], not starting with '.' or '-': it names a
// directory and a cgroup on every node.
using wire::valid_workload_name;

// A node's record of a workload: the wire format's (workload_record.hpp).
using wire::valid_ipv4;
using wire::format_workload_record;
using wire::parse_workload_record;
using wire::parse_workload_records;
using wire::WorkloadRecord;

// What `atoll migrate` knows before it freezes anything.
struct MoveFacts {
    std::string name;
    std::string source;                       // the node that runs it ("" if none does)
    std::vector<std::string> also_on;         // other nodes claiming the name
    std::optional<WorkloadRecord> record;     // the source's record
    std::string dest;
    bool dest_known = false;
    bool dest_up = false;
    std::uint64_t dest_available_kib = 0;     // MemAvailable of the destination
    bool dest_has_name = false;               // the destination runs a workload of that name
};
// Headroom the destination keeps beyond the workload's RSS: the restore
// itself (CRIU maps the images) and the kernel's own needs.
inline constexpr std::uint64_t move_headroom_kib = 64 * 1024;
// What a move needs available at the destination: the workload's pages
// arrive in the destination's RAM (a tmpfs, written by CRIU's page server
// while the workload still runs), and the restore maps them again before
// that copy goes: twice its RSS, and the headroom.
[[nodiscard]] constexpr std::uint64_t move_needs_kib(std::uint64_t rss_kib) {
    return 2 * rss_kib + move_headroom_kib;
}
// Why workload `name` on `node` cannot be moved or frozen now: another
// move holds it; a lock left by a killed one is freed as it says.
[[nodiscard]] std::string held_by_a_move(const std::string& name, const std::string& node);
// nullopt when the move may start, else why not, for a person.
[[nodiscard]] std::optional<std::string> refuse_move(const MoveFacts& f);

// Pre-copy: rounds of `criu pre-dump --track-mem` while the workload runs;
// each writes the pages dirtied since the one before.
// --rounds auto: as many rounds as shrink the dirty set (the policy's
// other limits end them), bounded so that a workload whose dirty set
// never settles is still frozen in the end.
inline constexpr std::uint32_t auto_rounds_limit = 12;
struct PrecopyPolicy {
    std::uint32_t max_rounds = 4;                   // 0: stop-and-copy
    std::uint64_t small_enough_bytes = 1u << 20;    // a round this small: freeze now
    double min_shrink = 0.8;                        // a round must write < 0.8x the one before
};
struct PrecopyStep {
    bool again = false;
    std::string why;   // for the progress line
};
// After rounds of `written` bytes each (first round first): another, or
// the final dump.
[[nodiscard]] PrecopyStep next_precopy(const PrecopyPolicy& p, const std::vector<std::uint64_t>& written);

// A workload's own address (atoll start --ip, doc/migration.md).
// `want` is "auto" or a dotted IPv4 address; `taken` maps each address a
// node or a workload has to who has it ("node p1's address"); `network_of`
// is the start node's own address, whose /24 auto picks from (.100 to
// .254, the first free). The address, or nullopt with `why`; `usage` set
// when `want` itself is malformed.
[[nodiscard]] std::optional<std::string> choose_workload_address(std::string_view want,
                                                                 const std::map<std::string, std::string>& taken,
                                                                 std::string_view network_of, std::string& why,
                                                                 bool& usage);
// The node-side end of its veth pair: "wl" and the address's last two
// bytes in hex (at most 15 characters, unique while addresses are), at
// interface index 100000 plus those bytes. CRIU 3.17's restore asks for
// the end again at the index it had on the source (veth_link_info passes
// the peer's index), and a low index may be taken on another node; this
// one is the address's own on every node (a precaution from CRIU's
// source, not a failure seen). Both need a valid address.
[[nodiscard]] std::string workload_veth_name(std::string_view address);
[[nodiscard]] int workload_veth_index(std::string_view address);

// What a failed CRIU run says: the last `most` error lines of its log
// ("(00.123) 1: Error (file.c:12): what"), each from "Error" on.
[[nodiscard]] std::vector<std::string> criu_error_lines(std::string_view log, std::size_t most);

}  // namespace atl::ssi
