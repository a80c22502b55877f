// `atoll slurm`: the box as a Slurm cluster (doc/slurm.md). `conf` writes
// slurm.conf from /etc/atoll/nodes and atolld's node table (the decisions
// are ssi/slurm_conf's); `munge-key` derives munge's key from the cluster
// key, so every kernel holds the same key without shipping another secret.
// init runs both (ssi/slurm/slurm-up); a person rarely needs to.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/slurm_conf.hpp"
#include "atoll/wire/auth.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"

namespace atl::cli {
namespace {

// `conf --write`: the file already said that (nothing for Slurm to reread).
constexpr int exit_unchanged = 3;
constexpr std::size_t munge_key_size = 128;   // munged wants at least 32 bytes

void print_help() {
    std::cout <<
R"(NAME
    atoll slurm - the box's partitions as the nodes of a Slurm cluster

SYNOPSIS
    atoll slurm conf [--write FILE] [--controller NAME] [--nodes FILE]
                     [--partition NAME]
    atoll slurm munge-key FILE [--key FILE] [--owner USER]

DESCRIPTION
    Atoll runs Debian's Slurm: slurmctld and munged on the host, slurmd and
    munged in every partition, all started and supervised by init
    (/usr/lib/atoll/slurm-up). Nobody writes slurm.conf by hand: init
    regenerates it with `atoll slurm conf` whenever a kernel comes up, and
    runs `scontrol reconfigure` when it changed. Partitions fetch it from
    slurmctld (configless mode).

    conf
        Prints slurm.conf for the box. Every node of /etc/atoll/nodes except
        the controller is a Slurm node, declared from the start: Slurm 22.05
        cannot add a node to a running slurmctld. A node up now (atoll
        nodes) gets its CPUs and memory; a node that was up before (its line
        in the previous file) keeps its line and shows down in sinfo until
        it returns; a node never up is State=FUTURE (hidden from sinfo).
        Every node is in one Slurm partition, "lagoon", the default. Refused
        (exit 1) while no partition has ever been up: Slurm would have no
        node to run a job on.

    munge-key FILE
        Writes munge's key (128 bytes, mode 0400, owned by USER) derived
        from the cluster key of atolld: HMAC-SHA-256 of the cluster key over
        a fixed label. Every kernel derives the same key, and the key tells
        nothing of the cluster key. Run it before munged starts.

OPTIONS
    --write FILE       write FILE (atomically: a new file renamed over it)
                       instead of printing; the previous FILE tells which
                       nodes were up before
    --controller NAME  the node that runs slurmctld (default: this one, by
                       its host name)
    --nodes FILE       the cluster's nodes, "ID NAME ADDRESS" per line
                       (default /etc/atoll/nodes, which init writes)
    --partition NAME   Slurm's partition name (default lagoon)
    --key FILE         the cluster key (default /etc/atoll/cluster.key)
    --owner USER       the key file's owner (default munge)
    --help             print this help and exit

EXAMPLES
    atoll slurm conf                      # what slurm.conf would say now
    atoll slurm conf --write /etc/slurm/slurm.conf && scontrol reconfigure
    sinfo; srun -N3 hostname; srun -N3 --mpi=pmi2 /usr/lib/atoll/examples/mpi-ring

EXIT STATUS
    0  done (conf --write: the file changed)
    1  refused: no partition up yet, an unknown controller, a malformed
       nodes file, no cluster key, atolld not answering, a write failed
    2  usage error
    3  conf --write: FILE already said that; nothing was written
)";
}

std::string read_text(const std::string& path, bool missing_ok) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (missing_ok && errno == ENOENT)
            return {};
        throw ssi::Failure("cannot read " + path + ": " + std::strerror(errno));
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Writes `data` to `path` through a new file renamed over it: a reader
// (slurmctld, munged) sees the old file or the new one, never half.
void write_atomic(const std::string& path, const void* data, std::size_t size, mode_t mode, int uid = -1,
                  int gid = -1) {
    const std::string tmp = path + ".atoll-new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw ssi::Failure("cannot create " + tmp + ": " + std::strerror(errno));
    bool ok = ::write(fd, data, size) == static_cast<ssize_t>(size) && ::fchmod(fd, mode) == 0 &&
              (uid < 0 || ::fchown(fd, static_cast<uid_t>(uid), static_cast<gid_t>(gid)) == 0) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = ok ? errno : err;
        ::unlink(tmp.c_str());
        throw ssi::Failure("cannot write " + path + ": " + std::strerror(e));
    }
}

// A user of /etc/passwd: its uid and gid. (Not getpwnam: atoll is static,
// and glibc's NSS would load the root's shared libraries of another
// version. munge is a system user, always in /etc/passwd.)
std::pair<int, int> local_user(const std::string& name) {
    std::istringstream in(read_text("/etc/passwd", false));
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f;
        std::size_t at = 0;
        for (std::size_t colon; (colon = line.find(':', at)) != std::string::npos; at = colon + 1)
            f.push_back(line.substr(at, colon - at));
        f.push_back(line.substr(at));
        if (f.size() >= 4 && f[0] == name)
            try {
                return {std::stoi(f[2]), std::stoi(f[3])};
            } catch (const std::exception&) {
                break;
            }
    }
    throw ssi::Failure("no user '" + name + "' in /etc/passwd (is munge installed?)");
}

std::string local_name() {
    char b[256] = {};
    if (::gethostname(b, sizeof b - 1) != 0)
        throw ssi::Failure(std::string("cannot read the host name: ") + std::strerror(errno));
    return b;
}

int run_conf(const Args& args) {
    std::optional<std::string> write, controller;
    std::string nodes_path = "/etc/atoll/nodes", partition = "lagoon";
    ArgReader r(args);
    while (!r.done()) {
        if (r.flag("--help") || r.flag("-h")) {
            print_help();
            return exit_ok;
        }
        if (auto w = r.option("--write"))
            write = *w;
        else if (auto c = r.option("--controller"))
            controller = *c;
        else if (auto n = r.option("--nodes"))
            nodes_path = *n;
        else if (auto p = r.option("--partition"))
            partition = *p;
        else
            r.unknown();
    }
    std::string why;
    ssi::SlurmConfInput in;
    const auto nodes = ssi::parse_cluster_nodes(read_text(nodes_path, false), why);
    if (!nodes)
        throw ssi::Failure(nodes_path + ": " + why);
    in.nodes = *nodes;
    in.controller = controller.value_or(local_name());
    in.partition = partition;
    for (const auto& e : node_table().nodes) {
        const bool known = e.since_ms != UINT64_MAX;
        in.live.push_back({e.name, e.state == ATOLL_NODE_UP && known,
                           {known ? e.status.cpus : 0, known ? e.status.mem_total_kib / 1024 : 0}});
    }
    const std::string previous = read_text(write.value_or("/etc/slurm/slurm.conf"), true);
    in.known = ssi::known_slurm_nodes(previous);
    const auto conf = ssi::render_slurm_conf(in, why);
    if (!conf)
        throw ssi::Failure(why);
    if (!write) {
        std::cout << conf->text;
        return exit_ok;
    }
    const std::string summary = std::to_string(conf->up) + " node(s) up, " + std::to_string(conf->down) +
                                " down, " + std::to_string(conf->future) + " never up";
    if (previous == conf->text) {
        std::cout << *write << ": unchanged (" << summary << ")\n";
        return exit_unchanged;
    }
    write_atomic(*write, conf->text.data(), conf->text.size(), 0644);
    std::cout << *write << ": written (" << summary << ")\n";
    return exit_ok;
}

int run_munge_key(const Args& args) {
    std::optional<std::string> file;
    std::string key_path = "/etc/atoll/cluster.key", owner = "munge";
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size())
                throw UsageError("option " + std::string(a) + " needs a value");
            return std::string(args[++i]);
        };
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (a == "--key")
            key_path = value();
        else if (a == "--owner")
            owner = value();
        else if (a.starts_with("-"))
            throw UsageError("unknown option '" + std::string(a) + "'");
        else if (file)
            throw UsageError("unexpected argument '" + std::string(a) + "'");
        else
            file = std::string(a);
    }
    if (!file)
        throw UsageError("munge-key needs the FILE to write (munged reads /etc/munge/munge.key)");
    // Everything checked before anything is written.
    const auto [uid, gid] = local_user(owner);
    if (!wire::crypto_ready())
        throw ssi::Failure("libsodium cannot initialise");
    std::string why;
    const auto key = wire::read_key(key_path, why);
    if (!key)
        throw ssi::Failure("cluster key: " + why);
    const auto secret = wire::derive_secret(*key, "atoll-munge-key", munge_key_size);
    write_atomic(*file, secret.data(), secret.size(), 0400, uid, gid);
    return exit_ok;
}

int run_slurm(const Args& args) {
    if (args.empty())
        throw UsageError("slurm needs a subcommand: conf or munge-key (atoll slurm --help)");
    const Args rest(args.begin() + 1, args.end());
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_help();
        return exit_ok;
    }
    if (args[0] == "conf")
        return run_conf(rest);
    if (args[0] == "munge-key")
        return run_munge_key(rest);
    throw UsageError("unknown slurm subcommand '" + std::string(args[0]) + "' (conf, munge-key)");
}

}  // namespace

const Command slurm_command{"slurm", "the partitions as a Slurm cluster: slurm.conf, munge key", run_slurm};

}  // namespace atl::cli
