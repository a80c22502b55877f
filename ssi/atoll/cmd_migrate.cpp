// `atoll start`, `atoll workloads` and `atoll migrate` (doc/migration.md):
// workloads started in namespaces of their own, listed across the cluster,
// and moved between kernels with CRIU. Each node's part runs there through
// atolld (`atoll workload ...`, workload_node.cpp); the decisions are in
// ssi/lib/migrate_plan.cpp.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/migrate_plan.hpp"
#include "atoll/ssi/size.hpp"
#include "address_claim.hpp"
#include "atoll/wire/messages.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"
#include "json_text.hpp"
#include "remote.hpp"
#include "workload_ops.hpp"

namespace fs = std::filesystem;

namespace atl::cli {
namespace {

// ------------------------------------------------------------------ start

void start_help() {
    std::cout <<
R"(NAME
    atoll start - start a workload that atoll migrate can move

SYNOPSIS
    atoll start [--name NAME] [--cwd DIR] [--ip auto|ADDR] NODE -- CMD [ARG]...

DESCRIPTION
    Starts CMD on NODE as a workload: a process tree in PID, IPC, UTS and
    time namespaces of its own (CMD is PID 1 there, its host name is NAME)
    and in a cgroup of its own (/sys/fs/cgroup/atoll-workloads/NAME),
    detached from this command, with its standard streams on /dev/null.
    Write its output to a file under /home: /home is the same on every
    node, so the file follows the workload when it moves.

    The name is the cluster's: no other node may run a workload of that
    name. atoll workloads lists them; atoll migrate moves one.

    With --ip it also gets a network namespace of its own, with an address
    on the cluster's network that is the workload's, not the node's: its
    eth0 holds it, and whatever node runs the workload answers for it, so
    peers reach it at the same address after every move, and its TCP
    connections move with it (doc/migration.md). Without --ip it shares
    its node's network, and a move refuses its established connections.

OPTIONS
    --name NAME   1 to 32 of A-Z a-z 0-9 _ . - (default: CMD's base name)
    --cwd DIR     its working directory (default /); it must exist on every
                  node it will move to (/ and /home do)
    --ip auto|ADDR
                  its own IPv4 address: ADDR, or with auto the first of
                  .100 to .254 on NODE's network that no node and no
                  workload has

EXIT STATUS
    0 started; 1 refused or failed (the reason is printed; nothing is left
    running); 2 usage error
)";
}

// The address for atoll start --ip (ssi::choose_workload_address): every
// node's address and every workload's are taken, and those this start
// passed over (`passed`: another command's).
std::string start_address(const std::string& want, const wire::Nodes& table, const std::vector<Placed>& running,
                          const std::string& node, const std::map<std::string, std::string>& passed) {
    std::map<std::string, std::string> taken = passed;
    taken.merge(taken_addresses(table, running));
    std::string why;
    bool usage = false;
    const auto a = ssi::choose_workload_address(want, taken, find_node(table, node).address, why, usage);
    if (!a) {
        if (usage)
            throw UsageError(why);
        throw ssi::Failure(why);
    }
    return *a;
}

int run_start(const Args& args) {
    std::string name, cwd = "/", node, ip;
    std::vector<std::string> argv;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            start_help();
            return exit_ok;
        } else if (a == "--") {
            argv.assign(args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        } else if ((a == "--name" || a == "--cwd" || a == "--ip") && i + 1 < args.size()) {
            (a == "--name" ? name : a == "--cwd" ? cwd : ip) = std::string(args[++i]);
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else if (node.empty()) {
            node = std::string(a);
        } else {
            throw UsageError("unexpected '" + std::string(a) + "' (the command goes after --)");
        }
    }
    if (node.empty() || argv.empty())
        throw UsageError("atoll start [--name NAME] [--cwd DIR] [--ip auto|ADDR] NODE -- CMD [ARG]...");
    if (name.empty())
        name = fs::path(argv[0]).filename().string();
    if (!ssi::valid_workload_name(name))
        throw UsageError("'" + name + "' is not a workload name (1 to 32 of A-Z a-z 0-9 _ . -): give --name");
    std::vector<std::string> unreached;
    const auto table = node_table();
    auto running = collect(table, unreached);
    for (const auto& p : running)
        if (p.record.name == name)
            throw ssi::Failure("a workload named '" + name + "' runs on " + p.node + " already");
    // With --ip: the address claimed (address_claim.hpp), then checked
    // free again, before the workload gets it. With auto, an address
    // another command holds or took meanwhile is passed over.
    std::map<std::string, std::string> passed;
    AddressClaim claim;
    std::string address;
    for (int tries = 0; !ip.empty(); ++tries) {
        address = start_address(ip, table, running, node, passed);
        if (!claim.take(address)) {
            if (ip != "auto" || tries == 50)
                throw ssi::Failure(address + " is being given to a workload by another command right now");
            passed.emplace(address, "claimed by another command");
            continue;
        }
        std::vector<std::string> unr;
        running = collect(table, unr);   // the check after the claim: see address_claim.hpp
        const auto taken = taken_addresses(table, running);
        const auto holder = taken.find(address);
        if (holder == taken.end())
            break;
        claim.release();
        if (ip != "auto" || tries == 50)
            throw ssi::Failure(address + " was taken meanwhile: it is " + holder->second);
        passed.emplace(address, holder->second);
    }
    std::vector<std::string> cmd{"atoll", "workload", "spawn", name, "--cwd", cwd};
    if (!address.empty())
        cmd.insert(cmd.end(), {"--ip", address});
    cmd.push_back("--");
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    const RemoteResult r = run_on(node, cmd);
    const auto rec = ssi::parse_workload_record(r.out.substr(0, r.out.find('\n')));
    if (!r.ok() || !rec)
        throw ssi::Failure("'" + name + "' not started on " + node + ": " + r.reason());
    std::cout << name << " started on " << node << " (pid " << rec->pid
              << (address.empty() ? "" : ", address " + address) << ")\n";
    return exit_ok;   // the claim goes: the workload's record holds the address now
}

// -------------------------------------------------------------- workloads

int run_workloads(const Args& args) {
    bool json = false;
    for (const auto a : args) {
        if (a == "--help" || a == "-h") {
            std::cout << "NAME\n    atoll workloads - the workloads of every node (atoll start, atoll migrate)\n\n"
                         "SYNOPSIS\n    atoll workloads [--json]\n\n"
                         "DESCRIPTION\n    One line per workload: its name, the node it runs on, its PID there,\n"
                         "    its state (running; stopped while a move freezes it), the RSS of all\n"
                         "    its processes, its own address (atoll start --ip; - for none), MOVING\n"
                         "    when a migration holds it, and its command.\n"
                         "    Up nodes that did not answer are named on standard error.\n\n"
                         "EXIT STATUS\n    0; 1 when a node did not answer; 2 usage error\n";
            return exit_ok;
        }
        if (a != "--json")
            throw UsageError("unknown option '" + std::string(a) + "'");
        json = true;
    }
    std::vector<std::string> unreached;
    const auto all = collect(node_table(), unreached);
    if (json) {
        std::cout << "[";
        for (std::size_t k = 0; k < all.size(); ++k) {
            const auto& [node, r] = all[k];
            std::cout << (k ? ",\n " : "") << "{\"name\": " << json_string(r.name) << ", \"node\": "
                      << json_string(node) << ", \"pid\": " << r.pid << ", \"state\": " << json_string(r.state)
                      << ", \"rss_kib\": " << r.rss_kib << ", \"moving\": " << (r.moving ? "true" : "false")
                      << ", \"address\": " << (r.address.empty() ? "null" : json_string(r.address))
                      << ", \"command\": " << json_string(r.command) << "}";
        }
        std::cout << "]\n";
    } else {
        std::printf("%-16s %-8s %8s %-8s %9s  %-15s  %s\n", "NAME", "NODE", "PID", "STATE", "RSS", "ADDRESS",
                    "COMMAND");
        for (const auto& [node, r] : all)
            std::printf("%-16s %-8s %8lld %-8s %9s  %-15s  %s%s\n", r.name.c_str(), node.c_str(),
                        static_cast<long long>(r.pid), r.state.c_str(), mib(r.rss_kib * 1024).c_str(),
                        r.address.empty() ? "-" : r.address.c_str(), r.moving ? "MOVING " : "", r.command.c_str());
    }
    for (const auto& u : unreached)
        std::cerr << "atoll workloads: " << u << "\n";
    return unreached.empty() ? exit_ok : exit_refused;
}

// ---------------------------------------------------------------- migrate

void migrate_help() {
    std::cout <<
R"(NAME
    atoll migrate - move a running workload to another kernel

SYNOPSIS
    atoll migrate NAME|NODE:PID DEST [--rounds N|auto | --postcopy] [--json]

DESCRIPTION
    Moves workload NAME (atoll start), or the workload that holds process
    NODE:PID (as atoll ps names it), from the node it runs on to node
    DEST with CRIU. Its pages go over vnet into DEST's RAM (CRIU's page
    server there, one per round); the rest of CRIU's images, small, go
    through /home/.atoll/migrate.

    1. Checks first, freezing nothing: the workload exists on one node and
       is not being moved; DEST is another node, up, without a workload of
       that name, with twice the workload's RSS and 64 MiB more available
       (the pages arrive before the restore maps them).
    2. Pre-copy: rounds of criu pre-dump --track-mem while the workload
       runs, each sending only the pages dirtied since the last, until a
       round sends 1 MiB or less, stops shrinking (0.8x the one before),
       or N rounds were made.
    3. The final dump freezes the workload and sends what is left; the
       source keeps it stopped. DEST restores it from its RAM (the same
       PIDs inside its namespace, its open files reopened by path).
    4. Only once DEST runs it is the source's stopped copy killed and the
       images removed. A failure before that (a dump or restore error, DEST
       lost) resumes the workload on the source, and the command says what
       failed, with CRIU's error lines; nothing is lost. The images and the
       pages DEST received go; CRIU's logs are kept in
       /var/log/atoll/migrate on this node.

       DEST lost mid-move (stopped, crashed, not answering twice in a row)
       is such a failure, noticed within seconds. So are SIGINT, SIGTERM
       and SIGHUP given to this command before DEST's restore succeeded
       (a dump under way on the source is let finish first); after it,
       a signal changes nothing. Only SIGKILL leaves the workload locked
       (and stopped, if it came during the final dump): atoll exec SOURCE
       -- atoll workload resume NAME frees it.

    Progress goes to standard output: each round's size and time, then the
    downtime (from the final dump's start until DEST runs the workload)
    and, with --postcopy, how long the pages took to follow.

    A process that is in no workload is refused with the reason, before
    anything is frozen: it shares its node's PID namespace, and restoring
    it elsewhere would need the same PIDs free there.

    A workload started with --ip moves with its network namespace: its
    address, and its TCP connections, established ones included (CRIU's
    --tcp-established; the peers see a pause, not a reset). The source
    stops answering for the address after the final dump; DEST answers
    and announces it once the restore runs. If the move fails after the
    final dump, the source unlocks the connections and answers again.

    With --postcopy the memory moves after the restore instead (CRIU's
    lazy pages): the final dump freezes the workload and writes all but
    its memory; DEST restores it at once, and it runs there while DEST
    pulls its pages from the source, each page it touches first, the rest
    in the background, until all came; then the source's copy goes. The
    downtime no longer grows with the workload's size, but the move lasts
    until every page came, the workload runs slower while it faults them
    in, and for that time it lives on both kernels: if the source is lost
    then, the pages DEST lacks are lost and so is the workload (its copy
    on DEST is ended). If DEST is lost, or the transfer fails, the source
    resumes the workload from the moment it froze. Hence opt-in, for
    workloads too large or too busy for pre-copy.

    Not moved: TCP connections of a workload without --ip (it shares its
    node's network: CRIU refuses established connections there, and the
    move is refused at the dump, the workload running on), files in a
    node's own tmpfs (/tmp, /run: restore fails, the workload runs on at
    the source).

OPTIONS
    --rounds N|auto
                 at most N pre-copy rounds (default 4; 0: stop-and-copy;
                 auto: until the dirty set stops shrinking, at most 12)
    --postcopy   move the memory after the restore (above); no pre-copy
    --json       one JSON object at the end instead of the summary line

EXIT STATUS
    0 moved; 1 refused, or failed with the workload running on at the
    source (the reason is printed); 2 usage error
)";
}

// NODE:PID, as atoll ps prints it: the workload that holds that process
// (atoll ps's WORKLOAD), or a refusal that says why it cannot move.
std::string workload_holding(const std::string& target) {
    const auto colon = target.rfind(':');
    const std::string node = target.substr(0, colon), pid_text = target.substr(colon + 1);
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9)
        throw UsageError("'" + target + "' is neither a workload name nor NODE:PID");
    const auto pid = static_cast<std::uint32_t>(std::stoul(pid_text));
    const auto table = node_table();
    const wire::NodeEntry& n = find_node(table, node);
    if (n.state != ATOLL_NODE_UP)
        throw ssi::Failure(n.name + " is not up (atoll nodes)");
    auto link = routed_link(n.id);
    const auto ps = wire::Processes::decode(ask(*link, ATOLL_WIRE_PS_REQ, {}, ATOLL_WIRE_PS).payload);
    if (!ps)
        throw ssi::Failure(n.name + " gave a malformed process list");
    for (const auto& p : ps->list) {
        if (p.pid != pid)
            continue;
        if (!p.workload.empty() && ssi::valid_workload_name(p.workload))
            return p.workload;
        // openMosix's "cantmove" in spirit: say why, freeze nothing.
        throw ssi::Failure(n.name + ":" + pid_text + " (" + p.command.substr(0, 60) +
                           ") is not in a workload, so it cannot move: it lives in " + n.name +
                           "'s own PID namespace, and a restore elsewhere needs the same PIDs free there, "
                           "which nothing reserves. Start it with atoll start to make it movable.");
    }
    throw ssi::Failure("no process " + pid_text + " on " + n.name + " (atoll ps --node " + n.name + ")");
}

struct Round {
    std::uint64_t bytes = 0;
    double seconds = 0;
};

// Thrown by a step of a move that started: what failed, for a person.
struct MoveFailed {
    std::string what;
};

// SIGINT, SIGTERM or SIGHUP during a move (defer_stop_signals): the move
// is undone, not left half-done with the workload stopped and locked on
// the source. The move checks between steps and while it waits on the
// destination (a dump on the source is let finish: it is bounded, and
// CRIU killed mid-dump would take the workload along).
void stop_if_interrupted() {
    if (auto why = interruption(); !why.empty())
        throw MoveFailed{why};
}

int run_migrate(const Args& args) {
    std::string name, dest;
    bool json = false, postcopy = false, rounds_given = false;
    ssi::PrecopyPolicy policy;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            migrate_help();
            return exit_ok;
        } else if (a == "--json") {
            json = true;
        } else if (a == "--postcopy") {
            postcopy = true;
        } else if (a == "--rounds" && i + 1 < args.size()) {
            const std::string v(args[++i]);
            if (v != "auto" && !ssi::parse_number(v))
                throw UsageError("--rounds wants a number or auto, not '" + v + "'");
            policy.max_rounds = v == "auto" ? ssi::auto_rounds_limit : count_argument("--rounds", v);
            rounds_given = true;
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else if (name.empty()) {
            name = std::string(a);
        } else if (dest.empty()) {
            dest = std::string(a);
        } else {
            throw UsageError("unexpected '" + std::string(a) + "'");
        }
    }
    if (name.empty() || dest.empty())
        throw UsageError("atoll migrate NAME|NODE:PID DEST [--rounds N|auto | --postcopy] [--json]");
    if (postcopy && rounds_given && policy.max_rounds > 0)
        throw UsageError("--postcopy moves the memory after the restore, so it makes no pre-copy rounds: "
                         "drop --rounds (CRIU would restore the pages a round sent before the workload "
                         "runs, which is the wait post-copy avoids)");
    if (postcopy)
        policy.max_rounds = 0;
    if (name.find(':') != std::string::npos) {
        const std::string target = name;
        name = workload_holding(target);
        if (!json)
            std::cout << target << " is in workload " << name << ": moving all of it\n";
    }

    const auto table = node_table();
    std::vector<std::string> unreached;
    const auto all = collect(table, unreached);
    ssi::MoveFacts f;
    std::string dest_address, src_address;
    f.name = name;
    f.dest = dest;
    for (const auto& n : table.nodes)
        if (n.name == dest || std::to_string(n.id) == dest) {
            f.dest = n.name;
            f.dest_known = true;
            f.dest_up = n.state == ATOLL_NODE_UP;
            f.dest_available_kib = n.status.mem_available_kib;
            dest_address = n.address;
        }
    for (const auto& p : all) {
        if (p.record.name != name)
            continue;
        if (p.node == f.dest)
            f.dest_has_name = true;
        if (f.source.empty()) {
            f.source = p.node;
            f.record = p.record;
        } else {
            f.also_on.push_back(p.node);
        }
    }
    if (f.source.empty() && !unreached.empty())
        throw ssi::Failure("no node that answered runs '" + name + "'; not answering: " + unreached.front());
    if (const auto why = ssi::refuse_move(f))
        throw ssi::Failure(*why);
    const std::string src = f.source;
    const std::string pid = std::to_string(f.record->pid);
    for (const auto& n : table.nodes)
        if (n.name == src)
            src_address = n.address;

    const fs::path dir = stamped_dir("/home/.atoll/migrate", name);
    std::error_code ec;
    defer_stop_signals();   // from the lock on, a signal undoes the move
    if (const RemoteResult r = run_on(src, {"atoll", "workload", "lock", name}); !r.ok()) {
        fs::remove_all(dir, ec);
        throw ssi::Failure(r.reason());
    }
    if (!json)
        std::cout << "moving " << name << " (pid " << pid << ", " << mib(f.record->rss_kib * 1024) << ") from " << src
                  << " to " << f.dest << "\n"
                  << std::flush;

    // Pages go straight into the destination's RAM: CRIU's page server
    // there, one per round, on a port of this move's own.
    const std::string port = std::to_string(27000 + std::random_device{}() % 2000);
    const auto add_page_server = [&](std::vector<std::string>& cmd) {
        cmd.insert(cmd.end(), {"--page-server", "--address", dest_address, "--port", port});
    };
    // A destination lost mid-move (stopped, crashed, unreachable) must end
    // the move within seconds, not after TCP's quarter of an hour:
    // - a step on the destination is abandoned (run_on's watch);
    // - a dump on the source is not killed (CRIU killed while its parasite
    //   is inside the workload would take the workload with it): its
    //   connection to the lost page server is closed under it (ss -K), so
    //   CRIU fails its own way, resuming the workload.
    const Watch dest_lost = node_lost_watch(f.dest);
    std::string lost_dest;   // why the destination is lost, once it is
    const Watch cut_when_dest_lost = [&]() -> std::string {
        if (const auto why = dest_lost(); !why.empty()) {
            lost_dest = why;
            try {
                (void)run_on(src, {"ss", "-K", "-t", "dst", dest_address, "dport", "=", ":" + port});
            } catch (const std::exception&) {
            }
        }
        return "";
    };
    // A step on the destination: abandoned when it is lost or, if
    // `interruptible`, when a signal asks to stop. (The restore is not:
    // once it succeeded the move is done, and a signal changes nothing.)
    const auto on_dest = [&](const std::vector<std::string>& argv, bool interruptible = true) {
        const Watch watch = [&]() -> std::string {
            if (auto why = interruption(); !why.empty() && interruptible)
                return why;
            return dest_lost();
        };
        RemoteResult r = run_on(f.dest, argv, watch);
        if (!r.lost.empty() && r.lost.starts_with(f.dest + " is "))
            lost_dest = r.lost;
        if (interruptible)
            stop_if_interrupted();
        return r;
    };
    const auto receive = [&](const std::string& k, const std::string& prev) {
        std::vector<std::string> argv{"atoll", "workload", "receive", name, k, port};
        if (!prev.empty())
            argv.insert(argv.end(), {"--prev", prev});
        if (const RemoteResult r = on_dest(argv); !r.ok())
            throw MoveFailed{"the page server did not start on " + f.dest + " (" +
                             (r.err.empty() ? r.reason() : r.err.substr(0, r.err.find_last_not_of('\n') + 1)) + ")"};
    };
    // What round k sent, from the destination's side.
    const auto received_bytes = [&](const std::string& k) -> std::uint64_t {
        const RemoteResult r = on_dest({"atoll", "workload", "received", name, k});
        return r.ok() ? std::strtoull(r.out.c_str(), nullptr, 10) : 0;
    };
    const auto t_start = Clock::now();
    std::vector<Round> rounds;
    std::vector<std::uint64_t> written;
    double dump_s = 0, restore_s = 0, downtime_s = 0;
    std::uint64_t final_bytes = 0;
    std::string new_pid;
    bool restore_tried = false;
    // Undoes a move that started: a half restore on the destination goes,
    // the source's copy runs again, CRIU's logs stay for a post-mortem.
    const auto abort_move = [&](const std::string& what) {
        try {
            if (restore_tried)
                (void)on_dest({"atoll", "workload", "end", name}, false);
            (void)on_dest({"atoll", "workload", "drop", name}, false);   // a page server, pages received
        } catch (const std::exception&) {
        }
        std::string resumed = "it runs on at " + src;
        try {
            if (!run_on(src, {"atoll", "workload", "resume", name}).ok())
                resumed = "resuming it on " + src + " failed too: atoll workload resume " + name + " there";
        } catch (const std::exception& e) {
            resumed = "resuming it on " + src + " failed too (" + e.what() + ")";
        }
        const auto nl = what.find('\n');   // CRIU's lines, if any, go last
        const std::string logs = keep_logs(dir);
        throw ssi::Failure("move of '" + name + "' failed: " + what.substr(0, nl) + "; " + resumed +
                           " (CRIU's logs: " + logs + ")" +
                           (nl == std::string::npos ? std::string() : what.substr(nl)));
    };
    try {
        // Pre-copy, the workload running.
        for (auto step = ssi::next_precopy(policy, written); step.again; step = ssi::next_precopy(policy, written)) {
            const std::string k = std::to_string(rounds.size() + 1);
            const std::string prev = rounds.empty() ? "" : std::to_string(rounds.size());
            fs::create_directories(dir / k);
            std::vector<std::string> cmd{"criu", "pre-dump", "-t", pid, "-D", (dir / k).string(), "--track-mem",
                                         "--manage-cgroups=ignore", "-o", "pre-dump.log", "-v2"};
            add_page_server(cmd);
            if (!prev.empty())
                cmd.insert(cmd.end(), {"--prev-images-dir", "../" + prev});
            const auto t0 = Clock::now();
            receive(k, prev);
            const RemoteResult r = run_on(src, cmd, cut_when_dest_lost);
            stop_if_interrupted();
            if (!r.ok())
                throw MoveFailed{"pre-copy round " + k + " failed on " + src + " (" +
                                 (lost_dest.empty() ? r.reason() : lost_dest) + ")" +
                                 criu_errors(dir / k / "pre-dump.log")};
            rounds.push_back({received_bytes(k), seconds_since(t0)});
            written.push_back(rounds.back().bytes);
            const auto next = ssi::next_precopy(policy, written);
            if (!json)
                std::cout << "  round " << k << ": " << mib(rounds.back().bytes) << " in " << fixed(rounds.back().seconds)
                          << " s; " << (next.again ? "again: " : "freeze: ") << next.why << "\n"
                          << std::flush;
        }
        // Freeze and the last pages; the source keeps the workload stopped.
        fs::create_directories(dir / "final");
        // Its own namespace: its connections go too, frozen by CRIU's lock
        // (nftables: one table in that namespace, which DEST's restore or
        // our resume removes).
        const bool own_net = !f.record->address.empty();
        std::vector<std::string> cmd;
        if (postcopy) {
            // The dump leaves the memory where it is and serves it, the
            // workload frozen here until DEST pulled every page.
            cmd = {"atoll", "workload", "send-lazy", name, (dir / "final").string(), port};
            if (own_net)
                cmd.push_back("--net");
        } else {
            cmd = {"criu", "dump", "-t", pid, "-D", (dir / "final").string(), "--leave-stopped",
                   "--manage-cgroups=ignore", "-o", "dump.log", "-v2"};
            add_page_server(cmd);
            const std::string prev = rounds.empty() ? "" : std::to_string(rounds.size());
            if (!prev.empty())
                cmd.insert(cmd.end(), {"--track-mem", "--prev-images-dir", "../" + prev});
            if (own_net)
                cmd.insert(cmd.end(), {"--tcp-established", "--network-lock", "nftables"});
            receive("final", prev);   // listening before the freeze: not part of the downtime
        }
        const auto t_freeze = Clock::now();
        RemoteResult r = run_on(src, cmd, cut_when_dest_lost);
        dump_s = seconds_since(t_freeze);
        stop_if_interrupted();
        if (!r.ok())
            throw MoveFailed{"the final dump failed on " + src + " (" +
                             (lost_dest.empty() ? r.reason() : lost_dest) + ")" +
                             criu_errors(dir / "final" / "dump.log")};
        if (!json)
            std::cout << "  final dump: " << fixed(dump_s) << " s (frozen"
                      << (postcopy ? ", its memory left on " + src : std::string()) << ")\n"
                      << std::flush;
        const auto t_restore = Clock::now();
        restore_tried = true;
        std::vector<std::string> restore{"atoll", "workload", "restore", name, (dir / "final").string(), "--cmd",
                                         f.record->command};
        if (postcopy)
            restore.insert(restore.end(), {"--lazy", src_address + ":" + port});
        else
            restore.push_back("--pages");
        if (own_net) {
            // The address is DEST's from here; a failure gives it back (resume).
            if (const RemoteResult u = run_on(src, {"atoll", "workload", "unroute", name}); !u.ok())
                std::cerr << "atoll migrate: " << src << " still answers for " << f.record->address << " ("
                          << u.reason() << "); peers follow DEST's announcement\n";
            restore.insert(restore.end(), {"--ip", f.record->address, "--lock", pid});
        }
        r = on_dest(restore, false);
        restore_s = seconds_since(t_restore);
        const auto rec = ssi::parse_workload_record(r.out.substr(0, r.out.find('\n')));
        if (const auto at = r.out.find("\npages "); at != std::string::npos)
            final_bytes = std::strtoull(r.out.c_str() + at + 7, nullptr, 10);
        if (!r.ok() || !rec)
            throw MoveFailed{"the restore on " + f.dest + " failed: " +
                             (r.err.empty() ? r.reason() : r.err.substr(0, r.err.find_last_not_of('\n') + 1))};
        downtime_s = seconds_since(t_freeze);
        new_pid = std::to_string(rec->pid);
        if (!json)
            std::cout << "  restore on " << f.dest << ": " << fixed(restore_s) << " s\n" << std::flush;
    } catch (const MoveFailed& m) {
        abort_move(m.what);
    } catch (const std::exception& e) {
        abort_move(e.what());   // a node not reached in the middle (run_on throws)
    }

    // Post-copy: DEST runs it already and pulls its pages from the source
    // (the ones it touches first, then the rest in the background); the
    // source's dump ends once every page went. Signals change nothing
    // from here. Losing a side now is post-copy's risk (doc/migration.md).
    double pull_s = 0;
    if (postcopy) {
        if (!json)
            std::cout << "  running on " << f.dest << " after " << fixed(downtime_s) << " s; pulling "
                      << mib(f.record->rss_kib * 1024) << " of memory from " << src << "\n"
                      << std::flush;
        const auto t_pull = Clock::now();
        const Watch src_lost = node_lost_watch(src);
        const Watch either_lost = [&]() -> std::string {
            if (auto why = src_lost(); !why.empty())
                return why;   // abandoned: nothing left to pull from
            if (const auto why = dest_lost(); !why.empty() && lost_dest.empty()) {
                lost_dest = why;   // the source's dump would wait for it: cut, and it resumes the workload
                try {
                    (void)run_on(src, {"ss", "-K", "-t", "dst", dest_address, "sport", "=", ":" + port});
                } catch (const std::exception&) {
                }
            }
            return "";
        };
        RemoteResult r;
        try {
            r = run_on(src, {"atoll", "workload", "sent", name, (dir / "final").string()}, either_lost);
        } catch (const std::exception& e) {
            r.lost = e.what();
        }
        pull_s = seconds_since(t_pull);
        if (!r.ok() && lost_dest.empty() && !r.lost.empty()) {
            // The source is lost, or our link to it, with pages DEST never
            // got: its copy there cannot run on (a page it lacks would read
            // as zeros).
            try {
                (void)on_dest({"atoll", "workload", "end", name}, false);
                (void)on_dest({"atoll", "workload", "drop", name}, false);
            } catch (const std::exception&) {
            }
            // A source that still answers had only its link cut: with
            // DEST's daemon gone its CRIU resumes the workload there.
            bool resumed = false;
            try {
                resumed = src_lost().empty() && run_on(src, {"atoll", "workload", "resume", name}).ok();
            } catch (const std::exception&) {
            }
            const std::string logs = keep_logs(dir);
            if (resumed)
                throw ssi::Failure("move of '" + name + "' failed after the restore (" + r.lost + "); its copy on " +
                                   f.dest + " was ended, and it runs on at " + src +
                                   " from the moment of its freeze (CRIU's logs: " + logs + ")");
            throw ssi::Failure("move of '" + name + "' failed after the restore: " + r.lost + " before " + f.dest +
                               " had pulled all of its memory, and its copy on " + f.dest +
                               " was ended: the workload is lost (post-copy's risk; without --postcopy the "
                               "source keeps it until the destination has it all)");
        }
        if (!r.ok()) {
            const auto nl = r.err.find('\n');   // CRIU's lines after the first
            const std::string criu_lines =
                nl == std::string::npos || nl + 1 >= r.err.size() ? "" : "\n" + r.err.substr(nl + 1, r.err.find_last_not_of('\n') - nl);
            abort_move("post-copy failed after " + fixed(pull_s) + " s (" + (lost_dest.empty() ? r.reason() : lost_dest) +
                       "; what its copy on " + f.dest + " did since the freeze is undone)" + criu_lines);
        }
        (void)on_dest({"atoll", "workload", "drop", name}, false);   // the lazy-pages daemon's images
        if (!json)
            std::cout << "  pulled in " << fixed(pull_s) << " s\n" << std::flush;
    }

    // The destination runs it: the source's stopped copy and the images go.
    std::string warning;
    try {
        if (const RemoteResult r = run_on(src, {"atoll", "workload", "end", name}); !r.ok())
            warning = r.reason();
    } catch (const std::exception& e) {
        warning = e.what();
    }
    fs::remove_all(dir, ec);
    const double total_s = seconds_since(t_start);
    if (json) {
        std::cout << "{\"workload\": " << json_string(name) << ", \"from\": " << json_string(src)
                  << ", \"to\": " << json_string(f.dest) << ", \"pid\": " << new_pid << ", \"rounds\": [";
        for (std::size_t k = 0; k < rounds.size(); ++k)
            std::cout << (k ? ", " : "") << "{\"bytes\": " << rounds[k].bytes << ", \"seconds\": "
                      << fixed(rounds[k].seconds, 3) << "}";
        std::cout << "], \"postcopy\": " << (postcopy ? "true" : "false") << ", \"pull_s\": " << fixed(pull_s, 3)
                  << ", \"final_bytes\": " << final_bytes << ", \"final_dump_s\": " << fixed(dump_s, 3)
                  << ", \"restore_s\": " << fixed(restore_s, 3)
                  << ", \"downtime_s\": " << fixed(downtime_s, 3) << ", \"total_s\": " << fixed(total_s, 3) << "}\n";
    } else {
        std::cout << name << " runs on " << f.dest << " (pid " << new_pid << "); downtime " << fixed(downtime_s)
                  << " s, total " << fixed(total_s) << " s\n";
    }
    if (!warning.empty())
        std::cerr << "atoll migrate: " << name << " moved, but its stopped copy on " << src
                  << " was not removed (" << warning << "): atoll exec " << src << " -- atoll workload end " << name
                  << "\n";
    return exit_ok;
}

}  // namespace

const Command start_command{"start", "start a workload that atoll migrate can move", run_start};
const Command workloads_command{"workloads", "list the workloads of every node", run_workloads};
const Command migrate_command{"migrate", "move a running workload to another kernel (CRIU, pre-copy)", run_migrate};

}  // namespace atl::cli
