// run_on (remote.hpp): EXEC, STDIN_EOF, then frames until EXIT.
#include "remote.hpp"

#include "atoll/ssi/failure.hpp"
#include "atoll/wire/messages.hpp"
#include "daemon_link.hpp"

namespace atl::cli {

std::string RemoteResult::reason() const {
    const std::string& s = !lost.empty() ? lost : err;
    std::string first = s.substr(0, s.find('\n'));
    return first.empty() ? "exit status " + std::to_string(status) : first;
}

RemoteResult run_on(const std::string& node, const std::vector<std::string>& argv) {
    wire::NodeEntry who;
    auto link = routed_link(node, who);
    wire::Exec req;
    req.argv = argv;
    req.cwd = "/";
    link->send(ATOLL_WIRE_EXEC, req.encode());
    link->send(ATOLL_WIRE_STDIN_EOF);
    RemoteResult r;
    for (;;) {
        std::string why;
        const auto f = link->receive(why);
        if (!f) {
            r.lost = node + ": connection lost (" + why + ")";
            return r;
        }
        switch (f->type) {
        case ATOLL_WIRE_STDOUT: r.out.append(reinterpret_cast<const char*>(f->payload.data()), f->payload.size()); break;
        case ATOLL_WIRE_STDERR: r.err.append(reinterpret_cast<const char*>(f->payload.data()), f->payload.size()); break;
        case ATOLL_WIRE_EXIT: {
            const auto e = wire::Exit::decode(f->payload);
            if (!e)
                r.lost = node + ": malformed EXIT from its daemon";
            else
                r.status = static_cast<int>(e->status);
            return r;
        }
        case ATOLL_WIRE_ERROR: {
            const auto e = wire::ErrorMsg::decode(f->payload);
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
