// run_on (remote.hpp): EXEC, STDIN_EOF, then frames until EXIT.
#include "remote.hpp"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "atoll/ssi/failure.hpp"
#include "atoll/wire/messages.hpp"
#include "daemon_link.hpp"

namespace atl::cli {

std::string RemoteResult::reason() const {
    const std::string& s = !lost.empty() ? lost : err;
    std::string first = s.substr(0, s.find('\n'));
    return first.empty() ? "exit status " + std::to_string(status) : first;
}

Watch node_lost_watch(const std::string& name) {
    auto misses = std::make_shared<int>(0);
    return [name, misses]() -> std::string {
        std::uint32_t state = ATOLL_NODE_UNREACHABLE;
        try {
            const auto table = node_table();
            state = find_node(table, name).state;
        } catch (const std::exception&) {
            return "";   // the local daemon is busy or restarting: not a verdict on the node
        }
        if (state == ATOLL_NODE_UP) {
            *misses = 0;
            return "";
        }
        // A stopped partition is a fact of the partition table, not a
        // missed heartbeat: no second look needed.
        if (state != ATOLL_NODE_STOPPED && ++*misses < 2)
            return "";
        return name + " is " + node_state_word(state);
    };
}

RemoteResult run_on(const std::string& node, const std::vector<std::string>& argv, const Watch& watch) {
    wire::NodeEntry who;
    wire::Exec req;
    req.argv = argv;
    req.cwd = "/";
    auto link = routed_link(node, who, [&](DaemonLink& l) {
        l.send(ATOLL_WIRE_EXEC, req.encode());
        l.send(ATOLL_WIRE_STDIN_EOF);
    });
    RemoteResult r;
    using Clock = std::chrono::steady_clock;
    auto next_look = Clock::now() + std::chrono::seconds(1);
    for (;;) {
        std::string why;
        if (watch && Clock::now() >= next_look) {
            next_look = Clock::now() + std::chrono::seconds(1);
            if (auto lost = watch(); !lost.empty()) {
                r.lost = lost;
                return r;   // the link closes here; atolld kills the command
            }
        }
        wire::Frame frame;
        if (!link->next(frame)) {
            if (!link->error().empty()) {
                r.lost = node + ": connection lost (atolld: " + link->error() + ")";
                return r;
            }
            pollfd p{link->fd(), POLLIN, 0};
            const int n = ::poll(&p, 1, watch ? 250 : -1);
            if (n < 0 && errno != EINTR)
                throw ssi::Failure(std::string("poll: ") + std::strerror(errno));
            if (n > 0 && !link->pump(why)) {
                r.lost = node + ": connection lost (" + why + ")";
                return r;
            }
            continue;
        }
        const wire::Frame& f = frame;
        switch (f.type) {
        case ATOLL_WIRE_STDOUT: r.out.append(reinterpret_cast<const char*>(f.payload.data()), f.payload.size()); break;
        case ATOLL_WIRE_STDERR: r.err.append(reinterpret_cast<const char*>(f.payload.data()), f.payload.size()); break;
        case ATOLL_WIRE_EXIT: {
            const auto e = wire::Exit::decode(f.payload);
            if (!e)
                r.lost = node + ": malformed EXIT from its daemon";
            else
                r.status = static_cast<int>(e->status);
            return r;
        }
        case ATOLL_WIRE_ERROR: {
            const auto e = wire::ErrorMsg::decode(f.payload);
            if (e && e->code == ATOLL_WIRE_E_EXEC) {
                r.err += e->message + "\n";   // cannot run it: the EXIT (126/127) follows
                break;
            }
            r.lost = node + ": " + (e ? e->message : "its daemon reported an error");
            return r;
        }
        default: break;
        }
    }
}

}  // namespace atl::cli
