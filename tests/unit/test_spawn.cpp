// atolld's command start (ssi/atolld/spawn.cpp): real children on this
// machine, since what is tested is what the kernel does with them.
// Not in the ThreadSanitizer build: a CLONE_VM child runs on memory the
// sanitizer's runtime does not know is shared.
#ifndef __SANITIZE_THREAD__
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "spawn.hpp"

namespace {

using atl::atolld::find_command;
using atl::atolld::spawn;
using atl::atolld::SpawnRequest;
using atl::atolld::SpawnResult;

struct Pipes {
    int in[2]{-1, -1}, out[2]{-1, -1};
    Pipes() {
        EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
        EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    }
    ~Pipes() {
        for (int fd : {in[0], in[1], out[0], out[1]})
            if (fd >= 0)
                ::close(fd);
    }
    SpawnRequest request(std::vector<std::string> argv) const {
        SpawnRequest r;
        r.argv = std::move(argv);
        r.env = {"PATH=/usr/bin:/bin", "ATOLL_SPAWN_TEST=yes"};
        r.in = in[0];
        r.out = out[1];
        r.err = out[1];
        return r;
    }
    // What the child wrote, once it and every copy of the write end are gone.
    std::string output() {
        ::close(out[1]);
        out[1] = -1;
        std::string s;
        char buf[4096];
        for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
            s.append(buf, static_cast<std::size_t>(n));
        return s;
    }
};

int wait_status(pid_t pid) {
    int ws = 0;
    EXPECT_EQ(::waitpid(pid, &ws, 0), pid);
    return ws;
}

TEST(Spawn, RunsInItsOwnSessionWithOnlyTheEnvironmentAsked) {
    Pipes p;
    // Field 6 of /proc/PID/stat is the session id.
    auto req = p.request({"sh", "-c",
                          "read -r _ _ _ _ _ sid _ < /proc/$$/stat; echo \"$sid $$\"; "
                          "echo \"$ATOLL_SPAWN_TEST ${HOME:-nohome}\"; pwd; exit 7"});
    req.cwd = "/tmp";
    const SpawnResult r = spawn(req);
    ASSERT_EQ(r.stage, SpawnResult::Stage::started);
    ASSERT_GT(r.pid, 0);
    const std::string out = p.output();
    const int ws = wait_status(r.pid);
    ASSERT_TRUE(WIFEXITED(ws));
    EXPECT_EQ(WEXITSTATUS(ws), 7);
    const std::string me = std::to_string(r.pid);
    EXPECT_EQ(out, me + " " + me + "\nyes nohome\n/tmp\n");   // the session leader; no HOME leaked
}

TEST(Spawn, AMissingCommandIsNotFound) {
    Pipes p;
    const SpawnResult r = spawn(p.request({"atoll-no-such-command"}));
    EXPECT_EQ(r.stage, SpawnResult::Stage::command);
    EXPECT_EQ(r.error, ENOENT);
    EXPECT_EQ(r.pid, -1);
}

TEST(Spawn, AMissingDirectoryIsReportedAsSuchAndTheChildIsReaped) {
    Pipes p;
    auto req = p.request({"true"});
    req.cwd = "/atoll-no-such-directory";
    const SpawnResult r = spawn(req);
    EXPECT_EQ(r.stage, SpawnResult::Stage::cwd);
    EXPECT_EQ(r.error, ENOENT);
    // Nothing left to wait for: the failed child was reaped by spawn.
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(Spawn, AScriptWithoutInterpreterLineRunsUnderSh) {
    const auto dir = std::filesystem::temp_directory_path() / ("atoll-spawn-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto script = dir / "plain";
    std::ofstream(script) << "echo plain \"$1\"\n";
    ::chmod(script.c_str(), 0755);
    Pipes p;
    const SpawnResult r = spawn(p.request({script.string(), "arg"}));
    ASSERT_EQ(r.stage, SpawnResult::Stage::started);
    const std::string out = p.output();
    EXPECT_TRUE(WIFEXITED(wait_status(r.pid)));
    EXPECT_EQ(out, "plain arg\n");
    std::filesystem::remove_all(dir);
}

TEST(Spawn, FindCommandFollowsPathLikeExecvp) {
    const auto dir = std::filesystem::temp_directory_path() / ("atoll-find-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "a");
    std::filesystem::create_directories(dir / "b");
    std::ofstream(dir / "a" / "tool") << "";
    ::chmod((dir / "a" / "tool").c_str(), 0644);   // not executable: skipped
    std::ofstream(dir / "b" / "tool") << "";
    ::chmod((dir / "b" / "tool").c_str(), 0755);
    int e = 0;
    const std::string path = (dir / "a").string() + ":" + (dir / "b").string();
    EXPECT_EQ(find_command("tool", path, "", e), (dir / "b" / "tool").string());
    EXPECT_EQ(find_command("tool", (dir / "a").string(), "", e), "");
    EXPECT_EQ(e, EACCES);
    EXPECT_EQ(find_command("nothing", path, "", e), "");
    EXPECT_EQ(e, ENOENT);
    EXPECT_EQ(find_command("./x/y", path, "", e), "./x/y");   // with a '/': as given
    EXPECT_EQ(find_command("tool", "b", dir.string(), e), dir.string() + "/b/tool");   // relative entry: from cwd
    std::filesystem::remove_all(dir);
}

}  // namespace
#endif
