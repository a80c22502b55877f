// `atoll cp`: copy a file to or from another kernel, through atolld.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <sodium.h>

#include "atoll/ssi/failure.hpp"
#include "atoll/wire/messages.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"
#include "sha256.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll cp - copy a file to or from another kernel of the cluster

SYNOPSIS
    atoll cp SRC NODE:DST
    atoll cp NODE:SRC DST

DESCRIPTION
    Copies one regular file between this kernel and NODE (a name such as p2,
    or an id) through atolld, keeping its permission bits. The copy is
    written next to its destination under a temporary name and renamed over
    it once whole, so a failed copy leaves the destination as it was. At
    the end the SHA-256 of both sides is compared; a mismatch is an error
    (and the copy is removed).

    DST may name a directory: the file keeps its name there.

EXIT STATUS
    0 copied and verified; 1 a missing or unreadable source, an unknown or
    unreachable node, a write that failed, or a checksum mismatch (the
    message says which); 2 usage error
)";
}

std::string quote(const std::string& s) {
    std::string o = "'";
    for (char c : s)
        o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

std::string basename_of(const std::string& p) {
    const auto slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Runs `script` with sh -c on `node`, feeding `in_fd` (-1: nothing) and
// writing its stdout to `out_fd` (-1: kept in `out`). Its exit status;
// its stderr in `err`.
int remote_sh(std::uint32_t node, const std::string& script, int in_fd, int out_fd, std::string& out,
              std::string& err) {
    auto link = routed_link(node);
    wire::Exec req;
    req.argv = {"sh", "-c", script};
    link->send(ATOLL_WIRE_EXEC, req.encode());
    if (in_fd < 0)
        link->send(ATOLL_WIRE_STDIN_EOF);
    bool input = in_fd >= 0;
    for (;;) {
        pollfd p[2] = {{link->fd(), POLLIN, 0}, {in_fd, POLLIN, 0}};
        if (::poll(p, input ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            throw ssi::Failure(std::string("poll: ") + std::strerror(errno));
        }
        if (input && p[1].revents != 0) {
            std::uint8_t buf[256 * 1024];
            const ssize_t n = ::read(in_fd, buf, sizeof buf);
            if (n > 0) {
                link->send(ATOLL_WIRE_STDIN, std::span(buf, static_cast<std::size_t>(n)));
            } else if (n == 0) {
                input = false;
                link->send(ATOLL_WIRE_STDIN_EOF);
            } else if (errno != EINTR) {
                throw ssi::Failure(std::string("reading the source: ") + std::strerror(errno));
            }
        }
        if (p[0].revents == 0)
            continue;
        std::string why;
        const bool open = link->pump(why);
        wire::Frame f;
        while (link->next(f)) {
            const std::string_view data(reinterpret_cast<const char*>(f.payload.data()), f.payload.size());
            if (f.type == ATOLL_WIRE_STDOUT) {
                if (out_fd < 0) {
                    out.append(data);
                } else {
                    for (std::size_t at = 0; at < data.size();) {
                        const ssize_t n = ::write(out_fd, data.data() + at, data.size() - at);
                        if (n <= 0)
                            throw ssi::Failure(std::string("writing the copy: ") + std::strerror(errno));
                        at += static_cast<std::size_t>(n);
                    }
                }
            } else if (f.type == ATOLL_WIRE_STDERR) {
                err.append(data);
            } else if (f.type == ATOLL_WIRE_EXIT) {
                const auto e = wire::Exit::decode(f.payload);
                return e ? static_cast<int>(e->status) : 255;
            } else if (f.type == ATOLL_WIRE_ERROR) {
                const auto e = wire::ErrorMsg::decode(f.payload);
                throw ssi::Failure(e ? e->message : "its daemon refused");
            }
        }
        if (!open)
            throw ssi::Failure("connection lost (" + why + ")");
    }
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// Local -> NODE:DST.
void push(const std::string& src, const wire::NodeEntry& node, std::string dst) {
    const int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const std::string why = fd < 0 ? std::strerror(errno) : "not a regular file";
        if (fd >= 0)
            ::close(fd);
        throw ssi::Failure("cannot copy " + src + ": " + why);
    }
    const std::string sum = sha256_of_fd(fd);
    ::lseek(fd, 0, SEEK_SET);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode & 07777));
    // A directory destination keeps the name; write beside, rename when whole.
    const std::string script = "d=" + quote(dst) + "; [ -d \"$d\" ] && d=\"$d/\"" + quote(basename_of(src)) +
                               "; t=\"$d.atoll-cp.$$\"; cat > \"$t\" && chmod " + mode +
                               " \"$t\" && mv -f \"$t\" \"$d\" || { rm -f \"$t\"; exit 1; }; "
                               "sha256sum \"$d\" | cut -d' ' -f1";
    std::string out, err;
    const int status = remote_sh(node.id, script, fd, -1, out, err);
    ::close(fd);
    if (status != 0)
        throw ssi::Failure(node.name + ":" + dst + ": " + (err.empty() ? "the copy failed" : trimmed(err)));
    if (trimmed(out) != sum)
        throw ssi::Failure(node.name + ":" + dst + ": checksum mismatch (sent " + sum + ", " + node.name +
                           " has " + trimmed(out) + ")");
}

// NODE:SRC -> local DST.
void pull(const wire::NodeEntry& node, const std::string& src, std::string dst) {
    struct stat st{};
    if (::stat(dst.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        dst += "/" + basename_of(src);
    std::string out, err;
    // Mode and checksum first (busybox and coreutils stat agree on -c %a).
    if (remote_sh(node.id, "f=" + quote(src) + "; [ -f \"$f\" ] || { echo \"not a regular file\" >&2; exit 1; }; "
                          "stat -c %a \"$f\" && sha256sum \"$f\" | cut -d' ' -f1",
                  -1, -1, out, err) != 0)
        throw ssi::Failure(node.name + ":" + src + ": " + (err.empty() ? "cannot read it" : trimmed(err)));
    const auto nl = out.find('\n');
    const unsigned mode = static_cast<unsigned>(std::strtoul(out.substr(0, nl).c_str(), nullptr, 8)) & 07777;
    const std::string sum = trimmed(out.substr(nl + 1));
    const std::string tmp = dst + ".atoll-cp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw ssi::Failure("cannot write " + tmp + ": " + std::strerror(errno));
    try {
        err.clear();
        if (remote_sh(node.id, "cat " + quote(src), -1, fd, out, err) != 0)
            throw ssi::Failure(node.name + ":" + src + ": " + (err.empty() ? "cannot read it" : trimmed(err)));
        ::lseek(fd, 0, SEEK_SET);
        const int rfd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
        const std::string got = rfd >= 0 ? sha256_of_fd(rfd) : "";
        if (rfd >= 0)
            ::close(rfd);
        if (got != sum)
            throw ssi::Failure(node.name + ":" + src + ": checksum mismatch (" + node.name + " has " + sum +
                               ", received " + got + ")");
        if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0 || ::rename(tmp.c_str(), dst.c_str()) != 0)
            throw ssi::Failure("cannot write " + dst + ": " + std::strerror(errno));
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
}

int run_cp(const Args& args) {
    std::vector<std::string> words;
    for (std::string_view a : args) {
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (a.starts_with("-") && a.size() > 1)
            throw UsageError("unknown option '" + std::string(a) + "'");
        words.emplace_back(a);
    }
    if (words.size() != 2)
        throw UsageError("atoll cp SRC NODE:DST, or atoll cp NODE:SRC DST");
    if (sodium_init() < 0)
        throw ssi::Failure("libsodium cannot initialise");
    // NODE: is a prefix without '/' before the colon.
    auto remote = [](const std::string& w) {
        const auto colon = w.find(':');
        return colon != std::string::npos && colon > 0 && w.find('/') > colon;
    };
    const bool from = remote(words[0]), to = remote(words[1]);
    if (from == to)
        throw UsageError("exactly one side is NODE:PATH (atoll cp SRC NODE:DST, or atoll cp NODE:SRC DST)");
    const wire::Nodes table = node_table();
    const std::string& r = from ? words[0] : words[1];
    const auto colon = r.find(':');
    const wire::NodeEntry& node = find_node(table, r.substr(0, colon));
    const std::string path = r.substr(colon + 1);
    if (path.empty())
        throw UsageError("no path after '" + r.substr(0, colon + 1) + "'");
    if (to)
        push(words[0], node, path);
    else
        pull(node, path, words[1]);
    return exit_ok;
}

}  // namespace

const Command cp_command{"cp", "copy a file to or from another kernel (mode kept, SHA-256 checked)", run_cp};

}  // namespace atl::cli
