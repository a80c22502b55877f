// `atoll console N`: an interactive terminal on a partition's console.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "atoll/abi/ioctl.h"
#include "atoll/ssi/control.hpp"
#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/size.hpp"
#include "atoll/ssi/vcon_session.hpp"
#include "cli.hpp"
#include "partition_wait.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

constexpr int poll_ms = 20;   // output latency; the partition polls input at the same rate

void print_help() {
    std::cout <<
R"(NAME
    atoll console - attach the terminal to a partition's console

SYNOPSIS
    atoll console [--wait [SECONDS]] N

DESCRIPTION
    Connects this terminal to partition N's console: its output (kernel
    messages and the tty /dev/vcon0) is shown as it comes, and keystrokes
    are sent to /dev/vcon0, where the partition's init normally runs a
    shell. The terminal is put in raw mode, so Ctrl-C, Ctrl-Z and Ctrl-D go
    to the partition. Attaching prints the last screenful of output first.

    To detach, type Ctrl-] then q. Ctrl-] twice sends one Ctrl-]. Detaching
    leaves the partition and its shell running. The terminal is restored on
    detach and when atoll is terminated by a signal (TERM, HUP, INT, QUIT).

    Several tools may read a console at once, but only one should type.

    N must be a partition Atoll knows: one in `atoll list` (running,
    booting or stopped), or one whose console is still in the lagoon. Any
    other N is refused at once, naming the partitions that exist. A known
    partition whose kernel has not attached its console yet (it is
    booting) is waited for.

    To attach to a partition that does not exist yet, so as to see its very
    first messages when it boots (say, from another terminal), use --wait.

OPTIONS
    --wait [SECONDS]
              wait for partition N's console to appear even though N is not
              known yet: for SECONDS (a whole number, written before N), or
              until detached or interrupted without it
    --help    print this help and exit

EXAMPLES
    atoll console 2                  attach to partition 2
    atoll console --wait 30 3        wait up to 30 s for partition 3 to boot
    atoll console --wait 3 &  atoll boot --plan box.plan

EXIT STATUS
    0    detached (Ctrl-] q, a stop signal, or the console ended)
    1    no such partition; the wait ran out before the console appeared;
         or /dev/atoll unusable
    2    usage error
)";
}

// Raw mode for the life of the session; restored by the destructor, which
// runs on detach, on a stop signal (the loop exits) and on exceptions.
class RawTerminal {
public:
    RawTerminal() {
        if (::isatty(STDIN_FILENO) == 0 || ::tcgetattr(STDIN_FILENO, &saved_) != 0)
            return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
    }
    ~RawTerminal() {
        if (active_)
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    [[nodiscard]] bool active() const { return active_; }

private:
    termios saved_{};
    bool active_ = false;
};

void put(const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, s.data() + done, s.size() - done);
        if (n <= 0)
            return;
        done += static_cast<std::size_t>(n);
    }
}

// Kernel messages end lines with a bare LF; a raw terminal needs CR LF.
std::string to_raw(const std::string& s, char& last) {
    std::string out;
    for (char ch : s) {
        if (ch == '\n' && last != '\r')
            out += '\r';
        out += ch;
        last = ch;
    }
    return out;
}

// How long to wait for a console that has not appeared: forever (the
// partition is known, or --wait without SECONDS), or until a deadline.
struct Wait {
    bool limited = false;
    std::chrono::steady_clock::time_point deadline{};

    [[nodiscard]] bool over() const { return limited && std::chrono::steady_clock::now() >= deadline; }
};

int session(std::span<std::byte> area, PartitionId id, const Wait& wait) {
    ssi::ConsoleFollower out(area, id);
    ssi::ConsoleTyper in(area, id);
    ssi::EscapeFilter escape;
    install_stop_signals();
    RawTerminal raw;
    char last = '\n';
    const std::string nl = raw.active() ? "\r\n" : "\n";
    put("[atoll: attached to partition " + std::to_string(id.value()) + "'s console; detach with Ctrl-] then q]" +
        nl);
    bool waiting_noted = false;
    if (out.attach()) {
        std::string text = out.snapshot();
        // The last screenful is enough context; the rest is in atoll log.
        if (text.size() > 2000)
            text.erase(0, text.size() - 2000);
        put(raw.active() ? to_raw(text, last) : text);
    }
    std::string typed;   // accepted from the keyboard, not yet in the ring
    bool input_open = true;
    while (!escape.detach() && !stop_requested()) {
        pollfd p{STDIN_FILENO, POLLIN, 0};
        const int ready = ::poll(&p, input_open ? 1 : 0, poll_ms);
        if (ready > 0 && (p.revents & (POLLIN | POLLHUP)) != 0) {
            char buf[512];
            const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
            if (n > 0)
                typed += escape.filter(std::string_view(buf, static_cast<std::size_t>(n)));
            else
                input_open = false;   // EOF on a pipe: keep showing output
        }
        if (!typed.empty())
            typed.erase(0, in.type(typed));
        if (!out.attached() && !waiting_noted) {
            put("[atoll: waiting for partition " + std::to_string(id.value()) + " to attach its console]" + nl);
            waiting_noted = true;
        }
        if (!out.attached() && wait.over()) {
            put("[atoll: partition " + std::to_string(id.value()) + " did not attach its console in time]" + nl);
            return exit_refused;
        }
        const std::string text = out.poll();
        if (!text.empty())
            put(raw.active() ? to_raw(text, last) : text);
    }
    put(nl + "[atoll: detached]" + nl);
    return exit_ok;
}

// The partitions `atoll list` shows, as "1, 2, 3" (or "none").
std::string known_partitions(const ssi::Control& ctl) {
    const auto l = ctl.list();
    std::string out;
    for (std::uint32_t i = 0; i < l.count; i++)
        out += (out.empty() ? "" : ", ") + std::to_string(l.partitions[i].partition_id);
    return out.empty() ? "none" : out;
}

int run_console(const Args& args) {
    std::optional<PartitionId> id;
    bool wait_asked = false;
    std::optional<std::uint32_t> wait_s;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (a == "--wait" || a.starts_with("--wait=")) {
            wait_asked = true;
            if (a.starts_with("--wait="))
                wait_s = count_argument("--wait", std::string(a.substr(7)));
            // SECONDS only before N: `--wait 3` alone waits for partition 3.
            else if (i + 2 < args.size() && ssi::parse_number(args[i + 1]))
                wait_s = count_argument("--wait", std::string(args[++i]));
            continue;
        }
        positional_partition(id, a);
    }
    required_partition(id, "atoll console [--wait [SECONDS]] N");
    const auto lagoon = ssi::LagoonMap::open_device(ATOLL_DEVICE_PATH);
    const auto area = lagoon.console(*id);
    Wait wait;
    if (!wait_asked) {
        // Known: in the partition table (any state), or a console left in
        // the lagoon by a partition that is gone.
        ssi::Control ctl;
        ssi::ConsoleFollower probe(area, *id);
        if (!find_partition(ctl, id->value()) && !probe.attach())
            throw ssi::Failure("no partition " + std::to_string(id->value()) + " (partitions: " +
                               known_partitions(ctl) + "); to wait for one that is about to boot: " +
                               "atoll console --wait " + std::to_string(id->value()));
    } else if (wait_s) {
        wait.limited = true;
        wait.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*wait_s);
    }
    return session(area, *id, wait);
}

}  // namespace

const Command console_command{"console", "attach the terminal to a partition's console (Ctrl-] q detaches)",
                              run_console};

}  // namespace atl::cli
