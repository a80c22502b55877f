// `atoll freeze`, `atoll checkpoint` and `atoll thaw` (doc/migration.md):
// a workload to a file and back, on any node, later. The file is a tar of
// CRIU's images and, last, a manifest (atoll/wire/checkpoint.hpp) that says
// what the workload was called, where it ran, what it ran, and the size and
// SHA-256 of every image: thaw checks them all before it restores anything.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/migrate_plan.hpp"
#include "atoll/wire/checkpoint.hpp"
#include "address_claim.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"
#include "remote.hpp"
#include "sha256.hpp"
#include "workload_ops.hpp"

namespace fs = std::filesystem;

namespace atl::cli {
namespace {

// Every entry of `dir` but the manifest, sorted by name, with its size and
// digest; `odd` names the first entry that is not a regular file (a
// checkpoint holds nothing else).
std::vector<wire::CheckpointImage> images_in(const fs::path& dir, std::string& odd) {
    std::vector<wire::CheckpointImage> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name == wire::checkpoint_manifest_file)
            continue;
        if (!e.is_regular_file() || e.is_symlink()) {
            if (odd.empty())
                odd = name;
            continue;
        }
        out.push_back({name, e.file_size(), sha256_of_file(e.path())});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

// CRIU's images in `dir` and their manifest (`m` with the images filled in)
// into the tar `part`. The manifest goes last: a file cut anywhere lacks
// its end line or an image it lists. "" when done, else what failed.
std::string pack(const fs::path& dir, wire::CheckpointManifest m, const fs::path& part) {
    std::string odd, err;
    try {
        m.images = images_in(dir, odd);
    } catch (const std::exception& e) {   // a digest's read, or the directory's
        return e.what();
    }
    if (!odd.empty())
        return "CRIU left " + odd + ", which is not a regular file, in " + dir.string();
    {
        std::ofstream f(dir / wire::checkpoint_manifest_file);
        f << wire::format_checkpoint_manifest(m);
        if (!f.flush())
            return "cannot write the manifest in " + dir.string();
    }
    std::vector<std::string> tar{"tar", "-C", dir.string(), "-cf", part.string(), "--"};
    for (const auto& i : m.images)
        tar.push_back(i.name);
    tar.push_back(wire::checkpoint_manifest_file);
    if (const int s = run_local(tar, err); s != 0)
        return "writing " + part.string() + " failed (tar status " + std::to_string(s) + ": " +
               err.substr(0, err.find('\n')) + ")";
    return {};
}

// Unpacks the checkpoint `in` into the empty `dir` and checks it whole: the
// manifest to its end line, every image it lists by size and digest, and
// nothing else. nullopt with `why` when it is not whole.
std::optional<wire::CheckpointManifest> unpack(const fs::path& in, const fs::path& dir, std::string& why) {
    std::string err, odd;
    if (const int s = run_local({"tar", "-C", dir.string(), "-xf", in.string()}, err); s != 0) {
        std::string first = err.substr(0, err.find('\n'));
        if (first.starts_with("tar: "))
            first.erase(0, 5);
        why = "tar: " + first;
        return std::nullopt;
    }
    if (!fs::exists(dir / wire::checkpoint_manifest_file)) {
        why = "it has no manifest: cut short, or not made by atoll freeze";
        return std::nullopt;
    }
    auto m = wire::parse_checkpoint_manifest(read_text_file(dir / wire::checkpoint_manifest_file), why);
    if (!m)
        return std::nullopt;
    try {
        const auto found = images_in(dir, odd);
        if (!odd.empty()) {
            why = odd + " is not a regular file";
            return std::nullopt;
        }
        if (const auto diff = wire::compare_checkpoint_images(m->images, found)) {
            why = *diff;
            return std::nullopt;
        }
    } catch (const std::exception& e) {   // a digest's read, or the directory's
        why = e.what();
        return std::nullopt;
    }
    return m;
}

void save_help(bool stop) {
    if (stop)
        std::cout <<
R"(NAME
    atoll freeze - save a workload to a file and stop it

SYNOPSIS
    atoll freeze NAME [--to FILE]

DESCRIPTION
    Dumps workload NAME (atoll start) with CRIU into FILE (default
    /home/NAME.ckpt), then ends it on its node. atoll thaw FILE brings it
    back later, on any node, even after its partition was restarted.

    FILE must not exist. Until FILE is whole the workload is kept, stopped;
    any failure resumes it where it ran, and nothing is written. So does
    SIGINT, SIGTERM or SIGHUP to this command before FILE is whole (a dump
    under way is let finish first).
)";
    else
        std::cout <<
R"(NAME
    atoll checkpoint - save a workload to a file; it runs on

SYNOPSIS
    atoll checkpoint NAME --to FILE

DESCRIPTION
    Dumps workload NAME (atoll start) with CRIU into FILE, which must not
    exist; the workload is frozen only while CRIU dumps it and then runs
    on. atoll thaw FILE [--name NEW] starts a copy of it as it was.
)";
    std::cout <<
R"(
    A workload with its own address (atoll start --ip) is saved with its
    network namespace and address; its TCP connections are saved closed,
    since their peers will have moved on by the time it thaws (a copy
    thaws only once the address is free again).

EXIT STATUS
    0 saved; 1 refused or failed (the reason is printed; the workload runs
    on); 2 usage error
)";
}

// The one node that runs workload `name`.
Placed find_one(const std::string& name) {
    if (!ssi::valid_workload_name(name))
        throw UsageError("'" + name + "' is not a workload name (1 to 32 of A-Z a-z 0-9 _ . -)");
    std::vector<std::string> unreached;
    const auto all = collect(node_table(), unreached);
    std::vector<Placed> found;
    for (const auto& p : all)
        if (p.record.name == name)
            found.push_back(p);
    if (found.empty())
        throw ssi::Failure("no node runs a workload named '" + name + "' (atoll workloads lists them)" +
                           (unreached.empty() ? "" : "; not answering: " + unreached.front()));
    if (found.size() > 1)
        throw ssi::Failure("'" + name + "' is claimed by " + found[0].node + " and " + found[1].node);
    if (found[0].record.moving)
        throw ssi::Failure(ssi::held_by_a_move(name, found[0].node));
    if (found[0].record.state != "running")
        throw ssi::Failure("'" + name + "' on " + found[0].node + " is " + found[0].record.state + ", not running");
    return found[0];
}

int run_save(const Args& args, bool stop) {
    std::string name, file;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            save_help(stop);
            return exit_ok;
        } else if (a == "--to" && i + 1 < args.size()) {
            file = std::string(args[++i]);
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else if (name.empty()) {
            name = std::string(a);
        } else {
            throw UsageError("unexpected '" + std::string(a) + "'");
        }
    }
    if (name.empty() || (!stop && file.empty()))
        throw UsageError(stop ? "atoll freeze NAME [--to FILE]" : "atoll checkpoint NAME --to FILE");
    if (file.empty())
        file = "/home/" + name + ".ckpt";
    const fs::path out = fs::absolute(file);
    const fs::path part = out.string() + ".part";
    // Whether FILE can be written, before anything is frozen.
    if (fs::exists(out))
        throw ssi::Failure(out.string() + " exists: give another --to, or remove it");
    const int probe = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (probe < 0)
        throw ssi::Failure("cannot write " + part.string() + ": " + std::strerror(errno));
    ::close(probe);
    std::error_code ec;
    fs::remove(part, ec);

    const Placed w = find_one(name);
    const fs::path dir = stamped_dir("/home/.atoll/freeze", name);
    defer_stop_signals();   // from the lock on, a signal undoes the freeze (after the dump)
    if (const RemoteResult r = run_on(w.node, {"atoll", "workload", "lock", name}); !r.ok()) {
        fs::remove_all(dir, ec);
        throw ssi::Failure(r.reason());
    }
    const auto t0 = Clock::now();
    std::string failed;
    std::vector<std::string> dump{"criu", "dump", "-t", std::to_string(w.record.pid), "-D", dir.string(),
                                  stop ? "--leave-stopped" : "--leave-running", "--manage-cgroups=ignore",
                                  "-o", "dump.log", "-v2"};
    // Its own network namespace goes into the file with its address; its
    // TCP connections do not: by the time it thaws their peers have moved
    // on, so they come back closed (--tcp-close), its listening sockets
    // whole. CRIU locks the namespace while it dumps (nftables: a table
    // named after the PID, which the thaw's restore removes).
    if (!w.record.address.empty())
        dump.insert(dump.end(), {"--tcp-close", "--network-lock", "nftables"});
    const RemoteResult r = run_on(w.node, dump);
    if (!r.ok()) {
        failed = "the dump failed on " + w.node + " (" + r.reason() + ")" + criu_errors(dir / "dump.log");
    } else if (failed = interruption(); failed.empty()) {
        wire::CheckpointManifest m{name, w.node, w.record.rss_kib, w.record.command, {}, w.record.address,
                                   w.record.address.empty() ? 0 : static_cast<std::uint64_t>(w.record.pid)};
        failed = pack(dir, m, part);
        if (failed.empty())
            failed = interruption();   // the last moment to undo: the file is not there yet
        if (failed.empty())
            fs::rename(part, out, ec);
        if (failed.empty() && ec)
            failed = "cannot rename " + part.string() + " to " + out.string() + ": " + ec.message();
    }
    if (!failed.empty()) {
        fs::remove(part, ec);
        (void)run_on(w.node, {"atoll", "workload", "resume", name});
        const auto nl = failed.find('\n');
        const std::string logs = keep_logs(dir);
        throw ssi::Failure(std::string(stop ? "freeze" : "checkpoint") + " of '" + name + "' failed: " +
                           failed.substr(0, nl) + "; it runs on at " + w.node + " (CRIU's logs: " + logs + ")" +
                           (nl == std::string::npos ? std::string() : failed.substr(nl)));
    }
    const auto size = fs::file_size(out, ec);
    std::string warning;
    const RemoteResult end = run_on(w.node, {"atoll", "workload", stop ? "end" : "resume", name});
    if (!end.ok())
        warning = end.reason();
    fs::remove_all(dir, ec);
    std::cout << name << (stop ? " frozen to " : " checkpointed to ") << out.string() << " (" << mib(size) << ", "
              << fixed(seconds_since(t0)) << " s); " << (stop ? "it no longer runs on " : "it runs on at ") << w.node
              << "\n";
    if (!warning.empty())
        std::cerr << "atoll: " << name << " on " << w.node << ": " << warning << "\n";
    return exit_ok;
}

int run_freeze(const Args& args) { return run_save(args, true); }
int run_checkpoint(const Args& args) { return run_save(args, false); }

void thaw_help() {
    std::cout <<
R"(NAME
    atoll thaw - bring back a workload saved by atoll freeze or checkpoint

SYNOPSIS
    atoll thaw FILE [--on NODE] [--name NAME]

DESCRIPTION
    Restores the workload saved in FILE with CRIU on NODE (default: this
    node), as workload NAME (default: the name it was saved under, which no
    node may run). FILE stays. The node needs the workload's RSS and 64 MiB
    more available, and the files the workload had open (under /home or
    the shared root: a node's own /tmp or /run are not carried).

    A workload started with --ip comes back with its address (refused if
    a node or another workload has it now) and its network namespace:
    its listening sockets as they were, its TCP connections closed (their
    peers moved on while it was saved); the node answers for the address
    and announces it.

    A FILE that is not a whole checkpoint (truncated, corrupt, another
    file) is refused, and nothing runs.

EXIT STATUS
    0 thawed; 1 refused or failed (the reason is printed; nothing is left
    running); 2 usage error
)";
}

int run_thaw(const Args& args) {
    std::string file, node, name;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            thaw_help();
            return exit_ok;
        } else if ((a == "--on" || a == "--name") && i + 1 < args.size()) {
            (a == "--on" ? node : name) = std::string(args[++i]);
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else if (file.empty()) {
            file = std::string(a);
        } else {
            throw UsageError("unexpected '" + std::string(a) + "'");
        }
    }
    if (file.empty())
        throw UsageError("atoll thaw FILE [--on NODE] [--name NAME]");
    if (!name.empty() && !ssi::valid_workload_name(name))
        throw UsageError("'" + name + "' is not a workload name (1 to 32 of A-Z a-z 0-9 _ . -)");
    const fs::path in = fs::absolute(file);
    std::error_code ec;
    if (!fs::is_regular_file(in, ec))
        throw ssi::Failure(in.string() + ": no such file");
    if (node.empty()) {
        char host[256] = "";
        (void)::gethostname(host, sizeof host - 1);
        node = host;
    }
    const auto table = node_table();
    const wire::NodeEntry& dest = find_node(table, node);
    if (dest.state != ATOLL_NODE_UP)
        throw ssi::Failure(dest.name + " is not up (atoll nodes)");

    const fs::path dir = stamped_dir("/home/.atoll/thaw", "thaw");
    const auto refuse = [&](const std::string& why) {
        fs::remove_all(dir, ec);
        throw ssi::Failure(why);
    };
    std::string why;
    const auto m = unpack(in, dir, why);
    if (!m)
        refuse(in.string() + " is not a whole checkpoint (" + why + ")");
    if (name.empty())
        name = m->name;
    std::vector<std::string> unreached;
    for (const auto& p : collect(table, unreached))
        if (p.record.name == name)
            refuse("a workload named '" + name + "' runs on " + p.node + " (thaw it --name ANOTHER)");
    AddressClaim claim;   // held until the restore answered (address_claim.hpp)
    if (!m->address.empty()) {
        if (!claim.take(m->address))
            refuse("its address " + m->address + " is being given to a workload by another command right now");
        const auto taken = taken_addresses(table, collect(table, unreached));
        if (const auto holder = taken.find(m->address); holder != taken.end())
            refuse("its address " + m->address + " is " + holder->second +
                   " (a workload with its own address thaws only where nothing else answers for it)");
    }
    if (dest.status.mem_available_kib < m->rss_kib + ssi::move_headroom_kib)
        refuse(dest.name + " has " + mib(dest.status.mem_available_kib * 1024) + " available; '" + name + "' needs " +
               mib(m->rss_kib * 1024) + " and the restore " + mib(ssi::move_headroom_kib * 1024) + " more");
    const auto t0 = Clock::now();
    std::vector<std::string> restore{"atoll", "workload", "restore", name, dir.string(), "--cmd", m->command};
    if (!m->address.empty())
        restore.insert(restore.end(), {"--ip", m->address, "--lock", std::to_string(m->lock), "--tcp-close"});
    const RemoteResult r = run_on(dest.name, restore);
    const auto rec = ssi::parse_workload_record(r.out.substr(0, r.out.find('\n')));
    if (!r.ok() || !rec) {
        const std::string e = r.err.empty() ? r.reason() : r.err.substr(0, r.err.find_last_not_of('\n') + 1);
        const auto nl = e.find('\n');
        const std::string logs = keep_logs(dir);
        throw ssi::Failure("thaw of " + in.string() + " on " + dest.name + " failed: " + e.substr(0, nl) +
                           "; nothing runs (CRIU's logs: " + logs + ")" +
                           (nl == std::string::npos ? std::string() : e.substr(nl)));
    }
    fs::remove_all(dir, ec);
    std::cout << name << " thawed on " << dest.name << " (pid " << rec->pid << ", saved on " << m->from << ") in "
              << fixed(seconds_since(t0)) << " s\n";
    return exit_ok;
}

}  // namespace

const Command freeze_command{"freeze", "save a workload to a file and stop it (atoll thaw brings it back)",
                             run_freeze};
const Command checkpoint_command{"checkpoint", "save a workload to a file; it runs on", run_checkpoint};
const Command thaw_command{"thaw", "bring back a frozen or checkpointed workload, on any node", run_thaw};

}  // namespace atl::cli
