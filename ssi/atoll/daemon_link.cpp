// The local daemon connection (daemon_link.hpp).
#include "daemon_link.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/size.hpp"
#include "atoll/wire/messages.hpp"

namespace atl::cli {

DaemonLink::DaemonLink() : DaemonLink([] {
    const char* env = std::getenv("ATOLLD_SOCKET");
    return std::string(env != nullptr && *env != '\0' ? env : atolld_socket);
}()) {}

DaemonLink::DaemonLink(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof a.sun_path)
        throw ssi::Failure("cannot create a socket: " + std::string(std::strerror(errno)));
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw ssi::Failure("atolld is not answering on " + path + " (" + std::strerror(e) +
                           "): is it running? (init starts it; `atoll run N -- CMD` works without it)");
    }
}

DaemonLink::~DaemonLink() {
    if (fd_ >= 0)
        ::close(fd_);
}

void DaemonLink::send(std::uint16_t type, std::span<const std::uint8_t> payload) {
    const wire::Bytes b = framer_.encode(type, payload);
    std::size_t done = 0;
    while (done < b.size()) {
        const ssize_t n = ::send(fd_, b.data() + done, b.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;   // the next receive reports the broken connection
        done += static_cast<std::size_t>(n);
    }
}

bool DaemonLink::pump(std::string& why) {
    std::uint8_t buf[64 * 1024];
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0) {
        why = n == 0 ? "atolld closed the connection" : std::string("reading from atolld: ") + std::strerror(errno);
        return false;
    }
    deframer_.feed(std::span(buf, static_cast<std::size_t>(n)));
    return true;
}

bool DaemonLink::next(wire::Frame& f) { return deframer_.next(f) == wire::Deframer::Next::frame; }

std::optional<wire::Frame> DaemonLink::receive(std::string& why, int timeout_ms) {
    wire::Frame f;
    for (;;) {
        if (next(f))
            return f;
        if (!deframer_.error().empty()) {
            why = "atolld: " + deframer_.error();
            return std::nullopt;
        }
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            why = "atolld did not answer within " + std::to_string(timeout_ms / 1000) + " s";
            return std::nullopt;
        }
        if (!pump(why))
            return std::nullopt;
    }
}

wire::Frame ask(DaemonLink& link, std::uint16_t type, std::span<const std::uint8_t> payload, std::uint16_t want) {
    link.send(type, payload);
    std::string why;
    auto f = link.receive(why, 15000);
    if (!f)
        throw ssi::Failure(why);
    if (f->type == ATOLL_WIRE_ERROR) {
        const auto e = wire::ErrorMsg::decode(f->payload);
        throw ssi::Failure(e ? e->message : "atolld refused the request");
    }
    if (f->type != want)
        throw ssi::Failure("atolld answered " + wire::type_name(f->type) + " to " + wire::type_name(type));
    return *f;
}

}  // namespace atl::cli

namespace atl::cli {

wire::Nodes node_table() {
    DaemonLink link;
    const auto t = wire::Nodes::decode(ask(link, ATOLL_WIRE_NODES_REQ, {}, ATOLL_WIRE_NODES).payload);
    if (!t)
        throw ssi::Failure("atolld sent a malformed node table");
    return *t;
}

const wire::NodeEntry& find_node(const wire::Nodes& table, std::string_view want) {
    const auto id = ssi::parse_number(want);
    for (const auto& e : table.nodes)
        if (e.name == want || (id && e.id == *id))
            return e;
    std::string names;
    for (const auto& e : table.nodes)
        names += (names.empty() ? "" : ", ") + e.name;
    throw ssi::Failure("no node '" + std::string(want) + "' in the cluster (nodes: " + names + ")");
}

const char* node_state_word(std::uint32_t state) {
    switch (state) {
    case ATOLL_NODE_UP: return "up";
    case ATOLL_NODE_DAEMON_DOWN: return "daemon-down";
    case ATOLL_NODE_STOPPED: return "stopped";
    case ATOLL_NODE_UNREACHABLE: return "unreachable";
    default: return "unknown";
    }
}

std::unique_ptr<DaemonLink> routed_link(const std::string& name_or_id, wire::NodeEntry& who,
                                        const std::function<void(DaemonLink&)>& behind) {
    auto link = std::make_unique<DaemonLink>();
    link->send(ATOLL_WIRE_ROUTE_NAME, wire::Text{name_or_id}.encode());
    if (behind)
        behind(*link);
    std::string why;
    const auto f = link->receive(why, 15000);
    if (!f)
        throw ssi::Failure(why);
    if (f->type == ATOLL_WIRE_ERROR) {
        const auto e = wire::ErrorMsg::decode(f->payload);
        if (e && e->code == ATOLL_WIRE_E_NO_NODE)
            throw UnknownNode(e->message);
        throw ssi::Failure(e ? e->message : "atolld refused the request");
    }
    const auto w = f->type == ATOLL_WIRE_WELCOME ? wire::Welcome::decode(f->payload) : std::nullopt;
    if (!w)
        throw ssi::Failure("atolld answered " + wire::type_name(f->type) + " to ROUTE_NAME");
    who.id = w->node;
    who.name = w->name;
    return link;
}

std::unique_ptr<DaemonLink> routed_link(std::uint32_t id) {
    auto link = std::make_unique<DaemonLink>();
    (void)ask(*link, ATOLL_WIRE_ROUTE, wire::Number{id}.encode(), ATOLL_WIRE_WELCOME);
    return link;
}

}  // namespace atl::cli
