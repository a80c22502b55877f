// atolld: see daemon.hpp and doc/ssi.md.
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "atoll/abi/atolld.h"
#include "atoll/wire/auth.hpp"
#include "daemon.hpp"
#include "exec_job.hpp"

namespace {

constexpr const char* usage =
R"(NAME
    atolld - the Atoll daemon of one kernel: membership, remote execution

SYNOPSIS
    atolld --id N --name NAME [--key FILE] [--nodes FILE] [--host]
           [--socket PATH] [--port PORT] [--listen ADDR]
    atolld --new-key FILE
    atolld --help

DESCRIPTION
    Runs in every kernel of an Atoll cluster (the host and each partition),
    started by init and restarted by it if it dies. It accepts the atoll
    command on a Unix socket (root only) and the other kernels' daemons on
    TCP; every TCP connection first proves the cluster key (doc/ssi.md).
    Each second it asks every node of the nodes file for its status: that
    is what `atoll nodes` shows. It runs commands for `atoll exec`, and
    relays a local `atoll exec` to the node it names.

    --new-key FILE writes a new random cluster key (mode 0600) and exits.

OPTIONS
    --id N          this node's id (the partition id; the host is 0)
    --name NAME     this node's name (host, p1, ...)
    --key FILE      the cluster key (default /etc/atoll/cluster.key)
    --nodes FILE    the cluster's nodes, "ID NAME ADDRESS" per line
                    (default /etc/atoll/nodes)
    --host          this is the host: report the partition table
    --socket PATH   the local socket (default /run/atolld.sock)
    --port PORT     the TCP port (default 7117)
    --listen ADDR   listen on ADDR only (default: every address)

EXIT STATUS
    0 stopped by SIGTERM or SIGINT (its commands are killed with it);
    1 a bad configuration (the message says which); 2 usage error
)";

std::string arg_value(int& i, int argc, char** argv) {
    if (i + 1 >= argc)
        throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
}

}  // namespace

int main(int argc, char** argv) {
    using namespace atl;
    atolld::Config cfg;
    std::string key_path = "/etc/atoll/cluster.key", nodes_path = "/etc/atoll/nodes";
    bool have_id = false;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            if (a == "--help" || a == "-h") {
                std::cout << usage;
                return 0;
            } else if (a == "--new-key") {
                std::string why;
                if (!wire::write_new_key(arg_value(i, argc, argv), why)) {
                    std::cerr << "atolld: " << why << "\n";
                    return 1;
                }
                return 0;
            } else if (a == "--id") {
                cfg.self = static_cast<std::uint32_t>(std::stoul(arg_value(i, argc, argv)));
                have_id = true;
            } else if (a == "--name") {
                cfg.name = arg_value(i, argc, argv);
            } else if (a == "--key") {
                key_path = arg_value(i, argc, argv);
            } else if (a == "--nodes") {
                nodes_path = arg_value(i, argc, argv);
            } else if (a == "--socket") {
                cfg.socket_path = arg_value(i, argc, argv);
            } else if (a == "--port") {
                cfg.port = static_cast<std::uint16_t>(std::stoul(arg_value(i, argc, argv)));
            } else if (a == "--listen") {
                cfg.listen = arg_value(i, argc, argv);
            } else if (a == "--host") {
                cfg.host = true;
            } else {
                throw std::invalid_argument("unknown option '" + a + "'");
            }
        }
        if (!have_id || cfg.name.empty())
            throw std::invalid_argument("--id and --name are required");
    } catch (const std::exception& e) {
        std::cerr << "atolld: " << e.what() << " (see atolld --help)\n";
        return 2;
    }
    if (!wire::crypto_ready()) {
        std::cerr << "atolld: libsodium cannot initialise\n";
        return 1;
    }
    std::string why;
    const auto key = wire::read_key(key_path, why);
    if (!key) {
        std::cerr << "atolld: " << why << "\n";
        return 1;
    }
    cfg.key = *key;
    std::ifstream nf(nodes_path);
    std::stringstream text;
    text << nf.rdbuf();
    const auto nodes = atolld::parse_nodes(text.str(), why);
    if (!nf || !nodes) {
        std::cerr << "atolld: " << nodes_path << ": " << (nf ? why : std::string(std::strerror(errno))) << "\n";
        return 1;
    }
    cfg.nodes = *nodes;
    std::signal(SIGPIPE, SIG_IGN);
    try {
        boost::asio::io_context io;
        atolld::Daemon daemon(io, cfg);
        daemon.start();
        boost::asio::signal_set stop(io, SIGTERM, SIGINT);
        stop.async_wait([&](const boost::system::error_code&, int sig) {
            daemon.log(std::string("stopping (") + strsignal(sig) + "); ending its commands");
            atolld::ExecJob::end_all();
            io.stop();
        });
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "atolld: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
