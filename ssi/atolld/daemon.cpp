// The daemon (daemon.hpp): listeners, membership, dialing other daemons.
#include "daemon.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>

#include "atoll/abi/lagoon.h"
#include "atoll/wire/handshake.hpp"
#include "exec_job.hpp"
#include "job_group.hpp"
#include "local_status.hpp"
#include "session.hpp"

namespace atl::atolld {

namespace {

constexpr auto tick_every = std::chrono::seconds(1);
// Idle connections kept per peer (give_back): enough for a few execs at
// once without a dial, few enough that their keepalive costs nothing.
constexpr std::size_t max_idle = 2;
constexpr auto up_within = std::chrono::seconds(3);   // answered this recently: up
constexpr auto dial_limit = std::chrono::seconds(3);

std::string now_text() {
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    return buf;
}

}  // namespace

Daemon::Daemon(asio::io_context& io, Config cfg)
    : io_(io), cfg_(std::move(cfg)), tcp_(io), local_(io), timer_(io), children_(io, SIGCHLD) {
    for (const auto& n : cfg_.nodes)
        if (n.id != cfg_.self) {
            Peer p;
            p.addr = n;
            peers_.push_back(std::move(p));
        }
}

void Daemon::log(const std::string& line) const { std::cerr << now_text() << " atolld: " << line << std::endl; }

void Daemon::start() {
    // TCP on every address (IPv6 with IPv4 mapped; IPv4 alone without IPv6).
    asio::ip::tcp::endpoint ep(asio::ip::make_address(cfg_.listen), cfg_.port);
    boost::system::error_code ec;
    tcp_.open(ep.protocol(), ec);
    if (!ec && ep.address().is_v6())
        tcp_.set_option(asio::ip::v6_only(false), ec);
    if (ec) {
        ep = asio::ip::tcp::endpoint(asio::ip::tcp::v4(), cfg_.port);
        tcp_ = asio::ip::tcp::acceptor(io_);
        tcp_.open(ep.protocol());
    }
    tcp_.set_option(asio::socket_base::reuse_address(true));
    tcp_.bind(ep);
    tcp_.listen();
    // The local socket: root only (the kernel vouches for the client).
    ::unlink(cfg_.socket_path.c_str());
    const mode_t old = ::umask(077);
    local_.open();
    local_.bind(asio::local::stream_protocol::endpoint(cfg_.socket_path));
    local_.listen();
    ::umask(old);
    ::chmod(cfg_.socket_path.c_str(), 0600);
    JobGroup::sweep();   // what a daemon before this one left running
    watch_children();
    accept_tcp();
    accept_local();
    tick();
    log("node " + std::to_string(cfg_.self) + " (" + cfg_.name + ") listening on port " + std::to_string(cfg_.port) +
        " and " + cfg_.socket_path + "; " + std::to_string(peers_.size()) + " peers");
}

void Daemon::watch_children() {
    children_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec)
            return;
        ExecJob::reap_children();
        watch_children();
    });
}

void Daemon::accept_tcp() {
    auto sock = std::make_shared<Socket>(io_);
    tcp_.async_accept(*sock, [this, sock](const boost::system::error_code& ec) {
        if (!ec) {
            std::string who = "a peer";
            boost::system::error_code e2;
            asio::ip::tcp::endpoint remote;
            const auto gep = sock->remote_endpoint(e2);
            if (!e2 && gep.size() <= remote.capacity()) {
                std::memcpy(remote.data(), gep.data(), gep.size());
                remote.resize(gep.size());
                who = remote.address().to_string();
            }
            sock->set_option(asio::ip::tcp::no_delay(true), e2);
            auto conn = std::make_shared<Conn>(std::move(*sock), wire::from_server, who);
            std::make_shared<Session>(*this, conn, false)->start();
        }
        accept_tcp();
    });
}

void Daemon::accept_local() {
    auto sock = std::make_shared<Socket>(io_);
    local_.async_accept(*sock, [this, sock](const boost::system::error_code& ec) {
        if (!ec) {
            auto conn = std::make_shared<Conn>(std::move(*sock), wire::from_server, "the local client");
            std::make_shared<Session>(*this, conn, true)->start();
        }
        accept_local();
    });
}

void Daemon::dial(const NodeAddress& node, Dialed ok, Failed fail) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(node.address, ec);
    if (ec)
        return fail("bad address '" + node.address + "'");
    const asio::ip::tcp::endpoint ep(address, cfg_.port);
    auto sock = std::make_shared<Socket>(io_);
    auto timer = std::make_shared<asio::steady_timer>(io_, dial_limit);
    auto done = std::make_shared<bool>(false);
    auto failed = [fail, done, sock, timer](const std::string& why) {
        if (*done)
            return;
        *done = true;
        timer->cancel();
        boost::system::error_code ignored;
        sock->close(ignored);
        fail(why);
    };
    timer->async_wait([failed](const boost::system::error_code& e) {
        if (!e)
            failed("no answer within " + std::to_string(dial_limit.count()) + " s");
    });
    const std::string who = node.name + " (" + node.address + ")";
    sock->async_connect(asio::generic::stream_protocol::endpoint(ep), [this, sock, timer, done, failed, ok, who](
                                                                         const boost::system::error_code& e) {
        if (*done)
            return;
        if (e)
            return failed(e.message());
        boost::system::error_code ignored;
        sock->set_option(asio::ip::tcp::no_delay(true), ignored);
        auto conn = std::make_shared<Conn>(std::move(*sock), wire::from_client, who);
        auto hs = std::make_shared<wire::ClientHandshake>(cfg_.key);
        const auto [t, b] = hs->hello();
        conn->start(
            [conn_w = std::weak_ptr<Conn>(conn), hs, timer, done, failed, ok](wire::Frame& f) {
                auto c = conn_w.lock();
                if (!c || *done)
                    return;
                const wire::Step st = hs->on(f);
                for (const auto& [type, payload] : st.send)
                    c->send(type, payload);
                if (st.secure)
                    c->secure(*st.secure);
                if (!st.refused.empty()) {
                    c->close(st.refused);
                    return failed(st.refused);
                }
                if (st.done) {
                    *done = true;
                    timer->cancel();
                    c->set_handlers(nullptr, nullptr);
                    c->keepalive();
                    ok(c, hs->peer());
                }
            },
            [failed](const std::string& why) { failed(why); });
        conn->send(t, b);
    });
}

const wire::Status& Daemon::status() const {
    const auto now = std::chrono::steady_clock::now();
    if (!status_ || now - status_at_ > std::chrono::milliseconds(250)) {
        own_table_ = cfg_.host ? local_partition_table() : std::nullopt;
        status_ = local_status(cfg_, own_table_);
        status_at_ = now;
    }
    return *status_;
}

std::optional<std::vector<wire::PartitionState>> Daemon::partition_table() const {
    if (cfg_.host) {
        (void)status();   // fresh enough
        return own_table_;
    }
    // The host's last word; an empty table is no table (a host that is not
    // an Atoll host, or has no partitions to speak of).
    for (const auto& p : peers_)
        if (p.addr.id == 0 && p.status && !p.status->partitions.empty() &&
            std::chrono::steady_clock::now() - p.answered < up_within)
            return p.status->partitions;
    return std::nullopt;
}

bool Daemon::shown(const Peer& p, const std::vector<wire::PartitionState>& table, bool table_known) const {
    // Shown: every node of the nodes file when there is no partition
    // table; with one, whoever answered once, the host, and the box's
    // partitions (not the ids it could have but does not).
    if (!table_known || p.status || p.addr.id == 0)
        return true;
    return std::any_of(table.begin(), table.end(), [&](const auto& t) { return t.id == p.addr.id; });
}

const NodeAddress* Daemon::lookup(const std::string& want, std::string& why) const {
    const auto known = partition_table();
    const std::vector<wire::PartitionState> table = known.value_or(std::vector<wire::PartitionState>{});
    std::uint32_t id = 0;
    const auto [end, ec] = std::from_chars(want.data(), want.data() + want.size(), id);
    const bool numeric = ec == std::errc() && end == want.data() + want.size() && !want.empty();
    auto matches = [&](const NodeAddress& a) { return a.name == want || (numeric && a.id == id); };
    std::vector<std::pair<std::uint32_t, std::string>> names{{cfg_.self, cfg_.name}};
    if (const NodeAddress* me = find_node(cfg_.nodes, cfg_.self); me != nullptr && matches(*me))
        return me;
    for (const auto& p : peers_) {
        if (!shown(p, table, known.has_value()))
            continue;
        if (matches(p.addr))
            return &p.addr;
        names.emplace_back(p.addr.id, p.addr.name);
    }
    std::sort(names.begin(), names.end());
    why = "no node '" + want + "' in the cluster (nodes: ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            why += ", ";
        why += names[i].second;
    }
    why += ")";
    return nullptr;
}

bool Daemon::worth_dialing(const Peer& p, const std::optional<std::vector<wire::PartitionState>>& table) const {
    // Without a partition table (a plain cluster of machines, or the host
    // not heard yet): every node of the nodes file. With one: the host; a
    // partition the table says is running or booting (the box's absent
    // partitions are not asked every second: each try would flood vnet
    // with ARP requests); anyone that answered before.
    if (!table || p.addr.id == 0 || p.status)
        return true;
    for (const auto& t : *table)
        if (t.id == p.addr.id)
            return t.state != ATOLL_PSTATE_STOPPED;
    return false;
}

void Daemon::tick() {
    JobGroup::sweep();
    const auto table = partition_table();
    for (auto& p : peers_) {
        if (p.conn) {
            p.conn->send(ATOLL_WIRE_STATUS_REQ);
            refill_spare(p);
            continue;
        }
        if (p.dialing || !worth_dialing(p, table))
            continue;
        p.dialing = true;
        const std::uint32_t id = p.addr.id;
        dial(
            p.addr,
            [this, id](std::shared_ptr<Conn> c, const wire::Welcome&) {
                for (auto& q : peers_) {
                    if (q.addr.id != id)
                        continue;
                    q.dialing = false;
                    q.conn = c;
                    q.last_error.clear();
                    c->set_handlers(
                        [this, id](wire::Frame& f) {
                            if (f.type != ATOLL_WIRE_STATUS)
                                return;
                            if (auto s = wire::Status::decode(f.payload))
                                for (auto& r : peers_)
                                    if (r.addr.id == id) {
                                        r.status = std::move(*s);
                                        r.answered = std::chrono::steady_clock::now();
                                    }
                        },
                        [this, id](const std::string& why) {
                            for (auto& r : peers_)
                                if (r.addr.id == id) {
                                    r.conn.reset();
                                    r.last_error = why;
                                }
                        });
                    c->send(ATOLL_WIRE_STATUS_REQ);
                }
            },
            [this, id](const std::string& why) {
                for (auto& q : peers_)
                    if (q.addr.id == id) {
                        q.dialing = false;
                        if (q.last_error != why && q.status)
                            log(q.addr.name + ": " + why);
                        q.last_error = why;
                    }
            });
    }
    timer_.expires_after(tick_every);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            tick();
    });
}

Daemon::Peer* Daemon::peer(std::uint32_t id) {
    for (auto& q : peers_)
        if (q.addr.id == id)
            return &q;
    return nullptr;
}

void Daemon::drop_closed_idle(Peer& p) {
    std::erase_if(p.idle, [](const auto& c) { return c->ending(); });
}

void Daemon::refill_spare(Peer& p) {
    drop_closed_idle(p);
    if (p.spare_dialing || !p.idle.empty())
        return;
    p.spare_dialing = true;
    const std::uint32_t id = p.addr.id;
    dial(
        p.addr,
        [this, id](std::shared_ptr<Conn> c, const wire::Welcome& w) {
            Peer* q = peer(id);
            if (q == nullptr)
                return c->close("no such peer");
            q->spare_dialing = false;
            q->spare_welcome = w;
            keep_idle(*q, std::move(c));
        },
        [this, id](const std::string&) {
            if (Peer* q = peer(id))
                q->spare_dialing = false;   // the next tick tries again
        });
}

void Daemon::keep_idle(Peer& p, std::shared_ptr<Conn> c) {
    // Idle until taken; the keepalive's PINGs are answered below this. One
    // that dies is simply not there next time.
    c->set_handlers([](wire::Frame&) {},
                    [this, id = p.addr.id](const std::string&) {
                        if (Peer* q = peer(id))
                            drop_closed_idle(*q);
                    });
    p.idle.push_back(std::move(c));
}

void Daemon::give_back(std::uint32_t node, std::shared_ptr<Conn> c, const wire::Welcome& w) {
    if (c->ending())
        return;
    if (Peer* p = peer(node)) {
        drop_closed_idle(*p);
        if (p->idle.size() < max_idle) {
            // A connection dialed for a client (none was idle) may come back
            // before any spare was dialed: its WELCOME is the node's too.
            p->spare_welcome = w;
            return keep_idle(*p, std::move(c));
        }
    }
    c->close("enough idle connections");
}

void Daemon::open_route(const NodeAddress& node, Dialed ok, Failed fail) {
    Peer* p = peer(node.id);
    if (p != nullptr)
        drop_closed_idle(*p);
    if (p == nullptr || p->idle.empty())
        return dial(node, std::move(ok), std::move(fail));
    auto c = std::move(p->idle.back());
    p->idle.pop_back();
    const wire::Welcome w = p->spare_welcome;
    c->set_handlers(nullptr, nullptr);
    const bool last = p->idle.empty();
    ok(c, w);
    // The last idle one is taken: the next is dialed once this exec's first
    // frames are on their way (its connect and handshake would otherwise
    // take the CPU from them). While one is out, its own return after the
    // job usually makes this unneeded.
    if (last)
        asio::post(io_, [this, id = node.id] {
            if (Peer* q = peer(id))
                refill_spare(*q);
        });
}

std::uint32_t Daemon::state_of(const Peer& p, const std::vector<wire::PartitionState>& table,
                               bool table_known) const {
    if (p.status && std::chrono::steady_clock::now() - p.answered < up_within)
        return ATOLL_NODE_UP;
    if (table_known) {
        for (const auto& t : table)
            if (t.id == p.addr.id)
                return t.state == ATOLL_PSTATE_STOPPED ? ATOLL_NODE_STOPPED : ATOLL_NODE_DAEMON_DOWN;
        return ATOLL_NODE_STOPPED;   // a partition of this box that is not booted
    }
    return ATOLL_NODE_UNREACHABLE;
}

wire::Nodes Daemon::nodes() const {
    const auto now = std::chrono::steady_clock::now();
    wire::Nodes out;
    const wire::Status& me = status();
    // The partition table: ours (host), or the host's last word.
    const auto known = partition_table();
    const std::vector<wire::PartitionState> table = known.value_or(std::vector<wire::PartitionState>{});
    const bool table_known = known.has_value();
    const NodeAddress* self = find_node(cfg_.nodes, cfg_.self);
    out.nodes.push_back({cfg_.self, cfg_.name, self ? self->address : "", ATOLL_NODE_UP, me, 0});
    for (const auto& p : peers_) {
        if (!shown(p, table, table_known))
            continue;
        wire::NodeEntry e;
        e.id = p.addr.id;
        e.name = p.addr.name;
        e.address = p.addr.address;
        e.state = state_of(p, table, table_known && p.addr.id != 0);
        if (p.status)
            e.status = *p.status;
        // A partition does not know its NUMA node; the partition table does.
        if (e.status.numa_node == ATOLL_NUMA_UNKNOWN)
            for (const auto& t : table)
                if (t.id == e.id)
                    e.status.numa_node = t.numa_node;
        e.since_ms = p.status ? static_cast<std::uint64_t>(
                                    std::chrono::duration_cast<std::chrono::milliseconds>(now - p.answered).count())
                              : UINT64_MAX;
        out.nodes.push_back(std::move(e));
    }
    std::sort(out.nodes.begin(), out.nodes.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

}  // namespace atl::atolld
