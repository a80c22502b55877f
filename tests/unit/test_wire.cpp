// atolld's wire format (atoll/abi/atolld.h): payload round trips, refusal
// of malformed payloads, framing split anywhere, MACs (wrong key, altered
// byte, replayed or reordered frame), key files.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "atoll/wire/auth.hpp"
#include "atoll/wire/frame.hpp"
#include "atoll/wire/handshake.hpp"
#include "atoll/wire/messages.hpp"

namespace atl::wire {
namespace {

Exec sample_exec() {
    Exec e;
    e.flags = 0;
    e.argv = {"sh", "-c", "echo hi; exit 7"};
    e.env = {"A=1", "EMPTY="};
    e.cwd = "/tmp";
    return e;
}

TEST(Wire, PayloadsRoundTrip) {
    const Exec e = sample_exec();
    EXPECT_EQ(Exec::decode(e.encode()), e);
    Status s;
    s.node = 2;
    s.name = "p2";
    s.cpus = 1;
    s.mem_total_kib = 900000;
    s.mem_available_kib = 800000;
    s.load1 = 12;
    s.uptime_s = 99;
    s.partitions = {{1, 3, 0}, {2, 3, 1}, {3, 1, ATOLL_NUMA_UNKNOWN}};
    EXPECT_EQ(Status::decode(s.encode()), s);
    s.numa_node = 1;   // the host knows its own
    EXPECT_EQ(Status::decode(s.encode()), s);
    Nodes n;
    NodeEntry ne;
    ne.id = 1;
    ne.name = "p1";
    ne.address = "10.77.0.2";
    ne.state = ATOLL_NODE_UP;
    ne.status.cpus = 2;
    ne.status.node = 1;
    ne.status.name = "p1";
    ne.status.numa_node = 1;
    ne.since_ms = 5;
    n.nodes = {ne, ne};
    auto back = Nodes::decode(n.encode());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->nodes, n.nodes);
    EXPECT_EQ(Welcome::decode(Welcome{3, "p3"}.encode())->name, "p3");
    EXPECT_EQ(ErrorMsg::decode(ErrorMsg{ATOLL_WIRE_E_NO_NODE, "no node 9"}.encode())->code, ATOLL_WIRE_E_NO_NODE);
    EXPECT_EQ(Exit::decode(Exit{137, 9}.encode())->status, 137u);
    EXPECT_EQ(Number::decode(Number{42}.encode())->value, 42u);
    Processes ps;
    ps.list = {{7, 0, "root", 'S', 12, 900, 1700000000, 1234, "sleep 5", ""},
               {8, 0, "root", 'S', 1, 2048, 1700000001, 5, "/home/counter.sh", "c"}};
    ps.clock_ms = 99;
    const auto pb = Processes::decode(ps.encode());
    ASSERT_TRUE(pb);
    EXPECT_EQ(pb->list, ps.list);
    EXPECT_EQ(pb->clock_ms, 99u);
    EXPECT_EQ(Kill::decode(Kill{7, 15}.encode())->signal, 15u);
    EXPECT_FALSE(Kill::decode(Kill{0, 15}.encode()));   // never "the whole group"
    EXPECT_FALSE(Kill::decode(Kill{7, 99}.encode()));
}

TEST(Wire, MalformedPayloadsAreRefusedWhole) {
    const Bytes good = sample_exec().encode();
    // Every truncation, and one byte too many.
    for (std::size_t n = 0; n < good.size(); ++n)
        EXPECT_FALSE(Exec::decode(Payload(good).first(n))) << n;
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_FALSE(Exec::decode(longer));
    // A count the payload cannot hold; a string above the limit.
    EXPECT_FALSE(Exec::decode(Writer().u32(0).u32(4000).take()));
    EXPECT_FALSE(Text::decode(Writer().u32(ATOLL_WIRE_MAX_STR + 1).take()));
    // Nothing to run, a NUL inside an argument, a variable without '='.
    Exec e = sample_exec();
    e.argv = {};
    EXPECT_FALSE(Exec::decode(e.encode()));
    e = sample_exec();
    e.argv[1] = std::string("a\0b", 3);
    EXPECT_FALSE(Exec::decode(e.encode()));
    e = sample_exec();
    e.env = {"NOEQUALS"};
    EXPECT_FALSE(Exec::decode(e.encode()));
    EXPECT_FALSE(Exit::decode(Exit{300, 0}.encode()));
}

TEST(Wire, ExecsMayAskForStartedAndNothingElseUndefined) {
    // Revision 4: STARTED only when asked; the flag adds no field.
    Exec e = sample_exec();
    e.flags = ATOLL_EXEC_F_STARTED;
    EXPECT_EQ(Exec::decode(e.encode()), e);
    EXPECT_EQ(e.encode().size(), sample_exec().encode().size());
    e.flags = ATOLL_EXEC_F_STARTED | ATOLL_EXEC_F_PTY;
    e.rows = 24;
    e.cols = 80;
    EXPECT_EQ(Exec::decode(e.encode()), e);
    // The next bit is nobody's yet: refused, not half-served.
    e.flags = ATOLL_EXEC_F_STARTED << 1;
    EXPECT_FALSE(Exec::decode(e.encode()));
}

TEST(Wire, PtyExecsCarryTheTerminalSize) {
    Exec e = sample_exec();
    e.flags = ATOLL_EXEC_F_PTY;
    e.rows = 24;
    e.cols = 80;
    EXPECT_EQ(Exec::decode(e.encode()), e);
    // Without the flag the size is not on the wire (and reads back as 0).
    Exec plain = sample_exec();
    plain.rows = 24;
    const auto back = Exec::decode(plain.encode());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->rows, 0u);
    // A size of nothing, or beyond any screen; a flag nobody defined.
    for (auto [r, c] : {std::pair{0u, 80u}, {24u, 0u}, {ATOLL_WIRE_MAX_WINSIZE + 1, 80u}}) {
        e.rows = r;
        e.cols = c;
        EXPECT_FALSE(Exec::decode(e.encode())) << r << "x" << c;
    }
    Exec unknown = sample_exec();
    unknown.flags = 1u << 5;
    EXPECT_FALSE(Exec::decode(unknown.encode()));
    // The flag without the size that must follow it.
    Bytes cut = Exec{ATOLL_EXEC_F_PTY, {"sh"}, {}, "", 24, 80}.encode();
    cut.resize(cut.size() - 8);
    EXPECT_FALSE(Exec::decode(cut));

    EXPECT_EQ(Winsize::decode(Winsize{50, 132}.encode()), (Winsize{50, 132}));
    EXPECT_FALSE(Winsize::decode(Winsize{0, 132}.encode()));
    EXPECT_FALSE(Winsize::decode(Writer().u32(24).take()));
    EXPECT_FALSE(Winsize::decode(Writer().u32(24).u32(80).u32(1).take()));
    EXPECT_EQ(type_name(ATOLL_WIRE_WINSIZE), "WINSIZE");
}

TEST(Wire, FramesSurviveAnySplit) {
    Framer f(from_client);
    Bytes stream;
    for (int i = 0; i < 3; ++i) {
        const Bytes one = f.encode(ATOLL_WIRE_STDIN, Writer().str("chunk " + std::to_string(i)).data());
        stream.insert(stream.end(), one.begin(), one.end());
    }
    for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
        Deframer d(from_client);
        int frames = 0;
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            d.feed(std::span(stream).subspan(at, std::min(piece, stream.size() - at)));
            Frame fr;
            while (d.next(fr) == Deframer::Next::frame) {
                EXPECT_EQ(fr.type, ATOLL_WIRE_STDIN);
                ++frames;
            }
        }
        EXPECT_EQ(frames, 3) << piece;
        EXPECT_EQ(d.pending(), 0u);
    }
}

TEST(Wire, BadHeadersEndTheConnection) {
    auto bad = [](Bytes b, const char* why) {
        Deframer d(from_client);
        d.feed(b);
        Frame f;
        EXPECT_EQ(d.next(f), Deframer::Next::bad) << why;
        EXPECT_FALSE(d.error().empty()) << why;
        d.feed(Framer(from_client).encode(ATOLL_WIRE_PING));
        EXPECT_EQ(d.next(f), Deframer::Next::bad) << why << ": stays failed";
    };
    Bytes frame = Framer(from_client).encode(ATOLL_WIRE_PING);
    Bytes b = frame;
    b[0] ^= 1;
    bad(b, "magic");
    b = frame;
    b[4] = 9;
    bad(b, "version");
    bad(Writer().u32(ATOLL_WIRE_MAGIC).u32(ATOLL_WIRE_VERSION).u32(ATOLL_WIRE_MAX_PAYLOAD + 1).u32(0).take(),
        "oversized");
    b = frame;
    b[12] = 1;
    bad(b, "reserved");
    // Garbage that happens to be short is only "more to come".
    Deframer d(from_client);
    d.feed(Bytes{1, 2, 3});
    Frame f;
    EXPECT_EQ(d.next(f), Deframer::Next::need_more);
}

struct Pair {
    Key key = fresh_key();
    Key session = fresh_key();
    Framer c{from_client};
    Deframer s{from_client};
    Pair() {
        EXPECT_TRUE(crypto_ready());
        c.secure(session);
        s.secure(session);
    }
};

TEST(Wire, MacsCatchWrongKeysAlterationAndReplay) {
    {
        Pair p;
        p.s.feed(p.c.encode(ATOLL_WIRE_STDIN, Writer().str("a").data()));
        Frame f;
        EXPECT_EQ(p.s.next(f), Deframer::Next::frame);
    }
    {
        Pair p;
        Deframer other(from_client);
        other.secure(fresh_key());
        other.feed(p.c.encode(ATOLL_WIRE_PING));
        Frame f;
        EXPECT_EQ(other.next(f), Deframer::Next::bad);
    }
    {
        Pair p;
        Bytes b = p.c.encode(ATOLL_WIRE_STDIN, Writer().str("abc").data());
        b[20] ^= 0x20;
        p.s.feed(b);
        Frame f;
        EXPECT_EQ(p.s.next(f), Deframer::Next::bad);
    }
    {
        Pair p;
        const Bytes first = p.c.encode(ATOLL_WIRE_PING);
        p.s.feed(first);
        p.s.feed(first);   // replayed: its sequence number is spent
        Frame f;
        EXPECT_EQ(p.s.next(f), Deframer::Next::frame);
        EXPECT_EQ(p.s.next(f), Deframer::Next::bad);
    }
    {
        // A frame of the other direction (reflected back) fails too.
        Pair p;
        Framer server(from_server);
        server.secure(p.session);
        p.s.feed(server.encode(ATOLL_WIRE_PING));
        Frame f;
        EXPECT_EQ(p.s.next(f), Deframer::Next::bad);
    }
}

TEST(Wire, ProofsDependOnKeyLabelAndBothNonces) {
    ASSERT_TRUE(crypto_ready());
    const Key k = fresh_key();
    const Nonce c = fresh_nonce(), s = fresh_nonce();
    const Proof p = derive(k, "atolld-client", c, s);
    EXPECT_EQ(p, derive(k, "atolld-client", c, s));
    EXPECT_NE(p, derive(k, "atolld-server", c, s));
    EXPECT_NE(p, derive(k, "atolld-client", s, c));
    EXPECT_NE(p, derive(fresh_key(), "atolld-client", c, s));
}

TEST(Wire, KeyFiles) {
    const std::string path = testing::TempDir() + "atoll-key-" + std::to_string(::getpid());
    std::string why;
    ASSERT_TRUE(write_new_key(path, why)) << why;
    struct stat st{};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_TRUE(read_key(path, why)) << why;
    ::chmod(path.c_str(), 0644);
    EXPECT_FALSE(read_key(path, why));
    EXPECT_NE(why.find("chmod 600"), std::string::npos) << why;
    ::chmod(path.c_str(), 0600);
    std::ofstream(path) << "not hex\n";
    EXPECT_FALSE(read_key(path, why));
    EXPECT_FALSE(read_key(path + ".missing", why));
    ::unlink(path.c_str());
}

// Runs a client against a server, passing frames through real framing.
struct Handshake {
    Handshake(const Key& ck, const Key& sk) : client(ck), server(sk, Welcome{2, "p2"}) {}

    // Frames of one Step through the framers, into the other side's deframer.
    static void pass(const Step& st, Framer& out, Deframer& in, Deframer& mine) {
        for (const auto& [t, b] : st.send)
            in.feed(out.encode(t, b));
        if (st.secure) {
            out.secure(*st.secure);
            mine.secure(*st.secure);
        }
        for (const auto& [t, b] : st.send_secured)
            in.feed(out.encode(t, b));
    }

    // Until both are done or one refuses: the refusal, or "".
    std::string run() {
        const auto [t, b] = client.hello();
        sd.feed(cf.encode(t, b));
        for (int i = 0; i < 8; ++i) {
            Frame f;
            if (sd.next(f) == Deframer::Next::frame) {
                const Step st = server.on(f);
                pass(st, sf, cd, sd);
                if (!st.refused.empty())
                    return "server: " + st.refused;
            }
            if (cd.next(f) == Deframer::Next::frame) {
                const Step st = client.on(f);
                pass(st, cf, sd, cd);
                if (!st.refused.empty())
                    return "client: " + st.refused;
            }
            if (client.done() && server.done())
                return "";
        }
        return "stuck";
    }

    ClientHandshake client;
    ServerHandshake server;
    Framer cf{from_client}, sf{from_server};
    Deframer cd{from_server}, sd{from_client};
};

TEST(WireHandshake, SameKeyAgreesOnASessionBothWays) {
    ASSERT_TRUE(crypto_ready());
    const Key k = fresh_key();
    Handshake h(k, k);
    EXPECT_EQ(h.run(), "");
    EXPECT_EQ(h.client.peer().name, "p2");
    // Secured frames now pass both ways.
    h.sd.feed(h.cf.encode(ATOLL_WIRE_STATUS_REQ));
    h.cd.feed(h.sf.encode(ATOLL_WIRE_PONG));
    Frame f;
    EXPECT_EQ(h.sd.next(f), Deframer::Next::frame);
    EXPECT_EQ(f.type, ATOLL_WIRE_STATUS_REQ);
    EXPECT_EQ(h.cd.next(f), Deframer::Next::frame);
}

TEST(WireHandshake, WrongKeysAreRefusedEitherWay) {
    ASSERT_TRUE(crypto_ready());
    Handshake h(fresh_key(), fresh_key());
    // The client checks the server's proof first: it gives up before it
    // ever proves anything.
    EXPECT_EQ(h.run(), "client: the server does not hold the cluster key");

    ServerHandshake server(fresh_key(), Welcome{});
    ClientHandshake client(fresh_key());
    (void)client.hello();
    Frame hello{ATOLL_WIRE_HELLO, Bytes(32, 7)};
    ASSERT_TRUE(server.on(hello).refused.empty());
    const Step st = server.on(Frame{ATOLL_WIRE_PROOF, Bytes(32, 1)});
    EXPECT_EQ(st.refused, "wrong cluster key");
    ASSERT_EQ(st.send.size(), 1u);
    EXPECT_EQ(st.send[0].first, ATOLL_WIRE_REFUSED);
    EXPECT_FALSE(st.secure);
}

TEST(WireHandshake, AnythingButHelloFirstIsRefused) {
    ServerHandshake server(fresh_key(), Welcome{});
    EXPECT_EQ(server.on(Frame{ATOLL_WIRE_EXEC, sample_exec().encode()}).refused, "expected HELLO, got EXEC");
    ServerHandshake short_hello(fresh_key(), Welcome{});
    EXPECT_FALSE(short_hello.on(Frame{ATOLL_WIRE_HELLO, Bytes(5, 0)}).refused.empty());
}

}  // namespace
}  // namespace atl::wire
