// `atoll kill`: a signal to processes of any kernel, by NODE:PID.
#include <signal.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/size.hpp"
#include "atoll/wire/messages.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll kill - send a signal to processes of any kernel of the cluster

SYNOPSIS
    atoll kill [-SIGNAL | -s SIGNAL] NODE:PID...

DESCRIPTION
    Sends SIGNAL (default TERM) to each process named NODE:PID, as atoll ps
    shows them, through atolld. SIGNAL is a name (TERM, KILL, INT, HUP,
    QUIT, USR1, USR2, STOP, CONT; with or without SIG) or a number. PID 1
    (a kernel's init) is refused: atoll stop ends a partition.

EXIT STATUS
    0 every signal was sent; 1 one or more could not be (each named, with
    the reason: no such process, no such node); 2 usage error
)";
}

int signal_number(std::string s) {
    if (const auto n = ssi::parse_number(s); n && *n > 0 && *n < 65)
        return static_cast<int>(*n);
    if (s.rfind("SIG", 0) == 0)
        s = s.substr(3);
    const std::pair<const char*, int> names[] = {{"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},
                                                 {"HUP", SIGHUP},   {"QUIT", SIGQUIT}, {"USR1", SIGUSR1},
                                                 {"USR2", SIGUSR2}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}};
    for (const auto& [name, n] : names)
        if (s == name)
            return n;
    throw UsageError("unknown signal '" + s + "'");
}

int run_kill(const Args& args) {
    int sig = SIGTERM;
    std::vector<std::string> targets;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string a(args[i]);
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        } else if (a == "-s") {
            if (i + 1 >= args.size())
                throw UsageError("-s wants a signal");
            sig = signal_number(std::string(args[++i]));
        } else if (a.size() > 1 && a[0] == '-') {
            sig = signal_number(a.substr(1));
        } else {
            targets.push_back(a);
        }
    }
    if (targets.empty())
        throw UsageError("which process? atoll kill [-SIGNAL] NODE:PID...");
    const wire::Nodes table = node_table();
    int status = exit_ok;
    for (const auto& t : targets) {
        const auto colon = t.rfind(':');
        const auto pid = colon == std::string::npos ? std::nullopt : ssi::parse_number(t.substr(colon + 1));
        if (!pid || *pid == 0 || *pid > 0x7fffffff)
            throw UsageError("'" + t + "' is not NODE:PID");
        try {
            const auto& node = find_node(table, t.substr(0, colon));
            auto link = routed_link(node.id);
            const auto r = wire::Number::decode(
                ask(*link, ATOLL_WIRE_KILL,
                    wire::Kill{static_cast<std::uint32_t>(*pid), static_cast<std::uint32_t>(sig)}.encode(),
                    ATOLL_WIRE_KILLED)
                    .payload);
            if (!r)
                throw ssi::Failure("a malformed answer");
            if (r->value != 0)
                throw ssi::Failure(*pid == 1 ? std::string("init is not killed (atoll stop ends a partition)")
                                             : std::string(std::strerror(static_cast<int>(r->value))));
        } catch (const ssi::Failure& e) {
            std::cerr << "atoll kill: " << t << ": " << e.what() << "\n";
            status = exit_refused;
        }
    }
    return status;
}

}  // namespace

const Command kill_command{"kill", "send a signal to NODE:PID (through atolld)", run_kill};

}  // namespace atl::cli
