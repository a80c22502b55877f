// Payload encodings (atoll/wire/messages.hpp, atoll/abi/atolld.h).
#include "atoll/wire/messages.hpp"

namespace atl::wire {

namespace {

template <class T>
std::optional<T> whole(const Reader& r, T&& v) {
    if (!r.done())
        return std::nullopt;
    return std::move(v);
}

void status_body(Writer& w, const Status& s) {
    w.u32(s.cpus).u64(s.mem_total_kib).u64(s.mem_available_kib).u32(s.load1).u32(s.load5).u32(s.load15).u64(
        s.uptime_s).u32(s.numa_node);
}

void read_status_body(Reader& r, Status& s) {
    s.cpus = r.u32();
    s.mem_total_kib = r.u64();
    s.mem_available_kib = r.u64();
    s.load1 = r.u32();
    s.load5 = r.u32();
    s.load15 = r.u32();
    s.uptime_s = r.u64();
    s.numa_node = r.u32();
}

bool size_ok(std::uint32_t rows, std::uint32_t cols) {
    return rows >= 1 && cols >= 1 && rows <= ATOLL_WIRE_MAX_WINSIZE && cols <= ATOLL_WIRE_MAX_WINSIZE;
}

}  // namespace

Bytes Welcome::encode() const { return Writer().u32(node).str(name).take(); }

std::optional<Welcome> Welcome::decode(Payload p) {
    Reader r(p);
    Welcome w;
    w.node = r.u32();
    w.name = r.str();
    return whole(r, std::move(w));
}

Bytes ErrorMsg::encode() const { return Writer().u32(code).str(message).take(); }

std::optional<ErrorMsg> ErrorMsg::decode(Payload p) {
    Reader r(p);
    ErrorMsg e;
    e.code = r.u32();
    e.message = r.str();
    return whole(r, std::move(e));
}

Bytes Text::encode() const { return Writer().str(text).take(); }

std::optional<Text> Text::decode(Payload p) {
    Reader r(p);
    Text t{r.str()};
    return whole(r, std::move(t));
}

Bytes Number::encode() const { return Writer().u32(value).take(); }

std::optional<Number> Number::decode(Payload p) {
    Reader r(p);
    Number n{r.u32()};
    return whole(r, std::move(n));
}

Bytes Status::encode() const {
    Writer w;
    w.u32(node).str(name);
    status_body(w, *this);
    w.u32(static_cast<std::uint32_t>(partitions.size()));
    for (const auto& p : partitions)
        w.u32(p.id).u32(p.state).u32(p.numa_node);
    return w.take();
}

std::optional<Status> Status::decode(Payload p) {
    Reader r(p);
    Status s;
    s.node = r.u32();
    s.name = r.str();
    read_status_body(r, s);
    const std::uint32_t n = r.count(ATOLL_MAX_PARTITIONS, 12);
    for (std::uint32_t i = 0; i < n; ++i) {
        PartitionState ps;
        ps.id = r.u32();
        ps.state = r.u32();
        ps.numa_node = r.u32();
        s.partitions.push_back(ps);
    }
    return whole(r, std::move(s));
}

Bytes Nodes::encode() const {
    Writer w;
    w.u32(static_cast<std::uint32_t>(nodes.size()));
    for (const auto& n : nodes) {
        w.u32(n.id).str(n.name).str(n.address).u32(n.state);
        status_body(w, n.status);
        w.u64(n.since_ms);
    }
    return w.take();
}

std::optional<Nodes> Nodes::decode(Payload p) {
    Reader r(p);
    Nodes out;
    const std::uint32_t n = r.count(ATOLL_WIRE_MAX_LIST, 4 + 4 + 4 + 4 + 44 + 8);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        NodeEntry e;
        e.id = r.u32();
        e.name = r.str();
        e.address = r.str();
        e.state = r.u32();
        read_status_body(r, e.status);
        e.status.node = e.id;
        e.status.name = e.name;
        e.since_ms = r.u64();
        out.nodes.push_back(std::move(e));
    }
    return whole(r, std::move(out));
}

Bytes Exec::encode() const {
    Writer w;
    w.u32(flags).u32(static_cast<std::uint32_t>(argv.size()));
    for (const auto& a : argv)
        w.str(a);
    w.u32(static_cast<std::uint32_t>(env.size()));
    for (const auto& e : env)
        w.str(e);
    w.str(cwd);
    if ((flags & ATOLL_EXEC_F_PTY) != 0)
        w.u32(rows).u32(cols);
    return w.take();
}

std::optional<Exec> Exec::decode(Payload p) {
    Reader r(p);
    Exec e;
    e.flags = r.u32();
    const std::uint32_t argc = r.count(ATOLL_WIRE_MAX_LIST, 4);
    for (std::uint32_t i = 0; i < argc && r.ok(); ++i)
        e.argv.push_back(r.str());
    const std::uint32_t envc = r.count(ATOLL_WIRE_MAX_LIST, 4);
    for (std::uint32_t i = 0; i < envc && r.ok(); ++i)
        e.env.push_back(r.str());
    e.cwd = r.str();
    if ((e.flags & ~ATOLL_EXEC_F_ALL) != 0)
        return std::nullopt;   // a flag this daemon does not know
    if ((e.flags & ATOLL_EXEC_F_PTY) != 0) {
        e.rows = r.u32();
        e.cols = r.u32();
        if (!size_ok(e.rows, e.cols))
            return std::nullopt;
    }
    if (e.argv.empty() || e.argv[0].empty())
        return std::nullopt;   // nothing to run
    for (const auto& a : e.argv)
        if (a.find('\0') != std::string::npos)
            return std::nullopt;
    for (const auto& v : e.env)
        if (v.find('\0') != std::string::npos || v.find('=') == std::string::npos || v.front() == '=')
            return std::nullopt;
    if (e.cwd.find('\0') != std::string::npos)
        return std::nullopt;
    return whole(r, std::move(e));
}

Bytes Winsize::encode() const { return Writer().u32(rows).u32(cols).take(); }

std::optional<Winsize> Winsize::decode(Payload p) {
    Reader r(p);
    Winsize w;
    w.rows = r.u32();
    w.cols = r.u32();
    if (!size_ok(w.rows, w.cols))
        return std::nullopt;
    return whole(r, std::move(w));
}

Bytes Exit::encode() const { return Writer().u32(status).u32(signal).take(); }

std::optional<Exit> Exit::decode(Payload p) {
    Reader r(p);
    Exit e;
    e.status = r.u32();
    e.signal = r.u32();
    if (e.status > 255 || e.signal > 127)
        return std::nullopt;
    return whole(r, std::move(e));
}

Bytes Processes::encode() const {
    Writer w;
    w.u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& p : list)
        w.u32(p.pid).u32(p.uid).str(p.user).u32(p.state).u32(p.cpu_permille).u64(p.rss_kib).u64(p.start).u64(
            p.cpu_ms).str(p.command).str(p.workload);
    w.u64(clock_ms);
    return w.take();
}

std::optional<Processes> Processes::decode(Payload p) {
    Reader r(p);
    Processes out;
    const std::uint32_t n = r.count(1u << 16, 4 + 4 + 4 + 4 + 4 + 8 + 8 + 8 + 4 + 4);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        Process q;
        q.pid = r.u32();
        q.uid = r.u32();
        q.user = r.str();
        q.state = r.u32();
        q.cpu_permille = r.u32();
        q.rss_kib = r.u64();
        q.start = r.u64();
        q.cpu_ms = r.u64();
        q.command = r.str();
        q.workload = r.str();
        out.list.push_back(std::move(q));
    }
    out.clock_ms = r.u64();
    return whole(r, std::move(out));
}

Bytes Kill::encode() const { return Writer().u32(pid).u32(signal).take(); }

std::optional<Kill> Kill::decode(Payload p) {
    Reader r(p);
    Kill k;
    k.pid = r.u32();
    k.signal = r.u32();
    if (k.pid == 0 || k.pid > 0x7fffffffu || k.signal > 64)
        return std::nullopt;   // never a process group, never "everyone"
    return whole(r, std::move(k));
}

std::string type_name(std::uint16_t type) {
    switch (type) {
    case ATOLL_WIRE_HELLO: return "HELLO";
    case ATOLL_WIRE_CHALLENGE: return "CHALLENGE";
    case ATOLL_WIRE_PROOF: return "PROOF";
    case ATOLL_WIRE_WELCOME: return "WELCOME";
    case ATOLL_WIRE_REFUSED: return "REFUSED";
    case ATOLL_WIRE_ERROR: return "ERROR";
    case ATOLL_WIRE_STATUS_REQ: return "STATUS_REQ";
    case ATOLL_WIRE_STATUS: return "STATUS";
    case ATOLL_WIRE_NODES_REQ: return "NODES_REQ";
    case ATOLL_WIRE_NODES: return "NODES";
    case ATOLL_WIRE_ROUTE: return "ROUTE";
    case ATOLL_WIRE_ROUTE_NAME: return "ROUTE_NAME";
    case ATOLL_WIRE_EXEC: return "EXEC";
    case ATOLL_WIRE_STARTED: return "STARTED";
    case ATOLL_WIRE_STDIN: return "STDIN";
    case ATOLL_WIRE_STDIN_EOF: return "STDIN_EOF";
    case ATOLL_WIRE_STDOUT: return "STDOUT";
    case ATOLL_WIRE_STDERR: return "STDERR";
    case ATOLL_WIRE_SIGNAL: return "SIGNAL";
    case ATOLL_WIRE_EXIT: return "EXIT";
    case ATOLL_WIRE_WINSIZE: return "WINSIZE";
    case ATOLL_WIRE_PS_REQ: return "PS_REQ";
    case ATOLL_WIRE_PS: return "PS";
    case ATOLL_WIRE_KILL: return "KILL";
    case ATOLL_WIRE_KILLED: return "KILLED";
    case ATOLL_WIRE_PING: return "PING";
    case ATOLL_WIRE_PONG: return "PONG";
    default: return "type " + std::to_string(type);
    }
}

}  // namespace atl::wire
