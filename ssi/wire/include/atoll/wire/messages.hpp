// The payloads of atolld's frames (atoll/abi/atolld.h says which frame
// carries which): each struct encodes to a payload and decodes from one,
// whole or not at all (decode returns nullopt for anything malformed).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "atoll/abi/atolld.h"
#include "atoll/wire/fields.hpp"

namespace atl::wire {

using Payload = std::span<const std::uint8_t>;

struct Welcome {
    std::uint32_t node = 0;
    std::string name;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Welcome> decode(Payload p);
};

struct ErrorMsg {
    std::uint32_t code = 0;   // ATOLL_WIRE_E_*
    std::string message;
    [[nodiscard]] Bytes encode() const;
    static std::optional<ErrorMsg> decode(Payload p);
};

// One string (REFUSED's reason).
struct Text {
    std::string text;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Text> decode(Payload p);
};

// One u32 (ROUTE's node, STARTED's pid, SIGNAL's number).
struct Number {
    std::uint32_t value = 0;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Number> decode(Payload p);
};

struct PartitionState {
    std::uint32_t id = 0;
    std::uint32_t state = 0;                        // ATOLL_PSTATE_*
    std::uint32_t numa_node = ATOLL_NUMA_UNKNOWN;   // where its CPUs and RAM are
    bool operator==(const PartitionState&) const = default;
};

// What a node says about itself (STATUS), and, from the host, the
// partition table.
struct Status {
    std::uint32_t node = 0;
    std::string name;
    std::uint32_t cpus = 0;
    std::uint64_t mem_total_kib = 0;
    std::uint64_t mem_available_kib = 0;
    std::uint32_t load1 = 0, load5 = 0, load15 = 0;   // x100
    std::uint64_t uptime_s = 0;
    std::uint32_t numa_node = ATOLL_NUMA_UNKNOWN;   // the host NUMA node of its CPUs and RAM
    std::vector<PartitionState> partitions;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Status> decode(Payload p);
    bool operator==(const Status&) const = default;
};

struct NodeEntry {
    std::uint32_t id = 0;
    std::string name;
    std::string address;
    std::uint32_t state = 0;   // ATOLL_NODE_*
    Status status;             // from cpus on; zero when never answered
    std::uint64_t since_ms = 0;   // since its last answer (UINT64_MAX: never)
    bool operator==(const NodeEntry&) const = default;
};

struct Nodes {
    std::vector<NodeEntry> nodes;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Nodes> decode(Payload p);
};

struct Exec {
    std::uint32_t flags = 0;   // ATOLL_EXEC_F_*
    std::vector<std::string> argv;
    std::vector<std::string> env;   // "K=V"
    std::string cwd;                // "": the daemon's
    // The terminal's size, sent with ATOLL_EXEC_F_PTY only.
    std::uint32_t rows = 0, cols = 0;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Exec> decode(Payload p);
    bool operator==(const Exec&) const = default;
};

// WINSIZE: a terminal's size, each side 1..ATOLL_WIRE_MAX_WINSIZE.
struct Winsize {
    std::uint32_t rows = 0, cols = 0;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Winsize> decode(Payload p);
    bool operator==(const Winsize&) const = default;
};

struct Exit {
    std::uint32_t status = 0;   // exit code, or 128 + signal
    std::uint32_t signal = 0;   // 0: exited normally
    [[nodiscard]] Bytes encode() const;
    static std::optional<Exit> decode(Payload p);
};

struct Process {
    std::uint32_t pid = 0;
    std::uint32_t uid = 0;
    std::string user;
    std::uint32_t state = 0;       // a /proc state letter ('R', 'S', ...)
    std::uint32_t cpu_permille = 0;   // CPU time over lifetime, x1000 (may exceed 1000 with threads)
    std::uint64_t rss_kib = 0;
    std::uint64_t start = 0;       // seconds since the epoch
    std::uint64_t cpu_ms = 0;      // CPU time used so far (user + system)
    std::string command;           // the command line, arguments separated by spaces
    std::string workload;          // the atoll workload holding it (atoll start), "" if none
    bool operator==(const Process&) const = default;
};

struct Processes {
    std::vector<Process> list;
    std::uint64_t clock_ms = 0;   // the node's monotonic clock when listed (CPU use between two lists)
    [[nodiscard]] Bytes encode() const;
    static std::optional<Processes> decode(Payload p);
};

// KILL's request.
struct Kill {
    std::uint32_t pid = 0;
    std::uint32_t signal = 0;
    [[nodiscard]] Bytes encode() const;
    static std::optional<Kill> decode(Payload p);
};

// A name for a frame type, for messages and logs ("type 77" if unknown).
[[nodiscard]] std::string type_name(std::uint16_t type);

}  // namespace atl::wire
