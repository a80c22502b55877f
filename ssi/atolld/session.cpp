// An accepted connection (session.hpp).
#include "session.hpp"

#include <signal.h>

#include <cerrno>

#include "daemon.hpp"
#include "local_status.hpp"
#include "processes.hpp"

namespace atl::atolld {

Session::Session(Daemon& d, std::shared_ptr<Conn> conn, bool local)
    : d_(d), conn_(std::move(conn)), local_(local), handshake_deadline_(d.io()) {
    if (!local_)
        hs_.emplace(d_.config().key, wire::Welcome{d_.config().self, d_.config().name});
}

void Session::start() {
    auto self = shared_from_this();
    conn_->start([self](wire::Frame& f) { self->on_frame(f); },
                 [self](const std::string& why) { self->on_close(why); });
    if (hs_) {
        handshake_deadline_.expires_after(std::chrono::seconds(10));
        handshake_deadline_.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
            if (auto s = w.lock(); s && !ec && !s->hs_->done())
                s->conn_->close(s->conn_->peer() + ": no handshake within 10 s");
        });
    }
}

void Session::on_close(const std::string& why) {
    handshake_deadline_.cancel();
    if (job_) {
        job_->end();   // whatever the command left is killed with it
        job_.reset();
    }
    if (upstream_) {
        // After the job's EXIT the node's side is over and the connection
        // serves the next client; before it, closing it ends the job there.
        if (upstream_exited_)
            d_.give_back(route_node_, std::move(upstream_), upstream_welcome_);
        else
            upstream_->close("the client left");
        upstream_.reset();
    }
    if (!local_ && (!hs_ || !hs_->done()))
        d_.log("refused a connection: " + why);
}

void Session::on_frame(wire::Frame& f) {
    // After a fatal error, frames the client sent behind the bad one (a
    // client may send EXEC right behind its ROUTE_NAME) are not served.
    if (conn_->ending())
        return;
    if (hs_ && !hs_->done()) {
        const wire::Step st = hs_->on(f);
        for (const auto& [t, b] : st.send)
            conn_->send(t, b);
        if (!st.refused.empty()) {
            conn_->close_after_send(conn_->peer() + ": " + st.refused);
            return;
        }
        if (st.secure)
            conn_->secure(*st.secure);
        for (const auto& [t, b] : st.send_secured)
            conn_->send(t, b);
        if (st.done)
            conn_->keepalive();
        return;
    }
    if (routed_) {
        if (upstream_)
            upstream_->send(f.type, f.payload);
        else
            early_.push_back(std::move(f));
        return;
    }
    serve(f);
}

void Session::error(std::uint32_t code, const std::string& message, bool fatal) {
    conn_->send(ATOLL_WIRE_ERROR, wire::ErrorMsg{code, message}.encode());
    if (fatal)
        conn_->close_after_send(message);
}

void Session::serve(wire::Frame& f) {
    switch (f.type) {
    case ATOLL_WIRE_STATUS_REQ:
        conn_->send(ATOLL_WIRE_STATUS, d_.status().encode());
        return;
    case ATOLL_WIRE_NODES_REQ:
        conn_->send(ATOLL_WIRE_NODES, d_.nodes().encode());
        return;
    case ATOLL_WIRE_ROUTE: {
        const auto n = wire::Number::decode(f.payload);
        if (!local_ || exec_asked_ || !n)
            return error(n ? ATOLL_WIRE_E_UNEXPECTED : ATOLL_WIRE_E_MALFORMED, "ROUTE refused here", true);
        return route(n->value);
    }
    case ATOLL_WIRE_ROUTE_NAME: {
        const auto t = wire::Text::decode(f.payload);
        if (!local_ || exec_asked_ || !t)
            return error(t ? ATOLL_WIRE_E_UNEXPECTED : ATOLL_WIRE_E_MALFORMED, "ROUTE_NAME refused here", true);
        std::string why;
        const NodeAddress* a = d_.lookup(t->text, why);
        if (a == nullptr)
            return error(ATOLL_WIRE_E_NO_NODE, why, true);
        return route(a->id);
    }
    case ATOLL_WIRE_EXEC: {
        const auto req = wire::Exec::decode(f.payload);
        if (!req)
            return error(ATOLL_WIRE_E_MALFORMED, "malformed EXEC", true);
        if (exec_asked_ && !job_done_)
            return error(ATOLL_WIRE_E_UNEXPECTED, "one EXEC at a time on a connection", true);
        // The previous job (if any) reported its end: nothing of it runs.
        job_.reset();
        job_done_ = false;
        exec_asked_ = true;
        return exec(*req);
    }
    case ATOLL_WIRE_PS_REQ:
        conn_->send(ATOLL_WIRE_PS, list_processes().encode());
        return;
    case ATOLL_WIRE_KILL: {
        const auto k = wire::Kill::decode(f.payload);
        if (!k)
            return error(ATOLL_WIRE_E_MALFORMED, "malformed KILL", false);
        // init is the kernel's life: `atoll stop` ends a partition, not this.
        const int e = k->pid == 1 ? EPERM : (::kill(static_cast<pid_t>(k->pid), static_cast<int>(k->signal)) == 0 ? 0 : errno);
        if (e == 0)
            d_.log("sent signal " + std::to_string(k->signal) + " to process " + std::to_string(k->pid));
        conn_->send(ATOLL_WIRE_KILLED, wire::Number{static_cast<std::uint32_t>(e)}.encode());
        return;
    }
    case ATOLL_WIRE_STDIN:
        if (job_ && !job_done_)
            job_->stdin_data(f.payload);
        return;
    case ATOLL_WIRE_STDIN_EOF:
        if (job_ && !job_done_)
            job_->stdin_eof();
        return;
    case ATOLL_WIRE_WINSIZE:
        if (const auto w = wire::Winsize::decode(f.payload); w && job_ && !job_done_)
            job_->resize(w->rows, w->cols);
        return;
    case ATOLL_WIRE_SIGNAL:
        if (const auto n = wire::Number::decode(f.payload); n && job_ && !job_done_)
            job_->signal(static_cast<int>(n->value));
        return;
    default:
        return error(ATOLL_WIRE_E_UNEXPECTED, "unexpected " + wire::type_name(f.type), false);
    }
}

void Session::route(std::uint32_t node) {
    const Config& cfg = d_.config();
    if (node == cfg.self) {
        routed_ = false;   // served here
        conn_->send(ATOLL_WIRE_WELCOME, wire::Welcome{cfg.self, cfg.name}.encode());
        return;
    }
    const NodeAddress* addr = find_node(cfg.nodes, node);
    if (addr == nullptr)
        return error(ATOLL_WIRE_E_NO_NODE, "no node " + std::to_string(node) + " in this cluster", true);
    routed_ = true;
    route_node_ = node;
    const std::string who = addr->name + " (" + addr->address + ")";
    auto self = shared_from_this();
    d_.open_route(
        *addr,
        [self, who](std::shared_ptr<Conn> up, const wire::Welcome& w) {
            if (self->conn_->closed()) {
                up->close("the client left");
                return;
            }
            self->upstream_ = up;
            self->upstream_welcome_ = w;
            up->set_handlers(
                [self](wire::Frame& f) {
                    if (f.type == ATOLL_WIRE_EXIT)
                        self->upstream_exited_ = true;
                    self->conn_->send(f.type, f.payload);
                },
                [self, who](const std::string& why) {
                    self->upstream_.reset();
                    if (!self->conn_->closed())
                        self->error(ATOLL_WIRE_E_UNREACHABLE, "lost the connection to " + who + " (" + why + ")", true);
                });
            self->conn_->send(ATOLL_WIRE_WELCOME, w.encode());
            for (auto& f : self->early_)
                up->send(f.type, f.payload);
            self->early_.clear();
        },
        [self, who](const std::string& why) {
            if (!self->conn_->closed())
                self->error(ATOLL_WIRE_E_UNREACHABLE, "cannot reach " + who + ": " + why, true);
        });
}

void Session::exec(const wire::Exec& req) {
    std::weak_ptr<Conn> w = conn_;
    ExecJob::Sink sink;
    sink.output = [w](std::uint16_t type, std::span<const std::uint8_t> data) {
        if (auto c = w.lock())
            c->send(type, data);
    };
    sink.exit = [w, ws = weak_from_this(), &io = d_.io()](const wire::Exit& e) {
        if (auto c = w.lock())
            c->send(ATOLL_WIRE_EXIT, e.encode());
        if (auto s = ws.lock()) {
            s->job_done_ = true;
            // The job goes (its descriptors, its cgroup) once this call from
            // it has returned, not when the connection's next EXEC comes.
            asio::post(io, [ws] {
                if (auto s2 = ws.lock(); s2 && s2->job_done_)
                    s2->job_.reset();
            });
        }
    };
    sink.backlog = [w]() -> std::size_t {
        auto c = w.lock();
        return c ? c->backlog() : 0;
    };
    std::string why;
    int status = 0;
    job_ = ExecJob::start(d_.io(), req, std::move(sink), why, status);
    if (!job_) {
        error(ATOLL_WIRE_E_EXEC, d_.config().name + ": " + why, false);
        job_done_ = true;
        conn_->send(ATOLL_WIRE_EXIT, wire::Exit{static_cast<std::uint32_t>(status), 0}.encode());
        return;
    }
    if ((req.flags & ATOLL_EXEC_F_STARTED) != 0)
        conn_->send(ATOLL_WIRE_STARTED, wire::Number{static_cast<std::uint32_t>(job_->pid())}.encode());
}

}  // namespace atl::atolld
