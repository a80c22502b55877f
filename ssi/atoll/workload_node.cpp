// `atoll workload`: a node's own side of workloads (doc/migration.md),
// which `atoll start`, `atoll workloads` and `atoll migrate` run on the
// node through atolld. Not for people: each verb does one small thing on
// this kernel and says so on stdout or, failing, on stderr with exit 1.
//
//   spawn NAME [--cwd DIR] [--ip ADDR] -- CMD...   start a workload here
//                                      (--ip: in a network namespace of its
//                                      own with that address, workload_net.hpp)
//   list [NAME]                        this kernel's workloads, one record a line
//   receive NAME ROUND PORT [--prev R] CRIU's page server for one round of a
//                                      move here: pages into this kernel's RAM
//   restore NAME DIR --cmd TEXT [--pages | --lazy ADDR:PORT] [--ip ADDR --lock PID [--tcp-close]]
//                                      CRIU-restore images DIR as workload
//                                      NAME (with --pages: DIR's pages are
//                                      the ones received here; with --lazy:
//                                      pulled from ADDR:PORT as it touches
//                                      them, post-copy; with --ip:
//                                      its own address, dumped by CRIU with
//                                      its network locked by the dump of PID)
//   send-lazy NAME DIR PORT [--net] | sent NAME DIR
//                                      a post-copy move's source: dump without
//                                      the memory, serve it on PORT; wait
//                                      until it was all pulled (workload_postcopy.hpp)
//   received NAME ROUND                bytes of pages that round brought here
//   lock NAME | resume NAME | end NAME | drop NAME (what receive left)
//   unroute NAME                       its address no longer answered here
//                                      (a move's source, after the final dump)
//   criu-hook                          CRIU's action script for a restore
//                                      with --ip (/usr/lib/atoll/criu-hook)
//
// What a workload is here (a record and a cgroup): workload_here.hpp.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/migrate_plan.hpp"
#include "cli.hpp"
#include "workload_net.hpp"
#include "workload_here.hpp"
#include "workload_postcopy.hpp"
#include "workload_ops.hpp"

namespace fs = std::filesystem;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)   // Linux 5.11
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080   // Linux 5.6; older C libraries lack the name
#endif

namespace atl::cli {
namespace {

using namespace here;


// The workload's first process: in new PID, IPC, UTS and (if the kernel
// has them) time namespaces, its own session, the workload's name as host
// name, standard streams on /dev/null; with `net`, in a network namespace
// of its own with that address too. Returns its PID here.
pid_t spawn(const std::string& name, const std::string& cwd, const std::vector<std::string>& argv,
            const std::optional<WorkloadNet>& net) {
    int report[2], net_ready[2], net_go[2];
    if (::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(net_ready, O_CLOEXEC) != 0 || ::pipe2(net_go, O_CLOEXEC) != 0)
        throw ssi::Failure(std::string("pipe: ") + std::strerror(errno));
    const pid_t a = ::fork();
    if (a < 0)
        throw ssi::Failure(std::string("fork: ") + std::strerror(errno));
    if (a == 0) {
        // The go-between: joins the group, makes the namespaces, forks the
        // workload's init and reports {pid, errno of its exec} upwards.
        struct {
            pid_t pid;
            int error;
        } out{-1, 0};
        try {
            join_group(name);
        } catch (...) {
            out.error = EPERM;
            (void)!::write(report[1], &out, sizeof out);
            ::_exit(1);
        }
        const int ns = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (net ? CLONE_NEWNET : 0);
        if (::unshare(ns | CLONE_NEWTIME) != 0 && ::unshare(ns) != 0) {
            out.error = errno;
            (void)!::write(report[1], &out, sizeof out);
            ::_exit(1);
        }
        if (net) {
            // Our network namespace is the new one already: the parent
            // makes the pair into it, then says go.
            char b = 1;
            (void)!::write(net_ready[1], &b, 1);
            if (::read(net_go[0], &b, 1) != 1)
                ::_exit(1);   // the parent failed and said so itself
        }
        int exec_err[2];
        if (::pipe2(exec_err, O_CLOEXEC) != 0)
            ::_exit(1);
        const pid_t b = ::fork();
        if (b == 0) {
            ::setsid();
            (void)!::sethostname(name.data(), name.size());
            const int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            if (null > 2)
                ::close(null);
            if (::chdir(cwd.c_str()) != 0) {
                const int e = errno;
                (void)!::write(exec_err[1], &e, sizeof e);
                ::_exit(126);
            }
            cloexec_all_but_stdio();
            std::vector<char*> args;
            for (const auto& s : argv)
                args.push_back(const_cast<char*>(s.c_str()));
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            const int e = errno;
            (void)!::write(exec_err[1], &e, sizeof e);
            ::_exit(127);
        }
        ::close(exec_err[1]);
        out.pid = b;
        if (b < 0)
            out.error = errno;
        else if (::read(exec_err[0], &out.error, sizeof out.error) != sizeof out.error)
            out.error = 0;   // closed on exec: it runs
        (void)!::write(report[1], &out, sizeof out);
        ::_exit(0);
    }
    ::close(report[1]);
    ::close(net_ready[1]);
    ::close(net_go[0]);
    if (net) {
        char b = 0;
        std::string failed;
        if (::read(net_ready[0], &b, 1) != 1) {
            failed = "its namespaces could not be made";
        } else {
            try {
                net_create(*net, a);
            } catch (const std::exception& e) {
                failed = e.what();
            }
        }
        if (!failed.empty()) {
            ::kill(a, SIGKILL);
            int ws = 0;
            while (::waitpid(a, &ws, 0) < 0 && errno == EINTR) {
            }
            for (const int fd : {report[0], net_ready[0], net_go[1]})
                ::close(fd);
            throw ssi::Failure("cannot give '" + name + "' the address " + net->address + ": " + failed);
        }
        (void)!::write(net_go[1], &b, 1);
    }
    ::close(net_ready[0]);
    ::close(net_go[1]);
    struct {
        pid_t pid;
        int error;
    } got{-1, EIO};
    const bool read_all = ::read(report[0], &got, sizeof got) == sizeof got;
    ::close(report[0]);
    int ws = 0;
    while (::waitpid(a, &ws, 0) < 0 && errno == EINTR) {
    }
    if (!read_all || got.error != 0 || got.pid <= 0)
        throw ssi::Failure("cannot start '" + joined(argv) + "': " +
                           std::strerror(read_all && got.error != 0 ? got.error : EIO));
    return got.pid;
}

int verb_spawn(const Args& args) {
    const char* usage = "workload spawn NAME [--cwd DIR] [--ip ADDR] -- CMD...";
    if (args.size() < 2)
        throw UsageError(usage);
    const std::string name = checked_name(args[1]);
    std::string cwd = "/", address;
    std::size_t i = 2;
    for (; i + 1 < args.size() && (args[i] == "--cwd" || args[i] == "--ip"); i += 2)
        (args[i] == "--cwd" ? cwd : address) = std::string(args[i + 1]);
    if (i >= args.size() || args[i] != "--" || i + 1 >= args.size())
        throw UsageError(usage);
    if (!address.empty() && !ssi::valid_ipv4(address))
        throw UsageError("'" + address + "' is not an IPv4 address");
    std::vector<std::string> argv(args.begin() + static_cast<long>(i) + 1, args.end());
    refuse_if_here(name);
    std::optional<WorkloadNet> net;
    if (!address.empty())
        net = workload_net(address);   // refused before anything is made
    make_group(name);
    pid_t pid = -1;
    try {
        pid = spawn(name, cwd, argv, net);
    } catch (...) {
        if (net)
            net_unroute(*net);
        forget(name);
        throw;
    }
    write_record(name, pid, joined(argv), address);
    std::cout << ssi::format_workload_record(*record_of(name)) << "\n";
    return exit_ok;
}

int verb_list(const Args& args) {
    std::vector<std::string> names;
    if (args.size() > 1) {
        names.push_back(checked_name(args[1]));
    } else {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(records, ec))
            names.push_back(e.path().filename().string());
    }
    for (const auto& n : names) {
        const auto r = record_of(n);
        if (!r)
            continue;
        if (r->state == "gone" && !r->moving) {
            forget(n);   // ended by itself: nothing to show any more
            continue;
        }
        std::cout << ssi::format_workload_record(*r) << "\n";
    }
    return exit_ok;
}

int verb_lock(const std::string& name) {
    const auto r = record_of(name);
    if (!r || r->state == "gone")
        throw ssi::Failure("no workload '" + name + "' here");
    const int fd = ::open((records / name / "moving").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw ssi::Failure(errno == EEXIST ? "'" + name + "' is being moved already (by another atoll migrate)"
                                           : "cannot lock '" + name + "': " + std::strerror(errno));
    ::close(fd);
    return exit_ok;
}

// A dump with its own address that succeeded leaves the workload's
// network locked (CRIU's table "inet CRIU-PID" in its namespace) and its
// TCP connections in repair mode, for a restore elsewhere. When that
// restore fails, they must work again here: the table goes, and every TCP
// socket of every process leaves repair mode (TCP_REPAIR off on a copy of
// its descriptor, for those in repair only).
void unlock_network(const std::string& name, pid_t init) {
    std::string err;
    (void)delete_lock_table(init, init, err);   // not there unless a final dump succeeded
    for (const pid_t p : group_pids(name)) {
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, p, 0));
        if (pidfd < 0)
            continue;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(p) + "/fd", ec)) {
            const auto target = fs::read_symlink(e.path(), ec);
            if (ec || !target.string().starts_with("socket:"))
                continue;
            const int fd = static_cast<int>(
                ::syscall(SYS_pidfd_getfd, pidfd, std::atoi(e.path().filename().c_str()), 0));
            if (fd < 0)
                continue;
            int repair = 0;
            socklen_t len = sizeof repair;
            if (::getsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &repair, &len) == 0 && repair == 1) {
                const int off = 0;   // TCP_REPAIR_OFF: and a window probe, so the peer sends again
                (void)::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof off);
            }
            ::close(fd);
        }
        ::close(pidfd);
    }
}

// SIGCONT to every process (a dump that left them stopped, or a failed
// move), then the lock goes. A workload with its own address gets its
// network back first: unlocked, routed and announced here again.
int verb_resume(const std::string& name) {
    // A post-copy dump that still holds it goes first: CRIU's end detaches
    // it (a tracer's exit restarts its tracees).
    remove_group(outgoing_group(name));
    if (const auto r = record_of(name); r && !r->address.empty() && r->state != "gone") {
        unlock_network(name, static_cast<pid_t>(r->pid));
        try {
            const auto net = workload_net(r->address);
            net_route(net);
            net_announce(net);
        } catch (const std::exception& e) {
            std::cerr << "atoll workload resume: " << name << ": " << e.what() << "\n";
        }
    }
    for (const pid_t p : group_pids(name))
        ::kill(p, SIGCONT);
    std::error_code ec;
    fs::remove(records / name / "moving", ec);
    const auto r = record_of(name);
    std::cout << (r ? ssi::format_workload_record(*r) : name + " gone") << "\n";
    return exit_ok;
}

// A move's source after its final dump: the workload's address is the
// destination's from now (the stopped copy keeps its pair until it ends).
int verb_unroute(const std::string& name) {
    const auto r = record_of(name);
    if (!r)
        throw ssi::Failure("no workload '" + name + "' here");
    if (!r->address.empty())
        net_unroute(workload_net(r->address));
    return exit_ok;
}

// CRIU's action script for a restore with --ip (CRIU runs it with
// CRTOOLS_SCRIPT_ACTION; `atoll workload restore` put the address and the
// dump's PID in ATOLL_WORKLOAD_IP and ATOLL_WORKLOAD_LOCK):
// - post-setup-namespaces: CRIU made the pair, the outer end down: route it;
// - network-unlock: delete the dump's lock table. CRIU 3.17 deletes one
//   named after the restored PID instead (fixed upstream in 4.1), which
//   is not there, and the workload would stay cut off.
int verb_criu_hook() {
    const char* action = std::getenv("CRTOOLS_SCRIPT_ACTION");
    const char* address = std::getenv("ATOLL_WORKLOAD_IP");
    const char* lock = std::getenv("ATOLL_WORKLOAD_LOCK");
    const char* init = std::getenv("CRTOOLS_INIT_PID");
    if (action == nullptr || address == nullptr)
        return exit_ok;
    const std::string_view act = action;
    if (act == "post-setup-namespaces") {
        net_route(workload_net(address));
    } else if (act == "network-unlock" && lock != nullptr && init != nullptr) {
        std::string err;
        if (!delete_lock_table(std::atol(init), std::atol(lock), err))
            std::cerr << "atoll workload criu-hook: deleting the lock table CRIU-" << lock << ": " << err;
    }
    return exit_ok;
}

int verb_end(const std::string& name) {
    remove_group(outgoing_group(name));   // a post-copy dump still serving pages
    forget(name);
    return exit_ok;
}

// Whatever a move left here before its restore: a page server still
// waiting, the pages received.
int verb_drop(const std::string& name) {
    remove_group(incoming_group(name));
    std::error_code ec;
    fs::remove_all(incoming / name, ec);
    return exit_ok;
}

// Starts CRIU's page server for round ROUND ("1", "2", ..., "final") of a
// move of NAME to this kernel, listening on PORT, and returns once it
// listens (CRIU's --status-fd). It ends by itself after one dump has sent
// its pages, or after 15 minutes (a source that never came).
int verb_receive(const Args& args) {
    if (args.size() != 4 && !(args.size() == 6 && args[4] == "--prev"))
        throw UsageError("workload receive NAME ROUND PORT [--prev ROUND]");
    const std::string name = checked_name(args[1]);
    const std::string round(args[2]), port(args[3]);
    const std::string prev = args.size() == 6 ? std::string(args[5]) : "";
    if (!ssi::valid_workload_name(round) || (!prev.empty() && !ssi::valid_workload_name(prev)) ||
        !valid_port(port))
        throw UsageError("workload receive NAME ROUND PORT [--prev ROUND]");
    if (prev.empty())
        verb_drop(name);   // a first round: nothing of an earlier move stays
    const fs::path dir = incoming / name / round;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw ssi::Failure("cannot make " + dir.string() + ": " + ec.message());
    fs::create_directories(groups / incoming_group(name), ec);
    std::vector<std::string> argv{"timeout", "900", "criu", "page-server", "-D", dir.string(), "--port", port,
                                  "--status-fd", "3", "-o", "page-server.log", "-v2"};
    if (!prev.empty())
        argv.insert(argv.end(), {"--prev-images-dir", "../" + prev});
    if (!start_detached(incoming_group(name), argv)) {
        // It ended before it listened: say why, leave nothing.
        const std::string why = log_errors(dir / "page-server.log");
        verb_drop(name);
        std::cerr << "criu page-server did not start on port " << port << "\n" << why;
        return exit_refused;
    }
    return exit_ok;   // the page server runs on, in its own group
}

// The last lines of a CRIU log that say what went wrong.

// With the pages received here (incoming/NAME/final and its parents), the
// rest of the images (small: processes, files, memory layout) come from
// `from`, on /home: copied in beside them. Returns where to restore from.
fs::path gather_images(const std::string& name, const fs::path& from) {
    const fs::path into = incoming / name / "final";
    if (!fs::is_directory(into))
        throw ssi::Failure("no pages of '" + name + "' were received here (" + into.string() + ")");
    for (const auto& e : fs::directory_iterator(from)) {
        if (!e.is_regular_file() || e.is_symlink() || fs::exists(into / e.path().filename()))
            continue;
        fs::copy_file(e.path(), into / e.path().filename());
    }
    return into;
}

int verb_restore(const Args& args) {
    const char* usage =
        "workload restore NAME DIR --cmd TEXT [--pages | --lazy ADDR:PORT] [--ip ADDR --lock PID [--tcp-close]]";
    if (args.size() < 5 || args[3] != "--cmd")
        throw UsageError(usage);
    bool received = false, tcp_close = false;
    std::string address, lock, lazy_from;
    for (std::size_t i = 5; i < args.size(); ++i) {
        if (args[i] == "--pages")
            received = true;
        else if (args[i] == "--tcp-close")
            tcp_close = true;
        else if (args[i] == "--lazy" && i + 1 < args.size())
            lazy_from = std::string(args[++i]);
        else if ((args[i] == "--ip" || args[i] == "--lock") && i + 1 < args.size()) {
            std::string& into = args[i] == "--ip" ? address : lock;   // before ++i below
            into = std::string(args[++i]);
        }
        else
            throw UsageError(usage);
    }
    if (!address.empty() &&
        (!ssi::valid_ipv4(address) || lock.empty() || lock.find_first_not_of("0123456789") != std::string::npos))
        throw UsageError(usage);
    const bool lazy = !lazy_from.empty();
    const auto colon = lazy_from.rfind(':');
    if (lazy && (received || colon == std::string::npos || !ssi::valid_ipv4(lazy_from.substr(0, colon))))
        throw UsageError(usage);
    const std::string name = checked_name(args[1]);
    const std::string cmd(args[4]);
    refuse_if_here(name);
    if (lazy) {
        // Post-copy: no pages came before; the images come in beside
        // where CRIU's lazy-pages daemon will pull the pages into.
        verb_drop(name);
        std::error_code ec;
        fs::create_directories(incoming / name / "final", ec);
        received = true;
    }
    std::optional<WorkloadNet> net;
    if (!address.empty()) {
        try {
            net = workload_net(address);
        } catch (...) {
            if (received)
                verb_drop(name);
            throw;
        }
    }
    fs::path dir(args[2]);
    std::uint64_t received_bytes = 0;
    if (received) {
        try {
            dir = gather_images(name, args[2]);
        } catch (const std::exception& e) {
            verb_drop(name);
            throw ssi::Failure(std::string("gathering the images: ") + e.what());
        }
        received_bytes = pages_bytes(dir);
    }
    if (lazy) {
        std::string why;
        if (!postcopy::start_lazy_pages(name, dir, fs::path(args[2]), lazy_from.substr(0, colon), lazy_from.substr(colon + 1), why)) {
            verb_drop(name);
            std::cerr << why;
            return exit_refused;
        }
    }
    // The received pages go, CRIU's log staying with the rest; with
    // post-copy only after a failure (after success, the lazy-pages daemon
    // works on: `workload drop` once the source sent every page).
    const auto finish = [&](bool ok) {
        if (!received)
            return;
        std::error_code ec;
        fs::copy_file(dir / "restore.log", fs::path(args[2]) / "restore.log", fs::copy_options::overwrite_existing,
                      ec);
        if (!lazy || !ok)
            verb_drop(name);
    };
    make_group(name);
    const fs::path pidfile = dir / "restored.pid";
    std::error_code ec;
    fs::remove(pidfile, ec);
    const pid_t c = ::fork();
    if (c < 0)
        throw ssi::Failure(std::string("fork: ") + std::strerror(errno));
    if (c == 0) {
        // CRIU's restored processes stay where CRIU runs (cgroups ignored:
        // the source's group paths mean nothing here): in the group.
        try {
            join_group(name);
        } catch (...) {
            ::_exit(125);
        }
        cloexec_all_but_stdio();
        const std::string d = dir.string(), pf = pidfile.string();
        std::vector<std::string> argv{"criu", "restore", "-D", d, "-d", "--manage-cgroups=ignore", "--pidfile", pf,
                                      "-o", "restore.log", "-v2"};
        if (lazy)
            argv.push_back("--lazy-pages");
        if (net) {
            // Its namespace comes back whole; the pair's outer end is made
            // here under the name it had, and routed by the hook.
            argv.insert(argv.end(), {tcp_close ? "--tcp-close" : "--tcp-established", "--veth-pair",
                                     "eth0=" + net->outer, "--action-script", criu_hook_path});
            ::setenv("ATOLL_WORKLOAD_IP", address.c_str(), 1);
            ::setenv("ATOLL_WORKLOAD_LOCK", lock.c_str(), 1);
        }
        exec_or_exit(argv);
    }
    int ws = 0;
    while (::waitpid(c, &ws, 0) < 0 && errno == EINTR) {
    }
    const std::string pid_text = trimmed(read_text_file(pidfile));
    const std::string errors = log_errors(dir / "restore.log");
    const bool restored = WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && !pid_text.empty();
    finish(restored);
    if (!restored) {
        forget(name);   // whatever CRIU had made of it
        if (net)
            net_unroute(*net);   // what the hook routed, if it ran
        // One line for a person, then CRIU's own words.
        std::cerr << (WIFEXITED(ws) && WEXITSTATUS(ws) == 127
                          ? std::string("criu not found")
                          : "criu restore failed (status " + std::to_string(WEXITSTATUS(ws)) + ")")
                  << "\n"
                  << errors;
        return exit_refused;
    }
    write_record(name, static_cast<pid_t>(std::stol(pid_text)), cmd, address);
    if (net)
        net_announce(*net);   // peers' ARP caches point here now
    std::cout << ssi::format_workload_record(*record_of(name)) << "\n";
    if (received)
        std::cout << "pages " << received_bytes << "\n";   // what the last round sent, for the progress line
    return exit_ok;
}

int run_workload(const Args& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << "atoll workload spawn|list|receive|received|restore|lock|resume|unroute|end|drop|criu-hook ...:\n"
                     "the node side of atoll start, atoll workloads and atoll migrate, run through\n"
                     "atolld (see atoll migrate --help)\n";
        return args.empty() ? exit_usage : exit_ok;
    }
    const std::string_view verb = args[0];
    if (verb == "criu-hook")
        return verb_criu_hook();
    if (verb == "spawn")
        return verb_spawn(args);
    if (verb == "list")
        return verb_list(args);
    if (verb == "restore")
        return verb_restore(args);
    if (verb == "receive")
        return verb_receive(args);
    if (verb == "send-lazy")
        return postcopy::verb_send_lazy(args);
    if (verb == "sent")
        return postcopy::verb_sent(args);
    if (verb == "received") {
        if (args.size() != 3 || !ssi::valid_workload_name(args[2]))
            throw UsageError("workload received NAME ROUND");
        std::cout << pages_bytes(incoming / checked_name(args[1]) / std::string(args[2])) << "\n";
        return exit_ok;
    }
    if (args.size() != 2)
        throw UsageError("workload " + std::string(verb) + " NAME");
    const std::string name = checked_name(args[1]);
    if (verb == "lock")
        return verb_lock(name);
    if (verb == "resume")
        return verb_resume(name);
    if (verb == "unroute")
        return verb_unroute(name);
    if (verb == "end")
        return verb_end(name);
    if (verb == "drop")
        return verb_drop(name);
    throw UsageError("unknown workload verb '" + std::string(verb) + "'");
}

}  // namespace

const Command workload_command{"workload", "(internal) a node's side of start, workloads and migrate", run_workload};

}  // namespace atl::cli
