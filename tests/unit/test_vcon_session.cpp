// The tool side of vcon against a buffer-backed lagoon: the run markers, the
// escape filter, following with gap notes, and a whole `atoll run` exchange
// with a thread playing the partition's shell.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/vcon_session.hpp"
#include "atoll/vcon/input.hpp"
#include "atoll/vcon/writer.hpp"
#include "lagoon_test_support.hpp"

namespace atl::ssi {
namespace {

using nk::test::AlignedBuffer;

std::span<const std::byte> bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// A formatted lagoon with 8 KiB consoles.
struct Lagoon {
    AlignedBuffer buf{256 * 1024};
    Lagoon() {
        nk::LagoonSpec spec;
        spec.max_partitions = 4;
        spec.max_cpus = 4;
        spec.console_size = 8192;
        EXPECT_TRUE(nk::lagoon_format(buf.data(), buf.size(), spec).ok());
    }
};

TEST(VconMarkers, TypedLineNeverMatchesOnlyTheEvaluatedMarkersDo) {
    RunMarkers m("n0nce");
    const std::string line = m.command_line("ls /");
    EXPECT_EQ(line, " echo @@B$((1+1))-n0nce@@; ls /; echo \"@@E$((1+1))-n0nce $?@@\"\n");
    // A command that ends in '&' is already terminated: no ';' after it.
    EXPECT_EQ(m.command_line("sleep 9 & "),
              " echo @@B$((1+1))-n0nce@@; sleep 9 & echo \"@@E$((1+1))-n0nce $?@@\"\n");
    EXPECT_EQ(m.command_line("true && false"),
              " echo @@B$((1+1))-n0nce@@; true && false; echo \"@@E$((1+1))-n0nce $?@@\"\n");
    // The shell echoes the typed line first: no match.
    EXPECT_FALSE(m.feed("# " + line.substr(0, line.size() - 1) + "\r\n"));
    EXPECT_FALSE(m.begun());
    EXPECT_FALSE(m.feed("@@B2-n0n"));
    EXPECT_FALSE(m.feed("ce@@\r"));
    EXPECT_TRUE(m.begun());
    EXPECT_FALSE(m.feed("\nbin\r\n\r\netc\r\n@@E2-n0nce 1"));
    EXPECT_TRUE(m.feed("7@@\r\n# "));
    EXPECT_EQ(m.status(), 17);
    EXPECT_EQ(m.output(), "bin\n\netc\n");
}

TEST(VconMarkers, OtherNoncesAndBrokenMarkersAreOutput) {
    RunMarkers m("abc");
    EXPECT_FALSE(m.feed("@@B2-xyz@@\n@@B2-abc@@\n@@E2-xyz 0@@\n@@E2-abc x@@\n"));
    EXPECT_TRUE(m.feed("tail@@E2-abc 0@@"));
    EXPECT_EQ(m.status(), 0);
    EXPECT_EQ(m.output(), "@@E2-xyz 0@@\n@@E2-abc x@@\ntail");
}

TEST(VconMarkers, NoncesAreFreshHex) {
    const std::string a = make_nonce(), b = make_nonce();
    EXPECT_EQ(a.size(), 12u);
    EXPECT_NE(a, b);
    EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]+")));
}

TEST(VconEscape, CtrlBracketThenQDetaches) {
    EscapeFilter f;
    EXPECT_EQ(f.filter("ls\r"), "ls\r");
    EXPECT_EQ(f.filter("a\x1d"), "a");
    EXPECT_FALSE(f.detach());
    EXPECT_EQ(f.filter("\x1d"), "\x1d");   // doubled: one literal
    EXPECT_EQ(f.filter("\x1dx"), "\x1dx");
    EXPECT_EQ(f.filter("\x1d"), "");
    EXPECT_EQ(f.filter("q ignored"), "");
    EXPECT_TRUE(f.detach());
}

TEST(VconDevice, BorrowedLagoonGivesConsolesAndClearErrors) {
    Lagoon l;
    const auto map = LagoonMap::borrow(l.buf.data(), l.buf.size());
    EXPECT_EQ(map.console(PartitionId{1}).size(), 8192u);
    EXPECT_THROW((void)map.console(PartitionId{4}), Failure);
    AlignedBuffer junk(4096);
    EXPECT_THROW((void)LagoonMap::borrow(junk.data(), junk.size()), Failure);
    EXPECT_NE(console_error(PartitionId{2}, Error::bad_signature).find("no console yet"), std::string::npos);
}

TEST(VconLog, SnapshotThenFollowWithGapNotes) {
    Lagoon l;
    const auto map = LagoonMap::borrow(l.buf.data(), l.buf.size());
    const auto area = map.console(PartitionId{1});
    ConsoleFollower f(area, PartitionId{1});
    EXPECT_FALSE(f.attach());
    EXPECT_EQ(f.snapshot(), "");
    auto w = vcon::Writer::format(area);
    ASSERT_TRUE(w.ok());
    vcon::Writer writer = *w;
    writer.write(bytes("[    0.000000] Linux version 6.12\n"));
    EXPECT_EQ(f.snapshot(), "[    0.000000] Linux version 6.12\n");
    EXPECT_EQ(f.poll(), "");
    writer.write(bytes("more\n"));
    EXPECT_EQ(f.poll(), "more\n");
    const std::string flood(20000, 'z');
    writer.write(bytes(flood));
    const std::string text = f.poll();
    const std::size_t cap = vcon::geometry_for(8192)->out_size;
    EXPECT_EQ(text, "\n[vcon: " + std::to_string(20000 - cap) + " bytes lost]\n" + std::string(cap, 'z'));
    // The partition restarts: noted, and the stream goes on.
    auto w2 = vcon::Writer::format(area);
    ASSERT_TRUE(w2.ok());
    vcon::Writer again = *w2;
    again.write(bytes("reboot\n"));
    EXPECT_EQ(f.poll(), "\n[vcon: console restarted]\n");
    EXPECT_EQ(f.poll(), "reboot\n");
}

// The partition side of `atoll run`: a line-reading "shell" that echoes what
// it is typed (as a tty does, CR LF), then evaluates the markers and runs
// "echo hi" or "false".
void fake_shell(std::span<std::byte> area, std::atomic<bool>& stop) {
    auto w = vcon::Writer::format(area);
    ASSERT_TRUE(w.ok());
    vcon::Writer out = *w;
    auto in = vcon::InputReader::open(area);
    ASSERT_TRUE(in.ok());
    vcon::InputReader input = *in;
    out.write(bytes("boot noise @@B2-\n# "));
    out.set_input_ready(true);
    std::string line;
    std::byte buf[64];
    while (!stop.load()) {
        const std::size_t n = input.read(buf);
        for (std::size_t i = 0; i < n; ++i) {
            const char ch = static_cast<char>(buf[i]);
            if (ch != '\n') {
                line += ch;
                continue;
            }
            out.write(bytes(line + "\r\n"));   // the tty's echo
            const std::smatch none;
            std::smatch m;
            ASSERT_TRUE(std::regex_match(line, m, std::regex(R"( echo @@B\$\(\(1\+1\)\)-(\w+)@@; (.*); echo "@@E\$\(\(1\+1\)\)-(\w+) \$\?@@")")));
            const std::string nonce = m[1];
            const std::string cmd = m[2];
            out.write(bytes("@@B2-" + nonce + "@@\r\n"));
            int status = 0;
            if (cmd == "echo hi")
                out.write(bytes("hi\r\n"));
            else
                status = 1;
            out.write(bytes("@@E2-" + nonce + " " + std::to_string(status) + "@@\r\n# "));
            line.clear();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

TEST(VconRun, ExchangeWithAShell) {
    Lagoon l;
    const auto map = LagoonMap::borrow(l.buf.data(), l.buf.size());
    const auto area = map.console(PartitionId{2});
    std::atomic<bool> stop{false};
    std::thread shell(fake_shell, area, std::ref(stop));
    const RunResult ok = run_on_console(area, PartitionId{2}, "echo hi", std::chrono::seconds(20), make_nonce());
    const RunResult fail = run_on_console(area, PartitionId{2}, "false", std::chrono::seconds(20), make_nonce());
    stop = true;
    shell.join();
    EXPECT_TRUE(ok.finished);
    EXPECT_EQ(ok.status, 0);
    EXPECT_EQ(ok.output, "hi\n");
    EXPECT_TRUE(fail.finished);
    EXPECT_EQ(fail.status, 1);
    EXPECT_EQ(fail.output, "");
}

TEST(VconRun, TimesOutWithoutAShell) {
    Lagoon l;
    const auto map = LagoonMap::borrow(l.buf.data(), l.buf.size());
    const auto area = map.console(PartitionId{3});
    ASSERT_TRUE(vcon::Writer::format(area).ok());   // a console, but no tty open
    const RunResult r = run_on_console(area, PartitionId{3}, "true", std::chrono::milliseconds(100), "n");
    EXPECT_FALSE(r.finished);
}

}  // namespace
}  // namespace atl::ssi
