// The tool side of a partition's console: following its output, typing into
// it, and running one command through it with markers (atoll log, console,
// run). Works on a console area span, so tests drive it with a buffer-backed
// lagoon instead of /dev/atoll.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "atoll/core/strong.hpp"
#include "atoll/vcon/input.hpp"
#include "atoll/vcon/reader.hpp"

namespace atl::ssi {

// Follows one console's OUT ring across partition restarts. Notes about
// gaps are inserted in the text: "[vcon: N bytes lost]" when the writer
// lapped us, "[vcon: console restarted]" when the partition re-formatted.
class ConsoleFollower {
public:
    ConsoleFollower(std::span<std::byte> area, PartitionId id) : area_(area), id_(id) {}

    // Attaches if needed; false while the partition has no console yet.
    bool attach();
    // Everything still in the ring (at most its capacity), then follows from
    // the head. Empty when no console.
    std::string snapshot();
    // Skips what is there: the next poll() returns only newer output.
    void skip_to_head();
    // New output since the last call (may be empty). Throws Failure on a
    // corrupt console.
    std::string poll();

    [[nodiscard]] bool attached() const { return attached_; }
    [[nodiscard]] bool input_ready() const { return attached_ && reader_.input_ready(); }

private:
    std::string read_from_cursor();

    std::span<std::byte> area_;
    PartitionId id_;
    vcon::Reader reader_;
    bool attached_ = false;
    std::uint64_t cursor_ = 0;
};

// Host-side typing into a console's IN ring.
class ConsoleTyper {
public:
    ConsoleTyper(std::span<std::byte> area, PartitionId id) : area_(area), id_(id) {}

    // Writes as much of `text` as fits now; returns the count. Throws
    // Failure on a corrupt console; 0 while no console.
    std::size_t type(std::string_view text);

private:
    std::span<std::byte> area_;
    PartitionId id_;
    vcon::Input input_;
    bool attached_ = false;
    std::uint64_t generation_ = 0;
};

// The interactive escape: Ctrl-] then 'q' detaches; Ctrl-] Ctrl-] sends one
// Ctrl-]; Ctrl-] then anything else sends both bytes.
class EscapeFilter {
public:
    static constexpr char escape = 0x1d;   // Ctrl-]

    // Bytes of `in` to forward to the partition; sets detach() on Ctrl-] q.
    std::string filter(std::string_view in);
    [[nodiscard]] bool detach() const { return detach_; }

private:
    bool pending_ = false;
    bool detach_ = false;
};

// The markers of `atoll run`: typed as
//    echo @@B$((1+1))-NONCE@@; CMD; echo "@@E$((1+1))-NONCE $?@@"
// the shell's echo of that line holds the unevaluated $((1+1)) and never
// matches; only the executed echos print @@B2-NONCE@@ and @@E2-NONCE S@@.
class RunMarkers {
public:
    explicit RunMarkers(std::string nonce);

    // The line to type (with its newline), for one command line.
    [[nodiscard]] std::string command_line(std::string_view cmd) const;

    // Feeds console output; true once the end marker has been seen.
    bool feed(std::string_view text);

    [[nodiscard]] bool begun() const { return begun_; }
    [[nodiscard]] bool finished() const { return finished_; }
    [[nodiscard]] int status() const { return status_; }
    // What the command printed, CR LF turned into LF (complete once finished).
    [[nodiscard]] std::string output() const;

private:
    std::string nonce_;
    std::string seen_;     // output not yet matched
    std::string body_;     // output after the begin marker
    bool begun_ = false;
    bool eol_skipped_ = false;   // the begin echo's line end
    bool finished_ = false;
    int status_ = -1;
};

// A fresh random nonce (hex).
[[nodiscard]] std::string make_nonce();

struct RunResult {
    bool finished = false;   // false: timed out
    int status = -1;
    std::string output;
};

// Runs `cmd` through partition `id`'s console: waits for a shell on the
// tty, types the marked line, collects the output between the markers.
// `timeout` bounds the whole exchange.
[[nodiscard]] RunResult run_on_console(std::span<std::byte> area, PartitionId id, std::string_view cmd,
                                       std::chrono::milliseconds timeout, const std::string& nonce);

}  // namespace atl::ssi
