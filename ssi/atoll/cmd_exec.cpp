// `atoll exec`: run a command on other kernels, bpsh-style, through atolld.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
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
    atoll exec - run a command on other kernels of the cluster

SYNOPSIS
    atoll exec NODE[,NODE...] [--env K=V]... [--cwd DIR] -- CMD [ARG]...
    atoll exec -t NODE [--env K=V]... [--cwd DIR] -- CMD [ARG]...
    atoll exec --all [--env K=V]... [--cwd DIR] -- CMD [ARG]...

DESCRIPTION
    Runs CMD with its ARGs (no shell: use sh -c '...' for one) on each NODE
    (a name such as host or p2, or an id such as 2), through the local
    atolld, which relays to the node's daemon over an authenticated
    connection (doc/ssi.md). --all runs it on every node atoll nodes lists.

    With one node, standard input is forwarded to the command, its
    standard output and error come back separately, and atoll exec exits
    with the command's status (128+N when signal N ended it). With several
    nodes the command runs on all of them at once, standard input is not
    read, every line of output is prefixed with its node ("p2: ..."), and
    the status is the worst of them.

    Ctrl-C (SIGINT), SIGTERM and SIGHUP given to atoll exec are sent to the
    remote command's process group. When atoll exec ends for any reason,
    even SIGKILL, or the link to the node breaks, the remote process group
    is killed: nothing is left running.

    -t runs the command on a pseudo-terminal of the node, as ssh -t does:
    its standard input, output and error are that terminal, so a shell
    there has job control, line editing and the size of this terminal
    (kept up to date when this one is resized). When standard input is a
    terminal it is put in raw mode for the run (and restored after):
    Ctrl-C, Ctrl-Z and Ctrl-D then act on the remote side. Output comes
    back on standard output only. TERM is passed on (--env TERM=...
    overrides it). One node only.

    The command starts with PATH, HOME, USER, LOGNAME and SHELL set to root's
    defaults, in /, plus what --env and --cwd ask (and TERM with -t):
    nothing else of this shell's environment is passed.

OPTIONS
    --all           every node the cluster lists
    --env K=V       set variable K (repeatable)
    --cwd DIR       run in DIR
    -t              run on a pseudo-terminal (one node only)
    --help          print this help and exit

EXAMPLES
    atoll exec p2 -- uname -r
    echo hello | atoll exec p3 -- cat
    atoll exec --all -- sh -c 'nproc; uptime'
    atoll exec p1,p2 --env OMP_NUM_THREADS=1 --cwd /tmp -- ./a.out
    atoll exec -t p2 -- bash -l

EXIT STATUS
    the command's status (the worst of several); 127 command not found and
    126 cannot run it (as sh); 255 a node was unknown, unreachable or lost
    (the message names it); 2 usage error
)";
}

constexpr int exit_lost = 255;

struct Options {
    std::vector<std::string> nodes;   // as given
    bool all = false;
    bool pty = false;
    wire::Exec req;
};

Options parse(const Args& args) {
    Options o;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a == "--help" || a == "-h") {
            print_help();
            std::exit(exit_ok);
        } else if (a == "--all") {
            o.all = true;
        } else if (a == "-t") {
            o.pty = true;
        } else if (a == "--env" || a.starts_with("--env=")) {
            std::string v = a == "--env" ? (i + 1 < args.size() ? std::string(args[++i]) : "") : std::string(a.substr(6));
            if (v.find('=') == std::string::npos || v.front() == '=')
                throw UsageError("--env wants K=V, not '" + v + "'");
            o.req.env.push_back(v);
        } else if (a == "--cwd" || a.starts_with("--cwd=")) {
            o.req.cwd = a == "--cwd" ? (i + 1 < args.size() ? std::string(args[++i]) : "") : std::string(a.substr(6));
            if (o.req.cwd.empty())
                throw UsageError("--cwd wants a directory");
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else if (o.nodes.empty() && !o.all) {
            o.nodes = node_list(std::string(a));
        } else {
            throw UsageError("unexpected '" + std::string(a) + "' (the command goes after --)");
        }
    }
    for (; i < args.size(); ++i)
        o.req.argv.emplace_back(args[i]);
    if (o.all == !o.nodes.empty())
        throw UsageError("name the nodes, or --all: atoll exec NODE[,NODE...] -- CMD");
    if (o.req.argv.empty())
        throw UsageError("no command: atoll exec NODE -- CMD [ARG]...");
    if (o.pty && (o.all || o.nodes.size() != 1))
        throw UsageError("-t takes one node: a terminal cannot be shared by several commands");
    return o;
}

// Names or ids to table entries, in the order given (duplicates dropped).
std::vector<wire::NodeEntry> resolve(const Options& o, const wire::Nodes& table) {
    std::vector<wire::NodeEntry> out;
    if (o.all)
        return table.nodes;
    for (const auto& want : o.nodes) {
        const wire::NodeEntry& e = find_node(table, want);
        if (std::none_of(out.begin(), out.end(), [&](const auto& x) { return x.id == e.id; }))
            out.push_back(e);
    }
    return out;
}

// Stop signals, turned into SIGNAL frames by the loop (self-pipe), and
// SIGWINCH, turned into WINSIZE.
int signal_pipe[2] = {-1, -1};

void on_signal(int s) {
    const unsigned char b = static_cast<unsigned char>(s);
    (void)!::write(signal_pipe[1], &b, 1);
}

void install_forwarding() {
    if (::pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        throw ssi::Failure("pipe: " + std::string(std::strerror(errno)));
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGWINCH})
        ::sigaction(s, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

void write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

// The size of this process's terminal (standard input, else output).
std::optional<wire::Winsize> terminal_size() {
    for (int fd : {0, 1}) {
        winsize ws{};
        if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
            return wire::Winsize{ws.ws_row, ws.ws_col};
    }
    return std::nullopt;
}

// Standard input in raw mode for a -t run, as it was afterwards (also when
// the run ends with an exception).
class RawTerminal {
public:
    RawTerminal() {
        if (!::isatty(0) || ::tcgetattr(0, &saved_) != 0)
            return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(0, TCSADRAIN, &raw) == 0;
    }
    ~RawTerminal() { restore(); }
    void restore() {
        if (active_)
            (void)::tcsetattr(0, TCSADRAIN, &saved_);
        active_ = false;
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

// The -t run's terminal, restored before a message of ours is printed.
RawTerminal* raw_terminal = nullptr;

// One node's run.
struct Run {
    wire::NodeEntry node;
    std::unique_ptr<DaemonLink> link;
    bool done = false;
    int status = exit_lost;
    std::string partial[2];   // prefixed mode: an unfinished line per stream
};

void flush_line(Run& r, int stream, bool prefixed, std::string_view data) {
    const int fd = stream == 0 ? 1 : 2;
    if (!prefixed) {
        write_all(fd, data);
        return;
    }
    std::string& buf = r.partial[stream];
    buf.append(data);
    std::size_t at = 0;
    for (std::size_t nl; (nl = buf.find('\n', at)) != std::string::npos; at = nl + 1)
        write_all(fd, r.node.name + ": " + buf.substr(at, nl + 1 - at));
    buf.erase(0, at);
}

void finish(Run& r, int status, bool prefixed, const std::string& message = "") {
    if (r.done)
        return;
    r.done = true;
    r.status = status;
    for (int s = 0; s < 2; ++s)
        if (prefixed && !r.partial[s].empty())
            flush_line(r, s, true, "\n");
    if (!message.empty()) {
        if (raw_terminal != nullptr)
            raw_terminal->restore();
        write_all(2, "atoll exec: " + r.node.name + ": " + message + "\n");
    }
}

// Handles one frame from a node; false when the run is over.
void handle(Run& r, const wire::Frame& f, bool prefixed) {
    switch (f.type) {
    case ATOLL_WIRE_STDOUT: flush_line(r, 0, prefixed, {reinterpret_cast<const char*>(f.payload.data()), f.payload.size()}); break;
    case ATOLL_WIRE_STDERR: flush_line(r, 1, prefixed, {reinterpret_cast<const char*>(f.payload.data()), f.payload.size()}); break;
    case ATOLL_WIRE_EXIT:
        if (const auto e = wire::Exit::decode(f.payload))
            finish(r, static_cast<int>(e->status), prefixed);
        else
            finish(r, exit_lost, prefixed, "malformed EXIT from its daemon");
        break;
    case ATOLL_WIRE_ERROR: {
        const auto e = wire::ErrorMsg::decode(f.payload);
        const std::string m = e ? e->message : "its daemon reported an error";
        if (e && e->code == ATOLL_WIRE_E_EXEC && raw_terminal != nullptr)
            raw_terminal->restore();
        if (e && e->code == ATOLL_WIRE_E_EXEC)
            write_all(2, "atoll exec: " + m + "\n");   // the EXIT (126/127) follows
        else
            finish(r, exit_lost, prefixed, m);
        break;
    }
    default: break;   // STARTED, and whatever a newer daemon adds
    }
}

int run_exec(const Args& args) {
    Options o = parse(args);
    // One node by name: the daemon resolves it as it routes (below), with
    // no node table asked for first.
    const bool one = !o.all && o.nodes.size() == 1;
    wire::NodeEntry named;
    if (one)
        named.name = o.nodes[0];
    const auto targets = one ? std::vector<wire::NodeEntry>{named}
                             : resolve(o, node_table());
    const bool prefixed = targets.size() > 1 || o.all;
    std::optional<RawTerminal> raw;
    if (o.pty) {
        o.req.flags |= ATOLL_EXEC_F_PTY;
        const auto ws = terminal_size().value_or(wire::Winsize{24, 80});
        o.req.rows = ws.rows;
        o.req.cols = ws.cols;
        if (std::none_of(o.req.env.begin(), o.req.env.end(), [](const auto& v) { return v.starts_with("TERM="); })) {
            const char* term = std::getenv("TERM");
            o.req.env.push_back(std::string("TERM=") + (term != nullptr && *term != '\0' ? term : "dumb"));
        }
    }
    install_forwarding();

    std::vector<Run> runs;
    for (const auto& n : targets) {
        Run r;
        r.node = n;
        try {
            const auto first = [&](DaemonLink& l) {
                l.send(ATOLL_WIRE_EXEC, o.req.encode());
                if (prefixed)
                    l.send(ATOLL_WIRE_STDIN_EOF);
            };
            if (one) {
                r.link = routed_link(n.name, r.node, first);
            } else {
                r.link = routed_link(n.id);
                first(*r.link);
            }
        } catch (const UnknownNode&) {
            throw;   // nothing was started: a refusal (status 1), as for a list of nodes
        } catch (const ssi::Failure& e) {
            finish(r, exit_lost, prefixed, e.what());
        }
        runs.push_back(std::move(r));
    }
    // Raw only once the node was reached: errors above print as usual.
    if (o.pty && !runs[0].done) {
        raw.emplace();
        raw_terminal = &*raw;
    }

    bool stdin_open = !prefixed;
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Run*> who;
        fds.push_back({signal_pipe[0], POLLIN, 0});
        who.push_back(nullptr);
        if (stdin_open) {
            fds.push_back({0, POLLIN, 0});
            who.push_back(nullptr);
        }
        for (auto& r : runs)
            if (!r.done) {
                fds.push_back({r.link->fd(), POLLIN, 0});
                who.push_back(&r);
            }
        if (fds.size() == 1 + (stdin_open ? 1u : 0u))
            break;   // every run is over
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            throw ssi::Failure("poll: " + std::string(std::strerror(errno)));
        }
        if (fds[0].revents != 0) {
            unsigned char sigs[16];
            const ssize_t n = ::read(signal_pipe[0], sigs, sizeof sigs);
            for (ssize_t k = 0; k < n; ++k)
                for (auto& r : runs) {
                    if (r.done)
                        continue;
                    if (sigs[k] != SIGWINCH)
                        r.link->send(ATOLL_WIRE_SIGNAL, wire::Number{sigs[k]}.encode());
                    else if (const auto ws = terminal_size(); ws && o.pty)
                        r.link->send(ATOLL_WIRE_WINSIZE, ws->encode());
                }
        }
        if (stdin_open && fds[1].revents != 0) {
            std::uint8_t buf[64 * 1024];
            const ssize_t n = ::read(0, buf, sizeof buf);
            if (n > 0) {
                runs[0].link->send(ATOLL_WIRE_STDIN, std::span(buf, static_cast<std::size_t>(n)));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                stdin_open = false;
                if (!runs[0].done)
                    runs[0].link->send(ATOLL_WIRE_STDIN_EOF);
            }
        }
        for (std::size_t k = 0; k < fds.size(); ++k) {
            Run* r = who[k];
            if (r == nullptr || fds[k].revents == 0)
                continue;
            std::string why;
            const bool open = r->link->pump(why);
            wire::Frame f;
            while (!r->done && r->link->next(f))
                handle(*r, f, prefixed);
            if (!open && !r->done)
                finish(*r, exit_lost, prefixed, "connection lost (" + why + ")");
        }
        if (stdin_open && runs[0].done)
            stdin_open = false;
    }
    raw_terminal = nullptr;
    raw.reset();
    int worst = 0;
    for (const auto& r : runs)
        worst = std::max(worst, r.status);
    return worst;
}

}  // namespace

const Command exec_command{"exec", "run a command on other kernels (stdin, stdout/stderr, status, signals)",
                           run_exec};

}  // namespace atl::cli
